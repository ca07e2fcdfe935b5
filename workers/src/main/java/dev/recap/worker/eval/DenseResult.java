package dev.recap.worker.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one dense evaluation (encoder x head x task x protocol x fraction), flat enough to
 * become an Avro record or a table row unchanged.
 *
 * @param head the head's id ({@code linear}, {@code fpn}, ...)
 * @param headVersion the head's version
 * @param task {@code SEGMENTATION} or {@code DEPTH}
 * @param protocol {@code FROZEN} or {@code FINETUNE}
 * @param fraction share of the dense training split used
 * @param seed the evaluation seed
 * @param trainSamples training samples actually used (after the fraction)
 * @param testSamples test samples scored
 * @param steps optimizer steps taken
 * @param metrics segmentation: {@code mIoU}, {@code aAcc}, {@code mAcc} (fractions in [0, 1]);
 *     depth: {@code rmse}, {@code absRel}, {@code sqRel}, {@code log10}, {@code rmseLog},
 *     {@code delta1..3}; both: {@code testLoss}, {@code finalTrainLoss}
 * @param standardErrors per metric of the test split ({@code mIoU}, {@code aAcc}, {@code mAcc} or
 *     the depth metrics), its standard error over resampled test sets ({@link TestSetBootstrap});
 *     empty when the evaluation ran without resampling
 * @param bootstrapResamples how many resampled test sets {@code standardErrors} rests on (0: none)
 * @param classNames class names by id (segmentation; empty when unknown or for depth)
 * @param perClassIoU IoU per class id, NaN for a class neither present nor predicted (empty for
 *     depth)
 * @param trainLoss mean training loss per pass over the training subset (the last one cut short when
 *     the steps end inside it)
 * @param predictionImages paths of the saved PNGs (input | ground truth | prediction)
 * @param timings wall seconds per phase: {@code featureSeconds} (frozen: encoder pass over
 *     the training split, cached), {@code trainSeconds}, {@code scoreSeconds} (test predictions,
 *     encoder included, and metrics)
 * @param inputSize the encoder's input size when images of any size were cropped and predicted
 *     with sliding windows ({@link SlidingWindows}), 0 when every image was fed whole
 * @param testWindows encoder passes over the test split (one per image when fed whole)
 * @param scoredPixels test pixels the metrics counted, at the labels' own resolution (segmentation:
 *     labelled pixels; depth: pixels inside the evaluation's range and crop)
 * @param seconds wall time of the whole evaluation
 */
public record DenseResult(
    String head,
    String headVersion,
    String task,
    String protocol,
    double fraction,
    long seed,
    int trainSamples,
    int testSamples,
    int steps,
    Map<String, Double> metrics,
    Map<String, Double> standardErrors,
    int bootstrapResamples,
    List<String> classNames,
    List<Double> perClassIoU,
    List<Double> trainLoss,
    List<String> predictionImages,
    Map<String, Double> timings,
    int inputSize,
    int testWindows,
    long scoredPixels,
    double seconds) {

  public DenseResult {
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    standardErrors = Collections.unmodifiableMap(new LinkedHashMap<>(standardErrors));
    classNames = List.copyOf(classNames);
    perClassIoU = List.copyOf(perClassIoU);
    trainLoss = List.copyOf(trainLoss);
    predictionImages = List.copyOf(predictionImages);
    timings = Collections.unmodifiableMap(new LinkedHashMap<>(timings));
  }

  /** One metric, failing with the names that exist when it is absent. */
  public double metric(String name) {
    Double v = metrics.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no metric '" + name + "' in this " + task + " result; it has " + metrics.keySet());
    }
    return v;
  }
}
