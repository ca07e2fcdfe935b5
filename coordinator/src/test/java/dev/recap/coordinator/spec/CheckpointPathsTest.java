package dev.recap.coordinator.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checkpoint files named in a spec resolve against the spec file's folder, as shards and roots do. */
class CheckpointPathsTest {

  private static final String SPEC = """
      name: n
      stages:
        - name: p
          kind: pretrain
          init: ckpt/a.safetensors
          runs:
            - {name: r1, init: ../b.safetensors}
            - {name: r2, init: /abs/c.safetensors}
            - {name: r3}
        - name: e
          kind: evaluate
          after: [p]
          checkpoints:
            - {name: x, init: d.safetensors}
      """;

  @Test
  void relativeCheckpointPathsResolveAgainstTheSpecFolderAndAbsoluteOnesStay() {
    Path folder = Path.of("/specs/mine");
    JobSpec spec = JobSpecParser.parse(SPEC, "s.yaml", folder);
    StageSpec p = spec.stage("p").orElseThrow();
    assertEquals("/specs/mine/ckpt/a.safetensors", p.params().get("init"));
    List<?> runs = (List<?>) p.params().get("runs");
    assertEquals("/specs/b.safetensors", ((Map<?, ?>) runs.get(0)).get("init"));
    assertEquals("/abs/c.safetensors", ((Map<?, ?>) runs.get(1)).get("init"));
    assertEquals(null, ((Map<?, ?>) runs.get(2)).get("init"));
    List<?> checkpoints = (List<?>) spec.stage("e").orElseThrow().params().get("checkpoints");
    assertEquals("/specs/mine/d.safetensors", ((Map<?, ?>) checkpoints.get(0)).get("init"));
  }

  @Test
  void aSpecFromNoFileKeepsItsPathsAsWritten() {
    JobSpec spec = JobSpecParser.parse(SPEC, "pasted");
    assertEquals("ckpt/a.safetensors", spec.stage("p").orElseThrow().params().get("init"));
  }
}
