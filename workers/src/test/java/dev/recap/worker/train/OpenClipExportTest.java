package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenClipExportTest {

  private static final OpenClipExport EXPORT =
      new OpenClipExport(new ConvImageEncoderFixture()::exportName, UnaryOperator.identity());

  private static float[] outputs(ClipModel model, NDManager m) {
    ClipBatch b = TinyClip.batch(0, 0, 4);
    NDList out = model.forward(new ParameterStore(m, false),
        new NDList(m.create(b.pixels(), new Shape(4, 3, 16, 16)), m.create(b.tokens())), false);
    float[] img = out.get(0).toFloatArray();
    float[] txt = out.get(1).toFloatArray();
    float[] all = Arrays.copyOf(img, img.length + txt.length + 1);
    System.arraycopy(txt, 0, all, img.length, txt.length);
    all[all.length - 1] = out.get(2).getFloat();
    return all;
  }

  @Test
  void exportedFileFollowsTheSafetensorsLayout(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("model.safetensors");
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel model = TinyClip.model(m, 4);
      EXPORT.write(model, file);
      byte[] bytes = Files.readAllBytes(file);
      long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertEquals(0, n % 8, "header padded to 8 bytes");
      JsonObject header = new Gson().fromJson(new String(bytes, 8, (int) n, StandardCharsets.UTF_8).trim(), JsonObject.class);
      JsonObject scale = header.getAsJsonObject("logit_scale");
      assertEquals("F32", scale.get("dtype").getAsString());
      assertEquals(0, scale.getAsJsonArray("shape").size(), "logit_scale is a 0-d tensor as in OpenCLIP");
      long begin = scale.getAsJsonArray("data_offsets").get(0).getAsLong();
      float stored = ByteBuffer.wrap(bytes, (int) (8 + n + begin), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
      assertEquals(ClipModel.INITIAL_LOGIT_SCALE, stored);
      for (String name : new String[] {"visual.proj", "text_projection", "token_embedding.weight", "visual.conv1_weight"}) {
        assertTrue(header.has(name), "missing " + name + " in " + header.keySet());
      }
      assertEquals("[32,16]", header.getAsJsonObject("text_projection").get("shape").toString());
      long total = 0;
      for (Map.Entry<String, Safetensors.Tensor> e : Safetensors.read(file).entrySet()) {
        total += e.getValue().data().length * 4L;
      }
      assertEquals(bytes.length - 8 - n, total, "data section holds exactly the tensors");
    }
  }

  @Test
  void importGivesIdenticalOutputs(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("model.safetensors");
    try (NDManager m = NDManager.newBaseManager()) {
      ClipModel source = TinyClip.model(m, 4);
      EXPORT.write(source, file);
      ClipModel target = TinyClip.model(m, 5);
      float[] expected = outputs(source, m);
      assertFalse(Arrays.equals(expected, outputs(target, m)), "different seeds differ before import");
      EXPORT.read(target, file);
      assertArrayEquals(expected, outputs(target, m));
    }
  }
}
