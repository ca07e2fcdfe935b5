package dev.recap.worker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.data.Sample;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebDatasetRoundTripTest {

  @TempDir Path dir;

  @Test
  void generatedSamplesWrittenToShardsReadBackIdentical() throws Exception {
    TestSamples gen = new TestSamples(24, 1);
    List<Path> shards = DatasetWriter.writeShards(gen, 3, 13, 4, dir, "train", ImageFormat.PNG);
    assertEquals(List.of("train-000000.tar", "train-000001.tar", "train-000002.tar"),
        shards.stream().map(p -> p.getFileName().toString()).toList());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(3, files.count(), "no temporary files are left behind");
    }
    SkipReport report = new SkipReport();
    List<Sample> read = new ArrayList<>();
    for (Path shard : shards) {
      new WebDatasetReader(shard, report, true).forEach(read::add);
    }
    assertEquals(10, read.size());
    for (int i = 0; i < 10; i++) {
      TestSamples.assertSameSample(gen.sample(3 + i), read.get(i));
    }
    assertEquals(0, report.total());
  }

  @Test
  void shardsUseTheImg2datasetLayout() throws Exception {
    Path shard = dir.resolve("s.tar");
    try (WebDatasetWriter w = new WebDatasetWriter(shard, ImageFormat.JPEG)) {
      w.write(new TestSamples(16, 2).sample(7));
    }
    List<String> names = new ArrayList<>();
    try (InputStream in = Files.newInputStream(shard); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        names.add(e.getName());
      }
    }
    assertEquals(List.of("000000007.jpg", "000000007.txt", "000000007.json", "000000007.seg.png", "000000007.depth.png"), names);
    Sample back = new WebDatasetReader(shard, new SkipReport(), true).iterator().next();
    assertEquals("IMG_7.jpg", back.captions().get(Sample.ALT));
    assertEquals(16, back.image().width());
  }

  @Test
  void abortedWriterLeavesNoShard() throws Exception {
    Path shard = dir.resolve("a.tar");
    WebDatasetWriter w = new WebDatasetWriter(shard, ImageFormat.PNG);
    w.write(new TestSamples(16, 2).sample(1));
    w.abort();
    try (Stream<Path> files = Files.list(dir)) {
      assertTrue(files.findAny().isEmpty());
    }
  }
}
