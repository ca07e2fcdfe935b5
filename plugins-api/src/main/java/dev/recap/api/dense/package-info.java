/**
 * Dense prediction heads (semantic segmentation, depth) on an image encoder's feature maps: the
 * {@link dev.recap.api.dense.DenseHead} extension point, the task description and the standard
 * losses with the label conventions every head and evaluator share (class 255 = ignore, depth 0 =
 * invalid).
 */
package dev.recap.api.dense;
