package dev.recap.worker.eval;

import dev.recap.api.data.Sample;
import dev.recap.worker.data.DenseFolder;
import dev.recap.worker.data.DenseFolderLayout;
import dev.recap.worker.data.DenseIndex;
import dev.recap.worker.data.SkipReport;
import dev.recap.worker.data.SynthDataHandler;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The train and test data an evaluate task names, in either form a data stage declares it:
 *
 * <ul>
 *   <li>two {@code dense-folder}s of a synth-data stage ({@code seg/} in the ADE20k layout,
 *       {@code depth/} in the NYUv2 layout, {@code dense.json} with the class names): read into
 *       memory, every image of one size, fed whole;
 *   <li>two {@code dense-index}es of a dense-data stage ({@link DenseIndex}): read from the
 *       benchmark's files as they are needed, images of any size, evaluated at the encoder's
 *       input size with the scores counted at each label's own resolution, depth under the
 *       benchmark's range and crop.
 * </ul>
 *
 * @param splits the samples, class names and depth evaluation
 * @param inputSize 0 (images fed whole) or the encoder's input size (crops and sliding windows)
 * @param description what the result records about the data ({@code source}, and for a benchmark
 *     its format, root and each split's indexed and skipped counts)
 */
record DenseTaskData(DenseSplits splits, int inputSize, JsonObject description) {

  /**
   * Opens the data of one dense task.
   *
   * @param task {@code segmentation} or {@code depth}
   * @param encoderInputSize the size the encoder was pretrained at (the run's image size)
   * @throws IllegalArgumentException when the data does not hold {@code task}, naming both
   */
  static DenseTaskData open(Path trainDir, Path testDir, String task, int encoderInputSize) throws IOException {
    boolean segmentation = task.equals("segmentation");
    if (DenseIndex.isIndex(trainDir)) {
      DenseIndex train = DenseIndex.read(trainDir);
      DenseIndex test = DenseIndex.read(testDir);
      for (DenseIndex index : List.of(train, test)) {
        if (!index.format().task().equals(task)) {
          throw new IllegalArgumentException("the " + task + " evaluation was given the " + index.format() + " benchmark ("
              + index.root() + "), which holds " + index.format().task() + " data");
        }
      }
      DepthEvaluation depth = segmentation ? DepthEvaluation.ALL_MEASURED
          : new DepthEvaluation(train.minDepth(), train.maxDepth(), train.eigenCrop());
      JsonObject description = new JsonObject().put("source", "dense-data").put("format", train.format().wireName())
          .put("root", train.root().toString()).put("train", counts(train)).put("test", counts(test));
      return new DenseTaskData(new DenseSplits(train.samples(), test.samples(), train.classNames(), depth), encoderInputSize,
          description);
    }
    String folder = segmentation ? "seg" : "depth";
    DenseFolderLayout layout = segmentation ? DenseFolderLayout.ADE20K : DenseFolderLayout.NYUV2;
    SkipReport report = new SkipReport();
    List<Sample> train = load(new DenseFolder(trainDir.resolve(folder), layout), report);
    List<Sample> test = load(new DenseFolder(testDir.resolve(folder), layout), report);
    List<String> classNames = new ArrayList<>();
    if (segmentation) {
      new JsonObject(Files.readString(trainDir.resolve(SynthDataHandler.DENSE_MANIFEST))).getJsonArray("classNames")
          .forEach(c -> classNames.add((String) c));
    }
    return new DenseTaskData(new DenseSplits(train, test, classNames), 0, new JsonObject().put("source", "synth-data"));
  }

  private static JsonObject counts(DenseIndex index) {
    JsonObject m = index.manifest();
    return new JsonObject().put("split", m.getString("split")).put("listed", m.getValue("listed"))
        .put("indexed", index.entries().size()).put("skipped", m.getJsonObject("skipped", new JsonObject()));
  }

  private static List<Sample> load(DenseFolder folder, SkipReport report) {
    List<Sample> out = new ArrayList<>();
    folder.samples(report).forEach(out::add);
    return out;
  }
}
