package dev.recap.coordinator.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Profiles: overrides merged into stage parameters; bad profile references name the field. */
class SpecProfilesTest {

  static final String SPEC = """
      name: p
      stages:
        - {name: train, kind: smoke, tasks: 10, sleepMillis: 5}
        - {name: eval, kind: smoke, after: [train], tasks: 3}
      profiles:
        quick: {train: {tasks: 2}, eval: {sleepMillis: 1}}
      """;

  @Test
  void profileOverridesOnlyTheParametersItNames() {
    JobSpec spec = JobSpecParser.parse(SpecProfiles.apply(SPEC, "quick", "s.yaml"), "s.yaml");
    assertEquals(Map.of("tasks", 2, "sleepMillis", 5), spec.stage("train").orElseThrow().params());
    assertEquals(Map.of("tasks", 3, "sleepMillis", 1), spec.stage("eval").orElseThrow().params());
    assertEquals(java.util.List.of("train"), spec.stage("eval").orElseThrow().after());
    assertFalse(SpecProfiles.apply(SPEC, "quick", "s.yaml").contains("profiles"), "the submitted spec is the merged one");
  }

  @Test
  void nestedMappingsMergeKeyByKey() {
    String yaml = "name: n\nstages:\n  - {name: e, kind: smoke, opts: {a: 1, b: 2}}\nprofiles:\n  small: {e: {opts: {b: 3}}}\n";
    JobSpec spec = JobSpecParser.parse(SpecProfiles.apply(yaml, "small", "n.yaml"), "n.yaml");
    assertEquals(Map.of("a", 1, "b", 3), spec.stages().get(0).params().get("opts"));
  }

  @Test
  void unknownProfileListsTheDeclaredOnes() {
    SpecException e = assertThrows(SpecException.class, () -> SpecProfiles.apply(SPEC, "huge", "s.yaml"));
    assertTrue(e.getMessage().contains("no profile 'huge'; the spec declares [quick]"), e.getMessage());
  }

  @Test
  void profileNamingAMissingStageOrAFixedKeyIsRejected() {
    String yaml = SPEC + "  bad: {trian: {tasks: 1}, eval: {kind: other}}\n";
    SpecException e = assertThrows(SpecException.class, () -> JobSpecParser.parse(yaml, "s.yaml"));
    assertTrue(e.getMessage().contains("profiles.bad.trian"), e.getMessage());
    assertTrue(e.getMessage().contains("no stage named 'trian'"), e.getMessage());
    assertTrue(e.getMessage().contains("profiles.bad.eval.kind"), e.getMessage());
  }

  @Test
  void theExampleSpecsProfilesNameRealStages() throws Exception {
    Path example = Path.of("src/main/dist/examples/caption-quality.yaml");
    String yaml = Files.readString(example);
    for (String profile : new String[] {null, "quick", "claims", "scale", "trial", "curve"}) {
      JobSpec spec = JobSpecParser.parse(SpecProfiles.apply(yaml, profile, example.toString()), example.toString());
      assertEquals(5, spec.stages().size(), String.valueOf(profile)); // data, curate, pretrain, evaluate, report
    }
    JobSpec quick = JobSpecParser.parse(SpecProfiles.apply(yaml, "quick", "x"), "x");
    assertEquals(256, quick.stage("data").orElseThrow().params().get("pairs"));
    assertEquals(java.util.List.of(1), quick.stage("pretrain").orElseThrow().params().get("seeds"));
  }
}
