package dev.recap.api.encoder;

import dev.recap.api.NamedPlugin;
import dev.recap.api.PluginConfig;

/**
 * Extension point: an image encoder family (ViT, MCi, ...). Builds a DJL {@link ImageTower} from
 * a configuration; see {@link ImageTower} for the tensor contract. Implementations are
 * stateless: every call to {@link #build} gives a fresh, uninitialized tower.
 */
public interface ImageEncoder extends NamedPlugin {

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
}
