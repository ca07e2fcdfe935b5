package dev.recap.bus;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The device a worker computes on: {@code cpu}, or {@code cuda:N} for the CUDA GPU with index N
 * (0-based, as libtorch numbers the GPUs it sees, so after {@code CUDA_VISIBLE_DEVICES}). A worker
 * advertises it in its hello under this spelling.
 */
public final class WorkerDevice {

  private static final Pattern CUDA = Pattern.compile("cuda:(\\d{1,4})");
  private static final WorkerDevice CPU = new WorkerDevice(-1);

  /** -1 for the CPU. */
  private final int gpuIndex;

  private WorkerDevice(int gpuIndex) {
    this.gpuIndex = gpuIndex;
  }

  /** The CPU. */
  public static WorkerDevice cpu() {
    return CPU;
  }

  /** The CUDA GPU with this index. */
  public static WorkerDevice cuda(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("a CUDA device index is 0 or more, got " + index);
    }
    return new WorkerDevice(index);
  }

  /**
   * Reads {@code cpu} or {@code cuda:N}.
   *
   * @throws IllegalArgumentException quoting the text and the two accepted forms
   */
  public static WorkerDevice parse(String text) {
    Objects.requireNonNull(text, "device");
    if (text.equals("cpu")) {
      return CPU;
    }
    Matcher m = CUDA.matcher(text);
    if (m.matches()) {
      return cuda(Integer.parseInt(m.group(1)));
    }
    throw new IllegalArgumentException("'" + text + "' is not a device: use cpu, or cuda:N for the CUDA GPU with index N (cuda:0 is the first)");
  }

  public boolean isCuda() {
    return gpuIndex >= 0;
  }

  /**
   * The GPU's index.
   *
   * @throws IllegalStateException for the CPU
   */
  public int gpuIndex() {
    if (!isCuda()) {
      throw new IllegalStateException("cpu has no GPU index");
    }
    return gpuIndex;
  }

  /** {@code cpu} or {@code cuda:N}, as {@link #parse} reads it. */
  @Override
  public String toString() {
    return isCuda() ? "cuda:" + gpuIndex : "cpu";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WorkerDevice d && d.gpuIndex == gpuIndex;
  }

  @Override
  public int hashCode() {
    return Integer.hashCode(gpuIndex);
  }
}
