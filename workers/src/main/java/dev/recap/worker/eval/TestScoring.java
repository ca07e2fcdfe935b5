package dev.recap.worker.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.recap.api.data.Sample;
import dev.recap.api.dense.DenseHead;
import dev.recap.api.dense.DenseTask;
import dev.recap.api.encoder.ImageTower;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scores a trained head on the test split, one image at a time, at the resolution of each
 * image's own label. The encoder runs in inference mode on each test image whole, or (with
 * {@link SlidingWindows}) on windows of its input size over the image scaled to it; window
 * predictions (logits, or metres) are averaged where windows overlap, then resized bilinearly to
 * the label's size, where segmentation takes the arg max and the metrics are counted against the
 * original label: a {@link ConfusionMatrix} over the whole split, or {@link DepthMetrics} per
 * image under the split's {@link DepthEvaluation}. Each image's share is kept for
 * {@link TestSetBootstrap}. Windows of consecutive images share batches; an image is finished as
 * soon as its last window is predicted, so only the images in flight are held.
 */
final class TestScoring {

  /** Test-set metrics and what the sample PNGs need. */
  static final class Scores {
    Map<String, Double> metrics;
    Map<String, Double> standardErrors = Map.of();
    List<Double> perClassIoU = List.of();
    double loss;
    int windows;
    long scoredPixels;
    final List<Sample> savedSamples = new ArrayList<>();
    final List<int[]> savedClasses = new ArrayList<>();
    final List<float[]> savedDepths = new ArrayList<>();
  }

  private final DenseEvalConfig config;
  private final SampleTensors tensors;
  private final SlidingWindows windows;
  private final DepthEvaluation depthEvaluation;

  /**
   * @param windows null: each test image is fed whole (all of one size, checked by the caller)
   */
  TestScoring(DenseEvalConfig config, SampleTensors tensors, SlidingWindows windows, DepthEvaluation depthEvaluation) {
    this.config = config;
    this.tensors = tensors;
    this.windows = windows;
    this.depthEvaluation = depthEvaluation;
  }

  /** One test image's predictions being gathered: the running sum and count per pixel of the (scaled) image. */
  private static final class Canvas {
    final int index;
    final Sample sample;
    final int width;
    final int height;
    final float[] sum;
    final int[] count;
    int pendingWindows;

    Canvas(int index, Sample sample, int width, int height, int channels, int windows) {
      this.index = index;
      this.sample = sample;
      this.width = width;
      this.height = height;
      this.sum = new float[channels * width * height];
      this.count = new int[width * height];
      this.pendingWindows = windows;
    }

    /** Adds a window's prediction ({@code channels} planes of {@code size x size} at {@code offset}) at (x0, y0). */
    void add(int x0, int y0, int windowWidth, int windowHeight, float[] values, int offset) {
      int channels = sum.length / count.length;
      int windowPlane = windowWidth * windowHeight;
      for (int c = 0; c < channels; c++) {
        int plane = c * width * height;
        for (int y = 0; y < windowHeight; y++) {
          int row = plane + (y0 + y) * width + x0;
          int from = offset + c * windowPlane + y * windowWidth;
          for (int x = 0; x < windowWidth; x++) {
            sum[row + x] += values[from + x];
          }
        }
      }
      for (int y = 0; y < windowHeight; y++) {
        for (int x = 0; x < windowWidth; x++) {
          count[(y0 + y) * width + x0 + x]++;
        }
      }
      pendingWindows--;
    }

    /** The averaged prediction; every pixel is covered by at least one window. */
    float[] mean() {
      int plane = count.length;
      for (int i = 0; i < sum.length; i++) {
        int n = count[i % plane];
        if (n != 1) {
          sum[i] /= n;
        }
      }
      return sum;
    }
  }

  private record Window(Canvas canvas, int x, int y, Sample view) {}

  /** Running totals over the split. */
  private final class Tally {
    final DenseTask task;
    final ConfusionMatrix confusion;
    final DepthMetrics depth;
    final List<long[]> imageCells = new ArrayList<>();
    final Scores scores = new Scores();
    double lossSum;

    Tally(DenseTask task) {
      this.task = task;
      boolean segmentation = task.kind() == DenseTask.Kind.SEGMENTATION;
      confusion = segmentation ? new ConfusionMatrix(task.numClasses()) : null;
      depth = segmentation ? null : new DepthMetrics(depthEvaluation);
    }

    /** Scores a finished image against its own label. */
    void finish(Canvas canvas) {
      Sample s = canvas.sample;
      int w = s.image().width();
      int h = s.image().height();
      boolean sameSize = canvas.width == w && canvas.height == h;
      float[] mean = canvas.mean();
      boolean saved = canvas.index < config.savedPredictions();
      if (confusion != null) {
        int[] classes = sameSize
            ? Resampling.argmax(mean, task.numClasses(), w * h)
            : Resampling.argmaxBilinear(mean, task.numClasses(), canvas.width, canvas.height, w, h);
        ConfusionMatrix image = new ConfusionMatrix(task.numClasses());
        image.add(s.classMap(), classes, s.key());
        confusion.merge(image);
        imageCells.add(image.nonZeroCells());
        scores.scoredPixels += image.total();
        if (saved) {
          scores.savedSamples.add(s);
          scores.savedClasses.add(classes);
        }
      } else {
        float[] metres = sameSize ? mean : Resampling.bilinear(mean, canvas.width, canvas.height, w, h);
        long before = depth.pixels();
        depth.add(s.depthMetres(), metres, w, h, s.key());
        scores.scoredPixels += depth.pixels() - before;
        if (saved) {
          scores.savedSamples.add(s);
          scores.savedDepths.add(metres);
        }
      }
    }
  }

  Scores score(ImageTower encoder, DenseHead.Model model, List<Sample> test, DenseTask task, NDManager root) {
    int channels = task.kind() == DenseTask.Kind.SEGMENTATION ? task.numClasses() : 1;
    Tally tally = new Tally(task);
    List<Window> batch = new ArrayList<>(config.batchSize());
    for (int i = 0; i < test.size(); i++) {
      Sample s = test.get(i);
      SampleTensors.checkTarget(s, task, "test");
      Sample scaled = windows == null ? s : windows.scaled(s);
      int w = scaled.image().width();
      int h = scaled.image().height();
      List<int[]> origins = windows == null ? List.of(new int[] {0, 0}) : windows.origins(w, h);
      Canvas canvas = new Canvas(i, s, w, h, channels, origins.size());
      for (int[] o : origins) {
        batch.add(new Window(canvas, o[0], o[1], windows == null ? s : windows.window(scaled, o[0], o[1])));
        if (batch.size() == config.batchSize()) {
          predict(batch, encoder, model, task, channels, tally, root);
          batch.clear();
        }
      }
    }
    if (!batch.isEmpty()) {
      predict(batch, encoder, model, task, channels, tally, root);
    }
    Scores scores = tally.scores;
    scores.loss = tally.lossSum / scores.windows;
    if (tally.confusion != null) {
      scores.metrics = tally.confusion.metrics();
      List<Double> iou = new ArrayList<>();
      for (double v : tally.confusion.perClassIoU()) {
        iou.add(v);
      }
      scores.perClassIoU = iou;
    } else {
      scores.metrics = tally.depth.metrics();
    }
    if (config.bootstrapResamples() > 0) {
      TestSetBootstrap bootstrap = new TestSetBootstrap(config.bootstrapResamples());
      scores.standardErrors = tally.confusion != null
          ? bootstrap.segmentation(task.numClasses(), tally.imageCells)
          : bootstrap.depth(tally.depth.perImage());
    }
    return scores;
  }

  /** One batch of windows: encoder and head in inference mode, the loss against the windows' own targets, predictions onto their canvases. */
  private void predict(List<Window> batch, ImageTower encoder, DenseHead.Model model, DenseTask task, int channels, Tally tally,
      NDManager root) {
    List<Sample> views = batch.stream().map(Window::view).toList();
    try (NDManager step = root.newSubManager()) {
      NDList levels = DenseEvaluator.dense(encoder.block(), step, tensors.images(step, views), false);
      NDArray prediction = model.block().forward(new ParameterStore(step, false), levels, false).head();
      tally.lossSum += model.loss().evaluate(new NDList(SampleTensors.targets(step, views, task)), new NDList(prediction))
          .getFloat() * views.size();
      float[] values = prediction.toType(DataType.FLOAT32, false).toFloatArray();
      int viewWidth = views.get(0).image().width();
      int viewHeight = views.get(0).image().height();
      int per = channels * viewWidth * viewHeight;
      if (values.length != per * views.size()) {
        throw new IllegalStateException("head '" + model.block().getClass().getSimpleName() + "' predicted " + values.length
            + " values for " + views.size() + " images of " + viewWidth + "x" + viewHeight + "; expected " + channels
            + " per pixel");
      }
      for (int b = 0; b < batch.size(); b++) {
        Window window = batch.get(b);
        window.canvas.add(window.x, window.y, viewWidth, viewHeight, values, b * per);
        if (window.canvas.pendingWindows == 0) {
          tally.finish(window.canvas);
        }
      }
    }
    tally.scores.windows += batch.size();
  }
}
