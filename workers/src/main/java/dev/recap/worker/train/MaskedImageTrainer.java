package dev.recap.worker.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.recap.api.Kernels;
import dev.recap.api.ScalarOps;
import dev.recap.worker.exchange.Collective;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * MAE-style pretraining steps for a {@link MaskedImageModel}: mask a fraction (0.75) of each
 * image's patches by zeroing their pixels, reconstruct the normalized pixels (per patch: minus
 * its mean, over its standard deviation) of the masked patches, mean squared error over masked
 * values. Data-parallel like {@link ClipTrainer}: the loss is a sum over this replica's masked
 * values divided by the global count, gradients are summed across replicas.
 *
 * <p>The mask is a pure function of (seed, step, sample index within the global batch) so
 * replicas and resumed runs draw the same masks.
 */
public final class MaskedImageTrainer implements Checkpointable {

  private final MaskedImageModel model;
  private final NDManager manager;
  private final TrainingOptions options;
  private final Collective collective;
  private final AdamW optimizer;
  private final List<Parameter> parameters;
  private final double maskRatio;
  private final long seed;
  /** The matrix products of the forward pass (bfloat16 ones for {@link Precision#BF16_PRODUCTS}). */
  private final Kernels products;
  private long step;

  public MaskedImageTrainer(MaskedImageModel model, NDManager manager, TrainingOptions options, Collective collective,
      double maskRatio, long seed) {
    if (maskRatio <= 0 || maskRatio >= 1) {
      throw new IllegalArgumentException("mask ratio must be in (0, 1), got " + maskRatio);
    }
    this.model = model;
    this.manager = manager;
    this.options = options;
    this.collective = collective;
    // running statistics (batch norm in MCi) are parameters without gradients: not the optimizer's
    this.parameters = model.parameterList().stream().filter(Parameter::requiresGradient).toList();
    this.optimizer = new AdamW(options.adamW(), parameters);
    this.maskRatio = maskRatio;
    this.seed = seed;
    if (options.precision() == Precision.FP16_MIXED) {
      throw new IllegalArgumentException("masked image modeling trains in fp32 or bf16 products, not " + options.precision().label());
    }
    this.products = options.precision() == Precision.BF16_PRODUCTS ? Bf16Kernels.on(manager.getDevice()) : Kernels.EXACT;
  }

  /** The precision this trainer's products run in. */
  public Precision precision() {
    return options.precision();
  }

  @Override
  public long step() {
    return step;
  }

  @Override
  public void restoreStep(long step) {
    this.step = step;
  }

  @Override
  public void saveParameters(DataOutputStream out) throws IOException {
    model.saveParameters(out);
  }

  @Override
  public void restoreParameters(NDManager manager, DataInputStream in) throws IOException, MalformedModelException {
    ClipModel.restoreTrainable(model, model.parameterList(), manager, in);
  }

  @Override
  public AdamW optimizer() {
    return optimizer;
  }

  @Override
  public long parameterChecksum() {
    return ClipTrainer.checksum(parameters);
  }

  public MaskedImageModel model() {
    return model;
  }

  /**
   * Which patches of sample {@code globalIndex} are masked at {@code step}: exactly
   * {@code round(ratio * patches)} of them, chosen by a seeded shuffle.
   */
  public boolean[] mask(long step, int globalIndex, int patches) {
    int masked = (int) Math.round(maskRatio * patches);
    int[] order = new int[patches];
    for (int i = 0; i < patches; i++) {
      order[i] = i;
    }
    // SplittableRandom mixes its seed: adjacent seeds give unrelated masks (java.util.Random's do not)
    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + step * 65_537L + globalIndex);
    for (int i = patches - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    boolean[] m = new boolean[patches];
    for (int i = 0; i < masked; i++) {
      m[order[i]] = true;
    }
    return m;
  }

  /**
   * One step on this replica's images.
   *
   * @param firstGlobalIndex index of this replica's first sample in the global batch (for masks)
   */
  public StepResult step(float[] pixels, int batch, int height, int width, int firstGlobalIndex) {
    int s = model.patchSize();
    if (height % s != 0 || width % s != 0) {
      throw new IllegalArgumentException("image size " + height + "x" + width + " is not a multiple of the patch size " + s);
    }
    int gh = height / s;
    int gw = width / s;
    int pv = 3 * s * s;
    float[] input = pixels.clone();
    float[] target = new float[batch * gh * gw * pv];
    float[] weight = new float[batch * gh * gw * pv];
    int maskedCount = 0;
    for (int b = 0; b < batch; b++) {
      boolean[] m = mask(step, firstGlobalIndex + b, gh * gw);
      for (int py = 0; py < gh; py++) {
        for (int px = 0; px < gw; px++) {
          int cell = (b * gh + py) * gw + px;
          double sum = 0;
          double sq = 0;
          for (int c = 0; c < 3; c++) {
            for (int y = 0; y < s; y++) {
              for (int x = 0; x < s; x++) {
                float v = pixels[((b * 3 + c) * height + py * s + y) * width + px * s + x];
                sum += v;
                sq += (double) v * v;
              }
            }
          }
          double mean = sum / pv;
          double std = Math.sqrt(Math.max(0, sq / pv - mean * mean) + 1e-6);
          int k = 0;
          for (int c = 0; c < 3; c++) {
            for (int y = 0; y < s; y++) {
              for (int x = 0; x < s; x++) {
                int pi = ((b * 3 + c) * height + py * s + y) * width + px * s + x;
                target[cell * pv + k] = (float) ((pixels[pi] - mean) / std);
                if (m[py * gw + px]) {
                  input[pi] = 0f;
                  weight[cell * pv + k] = 1f;
                }
                k++;
              }
            }
          }
          if (m[py * gw + px]) {
            maskedCount += pv;
          }
        }
      }
    }
    float[] count = {maskedCount};
    collective.allReduceSum("mim/count/step-" + step, count);
    int n = optimizer.size();
    float[] flat = new float[n + 1];
    double loss;
    try (NDManager scope = manager.newSubManager(); Kernels.Scope arithmetic = Kernels.use(products)) {
      try {
        ParameterStore ps = new ParameterStore(scope, false);
        loss = Autograd.withGradMode(true, () -> {
          NDArray images = scope.create(input, new Shape(batch, 3, height, width));
          NDArray pred = model.forward(ps, new NDList(images), true).singletonOrThrow();
          NDArray diff = pred.sub(scope.create(target, pred.getShape()));
          NDArray l = ScalarOps.dividedBy(diff.mul(diff).mul(scope.create(weight, pred.getShape())).sum(), count[0]);
          Autograd.backward(l);
          return (double) l.getFloat();
        });
        for (int i = 0; i < parameters.size(); i++) {
          float[] g = Autograd.gradient(parameters.get(i).getArray());
          System.arraycopy(g, 0, flat, optimizer.offset(i), g.length);
        }
      } finally {
        for (Parameter p : parameters) {
          Autograd.zeroGradient(p.getArray());
        }
      }
    }
    boolean finite = Double.isFinite(loss);
    for (int i = 0; finite && i < n; i++) {
      finite = Float.isFinite(flat[i]);
    }
    flat[n] = finite ? 0f : 1f;
    if (!finite) {
      java.util.Arrays.fill(flat, 0, n, 0f);
    }
    float[] lossSum = {(float) (finite ? loss : 0)};
    collective.allReduceSum("mim/grad/step-" + step, flat);
    collective.allReduceSum("mim/loss/step-" + step, lossSum);
    double lr = options.schedule().rate(step);
    long current = step++;
    if (flat[n] != 0f) {
      return new StepResult(current, Double.NaN, Double.NaN, lr, true, Double.NaN);
    }
    double norm = GradientClipping.clip(flat, n, options.clipNorm());
    Autograd.withGradMode(false, () -> {
      optimizer.update(flat, lr);
      return null;
    });
    return new StepResult(current, lossSum[0], norm, lr, false, Double.NaN);
  }
}
