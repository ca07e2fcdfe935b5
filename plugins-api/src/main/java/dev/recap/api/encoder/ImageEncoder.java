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
}
