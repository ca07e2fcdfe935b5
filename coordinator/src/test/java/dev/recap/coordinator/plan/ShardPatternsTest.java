package dev.recap.coordinator.plan;

import static dev.recap.coordinator.plan.ExperimentPlannersTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.recap.coordinator.spec.SpecCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a dataset's {@code shards:} name files: brace ranges, alternatives, globs, lists, relative paths. */
class ShardPatternsTest {

  @TempDir
  Path dir;

  private Path touch(String relative) throws Exception {
    Path p = dir.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.write(p, new byte[] {1});
    return p;
  }

  @Test
  void bracesExpandRangesWithTheirPaddingAndAlternatives() {
    assertEquals(List.of("data/00008.tar", "data/00009.tar", "data/00010.tar"), ShardPatterns.expandBraces("data/{00008..00010}.tar"));
    assertEquals(List.of("s-8.tar", "s-9.tar", "s-10.tar"), ShardPatterns.expandBraces("s-{8..10}.tar"));
    assertEquals(List.of("a/0.tar", "a/1.tar", "b/0.tar", "b/1.tar"), ShardPatterns.expandBraces("{a,b}/{0..1}.tar"));
    assertEquals(List.of("x{}.tar"), ShardPatterns.expandBraces("x{}.tar"), "braces without a comma or a range stay");
    assertEquals(List.of("cc3m-{x}/2.tar", "cc3m-{x}/3.tar"), ShardPatterns.expandBraces("cc3m-{x}/{2,3}.tar"));
    assertThrows(IllegalArgumentException.class, () -> ShardPatterns.expandBraces("data/{000..001.tar"));
  }

  @Test
  void relativePatternsResolveAgainstTheSpecFolder() throws Exception {
    Path a = touch("shards/00000.tar");
    Path b = touch("shards/00001.tar");
    Path c = touch("shards/00002.tar");
    touch("shards/notes.txt");
    SpecCheck check = new SpecCheck(null);
    assertEquals(List.of(a, b), ShardPatterns.resolve(check, "f", "shards/{00000..00001}.tar", dir));
    assertEquals(List.of(a, b, c), ShardPatterns.resolve(check, "f", "shards/*.tar", dir));
    assertEquals(List.of(c, a), ShardPatterns.resolve(check, "f", List.of("shards/00002.tar", c.toString(), "./shards/0000[0].tar"), dir),
        "a list keeps its order, each file once, absolute and relative entries alike");
    assertEquals(List.of(a, b, c), ShardPatterns.resolve(check, "f", "**/*.tar", dir), "** reaches into folders");
    assertEquals(List.of(), check.problems());
  }

  @Test
  void aPatternThatMatchesNothingNamesThePathLookedFor() throws Exception {
    touch("shards/00000.tar");
    SpecCheck check = new SpecCheck(null);
    ShardPatterns.resolve(check, "stages[0].shards", "shardz/*.tar", dir);
    assertProblem(check.problems(), "stages[0].shards", "'shardz/*.tar' matches no file: looked for " + dir.resolve("shardz/*.tar"));
    SpecCheck range = new SpecCheck(null);
    ShardPatterns.resolve(range, "stages[0].shards", List.of("shards/{00000..00002}.tar"), dir);
    assertProblem(range.problems(), "stages[0].shards[0]", "2 of the 3 files 'shards/{00000..00002}.tar' names do not exist: ["
        + dir.resolve("shards/00001.tar"));
  }

  @Test
  void aRelativePathInASpecFromNoFileIsAnError() {
    SpecCheck check = new SpecCheck(null);
    ShardPatterns.resolve(check, "stages[0].shards", "data/*.tar", null);
    assertProblem(check.problems(), "stages[0].shards", "is a relative path, but this spec came from no file");
  }
}
