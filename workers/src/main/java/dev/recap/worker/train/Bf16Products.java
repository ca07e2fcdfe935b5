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
import dev.recap.api.MatrixProducts;
import dev.recap.api.torchscript.TorchScriptArchive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Matrix products in bfloat16 with float32 in and out: each product is a small TorchScript
 * function (written by Recap itself with {@link TorchScriptArchive}) that casts its float32 inputs
 * to bfloat16, multiplies, and casts the result back to float32, so no bfloat16 array ever crosses
 * DJL's JNI (whose dtype switch has no bfloat16 case and aborts the JVM on one). Autograd records
 * through the scripted graph (DJL runs a module's method without a no-grad guard in training), so
 * the gradients of the float32 inputs come back in float32, computed with bfloat16 products as
 * well. Everything else (normalisation, softmax, activations, the loss, the optimizer and the
 * master weights) stays float32: the recipe of PyTorch's bfloat16 autocast for the products.
 *
 * <p>Inputs that are not float32 (an fp16 pass) go through {@link MatrixProducts#EXACT}.
 */
final class Bf16Products implements MatrixProducts {

  /** {@code torch.bfloat16} and {@code torch.float32} as TorchScript's ScalarType numbers. */
  private static final int BF16 = 15;
  private static final int FP32 = 6;

  private static final Map<Device, Bf16Products> BY_DEVICE = new ConcurrentHashMap<>();

  private final PtSymbolBlock linearWithBias;
  private final PtSymbolBlock linearNoBias;
  private final PtSymbolBlock matMul;
  private final ParameterStore none;

  private Bf16Products(PtNDManager manager) throws IOException {
    linearWithBias = load(manager, "LinearBf16", "x: Tensor, w: Tensor, b: Tensor",
        "torch.linear(torch.to(x, " + BF16 + "), torch.to(w, " + BF16 + "), torch.to(b, " + BF16 + "))");
    linearNoBias = load(manager, "LinearNoBiasBf16", "x: Tensor, w: Tensor",
        "torch.linear(torch.to(x, " + BF16 + "), torch.to(w, " + BF16 + "))");
    matMul = load(manager, "MatMulBf16", "a: Tensor, b: Tensor",
        "torch.matmul(torch.to(a, " + BF16 + "), torch.to(b, " + BF16 + "))");
    none = new ParameterStore(manager, false);
  }

  /**
   * The products for {@code device}, loaded once per JVM and device (the modules live as long as
   * the JVM: a few kilobytes each).
   */
  static Bf16Products on(Device device) {
    return BY_DEVICE.computeIfAbsent(device, d -> {
      try {
        NDManager manager = NDManager.newBaseManager(d, "PyTorch");
        return new Bf16Products((PtNDManager) manager);
      } catch (IOException e) {
        throw new UncheckedIOException("could not write the bfloat16 product kernels to a temporary file", e);
      }
    });
  }

  private static PtSymbolBlock load(PtNDManager manager, String name, String args, String product) throws IOException {
    String source = "  def forward(self: __torch__." + name + ", " + args + ") -> Tensor:\n"
        + "    return torch.to(" + product + ", " + FP32 + ")\n";
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
