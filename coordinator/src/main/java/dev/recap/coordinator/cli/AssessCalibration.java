package dev.recap.coordinator.cli;

import dev.recap.coordinator.spec.Budget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The trainer's speed on the machine {@code recap assess} runs on, measured before the proxy is
 * sized: a short job on the proxy's first shard with its original captions, training the small
 * CLIP the assessment trains (same image size, batch, encoder), one run per worker side by side as
 * the assessment's two CLIPs train. Each run's {@code loss.csv} records the images per second of
 * every step (the whole loop: reading, the step, snapshots); the steps after the first
 * {@link #SKIPPED_STEPS} (engine and kernel warm-up) give a worker's speed.
 */
public final class AssessCalibration {

  /** Steps each calibration run trains. */
  public static final int STEPS = 60;

  /** Leading steps left out of the speed: the first batches pay for loading and warming libtorch. */
  static final int SKIPPED_STEPS = 10;

  /**
   * What the calibration measured.
   *
   * @param imagesPerSecond a worker's training speed, the mean over the runs
   * @param runs runs trained side by side
   * @param seconds wall seconds the calibration took, start to end (taken from the budget)
   */
  record Result(double imagesPerSecond, int runs, long seconds) {

    /** How the sizing line names the speed's source. */
    String describe() {
      return String.format(Locale.ROOT, "measured here before the job: %d steps on each of %d worker(s), %s of the budget",
          STEPS, runs, Budget.format(seconds));
    }
  }

  private AssessCalibration() {}

  /**
   * The calibration job: the shard read with the assessment's caption source, its original
   * captions curated as {@code alt-text}, and {@code runs} seeds of one CLIP run for
   * {@link #STEPS} steps, written under {@code output}.
   */
  static String yaml(AssessSpec.Options o, Path shard, int runs, Path output) {
    StringBuilder seeds = new StringBuilder();
    for (int s = 1; s <= runs; s++) {
      seeds.append(s == 1 ? "" : ", ").append(s);
    }
    return "# recap assess: the trainer's speed here, measured before the proxy is sized\n"
        + "name: assess-calibration\nseed: 7\nmaxAttempts: 1\nleaseSeconds: 60\n"
        + "output: " + AssessSpec.quote(output.toString()) + "\n"
        + "stages:\n"
        + "  - name: data\n    kind: dataset\n    shards: [" + AssessSpec.quote(shard.toString()) + "]\n"
        + "    caption: " + o.caption() + "\n    heldOut: 8\n"
        + "  - name: curate\n    kind: curate\n    after: [data]\n    sources: [alt-text]\n    batchSize: 64\n"
        + "  - name: pretrain\n    kind: pretrain\n    after: [data, curate]\n    seeds: [" + seeds + "]\n"
        + "    imageSize: " + AssessSpec.IMAGE_SIZE + "\n    batchSize: " + AssessSpec.PRETRAIN_BATCH + "\n    epochs: 100000\n"
        + "    maxSteps: " + STEPS + "\n"
        + "    warmupSteps: 10\n    checkpointEvery: 0\n    runs:\n"
        + "      - {name: calibration, encoder: vit, encoderConfig: {preset: " + o.encoder() + "}, captions: alt-text}\n";
  }

  /**
   * A worker's images per second from the calibration's {@code loss.csv} files under
   * {@code output}: per run, the images of the steps after {@link #SKIPPED_STEPS} over their
   * time; then the mean over the runs.
   *
   * @throws IOException when no run left a usable loss.csv (the message says where it looked)
   */
  static double imagesPerSecond(Path output) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(output)) {
      files = walk.filter(p -> p.getFileName().toString().equals("loss.csv")).sorted().toList();
    }
    List<Double> rates = new ArrayList<>();
    for (Path f : files) {
      double rate = rate(Files.readAllLines(f), f);
      if (rate > 0) {
        rates.add(rate);
      }
    }
    if (rates.isEmpty()) {
      throw new IOException("the calibration left no loss.csv with more than " + SKIPPED_STEPS + " steps under " + output);
    }
    return rates.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }

  /**
   * One run's speed from its {@code step,loss,logit_scale,lr,images_per_sec} lines: the steps
   * after {@link #SKIPPED_STEPS} take {@code 1 / images_per_sec} seconds per image each, so
   * their count over the sum of those is the images per second over that stretch of training
   * (batches are equal); 0 when the run trained no step past the skipped ones.
   *
   * @throws IOException naming the file and step when a speed is not a number
   */
  static double rate(List<String> lines, Path file) throws IOException {
    double secondsPerImage = 0;
    int steps = 0;
    for (String line : lines) {
      String[] cols = line.split(",");
      if (cols.length < 5 || !cols[0].matches("\\d+")) {
        continue; // the header
      }
      long step = Long.parseLong(cols[0]);
      double ips;
      try {
        ips = Double.parseDouble(cols[4]);
      } catch (NumberFormatException e) {
        throw new IOException(file + ": images_per_sec of step " + step + " is not a number: " + cols[4]);
      }
      if (step > SKIPPED_STEPS && ips > 0) {
        secondsPerImage += 1 / ips;
        steps++;
      }
    }
    return steps == 0 ? 0 : steps / secondsPerImage;
  }
}
