package dev.recap.worker.train;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/** Arithmetic used for the forward and backward passes. Parameters and optimizer state stay fp32. */
public enum Precision {
  /** Everything in float32. */
  FP32,
  /**
   * Mixed fp16: each step casts the fp32 master weights and the images to float16, runs both
   * towers in fp16, casts the embeddings back to fp32 for the gather and the loss, and scales the
   * loss (dynamic: halved on overflow, that step skipped; doubled after 200 clean steps) so small
   * gradients survive fp16. Slower than fp32 through DJL on CPU; kept for comparison.
   */
  FP16_MIXED,
  /**
   * The matrix products (linear layers, attention, projections) in bfloat16 with float32 in and out
   * ({@link Bf16Kernels}), everything else float32: what PyTorch's bfloat16 autocast does for the
   * products. No loss scaling (bfloat16 has float32's range).
   */
  BF16_PRODUCTS;

  /** System property (or environment variable {@code RECAP_PRECISION}) that forces a precision: auto, fp32 or bf16. */
  public static final String PROPERTY = "recap.precision";

  private static final Pattern BF16_FLAG = Pattern.compile("\\b(avx512_bf16|amx_bf16)\\b");

  /** The name results and run.json record. */
  public String label() {
    return switch (this) {
      case FP32 -> "fp32";
      case FP16_MIXED -> "fp16-mixed";
      case BF16_PRODUCTS -> "bf16-products";
    };
  }

  /**
   * The precision a run on {@code device} trains in: {@code recap.precision} (or
   * {@code RECAP_PRECISION}) when it is fp32 or bf16; otherwise (auto, the default) bfloat16
   * products on a GPU and on a CPU with bfloat16 instructions (avx512_bf16 or amx_bf16), else fp32.
   *
   * @throws IllegalArgumentException for a value other than auto, fp32 or bf16
   */
  public static Precision forDevice(Device device) {
    String chosen = System.getProperty(PROPERTY, System.getenv().getOrDefault("RECAP_PRECISION", "auto"));
    return switch (chosen.trim().toLowerCase(Locale.ROOT)) {
      case "fp32" -> FP32;
      case "bf16" -> BF16_PRODUCTS;
      case "auto", "" -> device.isGpu() || cpuHasBf16() ? BF16_PRODUCTS : FP32;
      default -> throw new IllegalArgumentException(
          PROPERTY + " (or RECAP_PRECISION) must be auto, fp32 or bf16, got '" + chosen + "'");
    };
  }

  /** Whether this machine's CPU reports bfloat16 dot-product instructions (Linux /proc/cpuinfo, read once). */
  static boolean cpuHasBf16() {
    return CpuBf16.PRESENT;
  }

  /** Holds the probe's answer: the CPU does not change while the JVM runs. */
  private static final class CpuBf16 {
    static final boolean PRESENT = probe();
  }

  private static boolean probe() {
    try {
      Path info = Path.of("/proc/cpuinfo");
      return Files.isReadable(info) && BF16_FLAG.matcher(Files.readString(info)).find();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
