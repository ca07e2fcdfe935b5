package dev.recap.plugins.vit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.ImageTower;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VitEncoderTest {

  private final VitEncoder encoder = new VitEncoder();

  private ImageTower build(Object... keyValues) {
    return encoder.build(encoder.resolve(PluginConfig.of(keyValues)));
  }

  private static long count(ImageTower tower) {
    long n = 0;
    for (Pair<String, Parameter> p : tower.block().getParameters()) {
      n += p.getValue().getShape().size();
    }
    return n;
  }

  @Test
  void vitB16HasTheParameterCountOfTheStandardViTB16ImageTower() {
    ImageTower tower = build("preset", "vit-b-16");
    long declared = count(tower);
    try (NDManager manager = NDManager.newBaseManager()) {
      tower.block().initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
      long allocated = 0;
      for (Pair<String, Parameter> p : tower.block().getParameters()) {
        allocated += p.getValue().getArray().size();
      }
      assertEquals(declared, allocated, "allocated parameters differ from the declared shapes");
    }
    System.out.println("vit-b-16 parameters: " + declared);
    // OpenCLIP ViT-B-16 visual: 85,799,424 without its 768x512 output projection (86,192,640 with)
    assertEquals(85_799_424L, declared);
    assertTrue(Math.abs(declared - 86_000_000L) <= 860_000L, "not within 1% of 86M: " + declared);
    assertEquals(768, tower.embeddingDim());
    assertEquals(16, tower.primaryLevel().stride());
  }

  @Test
  void presetsBuildWithTheirDeclaredWidths() {
    int[] widths = {128, 384, 384, 768, 768};
    String[] names = {"vit-tiny", "vit-s-16", "vit-s-32", "vit-b-16", "vit-b-32"};
    for (int i = 0; i < names.length; i++) {
      ImageTower tower = build("preset", names[i]);
      System.out.println(names[i] + " parameters: " + count(tower));
      assertEquals(widths[i], tower.embeddingDim(), names[i]);
    }
    assertEquals(names.length, encoder.presets().size());
  }

  @Test
  void exportNamesAreOpenClipVisualNamesWithOpenClipShapes() {
    ImageTower tower = build("preset", "vit-tiny");
    Map<String, Shape> exported = new HashMap<>();
    for (Pair<String, Parameter> p : tower.block().getParameters()) {
      String name = encoder.exportName(p.getKey());
      assertTrue(name.startsWith("visual."), p.getKey() + " has no OpenCLIP name: " + name);
      exported.put(name, p.getValue().getShape());
    }
    assertEquals(3 + 2 + 2 + 4 * 12, exported.size(), "parameter count by name: " + exported.keySet());
    assertEquals(new Shape(128, 3, 8, 8), exported.get("visual.conv1.weight"));
    assertEquals(new Shape(128), exported.get("visual.class_embedding"));
    assertEquals(new Shape(65, 128), exported.get("visual.positional_embedding"));
    assertEquals(new Shape(128), exported.get("visual.ln_pre.weight"));
    assertEquals(new Shape(128), exported.get("visual.ln_post.bias"));
    String b3 = "visual.transformer.resblocks.3.";
    assertEquals(new Shape(384, 128), exported.get(b3 + "attn.in_proj_weight"));
    assertEquals(new Shape(384), exported.get(b3 + "attn.in_proj_bias"));
    assertEquals(new Shape(128, 128), exported.get(b3 + "attn.out_proj.weight"));
    assertEquals(new Shape(128), exported.get(b3 + "ln_1.weight"));
    assertEquals(new Shape(128), exported.get(b3 + "ln_2.bias"));
    assertEquals(new Shape(512, 128), exported.get(b3 + "mlp.c_fc.weight"));
    assertEquals(new Shape(128, 512), exported.get(b3 + "mlp.c_proj.weight"));
    assertEquals("not.a.vit.name", encoder.exportName("not.a.vit.name"));
  }

  @Test
  void exportConfigIsOpenClipsVisionConfigOfTheSameModel() {
    // OpenCLIP's model_configs/ViT-B-16.json: vision_cfg {image_size 224, layers 12, width 768,
    // patch_size 16}; head_width and mlp_ratio are CLIPVisionCfg's defaults (64, 4.0)
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("image_size", 224);
    expected.put("layers", 12);
    expected.put("width", 768);
    expected.put("patch_size", 16);
    expected.put("head_width", 64);
    expected.put("mlp_ratio", 4.0);
    assertEquals(expected, encoder.exportConfig(encoder.resolve(PluginConfig.of("preset", "vit-b-16"))));
    assertEquals(32, encoder.exportConfig(encoder.resolve(PluginConfig.of("preset", "vit-tiny"))).get("head_width"));
  }

  @Test
  void quickGeluChangesTheOutputOfTheSameParameters() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ImageTower exact = build("preset", "vit-tiny");
      ImageTower quick = build("preset", "vit-tiny", "activation", "quick_gelu");
      exact.block().initialize(manager, DataType.FLOAT32, new Shape(2, 3, 64, 64));
      quick.block().initialize(manager, DataType.FLOAT32, new Shape(2, 3, 64, 64));
      List<Parameter> from = new ArrayList<>(exact.block().getParameters().values());
      List<Parameter> to = new ArrayList<>(quick.block().getParameters().values());
      for (int i = 0; i < from.size(); i++) {
        from.get(i).getArray().copyTo(to.get(i).getArray());
      }
      NDArray images = manager.randomNormal(new Shape(2, 3, 64, 64));
      float[] a = exact.block().forward(new ParameterStore(manager, false), new NDList(images), false).get(0).toFloatArray();
      float[] b = quick.block().forward(new ParameterStore(manager, false), new NDList(images), false).get(0).toFloatArray();
      double maxDiff = 0;
      for (int i = 0; i < a.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      }
      assertTrue(maxDiff > 1e-3, "QuickGELU and exact GELU gave the same pooled output (max difference " + maxDiff + ")");
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> build("activation", "relu"));
    assertTrue(e.getMessage().contains("'activation'"), e.getMessage());
  }

  @Test
  void bilinearResampleIsTheIdentityOnTheNativeGridAndFollowsPyTorchElsewhere() {
    assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, VisionTransformer.bilinear(3, 3));
    // downsampling 4 -> 2 averages pairs (src = 0.5 and 2.5)
    assertArrayEquals(new float[] {.5f, .5f, 0, 0, 0, 0, .5f, .5f}, VisionTransformer.bilinear(2, 4));
    // upsampling 2 -> 4: src = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last)
    assertArrayEquals(new float[] {1, 0, .75f, .25f, .25f, .75f, 0, 1}, VisionTransformer.bilinear(4, 2));
  }

  @Test
  void denseBlocksStacksTheNormalizedPatchTokensOfEveryBlock() {
    ImageTower tower = build("preset", "vit-tiny", "dense", "blocks");
    assertEquals(128 * 4, tower.primaryLevel().channels());
    try (NDManager manager = NDManager.newBaseManager()) {
      tower.block().initialize(manager, DataType.FLOAT32, new Shape(2, 3, 32, 32));
      NDList out = tower.block().forward(new ParameterStore(manager, false),
          new NDList(manager.randomNormal(new Shape(2, 3, 32, 32))), false);
      // each block's slice is normalized over its own channels: mean 0, variance 1 per token
      for (int k = 0; k < 4; k++) {
        var slice = out.get(1).get(":, " + (128 * k) + ":" + (128 * (k + 1)) + ", :, :");
        float mean = slice.mean(new int[] {1}).abs().max().getFloat();
        float var = slice.square().mean(new int[] {1}).sub(1).abs().max().getFloat();
        assertTrue(mean < 1e-4 && var < 1e-3, "block " + k + " slice not normalized: mean " + mean + ", var-1 " + var);
      }
    }
  }

  @Test
  void badConfigurationsNameTheKey() {
    IllegalArgumentException heads = assertThrows(IllegalArgumentException.class, () -> build("width", 100, "heads", 3));
    assertTrue(heads.getMessage().contains("'heads'"), heads.getMessage());
    IllegalArgumentException dense = assertThrows(IllegalArgumentException.class, () -> build("dense", "all"));
    assertTrue(dense.getMessage().contains("'dense'"), dense.getMessage());
    IllegalArgumentException preset = assertThrows(IllegalArgumentException.class, () -> build("preset", "vit-h-14"));
    assertTrue(preset.getMessage().contains("vit-tiny"), preset.getMessage());
  }

  @Test
  void anInputThatIsNotAMultipleOfThePatchIsRejectedWithTheSizes() {
    ImageTower tower = build("preset", "vit-tiny");
    try (NDManager manager = NDManager.newBaseManager()) {
      tower.block().initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tower.block().forward(
          new ParameterStore(manager, false), new NDList(manager.zeros(new Shape(1, 3, 30, 32))), false));
      assertTrue(e.getMessage().contains("30x32") && e.getMessage().contains("8"), e.getMessage());
    }
  }
}
