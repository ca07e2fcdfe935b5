package dev.recap.worker.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * One batch on its own NDManager: images {@code [B, 3, H, W]} float32 normalized with CLIP's
 * mean/std; optional class targets {@code [B, H, W]} int32 (255 = ignore) and depth targets
 * {@code [B, H, W]} float32 metres (0 = invalid). {@link #close()} frees its arrays.
 */
public final class Batch implements AutoCloseable {

  private final NDManager manager;
  private final NDArray images;
  private final NDArray classes;
  private final NDArray depth;
  private final List<String> keys;
  private final List<String> captions;
  private final DataPosition position;

  Batch(NDManager manager, NDArray images, NDArray classes, NDArray depth, List<String> keys,
      List<String> captions, DataPosition position) {
    this.manager = manager;
    this.images = images;
    this.classes = classes;
    this.depth = depth;
    this.keys = keys;
    this.captions = captions;
    this.position = position;
  }

  public NDArray images() {
    return images;
  }

  /** Class targets, or null if the loader was not asked for them. */
  public NDArray classes() {
    return classes;
  }

  /** Depth targets, or null if the loader was not asked for them. */
  public NDArray depth() {
    return depth;
  }

  /** Sample keys, in batch order. */
  public List<String> keys() {
    return keys;
  }

  /** Training captions (original or curated), in batch order; null entries when captions are not required. */
  public List<String> captions() {
    return captions;
  }

  /** The loader's position after this batch: checkpoint it to resume right after. */
  public DataPosition position() {
    return position;
  }

  public int size() {
    return keys.size();
  }

  @Override
  public void close() {
    manager.close();
  }
}
