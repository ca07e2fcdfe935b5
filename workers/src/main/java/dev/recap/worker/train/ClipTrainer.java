package dev.recap.worker.train;

import dev.recap.api.ScalarOps;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.recap.worker.exchange.Collective;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Data-parallel CLIP training steps over a {@link Collective}.
 *
 * <p>One step, on every replica: encode the local images and texts; all-gather the embeddings
 * (the other replicas' enter as constants, this replica's carry gradient); compute the loss over
 * the <em>global</em> batch; backward; flatten the gradients and all-reduce them by sum; clip by
 * global norm; apply AdamW. Every replica ends with identical parameters.
 *
 * <p>Loss scaling convention (what makes N replicas equal one process on the global batch): the
 * loss every replica computes is the symmetric InfoNCE <em>mean over the global batch</em>, the
 * same value on every rank. Replica r's backward yields the exact partial derivative through its
 * own embeddings, so the plain <em>sum</em> over replicas (no division by the world size) is the
 * full gradient. The logit scale enters every replica's loss directly, so only rank 0 contributes
 * its gradient (the others zero it before the sum). With {@code k} accumulation micro-batches each
 * micro-batch is its own contrastive batch and contributes {@code loss / k}.
 *
 * <p>Non-finite values: a flag rides at the end of the summed gradient, so every replica learns
 * that some replica saw a non-finite loss or gradient and all skip that step together.
 *
 * <p>Memory: every step runs in a sub-manager of the model's manager, closed at the end.
 */
public final class ClipTrainer {

  private final ClipModel model;
  private final NDManager manager;
  private final TrainingOptions options;
  private final Collective collective;
  private final AdamW optimizer;
  private final List<Parameter> parameters;
  private final int logitScaleIndex;
  private final boolean half;
  private long step;
  private int consecutiveSkips;
  private float lossScale;
  private int cleanSteps;

  /**
   * @param model an initialized model whose parameters belong to {@code manager}
   * @param manager the model's manager; each step opens and closes a sub-manager of it
   */
  public ClipTrainer(ClipModel model, NDManager manager, TrainingOptions options, Collective collective) {
    this.model = model;
    this.manager = manager;
    this.options = options;
    this.collective = collective;
    // running statistics (batch norm in MCi) are parameters without gradients: not the optimizer's
    this.parameters = model.parameterList().stream().filter(Parameter::requiresGradient).toList();
    this.optimizer = new AdamW(options.adamW(), parameters);
    this.logitScaleIndex = parameters.indexOf(model.logitScale());
    this.half = options.precision() == Precision.FP16_MIXED;
    this.lossScale = half ? INITIAL_LOSS_SCALE : 1f;
  }

  static final float INITIAL_LOSS_SCALE = 4096f;
  static final int LOSS_SCALE_GROWTH_INTERVAL = 200;

  /** The fp16 loss scale (1 in fp32). */
  public float lossScale() {
    return lossScale;
  }

  int cleanSteps() {
    return cleanSteps;
  }

  void restoreLossScale(float scale, int clean) {
    this.lossScale = scale;
    this.cleanSteps = clean;
  }

  public ClipModel model() {
    return model;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  public Collective collective() {
    return collective;
  }

  /** Steps taken so far (applied or skipped): the index of the next step. */
  public long step() {
    return step;
  }

  void restoreStep(long step) {
    this.step = step;
    this.consecutiveSkips = 0;
  }

  /** One step on one micro-batch. */
  public StepResult step(ClipBatch batch) {
    return step(List.of(batch));
  }

  /**
   * One optimizer step with gradient accumulation over {@code microBatches} (this replica's
   * shares; every replica must pass the same number).
   *
   * @throws NonFiniteTrainingException after {@link TrainingOptions#maxConsecutiveSkips} skipped
   *     steps in a row
   */
  public StepResult step(List<ClipBatch> microBatches) {
    if (microBatches.isEmpty()) {
      throw new IllegalArgumentException("a step needs at least one micro-batch");
    }
    int n = optimizer.size();
    float[] flat = new float[n + 1];
    double loss = 0;
    try (NDManager scope = manager.newSubManager()) {
      try {
        HalfPrecisionParameterStore halfStore = half ? new HalfPrecisionParameterStore(scope) : null;
        ParameterStore ps = half ? halfStore : new ParameterStore(scope, false);
        for (int k = 0; k < microBatches.size(); k++) {
          String tag = "step-" + step + "/micro-" + k;
          ClipBatch batch = microBatches.get(k);
          int parts = microBatches.size();
          loss += Autograd.withGradMode(true, () -> forwardBackward(ps, scope, batch, parts, tag));
        }
        int i = 0;
        for (Parameter p : parameters) {
          float[] g = half ? halfStore.gradient(p) : Autograd.gradient(p.getArray());
          System.arraycopy(g, 0, flat, optimizer.offset(i), g.length);
          i++;
        }
      } finally {
        for (Parameter p : parameters) {
          Autograd.zeroGradient(p.getArray());
        }
      }
    }
    if (half) {
      float inverse = 1f / lossScale;
      for (int i = 0; i < n; i++) {
        flat[i] *= inverse;
      }
    }
    if (collective.rank() != 0) {
      int from = optimizer.offset(logitScaleIndex);
      java.util.Arrays.fill(flat, from, optimizer.offset(logitScaleIndex + 1), 0f);
    }
    boolean locallyFinite = Double.isFinite(loss) && allFinite(flat, n);
    flat[n] = locallyFinite ? 0f : 1f;
    if (!locallyFinite) {
      java.util.Arrays.fill(flat, 0, n, 0f); // keep the sum finite; the flag says skip
    }
    collective.allReduceSum("grad/step-" + step, flat);
    double lr = options.schedule().rate(step);
    long current = step++;
    if (flat[n] != 0f) {
      if (half && lossScale > 1f) {
        // most likely an fp16 overflow: every rank sees the same flag, so all halve together
        lossScale /= 2;
        cleanSteps = 0;
        return new StepResult(current, locallyFinite ? loss : Double.NaN, Double.NaN, lr, true, currentScale());
      }
      consecutiveSkips++;
      if (consecutiveSkips > options.maxConsecutiveSkips()) {
        List<String> keys = new ArrayList<>();
        microBatches.forEach(b -> keys.addAll(b.keys()));
        throw new NonFiniteTrainingException(current, consecutiveSkips, keys);
      }
      return new StepResult(current, locallyFinite ? loss : Double.NaN, Double.NaN, lr, true, currentScale());
    }
    consecutiveSkips = 0;
    if (half && ++cleanSteps >= LOSS_SCALE_GROWTH_INTERVAL) {
      lossScale *= 2;
      cleanSteps = 0;
    }
    double norm = GradientClipping.clip(flat, n, options.clipNorm());
    Autograd.withGradMode(false, () -> {
      optimizer.update(flat, lr);
      clampLogitScale();
      return null;
    });
    return new StepResult(current, loss, norm, lr, false, currentScale());
  }

  private double forwardBackward(ParameterStore ps, NDManager scope, ClipBatch b, int parts, String tag) {
    NDArray images = scope.create(b.pixels(), new Shape(b.size(), 3, b.height(), b.width()));
    NDArray tokens = scope.create(b.tokens());
    if (half) {
      images = images.toType(DataType.FLOAT16, false);
    }
    NDArray image = fp32(model.encodeImages(ps, images, true));
    NDArray text = fp32(model.encodeTexts(ps, tokens, true));
    NDList all = gather(tag + "/embeddings", image, text, scope);
    NDArray allImages = all.get(0);
    NDArray allTexts = all.get(1);
    NDArray loss = ContrastiveLoss.symmetricInfoNce(allImages, allTexts, fp32(model.scale(ps, scope, true)));
    if (parts > 1) {
      loss = ScalarOps.dividedBy(loss, parts);
    }
    Autograd.backward(half ? ScalarOps.times(loss, lossScale) : loss);
    return loss.getFloat();
  }

  /**
   * fp16 -> fp32 through type promotion ({@code x * 1f}): DJL's {@code toType} is not recorded by
   * autograd, a promoting multiply is.
   */
  private static NDArray fp32(NDArray x) {
    if (x.getDataType() == DataType.FLOAT32) {
      return x;
    }
    return x.mul(x.getManager().ones(new Shape(), DataType.FLOAT32));
  }

  /**
   * The global batch in rank order, image and text embeddings: the other replicas' rows enter
   * as constants, this replica's carry gradient. One all-gather carries both (each rank's image
   * rows, then its text rows), one rendezvous per micro-batch instead of two.
   */
  private NDList gather(String tag, NDArray image, NDArray text, NDManager scope) {
    if (collective.worldSize() == 1) {
      return new NDList(image, text);
    }
    long imageWidth = image.getShape().get(1);
    long textWidth = text.getShape().get(1);
    float[] imageRows = image.toFloatArray();
    float[] textRows = text.toFloatArray();
    float[] local = Arrays.copyOf(imageRows, imageRows.length + textRows.length);
    System.arraycopy(textRows, 0, local, imageRows.length, textRows.length);
    float[][] all = collective.allGather(tag, local);
    NDList images = new NDList();
    NDList texts = new NDList();
    for (int r = 0; r < all.length; r++) {
      if (r == collective.rank()) {
        images.add(image);
        texts.add(text);
        continue;
      }
      long rows = all[r].length / (imageWidth + textWidth);
      if (rows * (imageWidth + textWidth) != all[r].length) {
        throw new IllegalStateException("rank " + r + " sent " + all[r].length + " embedding"
            + " floats, not a whole number of rows of " + imageWidth + " + " + textWidth
            + ": the replicas' models differ");
      }
      int split = Math.toIntExact(rows * imageWidth);
      images.add(scope.create(Arrays.copyOfRange(all[r], 0, split), new Shape(rows, imageWidth)));
      texts.add(scope.create(Arrays.copyOfRange(all[r], split, all[r].length), new Shape(rows, textWidth)));
    }
    return new NDList(NDArrays.concat(images, 0), NDArrays.concat(texts, 0));
  }

  private static boolean allFinite(float[] a, int n) {
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(a[i])) {
        return false;
      }
    }
    return true;
  }

  private void clampLogitScale() {
    NDArray s = model.logitScale().getArray();
    float v = s.getFloat();
    float clamped = Math.max(0f, Math.min(ClipModel.MAX_LOGIT_SCALE, v));
    if (clamped != v) {
      s.set(new float[] {clamped});
    }
  }

  private double currentScale() {
    return Math.exp(model.logitScale().getArray().getFloat());
  }

  /** CRC-32 of every parameter's float bits in order: equal on replicas that are in sync. */
  public long parameterChecksum() {
    return checksum(parameters);
  }

  static long checksum(List<Parameter> parameters) {
    CRC32 crc = new CRC32();
    for (Parameter p : parameters) {
      float[] v = p.getArray().toFloatArray();
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(v.length * 4);
      buf.asFloatBuffer().put(v);
      crc.update(buf.array());
    }
    return crc.getValue();
  }
}
