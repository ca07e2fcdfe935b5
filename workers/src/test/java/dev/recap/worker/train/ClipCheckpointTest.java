package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipCheckpointTest {

  private static final ClipCheckpoint EXPORT =
      new ClipCheckpoint(new ConvImageEncoderFixture()::exportName, UnaryOperator.identity());

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

  @Test
  void aTensorOfAnotherShapeFailsNamingItAndBothShapes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("model.safetensors");
    try (NDManager m = NDManager.newBaseManager()) {
      List<Safetensors.Tensor> tensors = tensors(TinyClip.model(m, 4));
      int i = indexOf(tensors, "text_projection");
      tensors.set(i, new Safetensors.Tensor("text_projection", new long[] {32, 8}, new float[32 * 8]));
      Safetensors.write(file, tensors, Map.of());
      ClipCheckpoint.CheckpointMismatch e = assertThrows(ClipCheckpoint.CheckpointMismatch.class,
          () -> EXPORT.read(TinyClip.model(m, 5), file));
      assertTrue(e.getMessage().contains("'text_projection' has shape [32, 8], the model's parameter has shape [32, 16]"),
          e.getMessage());
      assertTrue(e.getMessage().contains("embedDim"), "says what to change: " + e.getMessage());
    }
  }

  @Test
  void aTensorThatMapsToNoParameterFailsNamingIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("model.safetensors");
    try (NDManager m = NDManager.newBaseManager()) {
      List<Safetensors.Tensor> tensors = tensors(TinyClip.model(m, 4));
      tensors.add(new Safetensors.Tensor("visual.transformer.resblocks.0.ls_1.gamma", new long[] {16}, new float[16]));
      // PyTorch's BatchNorm counters have no Recap parameter and are skipped
      tensors.add(new Safetensors.Tensor("visual.bn.num_batches_tracked", new long[0], new float[1]));
      Safetensors.write(file, tensors, Map.of());
      ClipCheckpoint.CheckpointMismatch e = assertThrows(ClipCheckpoint.CheckpointMismatch.class,
          () -> EXPORT.read(TinyClip.model(m, 5), file));
      assertTrue(e.getMessage().contains("'visual.transformer.resblocks.0.ls_1.gamma' of shape [16] maps to no parameter"),
          e.getMessage());
    }
  }

  @Test
  void aMissingTensorFailsNamingIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("model.safetensors");
    try (NDManager m = NDManager.newBaseManager()) {
      List<Safetensors.Tensor> tensors = tensors(TinyClip.model(m, 4));
      tensors.remove(indexOf(tensors, "logit_scale"));
      Safetensors.write(file, tensors, Map.of());
      ClipCheckpoint.CheckpointMismatch e = assertThrows(ClipCheckpoint.CheckpointMismatch.class,
          () -> EXPORT.read(TinyClip.model(m, 5), file));
      assertTrue(e.getMessage().contains("has no tensor 'logit_scale'"), e.getMessage());
    }
  }

  @Test
  void halfPrecisionCheckpointsAreReadAsFloat32(@TempDir Path dir) throws Exception {
    // 1.0, -2.0, 65504 (largest half), 2^-24 (smallest subnormal), 0.5 in binary16; 1.5 and -3.0 in bfloat16
    short[] half = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x3800};
    short[] bf16 = {0x3FC0, (short) 0xC040};
    Path file = dir.resolve("half.safetensors");
    String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[10,14]}}";
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer bytes = ByteBuffer.allocate(8 + json.length + 14).order(ByteOrder.LITTLE_ENDIAN);
    bytes.putLong(json.length).put(json);
    for (short v : half) {
      bytes.putShort(v);
    }
    for (short v : bf16) {
      bytes.putShort(v);
    }
    Files.write(file, bytes.array());
    Map<String, Safetensors.Tensor> read = Safetensors.read(file);
    assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f, 0.5f}, read.get("h").data());
    assertArrayEquals(new float[] {1.5f, -3f}, read.get("b").data());
  }

  private static List<Safetensors.Tensor> tensors(ClipModel model) {
    List<Safetensors.Tensor> out = new ArrayList<>();
    EXPORT.named(model).forEach((name, p) -> out.add(
        new Safetensors.Tensor(name, p.getArray().getShape().getShape(), p.getArray().toFloatArray())));
    return out;
  }

  private static int indexOf(List<Safetensors.Tensor> tensors, String name) {
    for (int i = 0; i < tensors.size(); i++) {
      if (tensors.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new AssertionError("no tensor " + name);
  }
}
