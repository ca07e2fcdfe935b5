package dev.recap.plugins.texttransformer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.TextTokenizer;
import java.util.List;

/**
 * Forward + backward time of the text-tiny tower (width 128, depth 2, heads 4, context 32) at
 * batch 256 in float32 and float16, same run. System properties: {@code batch}, {@code steps}.
 */
public final class TextTowerPrecisionBench {

  private static void step(CausalTextTransformer block, ParameterStore ps, NDManager m, NDArray tokens) {
    try (NDManager step = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray t = tokens.duplicate();
      t.attach(step);
      gc.backward(block.forward(ps, new NDList(t), true).singletonOrThrow().sum());
    }
  }

  public static void main(String[] args) throws Exception {
    int batch = Integer.getInteger("batch", 256);
    int steps = Integer.getInteger("steps", 10);
    TextTransformerEncoder enc = new TextTransformerEncoder();
    PluginConfig cfg = PluginConfig.of("preset", "text-tiny");
    TextTokenizer tok = enc.tokenizer(cfg, List.of("a red square on the left", "two blue circles near a green tree"));
    long[][] ids = new long[batch][];
    for (int i = 0; i < batch; i++) {
      ids[i] = tok.encode(i % 2 == 0 ? "a red square on the left" : "two blue circles near a green tree");
    }
    for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT16, DataType.FLOAT32, DataType.FLOAT16}) {
      try (NDManager m = NDManager.newBaseManager()) {
        Engine.getInstance().setRandomSeed(1);
        CausalTextTransformer block = enc.block(cfg, tok);
        block.initialize(m, type, new Shape(1, tok.contextLength()));
        ParameterStore ps = new ParameterStore(m, false);
        NDArray tokens = m.create(ids);
        for (int s = 0; s < 2; s++) {
          step(block, ps, m, tokens);
        }
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
          step(block, ps, m, tokens);
        }
        double sec = (System.nanoTime() - t0) / 1e9 / steps;
        System.out.printf("text-tiny forward+backward, batch %d, %s: %.4f s/step, %.0f captions/s%n", batch, type, sec, batch / sec);
      }
    }
  }
}
