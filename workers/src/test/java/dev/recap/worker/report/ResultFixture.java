package dev.recap.worker.report;

import dev.recap.bus.OutputKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Writes result.json / loss.csv / PNG files the way the pipeline's tasks do (docs/results.md), one directory per task. */
final class ResultFixture {

  final Path root;
  final List<ReportBuilder.Input> inputs = new ArrayList<>();

  ResultFixture(Path root) {
    this.root = root;
  }

  /** A dense or retrieval result of one run and seed; returns the file. */
  Path result(String stage, String run, String encoder, String captions, long seed, String protocol, String task,
      double fraction, Map<String, Double> metrics, Map<String, Double> perClass, long parameters) throws IOException {
    JsonObject json = new JsonObject().put("run", run).put("encoder", encoder).put("captions", captions).put("seed", seed)
        .put("protocol", protocol).put("task", task).put("head", "linear").put("fraction", fraction)
        .put("parameters", parameters).put("metrics", new JsonObject(Map.copyOf(metrics)))
        .put("perClassIoU", new JsonObject(Map.copyOf(perClass)));
    return raw(stage, run + "-" + seed + "-" + protocol + "-" + task + "-" + fraction, json.encodePrettily());
  }

  /** A result.json with arbitrary content, in its own task directory. */
  Path raw(String stage, String taskName, String content) throws IOException {
    Path dir = Files.createDirectories(root.resolve(stage + "_" + taskName));
    Path file = dir.resolve("result.json");
    Files.writeString(file, content, StandardCharsets.UTF_8);
    inputs.add(new ReportBuilder.Input(stage, taskName, file, OutputKind.RUN_RESULT));
    return file;
  }

  /** A pretrain task: result.json with protocol pretrain plus loss.csv. */
  Path pretrain(String run, long seed, double[] losses, Double wallSeconds) throws IOException {
    return pretrain(run, seed, losses, wallSeconds, "clip");
  }

  Path pretrain(String run, long seed, double[] losses, Double wallSeconds, String objective) throws IOException {
    JsonObject json = new JsonObject().put("run", run).put("encoder", "vit:vit-tiny").put("captions", "grounded")
        .put("objective", objective)
        .put("seed", seed).put("protocol", "pretrain").put("task", "pretrain").put("parameters", 1000)
        .put("metrics", new JsonObject().put("finalLoss", losses[losses.length - 1]))
        .put("augment", "crop 90-100% area, no flip");
    if (wallSeconds != null) {
      json.put("wallSeconds", wallSeconds);
    }
    String task = run + "-" + seed;
    Path result = raw("pretrain", task, json.encode());
    StringBuilder csv = new StringBuilder("step,loss,logit_scale,lr,images_per_sec\n");
    for (int i = 0; i < losses.length; i++) {
      csv.append(i * 10).append(',').append(losses[i]).append(objective.equals("mae") ? ",NaN" : ",2.6").append(",0.001,100\n");
    }
    return loss("pretrain", task, csv.toString());
  }

  Path loss(String stage, String task, String csv) throws IOException {
    Path file = Files.createDirectories(root.resolve(stage + "_" + task)).resolve("loss.csv");
    Files.writeString(file, csv);
    inputs.add(new ReportBuilder.Input(stage, task, file, OutputKind.LOSS_CURVE));
    return file;
  }

  /** Adds an image list to an existing result.json and writes the images that {@code existing} says exist. */
  void images(Path resultFile, List<String> names, List<Boolean> existing) throws IOException {
    JsonObject json = new JsonObject(Files.readString(resultFile));
    JsonArray list = new JsonArray();
    for (int i = 0; i < names.size(); i++) {
      list.add(new JsonObject().put("kind", "segmentation").put("file", names.get(i)));
      if (existing.get(i)) {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 1, 0xff0000);
        ImageIO.write(img, "png", resultFile.resolveSibling(names.get(i)).toFile());
        inputs.add(new ReportBuilder.Input("evaluate", "img", resultFile.resolveSibling(names.get(i)), OutputKind.IMAGE));
      }
    }
    Files.writeString(resultFile, json.put("images", list).encode());
  }

  static ClaimCheck.Settings defaults() {
    return new ClaimCheck.Settings("vit-grounded", "vit-alt-text", "vit-mae", "mci-grounded", "vit-large-grounded",
        "frozen", "finetune", 0.1, 0.1);
  }
}
