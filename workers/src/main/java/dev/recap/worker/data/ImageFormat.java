package dev.recap.worker.data;

/** How images are stored in shards and folders. */
public enum ImageFormat {
  /** Lossless; what the synthetic source writes. */
  PNG("png"),
  /** Lossy (quality 0.95); what most web datasets hold. */
  JPEG("jpg");

  private final String extension;

  ImageFormat(String extension) {
    this.extension = extension;
  }

  public String extension() {
    return extension;
  }

  byte[] encode(dev.recap.api.data.RgbImage image) {
    return this == PNG ? ImageCodec.encodePng(image) : ImageCodec.encodeJpeg(image, 0.95f);
  }
}
