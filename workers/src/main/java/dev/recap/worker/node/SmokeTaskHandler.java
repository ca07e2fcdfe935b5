package dev.recap.worker.node;

import dev.recap.bus.OutputKind;
import dev.recap.bus.task.SmokeTask;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * The built-in {@code smoke} task: optionally sleeps, optionally fails its first attempts, then
 * writes one small file naming the task. Shows the system working without any ML.
 *
 * <p>With {@code writeResult} it also exercises the results plumbing (docs/results.md): from its
 * seed it draws a small class map (the "truth"), a copy with a seeded fraction of pixels
 * reassigned (the "prediction"), measures the IoU between the two, and writes
 * {@code prediction.png} (input | truth | prediction) and {@code result.json}. The numbers are
 * computed, not invented, but they measure a random perturbation, not a model.
 */
public final class SmokeTaskHandler implements TaskHandler<SmokeTask> {

  /** The task type the {@code smoke} stage planner emits. */
  public static final String TYPE = "smoke";

  static final int SIZE = 32;
  static final int CLASSES = 4;
  private static final int[] PALETTE = {0x2f4b7c, 0xf95d6a, 0x00a36c, 0xffa600};

  @Override
  public String taskType() {
    return TYPE;
  }

  @Override
  public Class<SmokeTask> payloadType() {
    return SmokeTask.class;
  }

  @Override
  public void execute(TaskContext<SmokeTask> context) throws Exception {
    SmokeTask task = context.payload();
    long start = System.nanoTime();
    if (context.attempt() <= task.getFailAttempts()) {
      throw new IllegalStateException("smoke task " + task.getIndex() + " fails attempt " + context.attempt()
          + " of its first " + task.getFailAttempts() + " on purpose");
    }
    long sleep = task.getSleepMillis();
    long slept = 0;
    while (slept < sleep && !context.isCancelled()) {
      long step = Math.min(100, sleep - slept);
      Thread.sleep(step);
      slept += step;
      context.progress((double) slept / sleep, "sleeping");
    }
    if (task.getWriteOutput()) {
      String text = context.taskId() + " index=" + task.getIndex() + " seed=" + context.seed() + "\n";
      context.artifacts().write("out-" + task.getIndex() + ".txt", OutputKind.LOG, text.getBytes(StandardCharsets.UTF_8));
    }
    if (task.getWriteResult()) {
      writeResult(context, task);
      // one image for the whole attempt, sleep included: what the stage's throughput really is
      double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
      context.metric("images_per_sec", 1.0 / seconds, Map.of("step", String.valueOf(task.getIndex())));
    }
    context.progress(1.0, "done");
  }

  private static void writeResult(TaskContext<SmokeTask> context, SmokeTask task) throws IOException {
    SplittableRandom random = new SplittableRandom(context.seed());
    int[][] truth = new int[SIZE][SIZE];
    // four quadrants around a seeded centre: every class present, boundaries differ per seed
    int cx = 8 + random.nextInt(SIZE - 16);
    int cy = 8 + random.nextInt(SIZE - 16);
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        truth[y][x] = (y < cy ? 0 : 2) + (x < cx ? 0 : 1);
      }
    }
    double noise = 0.05 + 0.25 * random.nextDouble();
    int[][] predicted = new int[SIZE][SIZE];
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        predicted[y][x] = random.nextDouble() < noise ? random.nextInt(CLASSES) : truth[y][x];
      }
    }
    JsonObject perClass = new JsonObject();
    double sum = 0;
    long correct = 0;
    for (int c = 0; c < CLASSES; c++) {
      long inter = 0;
      long union = 0;
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < SIZE; x++) {
          boolean t = truth[y][x] == c;
          boolean p = predicted[y][x] == c;
          inter += t && p ? 1 : 0;
          union += t || p ? 1 : 0;
          correct += t && p ? 1 : 0;
        }
      }
      double iou = union == 0 ? 1.0 : (double) inter / union;
      perClass.put("class" + c, iou);
      sum += iou;
    }
    String image = context.artifacts().write("prediction.png", OutputKind.IMAGE, png(truth, predicted, random)).getPath();
    JsonObject result = new JsonObject()
        .put("run", task.getRun())
        .put("encoder", "none (smoke)")
        .put("captions", "none")
        // the replicate number, not the 64-bit task seed: a browser reads JSON numbers as doubles
        .put("seed", task.getReplicate())
        .put("protocol", "smoke-noise")
        .put("fraction", 1.0)
        .put("metrics", new JsonObject().put("mIoU", sum / CLASSES)
            .put("pixelAccuracy", (double) correct / (SIZE * SIZE)))
        .put("perClassIoU", perClass)
        .put("images", new JsonArray().add(new JsonObject().put("kind", "segmentation")
            .put("file", java.nio.file.Path.of(image).getFileName().toString())));
    context.artifacts().writeResult(result.encodePrettily());
  }

  /** input | truth | prediction, each SIZE x SIZE, as one PNG. */
  private static byte[] png(int[][] truth, int[][] predicted, SplittableRandom random) throws IOException {
    BufferedImage img = new BufferedImage(3 * SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        int base = PALETTE[truth[y][x]];
        int grain = random.nextInt(48);
        // the "input": the truth's colours, darkened and grained like a photo of the scene
        int r = Math.max(0, ((base >> 16) & 0xff) / 2 + grain);
        int g = Math.max(0, ((base >> 8) & 0xff) / 2 + grain);
        int b = Math.max(0, (base & 0xff) / 2 + grain);
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
        img.setRGB(SIZE + x, y, base);
        img.setRGB(2 * SIZE + x, y, PALETTE[predicted[y][x]]);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(img, "png", out)) {
      throw new IOException("no PNG writer in this JRE");
    }
    return out.toByteArray();
  }
}
