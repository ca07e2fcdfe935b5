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
import java.util.Arrays;
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
      IOException again = assertThrows(IOException.class, () -> Checkpoint.save(root, t, new Checkpoint.DataPosition(16, new byte[0])));
      assertTrue(again.getMessage().contains("already exists"), again.getMessage());
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
}
