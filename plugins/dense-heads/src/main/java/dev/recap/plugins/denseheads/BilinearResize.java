package dev.recap.plugins.denseheads;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;

/**
 * Differentiable bilinear resizing of {@code [B, C, h, w]} maps, as {@code torch.nn.functional
 * .interpolate(mode="bilinear", align_corners=False)}: DJL's PyTorch engine exposes it through
 * {@code NDArrayEx.interpolation}, and the op stays on the autograd tape (tested in
 * {@code BilinearResizeTest} against finite differences).
 */
final class BilinearResize {

  private BilinearResize() {}

  static NDArray to(NDArray map, long height, long width) {
    if (map.getShape().get(2) == height && map.getShape().get(3) == width) {
      return map;
    }
    return map.getNDArrayInternal()
        .interpolation(new long[] {height, width}, Image.Interpolation.BILINEAR.ordinal(), false);
  }
}
