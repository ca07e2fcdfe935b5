package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.recap.worker.exchange.Collective;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

  private static final int N = 3;
  private static final int BATCH = 8;
  private static final TrainingOptions OPTIONS = TinyClip.options(5e-3, 20);

  private static void train(ClipTrainer t, int steps) {
    for (int i = 0; i < steps; i++) {
      t.step(TinyClip.batch(t.step(), 0, BATCH));
    }
  }

  @Test
  void resumeIsBitExact(@TempDir Path root) throws IOException {
    float[] straight;
    try (NDManager m = NDManager.newBaseManager()) {
      ClipTrainer t = new ClipTrainer(TinyClip.model(m, 1), m, OPTIONS, Collective.single());
      train(t, 2 * N);
      straight = TinyClip.flatParameters(t.model());
    }
    try (NDManager m = NDManager.newBaseManager()) {
      ClipTrainer t = new ClipTrainer(TinyClip.model(m, 1), m, OPTIONS, Collective.single());
      train(t, N);
      Checkpoint saved = Checkpoint.save(root, t, new Checkpoint.DataPosition(N * BATCH, new byte[] {7, 8}));
      assertEquals(N, saved.step());
    }
    float[] resumed;
    try (NDManager m = NDManager.newBaseManager()) {
      ClipTrainer t = new ClipTrainer(TinyClip.model(m, 999), m, OPTIONS, Collective.single());
      Checkpoint c = Checkpoint.latest(root).orElseThrow();
      assertEquals(N * BATCH, c.dataPosition().position());
      assertArrayEquals(new byte[] {7, 8}, c.dataPosition().state());
      c.restore(t, m);
      assertEquals(N, t.step());
      assertEquals(N, t.optimizer().updates());
      train(t, N);
      resumed = TinyClip.flatParameters(t.model());
    }
    assertTrue(Arrays.equals(straight, resumed), "N steps, save, resume, N steps must equal 2N steps bit for bit");
  }

  @Test
  void latestPointsAtTheNewestAndCorruptionIsNamed(@TempDir Path root) throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipTrainer t = new ClipTrainer(TinyClip.model(m, 2), m, OPTIONS, Collective.single());
      train(t, 1);
      Checkpoint.save(root, t, new Checkpoint.DataPosition(8, new byte[0]));
      train(t, 1);
      Checkpoint second = Checkpoint.save(root, t, new Checkpoint.DataPosition(16, new byte[0]));
      assertEquals(second.directory(), Checkpoint.latest(root).orElseThrow().directory());
      assertEquals("step-000000002", second.directory().getFileName().toString());
      // an attempt that died after the rename but before LATEST moved left this step behind
      Checkpoint again = Checkpoint.save(root, t, new Checkpoint.DataPosition(16, new byte[0]));
      assertEquals(second.parameterChecksum(), again.parameterChecksum(), "saving a step again replaces it");
      try (var files = Files.list(root)) {
        assertFalse(files.anyMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary leftovers");
      }
      Path params = second.directory().resolve(Checkpoint.PARAMETERS);
      byte[] bytes = Files.readAllBytes(params);
      bytes[bytes.length / 2] ^= 1;
      Files.write(params, bytes);
      IOException e = assertThrows(IOException.class, () -> Checkpoint.latest(root));
      assertTrue(e.getMessage().contains("parameters.djl is corrupt"), e.getMessage());
      Files.writeString(root.resolve("LATEST"), "step-000000001\n", StandardCharsets.UTF_8);
      assertEquals(1, Checkpoint.latest(root).orElseThrow().step());
    }
  }

  @Test
  void aDamagedNewestCheckpointIsSkippedWithAWarningNamingTheFile(@TempDir Path root) throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipTrainer t = new ClipTrainer(TinyClip.model(m, 3), m, OPTIONS, Collective.single());
      train(t, 1);
      Checkpoint.save(root, t, new Checkpoint.DataPosition(1, new byte[0]), "0,2.0\n");
      train(t, 1);
      Checkpoint newest = Checkpoint.save(root, t, new Checkpoint.DataPosition(2, new byte[0]), "0,2.0\n1,1.9\n");
      assertEquals("0,2.0\n1,1.9\n", Checkpoint.latestValid(root, w -> {}).orElseThrow().history());
      Path optimizer = newest.directory().resolve(Checkpoint.OPTIMIZER);
      Files.write(optimizer, Arrays.copyOf(Files.readAllBytes(optimizer), 10)); // torn by a crash
      List<String> warnings = new ArrayList<>();
      Checkpoint found = Checkpoint.latestValid(root, warnings::add).orElseThrow();
      assertEquals(1, found.step(), "the one before the damaged one");
      assertEquals("0,2.0\n", found.history());
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains(optimizer.toString()) && warnings.get(0).contains("corrupt"), warnings.get(0));
    }
  }

  @Test
  void onlyTheNewestTwoCheckpointsAreKept(@TempDir Path root) throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipTrainer t = new ClipTrainer(TinyClip.model(m, 4), m, OPTIONS, Collective.single());
      for (int i = 0; i < 4; i++) {
        train(t, 1);
        Checkpoint.save(root, t, new Checkpoint.DataPosition(i, new byte[0]));
      }
      try (var files = Files.list(root)) {
        assertEquals(List.of("LATEST", "step-000000003", "step-000000004"),
            files.map(p -> p.getFileName().toString()).sorted().toList());
      }
    }
  }

  @Test
  void aMaskedImageTrainerResumesBitExactToo(@TempDir Path root) throws IOException {
    float[] straight = maskedRun(root, 2 * N, -1);
    maskedRun(root, N, N);
    float[] resumed = maskedRun(root, 2 * N, 0);
    assertTrue(Arrays.equals(straight, resumed), "N steps, save, resume, N steps must equal 2N steps bit for bit");
  }

  /** A tiny MAE run to {@code steps}: saving at {@code saveAt}, or resuming from the checkpoint if {@code saveAt == 0}. */
  private static float[] maskedRun(Path root, int steps, int saveAt) throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      MaskedImageModel model;
      synchronized (TinyClip.class) {
        ai.djl.engine.Engine.getInstance().setRandomSeed(5);
        model = new MaskedImageModel(new ConvImageEncoderFixture().build(dev.recap.api.PluginConfig.of("channels", 8)), 16);
        model.initialize(m, 16, 16);
      }
      MaskedImageTrainer t = new MaskedImageTrainer(model, m, OPTIONS, Collective.single(), 0.5, 9);
      if (saveAt == 0) {
        Checkpoint.latest(root).orElseThrow().restore(t, m);
      }
      while (t.step() < steps) {
        ClipBatch b = TinyClip.batch(t.step(), 0, BATCH);
        t.step(b.pixels(), b.size(), b.height(), b.width(), 0);
        if (t.step() == saveAt) {
          Checkpoint.save(root, t, new Checkpoint.DataPosition(saveAt, new byte[0]));
        }
      }
      float[] flat = new float[0];
      for (ai.djl.nn.Parameter p : model.parameterList()) {
        float[] v = p.getArray().toFloatArray();
        float[] joined = Arrays.copyOf(flat, flat.length + v.length);
        System.arraycopy(v, 0, joined, flat.length, v.length);
        flat = joined;
      }
      return flat;
    }
  }
}
