package dev.recap.api.data;

import dev.recap.api.NamedPlugin;
import dev.recap.api.PluginConfig;
import java.util.List;

/**
 * Extension point: a source of samples, e.g. the synthetic-scene generator. Sources are
 * random-access and deterministic: {@code open(config, seed).sample(i)} is the same sample
 * every time, on every worker, so that shards can be generated in parallel.
 */
public interface SampleSource extends NamedPlugin {

  /** Opens a generator for a resolved configuration and seed. */
  Generator open(PluginConfig config, long seed);

  /** A deterministic, thread-safe, random-access generator. */
  interface Generator {
    /** The i-th sample; its key is derived from {@code index}. */
    Sample sample(long index);

    /** Class names indexed by class id (the values of {@link Sample#classMap()}). */
    List<String> classNames();
  }
}
