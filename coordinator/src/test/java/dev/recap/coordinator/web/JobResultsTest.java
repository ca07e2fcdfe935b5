package dev.recap.coordinator.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobResultsTest {

  @Test
  void aResultFileThatBreaksTheConventionIsReportedByField(@TempDir Path dir) throws Exception {
    Path good = Files.writeString(dir.resolve("a").resolve("result.json").toFile().getParentFile().mkdirs()
        ? dir.resolve("a/result.json") : dir.resolve("a/result.json"), """
        {"run": "clip-good", "encoder": "vit", "captions": "mci", "seed": 1, "protocol": "linear", "fraction": 0.1,
         "metrics": {"mIoU": 0.41, "RMSE": 0.62}, "perClassIoU": {"sky": 0.9},
         "images": [{"kind": "segmentation", "file": "pred.png"}, {"kind": "depth", "file": "elsewhere.png"}]}
        """);
    Path png = Files.write(dir.resolve("a/pred.png"), new byte[] {1});
    Files.createDirectories(dir.resolve("b"));
    Path bad = Files.writeString(dir.resolve("b/result.json"), "{\"run\": \"x\", \"metrics\": {\"mIoU\": \"high\"}}");
    Map<String, List<String>> outputs = new LinkedHashMap<>();
    outputs.put("job/evaluate/a", List.of(good.toString(), png.toString()));
    outputs.put("job/evaluate/b", List.of(bad.toString()));
    JsonObject table = new JobResults("job", outputs).table();
    assertEquals(1, table.getJsonArray("rows").size());
    assertEquals(List.of("mIoU", "RMSE"), table.getJsonArray("columns").getList());
    assertEquals("/api/jobs/job/artifacts/evaluate/a/pred.png", table.getJsonArray("images").getJsonObject(0).getString("url"));
    String problems = table.getJsonArray("problems").encode();
    assertTrue(problems.contains("metrics.mIoU must be a number"), problems);
    assertTrue(problems.contains("'elsewhere.png' is not an output of the task"), problems);
    assertNull(new JobResults("job", outputs).artifact("evaluate", "a", "../b/result.json"));
    assertNull(new JobResults("job", outputs).artifact("evaluate", "b", "pred.png"), "another task's file");
  }
}
