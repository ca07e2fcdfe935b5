package dev.recap.worker.data;

import dev.recap.worker.node.LocalTaskContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.data.Sample;
import dev.recap.bus.OutputKind;
import dev.recap.bus.msg.DeclaredOutput;
import dev.recap.bus.task.DatasetTask;
import dev.recap.worker.node.ArtifactStore;
import dev.recap.worker.node.FileArtifactStore;
import dev.recap.worker.node.PermanentTaskFailure;
import dev.recap.worker.node.TaskContext;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetHandlerTest {

  @TempDir
  Path dir;

  private static byte[] jpeg(int size, int rgb) throws Exception {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
    java.util.Random random = new java.util.Random(rgb);
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        img.setRGB(x, y, rgb ^ random.nextInt(0x0F0F0F));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpeg", out);
    return out.toByteArray();
  }

  /** A record of img2dataset's layout: key.jpg, key.txt (if caption), key.json. */
  private static Map<String, byte[]> record(byte[] image, String caption, JsonObject json) {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("jpg", image);
    if (caption != null) {
      m.put("txt", caption.getBytes(StandardCharsets.UTF_8));
    }
    m.put("json", json.encode().getBytes(StandardCharsets.UTF_8));
    return m;
  }

  private Path tar(String name, Map<String, Map<String, byte[]>> records) throws Exception {
    Path file = dir.resolve(name);
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(file))) {
      for (Map.Entry<String, Map<String, byte[]>> r : records.entrySet()) {
        String key = r.getKey().contains("#") ? r.getKey().substring(0, r.getKey().indexOf('#')) : r.getKey();
        for (Map.Entry<String, byte[]> m : r.getValue().entrySet()) {
          TarArchiveEntry e = new TarArchiveEntry(key + "." + m.getKey());
          e.setSize(m.getValue().length);
          tar.putArchiveEntry(e);
          tar.write(m.getValue());
          tar.closeArchiveEntry();
        }
      }
    }
    return file;
  }

  private JsonObject run(DatasetTask task, List<String> events) throws Exception {
    FileArtifactStore store = new FileArtifactStore(dir.resolve("out"), "job-1", "job-1/data/scan");
    new DatasetHandler().execute(new LocalTaskContext<>(task, store, events, "job-1/data/scan", "data"));
    return new JsonObject(store.result());
  }

  private static List<Sample> read(String path) {
    List<Sample> out = new ArrayList<>();
    new WebDatasetReader(Path.of(path), new SkipReport(), true).forEach(out::add);
    return out;
  }

  @Test
  void keepsGoodPairsSkipsBadOnesWithTheirReasonAndHoldsOutByKey() throws Exception {
    byte[] good = jpeg(24, 0x336699);
    Map<String, Map<String, byte[]>> first = new LinkedHashMap<>();
    for (int i = 0; i < 6; i++) {
      String key = String.format("%09d", i);
      JsonObject json = new JsonObject().put("key", key).put("meta", new JsonObject().put("trusted", i < 3 ? "a trusted caption " + i : null));
      first.put(key, record(jpeg(16 + i, 0x102030 * (i + 1)), "photo " + i, json));
    }
    first.put("000000006", record(Arrays.copyOf(good, good.length / 2), "cut short", new JsonObject()));
    first.put("000000007", record("<html>not found</html>".getBytes(StandardCharsets.UTF_8), "an error page", new JsonObject()));
    first.put("000000008", record(good, null, new JsonObject()));
    first.put("000000009", record(good, "   ", new JsonObject()));
    Map<String, Map<String, byte[]>> second = new LinkedHashMap<>();
    second.put("000000003", record(good, "the same key again", new JsonObject())); // repeats a key of the first shard
    for (int i = 10; i < 14; i++) {
      String key = String.format("%09d", i);
      second.put(key, record(jpeg(20, 0x445566 + i), "photo " + i, new JsonObject()));
    }
    Path a = tar("00000.tar", first);
    Path b = tar("00001.tar", second);
    DatasetTask task = DatasetTask.newBuilder().setShards(List.of(a.toString(), b.toString())).setHeldOut(3)
        .setReferenceCaption("json:meta.trusted").setDataSeed(5).build();
    List<String> events = new ArrayList<>();
    JsonObject result = run(task, events);

    assertEquals(15, result.getLong("samples"));
    assertEquals(10, result.getLong("kept"));
    assertEquals(Map.of("CORRUPT_IMAGE", 2, "MISSING_CAPTION", 2, "DUPLICATE_KEY", 1), result.getJsonObject("skipped").getMap());
    assertEquals(5, result.getJsonArray("skippedSamples").size());
    assertEquals(7, result.getLong("training"));
    assertEquals(3, result.getLong("heldOut"));
    List<String> skippedCsv = Files.readAllLines(dir.resolve("out").resolve("job-1").resolve("job-1_data_scan").resolve("skipped.csv"));
    assertEquals(6, skippedCsv.size(), "a header and one line per skipped sample: " + skippedCsv);
    assertTrue(skippedCsv.stream().anyMatch(l -> l.contains("000000006") && l.contains("CORRUPT_IMAGE")));
    assertTrue(events.stream().anyMatch(e -> e.startsWith("skipped sample 000000007: CORRUPT_IMAGE")), events.toString());

    JsonObject outputs = result.getJsonObject("outputs");
    List<String> train = outputs.getJsonArray("train").getList();
    assertEquals(2, train.size());
    Set<String> trained = new TreeSet<>();
    for (String shard : train) {
      for (Sample s : read(shard)) {
        trained.add(s.key());
        assertTrue(s.captions().get(Sample.ALT).startsWith("photo "), s.key());
      }
    }
    List<Sample> heldOut = read(outputs.getJsonArray("heldOut").getString(0));
    Set<String> heldKeys = new TreeSet<>(heldOut.stream().map(Sample::key).toList());
    assertEquals(3, heldKeys.size());
    assertEquals(7, trained.size());
    assertTrue(heldKeys.stream().noneMatch(trained::contains), "held-out pairs never train");
    assertTrue(heldOut.stream().allMatch(s -> s.captions().keySet().equals(Set.of(Sample.ALT))), "held-out pairs carry one caption");
    List<Sample> reference = read(outputs.getJsonArray("reference").getString(0));
    for (Sample s : reference) {
      assertEquals("a trusted caption " + Integer.parseInt(s.key()), s.captions().get(Sample.QUALITY));
      assertFalse(heldKeys.contains(s.key()));
    }
    long trustedInTraining = trained.stream().filter(k -> Integer.parseInt(k) < 3).count();
    assertEquals(trustedInTraining, reference.size(), "every training pair with a trusted caption, and only those");
    // the copies keep the image bytes
    Sample copy = read(train.get(0)).get(0);
    assertEquals(16 + Integer.parseInt(copy.key()), copy.image().width());

    // the same keys are held out on a rerun with the same seed, others with another seed
    FileArtifactStore again = new FileArtifactStore(dir.resolve("again"), "job-2", "job-2/data/scan");
    new DatasetHandler().execute(new LocalTaskContext<>(task, again, new ArrayList<>(), "job-1/data/scan", "data"));
    assertEquals(heldKeys, new TreeSet<>(read(new JsonObject(again.result()).getJsonObject("outputs").getJsonArray("heldOut")
        .getString(0)).stream().map(Sample::key).toList()));
    List<DeclaredOutput> declared = again.declared();
    assertEquals(4, declared.stream().filter(d -> d.getKind().equals(OutputKind.PAIRS_SHARD.wireName())).count());
    assertEquals(1, declared.stream().filter(d -> d.getKind().equals(OutputKind.DATA_SUMMARY.wireName())).count());
  }

  @Test
  void captionFromAJsonFieldAndHeldOutShards() throws Exception {
    Map<String, Map<String, byte[]>> train = new LinkedHashMap<>();
    train.put("a", record(jpeg(12, 0x808080), "ignored txt", new JsonObject().put("caption", "from json a")));
    train.put("b", record(jpeg(12, 0x707070), "ignored txt", new JsonObject().put("other", "x")));
    Map<String, Map<String, byte[]>> held = new LinkedHashMap<>();
    held.put("c", record(jpeg(12, 0x606060), null, new JsonObject().put("caption", "from json c")));
    DatasetTask task = DatasetTask.newBuilder().setShards(List.of(tar("t.tar", train).toString()))
        .setHeldOutShards(List.of(tar("h.tar", held).toString())).setCaption("json:caption").setDataSeed(1).build();
    JsonObject result = run(task, new ArrayList<>());
    assertEquals(Map.of("MISSING_CAPTION", 1), result.getJsonObject("skipped").getMap());
    assertEquals("from json a", read(result.getJsonObject("outputs").getJsonArray("train").getString(0)).get(0).captions()
        .get(Sample.ALT));
    assertEquals("from json c", read(result.getJsonObject("outputs").getJsonArray("heldOut").getString(0)).get(0).captions()
        .get(Sample.ALT));
  }

  @Test
  void aShardThatIsNotATarFailsNamingIt() throws Exception {
    Path bogus = dir.resolve("bogus.tar");
    Files.writeString(bogus, "this is not a tar archive at all, just some text that goes on for a while ".repeat(20));
    DatasetTask task = DatasetTask.newBuilder().setShards(List.of(bogus.toString())).setDataSeed(1).build();
    PermanentTaskFailure e = assertThrows(PermanentTaskFailure.class, () -> run(task, new ArrayList<>()));
    assertTrue(e.getMessage().contains(bogus.toString()), e.getMessage());
  }

  @Test
  void holdingOutEverythingFailsSayingHowManyPairsThereAre() throws Exception {
    Map<String, Map<String, byte[]>> two = new LinkedHashMap<>();
    two.put("a", record(jpeg(12, 1), "one", new JsonObject()));
    two.put("b", record(jpeg(12, 2), "two", new JsonObject()));
    DatasetTask task = DatasetTask.newBuilder().setShards(List.of(tar("two.tar", two).toString())).setHeldOut(2).setDataSeed(1)
        .build();
    PermanentTaskFailure e = assertThrows(PermanentTaskFailure.class, () -> run(task, new ArrayList<>()));
    assertTrue(e.getMessage().contains("hold 2 usable pair(s) and heldOut asks for 2"), e.getMessage());
  }
}
