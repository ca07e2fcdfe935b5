package dev.recap.worker.train;

import ai.djl.MalformedModelException;
import dev.recap.api.Kernels;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.recap.api.ScalarOps;
import dev.recap.worker.exchange.Collective;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntPredicate;
import java.util.zip.CRC32;

/**
 * Data-parallel CLIP training steps over a {@link Collective}.
 *
 * <p>One step, on every replica: encode the local images and texts; all-gather the embeddings
 * (the other replicas' enter as constants, this replica's carry gradient); compute the loss over
 * the <em>global</em> batch; backward; flatten the gradients and all-reduce them by sum; clip by
 * global norm; apply AdamW. Every replica ends with identical parameters.
 *
 * <p>Overlap (replicas, fp32): the loss's backward stops at detached copies of the two
 * embeddings; the image tower's backward runs next from the image embedding's gradient, and the
 * early side's gradients (image tower, image projection, logit scale) are all-reduced on another
 * thread while the text tower's backward runs; the text side's all-reduce follows. The image
 * side goes first because it is the larger (3.4 of 5.0 MB for vit-tiny + text-tiny). The
 * gradients are the same as one backward pass (the chain rule split at the embeddings), and the
 * collective still sees one operation at a time, in the same order on every rank.
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
public final class ClipTrainer implements Checkpointable {

  private final ClipModel model;
  private final NDManager manager;
  private final TrainingOptions options;
  private final Collective collective;
  private final AdamW optimizer;
  private final List<Parameter> parameters;
  private final int logitScaleIndex;
  private final boolean half;
  /** The matrix products of the forward pass (bfloat16 ones for {@link Precision#BF16_PRODUCTS}). */
  private final Kernels products;
  /**
   * Per parameter: whether it is on the early side (image tower, image projection, logit scale),
   * whose gradient is final before the text tower's backward runs.
   */
  private final boolean[] earlySide;
  private long step;
  private long overlapWaitNanos;
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
    this.products = options.precision() == Precision.BF16_PRODUCTS ? Bf16Kernels.on(manager.getDevice()) : Kernels.EXACT;
    this.lossScale = half ? INITIAL_LOSS_SCALE : 1f;
    Set<Parameter> text = Collections.newSetFromMap(new IdentityHashMap<>());
    text.addAll(model.textTower().block().getParameters().values());
    text.add(model.textProjection());
    this.earlySide = new boolean[parameters.size()];
    for (int i = 0; i < earlySide.length; i++) {
      earlySide[i] = !text.contains(parameters.get(i));
    }
  }

  /**
   * Runs the all-reduce of the early side's gradients while the text tower's backward pass runs.
   * Daemon threads: a trainer has no close, and an idle thread ends after a minute.
   */
  private static final ExecutorService EARLY_REDUCE = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "recap-early-reduce");
    t.setDaemon(true);
    return t;
  });

  static final float INITIAL_LOSS_SCALE = 4096f;
  static final int LOSS_SCALE_GROWTH_INTERVAL = 200;

  /** The arithmetic of this trainer's forward and backward passes. */
  public Precision precision() {
    return options.precision();
  }

  /** The fp16 loss scale (1 in fp32). */
  @Override
  public float lossScale() {
    return lossScale;
  }

  @Override
  public int cleanSteps() {
    return cleanSteps;
  }

  @Override
  public void restoreLossScale(float scale, int clean) {
    this.lossScale = scale;
    this.cleanSteps = clean;
  }

  public ClipModel model() {
    return model;
  }

  @Override
  public void saveParameters(DataOutputStream out) throws IOException {
    model.saveParameters(out);
  }

  @Override
  public void restoreParameters(NDManager manager, DataInputStream in) throws IOException, MalformedModelException {
    model.restoreParameters(manager, in);
  }

  @Override
  public AdamW optimizer() {
    return optimizer;
  }

  public Collective collective() {
    return collective;
  }

  /**
   * How long the last step's thread waited for its overlapped all-reduce to finish after the
   * text tower's backward (0 without overlap): the part of that all-reduce not hidden.
   */
  long overlapWaitNanos() {
    return overlapWaitNanos;
  }

  /** Steps taken so far (applied or skipped): the index of the next step. */
  @Override
  public long step() {
    return step;
  }

  @Override
  public void restoreStep(long step) {
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
    float[] flat = new float[n + 1]; // this replica's gradients, then the non-finite flag
    LocalBackward local = forwardAndBackward(microBatches, flat);
    unscaleHalfPrecision(flat, n);
    zeroLogitScaleUnlessRankZero(flat);
    boolean locallyFinite = flagNonFinite(local.loss(), flat, n);
    allReduce(flat, local.early());
    double lr = options.schedule().rate(step);
    long current = step++;
    if (flat[n] != 0f) {
      return skip(current, locallyFinite ? local.loss() : Double.NaN, lr, microBatches);
    }
    consecutiveSkips = 0;
    growLossScale();
    double norm = GradientClipping.clip(flat, n, options.clipNorm());
    update(flat, lr);
    return new StepResult(current, local.loss(), norm, lr, false, currentScale());
  }

  /**
   * The summed loss of a step's micro-batches and, with overlap, the early side's all-reduce that
   * is still running.
   */
  private record LocalBackward(double loss, EarlyReduce early) {}

  /**
   * Forward, gather, loss and backward of every micro-batch; leaves this replica's gradients in
   * {@code flat}. With replicas (fp32), the last micro-batch's backward runs the image tower first
   * and starts the early side's all-reduce before the text tower's backward.
   */
  private LocalBackward forwardAndBackward(List<ClipBatch> microBatches, float[] flat) {
    boolean overlap = collective.worldSize() > 1 && !half;
    overlapWaitNanos = 0;
    EarlyReduce[] started = new EarlyReduce[1];
    double loss = 0;
    try (NDManager scope = manager.newSubManager(); Kernels.Scope arithmetic = Kernels.use(products)) {
      try {
        HalfPrecisionParameterStore halfStore = half ? new HalfPrecisionParameterStore(scope) : null;
        ParameterStore ps = half ? halfStore : new ParameterStore(scope, false);
        int parts = microBatches.size();
        for (int k = 0; k < parts; k++) {
          String tag = "step-" + step + "/micro-" + k;
          ClipBatch batch = microBatches.get(k);
          Runnable afterImage = overlap && k == parts - 1 ? () -> started[0] = startEarlyReduce(flat) : null;
          loss += Autograd.withGradMode(true, () -> forwardBackward(ps, scope, batch, parts, tag, afterImage));
        }
        EarlyReduce early = started[0];
        gradientsInto(flat, halfStore, i -> !(early != null && earlySide[i]));
        return new LocalBackward(loss, early);
      } catch (RuntimeException e) {
        if (started[0] != null) {
          started[0].abandon();
        }
        throw e;
      } finally {
        for (Parameter p : parameters) {
          Autograd.zeroGradient(p.getArray());
        }
      }
    }
  }

  /** fp16: the gradients came from {@code loss * lossScale}. */
  private void unscaleHalfPrecision(float[] flat, int n) {
    if (half) {
      float inverse = 1f / lossScale;
      for (int i = 0; i < n; i++) {
        flat[i] *= inverse;
      }
    }
  }

  /**
   * Sets the flag after the gradients if this replica's loss or gradients are not finite, and
   * then zeroes its gradients so that the sum stays finite: the flag alone says skip. With
   * overlap the early side was sent already, so its local values are checked as sent.
   */
  private static boolean flagNonFinite(double loss, float[] flat, int n) {
    boolean locallyFinite = Double.isFinite(loss) && allFinite(flat, n);
    flat[n] = locallyFinite ? 0f : 1f;
    if (!locallyFinite) {
      Arrays.fill(flat, 0, n, 0f);
    }
    return locallyFinite;
  }

  /** Sums the gradients and the flag over the replicas, the early side's first if it was started. */
  private void allReduce(float[] flat, EarlyReduce early) {
    if (early == null) {
      collective.allReduceSum("grad/step-" + step, flat);
      return;
    }
    // the text side (and the flag) after the early side, in the same order on every rank
    float[] textSide = early.finish(flat);
    collective.allReduceSum("grad/step-" + step + "/text", textSide);
    unpack(textSide, flat, false);
    flat[flat.length - 1] = textSide[textSide.length - 1];
  }

  /** A step some replica found non-finite: every replica skips it alike. */
  private StepResult skip(long current, double loss, double lr, List<ClipBatch> microBatches) {
    if (half && lossScale > 1f) {
      // most likely an fp16 overflow: every rank sees the same flag, so all halve together
      lossScale /= 2;
      cleanSteps = 0;
      return new StepResult(current, loss, Double.NaN, lr, true, currentScale());
    }
    consecutiveSkips++;
    if (consecutiveSkips > options.maxConsecutiveSkips()) {
      List<String> keys = new ArrayList<>();
      microBatches.forEach(b -> keys.addAll(b.keys()));
      throw new NonFiniteTrainingException(current, consecutiveSkips, keys);
    }
    return new StepResult(current, loss, Double.NaN, lr, true, currentScale());
  }

  /** fp16: after enough clean steps in a row, try a larger loss scale. */
  private void growLossScale() {
    if (half && ++cleanSteps >= LOSS_SCALE_GROWTH_INTERVAL) {
      lossScale *= 2;
      cleanSteps = 0;
    }
  }

  /** AdamW on the summed, clipped gradients; the logit scale stays within its clamp. */
  private void update(float[] flat, double lr) {
    Autograd.withGradMode(false, () -> {
      optimizer.update(flat, lr);
      clampLogitScale();
      return null;
    });
  }

  /**
   * One micro-batch: encode, gather the global batch's embeddings, the contrastive loss over it,
   * backward (split at the embeddings when {@code afterImageBackward} is given). Returns the loss.
   */
  private double forwardBackward(ParameterStore ps, NDManager scope, ClipBatch b, int parts, String tag,
      Runnable afterImageBackward) {
    boolean split = afterImageBackward != null;
    Embeddings local = encode(ps, scope, b, split);
    NDList global = gather(tag + "/embeddings", local.imageLeaf(), local.textLeaf(), scope);
    NDArray loss = ContrastiveLoss.symmetricInfoNce(global.get(0), global.get(1), fp32(model.scale(ps, scope, true)));
    if (parts > 1) {
      loss = ScalarOps.dividedBy(loss, parts);
    }
    Autograd.backward(half ? ScalarOps.times(loss, lossScale) : loss);
    if (split) {
      backwardTowers(local, afterImageBackward);
    }
    return loss.getFloat();
  }

  /**
   * A micro-batch's embeddings ({@code image}, {@code text}) and the arrays the loss is computed
   * from: the same ones, or, when the backward is split, detached leaves where the loss's
   * backward stops.
   */
  private record Embeddings(NDArray image, NDArray text, NDArray imageLeaf, NDArray textLeaf) {}

  private Embeddings encode(ParameterStore ps, NDManager scope, ClipBatch b, boolean split) {
    NDArray images = scope.create(b.pixels(), new Shape(b.size(), 3, b.height(), b.width()));
    NDArray tokens = scope.create(b.tokens());
    if (half) {
      images = images.toType(DataType.FLOAT16, false);
    }
    NDArray image = fp32(model.encodeImages(ps, images, true));
    NDArray text = fp32(model.encodeTexts(ps, tokens, true));
    if (!split) {
      return new Embeddings(image, text, image, text);
    }
    NDArray imageLeaf = image.stopGradient();
    imageLeaf.setRequiresGradient(true);
    NDArray textLeaf = text.stopGradient();
    textLeaf.setRequiresGradient(true);
    return new Embeddings(image, text, imageLeaf, textLeaf);
  }

  /**
   * The towers' backward from the leaves' gradients: the image tower first, then {@code
   * afterImageBackward} (which starts the early side's all-reduce), then the text tower.
   */
  private static void backwardTowers(Embeddings e, Runnable afterImageBackward) {
    try (NDArray imageGradient = e.imageLeaf().getGradient()) {
      Autograd.backward(e.image(), imageGradient);
    }
    afterImageBackward.run();
    try (NDArray textGradient = e.textLeaf().getGradient()) {
      Autograd.backward(e.text(), textGradient);
    }
  }

  /** Copies the gradients of the parameters {@code which} accepts into their slices of {@code flat}. */
  private void gradientsInto(float[] flat, HalfPrecisionParameterStore halfStore, IntPredicate which) {
    for (int i = 0; i < parameters.size(); i++) {
      if (which.test(i)) {
        Parameter p = parameters.get(i);
        float[] g = halfStore != null ? halfStore.gradient(p) : Autograd.gradient(p.getArray());
        System.arraycopy(g, 0, flat, optimizer.offset(i), g.length);
      }
    }
  }

  /** The logit scale enters every replica's loss: only rank 0's gradient of it counts. */
  private void zeroLogitScaleUnlessRankZero(float[] flat) {
    if (collective.rank() != 0) {
      java.util.Arrays.fill(flat, optimizer.offset(logitScaleIndex), optimizer.offset(logitScaleIndex + 1), 0f);
    }
  }

  /** One side's slices of {@code flat}, in parameter order, followed by {@code extra} zeros. */
  private float[] pack(float[] flat, boolean early, int extra) {
    int size = 0;
    for (int i = 0; i < earlySide.length; i++) {
      if (earlySide[i] == early) {
        size += optimizer.offset(i + 1) - optimizer.offset(i);
      }
    }
    float[] side = new float[size + extra];
    int at = 0;
    for (int i = 0; i < earlySide.length; i++) {
      if (earlySide[i] == early) {
        int len = optimizer.offset(i + 1) - optimizer.offset(i);
        System.arraycopy(flat, optimizer.offset(i), side, at, len);
        at += len;
      }
    }
    return side;
  }

  /** Writes what {@link #pack} took from one side back into {@code flat}. */
  private void unpack(float[] side, float[] flat, boolean early) {
    int at = 0;
    for (int i = 0; i < earlySide.length; i++) {
      if (earlySide[i] == early) {
        int len = optimizer.offset(i + 1) - optimizer.offset(i);
        System.arraycopy(side, at, flat, optimizer.offset(i), len);
        at += len;
      }
    }
  }

  /**
   * Copies the early side's gradients into {@code flat} (as the text side's are later) and
   * starts their all-reduce.
   */
  private EarlyReduce startEarlyReduce(float[] flat) {
    gradientsInto(flat, null, i -> earlySide[i]);
    zeroLogitScaleUnlessRankZero(flat); // the logit scale is on the early side
    float[] buffer = pack(flat, true, 0);
    String tag = "grad/step-" + step + "/image";
    CompletableFuture<Void> reduce = CompletableFuture.runAsync(
        () -> collective.allReduceSum(tag, buffer), EARLY_REDUCE);
    return new EarlyReduce(buffer, reduce);
  }

  /**
   * The early side's all-reduce, running while the text tower's backward runs. Its buffer holds
   * the early side's gradients in parameter order, then their sums.
   */
  private final class EarlyReduce {
    private final float[] earlySideSum;
    private final CompletableFuture<Void> reduce;

    EarlyReduce(float[] buffer, CompletableFuture<Void> reduce) {
      this.earlySideSum = buffer;
      this.reduce = reduce;
    }

    /**
     * Waits for the early side's sum, writes it into {@code flat} and returns the text side's
     * local gradients followed by {@code flat}'s flag, ready for their own all-reduce.
     */
    float[] finish(float[] flat) {
      long waitFrom = System.nanoTime();
      try {
        reduce.join();
        overlapWaitNanos = System.nanoTime() - waitFrom;
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException cause) {
          throw cause;
        }
        throw e;
      }
      int n = flat.length - 1;
      float[] textSide = pack(flat, false, 1);
      textSide[textSide.length - 1] = flat[n];
      unpack(earlySideSum, flat, true);
      return textSide;
    }

    /**
     * Waits for a reduce this step will not finish, so that the collective is idle again before
     * the failure propagates (at most the collective's operation timeout: the other ranks wait
     * that long for this one's text side anyway).
     */
    void abandon() {
      try {
        reduce.join();
      } catch (RuntimeException ignored) {
        // the step is failing already; the caller's exception says why
      }
    }
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
  @Override
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
