package dev.recap.worker.data;

/**
 * The dense-set folder layouts: {@code images/<key>.png|jpg} beside a target folder holding
 * {@code <key>.png}.
 */
public enum DenseFolderLayout {
  /** ADE20k-style: {@code annotations/<key>.png}, 8-bit class ids, 255 = ignore. */
  ADE20K("annotations", SampleCodec.SEG),
  /** NYUv2-style: {@code depth/<key>.png}, 16-bit depth in millimetres, 0 = invalid. */
  NYUV2("depth", SampleCodec.DEPTH);

  private final String targetDir;
  private final String member;

  DenseFolderLayout(String targetDir, String member) {
    this.targetDir = targetDir;
    this.member = member;
  }

  /** The folder, beside {@code images/}, that holds the targets. */
  public String targetDir() {
    return targetDir;
  }

  /** The record member the target becomes ({@code seg.png} or {@code depth.png}). */
  String member() {
    return member;
  }
}
