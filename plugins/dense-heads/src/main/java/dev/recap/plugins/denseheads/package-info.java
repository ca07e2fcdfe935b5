/**
 * Dense heads for segmentation and depth: {@code linear} (a linear probe on the encoder's primary
 * dense map) and {@code fpn} (a light FPN-style decoder over the encoder's pyramid, or a
 * ViTDet-style simple pyramid built from a single level).
 */
package dev.recap.plugins.denseheads;
