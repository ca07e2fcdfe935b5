package dev.recap.api.encoder;

import ai.djl.ndarray.NDManager;
import dev.recap.api.NamedPlugin;
import dev.recap.api.PluginConfig;
import java.util.List;
import java.util.Map;

/**
 * Extension point: an image encoder family (ViT, MCi, ...). Builds a DJL {@link ImageTower} from
 * a configuration; see {@link ImageTower} for the tensor contract. Implementations are
 * stateless: every call to {@link #build} gives a fresh, uninitialized tower.
 */
public interface ImageEncoder extends NamedPlugin {

  /** The configuration key that selects what a tower's primary dense level holds; see {@link #denseModes()}. */
  String DENSE = "dense";

  /**
   * Builds a tower.
   *
   * @param config a resolved configuration (see {@link NamedPlugin#resolve}); unknown keys are
   *     ignored, bad values fail with the key named
   */
  ImageTower build(PluginConfig config);

  /**
   * The name under which a parameter of a tower this encoder built is exported to other
   * frameworks (e.g. OpenCLIP's {@code visual.conv1.weight} in a safetensors file).
   *
   * @param djlParameterName the parameter's name as {@code tower.block().getParameters()} reports
   *     it, i.e. relative to the tower's block (strip any prefix a wrapping block adds first)
   * @return the exported name; by default the DJL name unchanged. Implementations return the
   *     input unchanged for names they do not know.
   */
  default String exportName(String djlParameterName) {
    return djlParameterName;
  }

  /**
   * The architecture of a tower this encoder built from {@code config}, as the exported
   * checkpoint's config file describes an image tower (e.g. OpenCLIP's {@code vision_cfg}:
   * {@code image_size}, {@code layers}, {@code width}, {@code patch_size}, {@code head_width},
   * {@code mlp_ratio}), so that the framework the weights go to can build the same tower.
   *
   * @param config a resolved configuration (see {@link NamedPlugin#resolve})
   * @return by default empty: the encoder's checkpoints carry no architecture description
   */
  default Map<String, Object> exportConfig(PluginConfig config) {
    return Map.of();
  }

  /**
   * The values this encoder accepts under the configuration key {@link #DENSE}, its default
   * first. Each selects what the primary dense level (level 0, the map a linear probe reads)
   * holds, e.g. the last block's tokens or every block's tokens concatenated, and none changes
   * the parameters: a tower built with one value loads the parameters saved from a tower built
   * with another, so a pretrained encoder can be probed with any of them. The conformance kit
   * checks both for every value listed.
   *
   * @return by default empty: the encoder has one dense map and ignores the key
   */
  default List<String> denseModes() {
    return List.of();
  }

  /**
   * A tower for inference that computes what {@code trained} computes in inference mode
   * ({@code training = false}), possibly restructured for speed, e.g. train-time multi-branch
   * blocks fused into single convolutions (structural reparameterization). The result is
   * initialized, its parameters attached to {@code manager}; {@code trained} is left unchanged.
   * Its parameters are not those of {@code trained}: do not train or export it as a checkpoint.
   *
   * @param config the configuration {@code trained} was built from
   * @param trained an initialized tower this encoder built from {@code config}
   * @param manager owns the new tower's parameters
   * @return by default {@code trained} itself
   */
  default ImageTower inferenceTower(PluginConfig config, ImageTower trained, NDManager manager) {
    return trained;
  }
}
