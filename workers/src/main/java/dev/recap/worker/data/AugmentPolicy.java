package dev.recap.worker.data;

import java.util.Locale;

/**
 * How training images are augmented: a random resized crop of at least {@code minScale} of the
 * image's area (aspect ratio 3/4 to 4/3, as torchvision's RandomResizedCrop) and, optionally, a
 * horizontal flip.
 *
 * <p>CLIP trains on captions, and a caption can name what a crop cuts away ("a red cube on the
 * left") or what a flip contradicts ("left"). {@link #openClip()} is therefore OpenCLIP's training
 * transform: crops of 90-100% of the area and no flip. Dense targets flip with their image, so
 * dense training may use flips safely.
 *
 * @param minScale smallest crop area as a fraction of the image, in (0, 1]; 1 keeps the whole image
 * @param flip whether half of the images are mirrored left to right
 */
public record AugmentPolicy(double minScale, boolean flip) {

  /** OpenCLIP's default crop scale range starts here. */
  public static final double OPEN_CLIP_MIN_SCALE = 0.9;

  public AugmentPolicy {
    if (!(minScale > 0 && minScale <= 1)) {
      throw new IllegalArgumentException("augment minScale must be in (0, 1], got " + minScale);
    }
  }

  /** OpenCLIP's training transform: RandomResizedCrop(scale=(0.9, 1.0)), no flip. */
  public static AugmentPolicy openClip() {
    return new AugmentPolicy(OPEN_CLIP_MIN_SCALE, false);
  }

  /** A short description for logs and reports, e.g. {@code crop 90-100% area, no flip}. */
  public String describe() {
    String crop = minScale >= 1 ? "no crop" : String.format(Locale.ROOT, "crop %d-100%% area", Math.round(minScale * 100));
    return crop + ", " + (flip ? "flip" : "no flip");
  }
}
