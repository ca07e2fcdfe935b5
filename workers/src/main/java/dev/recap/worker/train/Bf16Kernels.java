package dev.recap.worker.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.recap.api.Kernels;
import dev.recap.api.encoder.Gelu;
import dev.recap.api.torchscript.TorchScriptArchive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kernels with bfloat16 matrix products and float32 in and out: each kernel is a small
 * TorchScript function (written by Recap itself with {@link TorchScriptArchive}) that casts its
 * float32 inputs to bfloat16, computes, and casts its result back to float32, so no bfloat16 array
 * ever crosses DJL's JNI (whose dtype switch has no bfloat16 case and aborts the JVM on one).
 * Autograd records through the scripted graph (DJL runs a module's method without a no-grad guard
 * in training), so the gradients of the float32 inputs come back in float32, computed in bfloat16
 * as well. The feed-forward and the self-attention are fused kernels: their intermediate
 * activations (the 4x-wide hidden layer, q, k, v) stay bfloat16 between the products, as under
 * PyTorch's bfloat16 autocast, instead of crossing back to float32 after every product; the
 * attention's softmax runs in float32. Normalisation, the residual stream, the loss, the
 * optimizer and the master weights stay float32.
 *
 * <p>Inputs that are not float32 (an fp16 pass) go through {@link Kernels#EXACT}'s arithmetic.
 */
final class Bf16Kernels implements Kernels {

  /** {@code torch.bfloat16} and {@code torch.float32} as TorchScript's ScalarType numbers. */
  private static final int BF16 = 15;
  private static final int FP32 = 6;

  private static final Map<Device, Bf16Kernels> BY_DEVICE = new ConcurrentHashMap<>();

  private final PtSymbolBlock linearWithBias;
  private final PtSymbolBlock linearNoBias;
  private final PtSymbolBlock matMul;
  private final PtSymbolBlock feedForward;
  private final PtSymbolBlock quickFeedForward;
  /** Self-attention kernels by "heads/width/masked": the head count and width are constants of the script. */
  private final Map<String, PtSymbolBlock> attention = new ConcurrentHashMap<>();
  private final PtNDManager manager;
  private final ParameterStore none;

  private Bf16Kernels(PtNDManager manager) throws IOException {
    linearWithBias = load(manager, "LinearBf16", "x: Tensor, w: Tensor, b: Tensor",
        "torch.linear(torch.to(x, " + BF16 + "), torch.to(w, " + BF16 + "), torch.to(b, " + BF16 + "))");
    linearNoBias = load(manager, "LinearNoBiasBf16", "x: Tensor, w: Tensor",
        "torch.linear(torch.to(x, " + BF16 + "), torch.to(w, " + BF16 + "))");
    matMul = load(manager, "MatMulBf16", "a: Tensor, b: Tensor",
        "torch.matmul(torch.to(a, " + BF16 + "), torch.to(b, " + BF16 + "))");
    feedForward = feedForwardKernel(manager, "FeedForwardBf16", "torch.gelu(h)");
    quickFeedForward = feedForwardKernel(manager, "QuickFeedForwardBf16", "torch.mul(h, torch.sigmoid(torch.mul(h, 1.702)))");
    this.manager = manager;
    none = new ParameterStore(manager, false);
  }

  /**
   * The self-attention kernel for {@code heads} heads over width {@code width}: q, k, v and the
   * attention-weighted values stay bfloat16 between the products, the softmax runs in float32 (as
   * under autocast), and only the block's input and output cross as float32.
   */
  private PtSymbolBlock attentionKernel(int heads, long width, boolean masked) {
    return attention.computeIfAbsent(heads + "/" + width + "/" + masked, key -> {
      long headDim = width / heads;
      String name = "SelfAttentionBf16H" + heads + "W" + width + (masked ? "Masked" : "");
      String body = "    b = x.size(0)\n"
          + "    n = x.size(1)\n"
          + "    qkv = torch.linear(torch.to(x, " + BF16 + "), torch.to(w_in, " + BF16 + "), torch.to(b_in, " + BF16 + "))\n"
          + "    parts = torch.split(qkv, " + width + ", 2)\n"
          + "    q = torch.mul(parts[0].reshape([b, n, " + heads + ", " + headDim + "]).transpose(1, 2), "
          + (1.0 / Math.sqrt(headDim)) + ")\n"
          + "    k = parts[1].reshape([b, n, " + heads + ", " + headDim + "]).transpose(1, 2)\n"
          + "    v = parts[2].reshape([b, n, " + heads + ", " + headDim + "]).transpose(1, 2)\n"
          + "    s = torch.to(torch.matmul(q, k.transpose(2, 3)), " + FP32 + ")\n"
          + (masked ? "    s = torch.add(s, mask)\n" : "")
          + "    a = torch.to(torch.softmax(s, -1), " + BF16 + ")\n"
          + "    o = torch.matmul(a, v).transpose(1, 2).reshape([b, n, " + width + "])\n"
          + "    return torch.to(torch.linear(o, torch.to(w_out, " + BF16 + "), torch.to(b_out, " + BF16 + ")), " + FP32 + ")\n";
      String args = "x: Tensor, w_in: Tensor, b_in: Tensor, w_out: Tensor, b_out: Tensor" + (masked ? ", mask: Tensor" : "");
      try {
        return loadSource(manager, name, "  def forward(self: __torch__." + name + ", " + args + ") -> Tensor:\n" + body);
      } catch (IOException e) {
        throw new UncheckedIOException("could not write the bfloat16 attention kernel to a temporary file", e);
      }
    });
  }

  /**
   * The products for {@code device}, loaded once per JVM and device (the modules live as long as
   * the JVM: a few kilobytes each).
   */
  static Bf16Kernels on(Device device) {
    return BY_DEVICE.computeIfAbsent(device, d -> {
      try {
        NDManager manager = NDManager.newBaseManager(d, "PyTorch");
        return new Bf16Kernels((PtNDManager) manager);
      } catch (IOException e) {
        throw new UncheckedIOException("could not write the bfloat16 product kernels to a temporary file", e);
      }
    });
  }

  /** c_fc, the activation {@code activation} of {@code h} (in bfloat16), c_proj. */
  private static PtSymbolBlock feedForwardKernel(PtNDManager manager, String name, String activation) throws IOException {
    return loadSource(manager, name, "  def forward(self: __torch__." + name
        + ", x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) -> Tensor:\n"
        + "    h = torch.linear(torch.to(x, " + BF16 + "), torch.to(w1, " + BF16 + "), torch.to(b1, " + BF16 + "))\n"
        + "    a = " + activation + "\n"
        + "    return torch.to(torch.linear(a, torch.to(w2, " + BF16 + "), torch.to(b2, " + BF16 + ")), " + FP32 + ")\n");
  }

  private static PtSymbolBlock load(PtNDManager manager, String name, String args, String product) throws IOException {
    return loadSource(manager, name, "  def forward(self: __torch__." + name + ", " + args + ") -> Tensor:\n"
        + "    return torch.to(" + product + ", " + FP32 + ")\n");
  }

  private static PtSymbolBlock loadSource(PtNDManager manager, String name, String source) throws IOException {
    Path file = Files.createTempFile("recap-" + name, ".pt");
    try {
      new TorchScriptArchive(name, source).write(file);
      return JniUtils.loadModule(manager, file, true, new String[0], new String[0], true);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Override
  public NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    if (!allFloat32(x, weight, bias)) {
      return EXACT.linear(x, weight, bias);
    }
    NDList in = bias == null ? new NDList(x, weight) : new NDList(x, weight, bias);
    return run(bias == null ? linearNoBias : linearWithBias, in);
  }

  @Override
  public NDArray matMul(NDArray a, NDArray b) {
    if (!allFloat32(a, b, null)) {
      return EXACT.matMul(a, b);
    }
    return run(matMul, new NDList(a, b));
  }

  @Override
  public NDArray feedForward(NDArray x, NDArray fcWeight, NDArray fcBias, NDArray projWeight, NDArray projBias, Gelu gelu) {
    if (!allFloat32(x, fcWeight, fcBias) || !allFloat32(projWeight, projBias, null)) {
      return Kernels.super.feedForward(x, fcWeight, fcBias, projWeight, projBias, gelu);
    }
    return run(gelu == Gelu.QUICK ? quickFeedForward : feedForward, new NDList(x, fcWeight, fcBias, projWeight, projBias));
  }

  @Override
  public NDArray selfAttention(NDArray x, NDArray inWeight, NDArray inBias, NDArray outWeight, NDArray outBias, int heads,
      NDArray mask) {
    if (!allFloat32(x, inWeight, inBias) || !allFloat32(outWeight, outBias, mask) || x.getShape().dimension() != 3) {
      return Kernels.super.selfAttention(x, inWeight, inBias, outWeight, outBias, heads, mask);
    }
    PtSymbolBlock kernel = attentionKernel(heads, x.getShape().get(2), mask != null);
    NDList in = mask == null ? new NDList(x, inWeight, inBias, outWeight, outBias)
        : new NDList(x, inWeight, inBias, outWeight, outBias, mask);
    return run(kernel, in);
  }

  @Override
  public String describe() {
    return "bf16-products";
  }

  private NDArray run(PtSymbolBlock kernel, NDList inputs) {
    // DJL packs named arrays into dicts or tuples by their names ("a.b" becomes a dict entry):
    // the kernels take plain tensors, so the names are lifted for the call
    String[] names = new String[inputs.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = inputs.get(i).getName();
      inputs.get(i).setName(null);
    }
    try {
      // training = true: no inference-mode guard, so autograd records when the caller's grad mode is on
      return kernel.forward(none, inputs, true).singletonOrThrow();
    } finally {
      for (int i = 0; i < names.length; i++) {
        inputs.get(i).setName(names[i]);
      }
    }
  }

  private static boolean allFloat32(NDArray a, NDArray b, NDArray c) {
    return a.getDataType() == DataType.FLOAT32 && b.getDataType() == DataType.FLOAT32
        && (c == null || c.getDataType() == DataType.FLOAT32);
  }
}
