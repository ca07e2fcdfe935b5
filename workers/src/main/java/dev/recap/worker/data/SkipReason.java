package dev.recap.worker.data;

/** Why a sample was skipped. */
public enum SkipReason {
  /** Image bytes that no decoder recognises, that break off (truncated), or that fail to decode. */
  CORRUPT_IMAGE,
  /** An image above {@link ImageCodec#MAX_PIXELS} pixels (refused before decoding). */
  IMAGE_TOO_LARGE,
  /** A sample whose key an earlier sample of the same data already has. */
  DUPLICATE_KEY,
  /** A record without any image member. */
  MISSING_IMAGE,
  /** A record without a caption, when captions are required. */
  MISSING_CAPTION,
  /** A dense sample without the class map or depth map the loader needs. */
  MISSING_TARGET,
  /** A depth PNG that is not 16-bit single channel. */
  BAD_DEPTH_FORMAT,
  /** A class map or depth map whose size differs from its image. */
  SIZE_MISMATCH,
  /** A key.json that cannot be parsed. */
  BAD_METADATA,
  /** The shard ended inside a record (truncated tar); the rest of the shard is lost. */
  TRUNCATED_SHARD
}
