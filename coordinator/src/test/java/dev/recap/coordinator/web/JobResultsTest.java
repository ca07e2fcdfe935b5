package dev.recap.coordinator.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.coordinator.plan.TaskOutputs;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobResultsTest {

  private static final String GOOD = """
      {"run": "clip-good", "encoder": "vit", "captions": "mci", "seed": 1, "protocol": "linear", "fraction": 0.1,
       "metrics": {"mIoU": 0.41, "RMSE": 0.62}, "perClassIoU": {"sky": 0.9},
       "images": [{"kind": "segmentation", "file": "pred.png"}, {"kind": "depth", "file": "elsewhere.png"}]}
      """;

  @Test
  void aResultThatBreaksTheConventionIsReportedByField(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("a"));
    Path png = Files.write(dir.resolve("a/pred.png"), new byte[] {1});
    Map<String, TaskOutputs> tasks = new LinkedHashMap<>();
    tasks.put("job/evaluate/a", new TaskOutputs(List.of(declared(dir.resolve("a/result.json"), OutputKind.RUN_RESULT),
        declared(png, OutputKind.IMAGE)), GOOD));
    tasks.put("job/evaluate/b", new TaskOutputs(List.of(declared(dir.resolve("b/result.json"), OutputKind.RUN_RESULT)),
        "{\"run\": \"x\", \"metrics\": {\"mIoU\": \"high\"}}"));
    JsonObject table = new JobResults("job", tasks).table();
    assertEquals(1, table.getJsonArray("rows").size());
    assertEquals(List.of("mIoU", "RMSE"), table.getJsonArray("columns").getList());
    assertEquals("/api/jobs/job/artifacts/evaluate/a/pred.png", table.getJsonArray("images").getJsonObject(0).getString("url"));
    String problems = table.getJsonArray("problems").encode();
    assertTrue(problems.contains("metrics.mIoU must be a number"), problems);
    assertTrue(problems.contains(dir.resolve("b/result.json").toString()), "the problem names the task's result file: " + problems);
    assertTrue(problems.contains("'elsewhere.png' is not an output the task declared"), problems);
    assertNull(new JobResults("job", tasks).artifact("evaluate", "a", "../b/result.json"));
    assertNull(new JobResults("job", tasks).artifact("evaluate", "b", "pred.png"), "another task's file");
  }

  @Test
  void theTableComesFromTheResultsReceivedNotFromFilesOnDisk(@TempDir Path dir) {
    // the result file was never written here (another machine's disk, or deleted since): the row is still there
    Map<String, TaskOutputs> tasks = Map.of("job/evaluate/a",
        new TaskOutputs(List.of(declared(dir.resolve("gone/result.json"), OutputKind.RUN_RESULT)), GOOD));
    JsonObject table = new JobResults("job", tasks).table();
    assertEquals(1, table.getJsonArray("rows").size());
    assertEquals(0.41, table.getJsonArray("rows").getJsonObject(0).getJsonObject("metrics").getDouble("mIoU"));
    assertEquals(0, table.getJsonArray("images").size(), "no image of the result was declared");
    assertEquals(2, table.getJsonArray("problems").size(), table.encode());
  }

  @Test
  void theReportTasksFilesAreLinkedForTheConsole(@TempDir Path dir) {
    Map<String, TaskOutputs> tasks = new LinkedHashMap<>();
    tasks.put("job/evaluate/a", new TaskOutputs(List.of(declared(dir.resolve("a/result.json"), OutputKind.RUN_RESULT)), GOOD));
    JsonObject without = new JobResults("job", tasks).table();
    assertTrue(!without.containsKey("report"), "no report task, no report links: " + without.encode());
    Path report = dir.resolve("r");
    tasks.put("job/report/report", new TaskOutputs(List.of(declared(report.resolve("report.html"), OutputKind.REPORT),
        declared(report.resolve("headline.json"), OutputKind.REPORT), declared(report.resolve("results.csv"), OutputKind.REPORT),
        declared(report.resolve("chart-loss-clip.svg"), OutputKind.REPORT), declared(report.resolve("grid-a.png"), OutputKind.IMAGE)),
        null));
    JsonObject links = new JobResults("job", tasks).table().getJsonObject("report");
    assertEquals(new JsonObject().put("html", "/api/jobs/job/artifacts/report/report/report.html")
        .put("headline", "/api/jobs/job/artifacts/report/report/headline.json")
        .put("csv", "/api/jobs/job/artifacts/report/report/results.csv"), links);
  }

  private static DeclaredOutput declared(Path path, OutputKind kind) {
    return new DeclaredOutput(path.toString(), kind.wireName(), 1L, "0".repeat(64));
  }
}
