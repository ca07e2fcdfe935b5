package dev.recap.worker.caption;

import dev.recap.api.data.RgbImage;
import java.util.List;

/**
 * Scores how well captions describe their images (higher is better), e.g. the cosine similarity
 * of a trained CLIP's image and text embeddings, as DataComp's CLIP-score filter does. The CLIP
 * trainer provides the real implementation.
 */
public interface ImageTextScorer {

  /**
   * One score per pair, in order.
   *
   * @param images the images
   * @param captions the captions, as many as images
   */
  float[] score(List<RgbImage> images, List<String> captions);
}
