package dev.recap.worker.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.nn.transformer.TransformerEncoderBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.FeatureLevel;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.ImageTower;
import java.util.ArrayList;
import java.util.List;

/**
 * Test and benchmark fixture: a plain ViT of the headline experiment's size (patch 8, width 128,
 * depth 4, 4 heads, MLP 512, final layer norm) built from DJL's transformer blocks, with fixed sinusoidal position
 * encodings. Dense level 0 is the final token grid at stride 8; pooled is the token mean. Not the
 * project's ViT plugin, only a stand-in of the same cost.
 */
final class TinyVitEncoder implements ImageEncoder {

  @Override
  public String id() {
    return "tiny-vit";
  }

  @Override
  public ImageTower build(PluginConfig config) {
    int width = config.getInt("width", 128);
    int depth = config.getInt("depth", 4);
    int patch = config.getInt("patch", 8);
    return new ImageTower(new Net(width, depth, patch), width, List.of(new FeatureLevel(width, patch)), patch);
  }

  static final class Net extends AbstractBlock {
    private final int width;
    private final int patch;
    private final Block embed;
    private final List<Block> blocks = new ArrayList<>();
    private final Block finalNorm;

    Net(int width, int depth, int patch) {
      super((byte) 1);
      this.width = width;
      this.patch = patch;
      embed = addChildBlock("patch_embed", Conv2d.builder().setKernelShape(new Shape(patch, patch))
          .optStride(new Shape(patch, patch)).setFilters(width).build());
      for (int i = 0; i < depth; i++) {
        blocks.add(addChildBlock("block_" + i, new TransformerEncoderBlock(width, 4, 4 * width, 0f, Activation::gelu)));
      }
      finalNorm = addChildBlock("norm", LayerNorm.builder().build());
    }

    private NDArray positions(NDManager m, int tokens) {
      float[] pe = new float[tokens * width];
      for (int t = 0; t < tokens; t++) {
        for (int i = 0; i < width; i += 2) {
          double angle = t / Math.pow(10000, (double) i / width);
          pe[t * width + i] = (float) Math.sin(angle);
          pe[t * width + i + 1] = (float) Math.cos(angle);
        }
      }
      return m.create(pe, new Shape(1, tokens, width));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray grid = embed.forward(ps, inputs, training).head(); // [B, E, h, w]
      Shape s = grid.getShape();
      int tokens = (int) (s.get(2) * s.get(3));
      NDArray x = grid.reshape(s.get(0), width, tokens).transpose(0, 2, 1);
      x = x.add(positions(x.getManager(), tokens));
      for (Block b : blocks) {
        x = b.forward(ps, new NDList(x), training).head();
      }
      x = finalNorm.forward(ps, new NDList(x), training).head();
      NDArray dense = x.transpose(0, 2, 1).reshape(s.get(0), width, s.get(2), s.get(3));
      return new NDList(x.mean(new int[] {1}), dense);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
      Shape s = in[0];
      return new Shape[] {new Shape(s.get(0), width), new Shape(s.get(0), width, s.get(2) / patch, s.get(3) / patch)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
      Shape s = in[0];
      embed.initialize(manager, dataType, s);
      Shape tokens = new Shape(s.get(0), (s.get(2) / patch) * (s.get(3) / patch), width);
      for (Block b : blocks) {
        b.initialize(manager, dataType, tokens);
      }
      finalNorm.initialize(manager, dataType, tokens);
    }
  }
}
