package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import org.junit.jupiter.api.Test;

/** Which parameters AdamW decays: OpenCLIP's rule (rank 2 or more, except norms). */
class AdamWTest {

  private static Parameter parameter(String name, Parameter.Type type, Shape shape) {
    return Parameter.builder().setName(name).setType(type).optShape(shape).build();
  }

  @Test
  void matricesKernelsAndTokenAndPositionalEmbeddingsAreDecayed() {
    assertTrue(AdamW.decays(parameter("attn_in_proj_weight", Parameter.Type.WEIGHT, new Shape(384, 128))));
    assertTrue(AdamW.decays(parameter("conv1_weight", Parameter.Type.WEIGHT, new Shape(128, 3, 8, 8))));
    assertTrue(AdamW.decays(parameter("image_projection", Parameter.Type.WEIGHT, new Shape(128, 128))));
    assertTrue(AdamW.decays(parameter("token_embedding.weight", Parameter.Type.OTHER, new Shape(4096, 128))));
    assertTrue(AdamW.decays(parameter("positional_embedding", Parameter.Type.OTHER, new Shape(32, 128))));
    assertTrue(AdamW.decays(parameter("visual_positional_embedding", Parameter.Type.WEIGHT, new Shape(65, 128))));
  }

  @Test
  void normsBiasesTheClassEmbeddingAndTheLogitScaleAreNotDecayed() {
    assertFalse(AdamW.decays(parameter("ln_1.weight", Parameter.Type.GAMMA, new Shape(128))));
    assertFalse(AdamW.decays(parameter("ln_1.bias", Parameter.Type.BETA, new Shape(128))));
    assertFalse(AdamW.decays(parameter("c_fc_bias", Parameter.Type.BIAS, new Shape(512))));
    assertFalse(AdamW.decays(parameter("class_embedding", Parameter.Type.WEIGHT, new Shape(128))));
    assertFalse(AdamW.decays(parameter("logit_scale", Parameter.Type.OTHER, new Shape())));
    assertFalse(AdamW.decays(parameter("bn_gamma", Parameter.Type.GAMMA, new Shape(64, 1, 1))));
  }
}
