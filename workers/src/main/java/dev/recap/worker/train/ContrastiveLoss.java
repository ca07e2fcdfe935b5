package dev.recap.worker.train;

import dev.recap.api.ScalarOps;
import ai.djl.ndarray.NDArray;

/**
 * Symmetric InfoNCE (CLIP's loss): with {@code logits = scale * image @ text^T} over a batch of N
 * matching pairs, the mean of the image-to-text and text-to-image cross-entropies whose targets
 * are the diagonal: {@code (CE_rows + CE_cols) / 2}, each CE a mean over the N rows.
 */
public final class ContrastiveLoss {

  private ContrastiveLoss() {}

  /**
   * @param image {@code [N, E]} image embeddings (normalized by the caller for CLIP)
   * @param text {@code [N, E]} text embeddings, row i matches image row i
   * @param scale a scalar multiplier of the logits (CLIP's {@code exp(logit_scale)})
   * @return the scalar loss
   */
  public static NDArray symmetricInfoNce(NDArray image, NDArray text, NDArray scale) {
    long n = image.getShape().get(0);
    if (text.getShape().get(0) != n) {
      throw new IllegalArgumentException("image and text batches differ: " + image.getShape() + " vs " + text.getShape());
    }
    NDArray logits = image.matMul(text.transpose()).mul(scale);
    NDArray eye = image.getManager().eye((int) n, (int) n, 0, logits.getDataType());
    NDArray imageToText = ScalarOps.dividedBy(logits.logSoftmax(1).mul(eye).sum(), n).neg();
    NDArray textToImage = ScalarOps.dividedBy(logits.logSoftmax(0).mul(eye).sum(), n).neg();
    return ScalarOps.dividedBy(imageToText.add(textToImage), 2);
  }
}
