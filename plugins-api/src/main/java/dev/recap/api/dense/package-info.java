/** Dense prediction heads (semantic segmentation, depth) on an image encoder's feature maps. */
package dev.recap.api.dense;
