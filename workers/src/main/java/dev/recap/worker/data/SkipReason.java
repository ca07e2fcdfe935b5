package dev.recap.worker.data;

/** Why a sample was skipped. */
public enum SkipReason {
  /** Image bytes that no decoder accepts. */
  CORRUPT_IMAGE,
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
