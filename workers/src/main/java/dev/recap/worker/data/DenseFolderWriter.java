package dev.recap.worker.data;

import dev.recap.api.data.Sample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes samples into an ADE20k-style or NYUv2-style folder. Every file is written to a
 * temporary name and renamed, so readers never see a partial file and a retry overwrites.
 */
public final class DenseFolderWriter {

  private final Path images;
  private final Path targets;
  private final DenseFolderLayout layout;
  private final ImageFormat format;

  public DenseFolderWriter(Path root, DenseFolderLayout layout, ImageFormat format) throws IOException {
    this.layout = layout;
    this.format = format;
    this.images = Files.createDirectories(root.resolve("images"));
    this.targets = Files.createDirectories(root.resolve(layout.targetDir()));
  }

  /**
   * Writes the image and the target of a sample.
   *
   * @throws IllegalArgumentException if the sample lacks the target this layout holds
   */
  public void write(Sample sample) throws IOException {
    int w = sample.image().width();
    int h = sample.image().height();
    byte[] target = switch (layout) {
      case ADE20K -> {
        if (sample.classMap() == null) {
          throw new IllegalArgumentException("sample " + sample.key() + " has no class map for an ADE20k-style folder");
        }
        yield ImageCodec.encodeClassMap(w, h, sample.classMap());
      }
      case NYUV2 -> {
        if (sample.depthMetres() == null) {
          throw new IllegalArgumentException("sample " + sample.key() + " has no depth map for an NYUv2-style folder");
        }
        yield ImageCodec.encodeDepth(w, h, sample.depthMetres());
      }
    };
    atomicWrite(targets.resolve(sample.key() + ".png"), target);
    // the image last: a reader lists images, so a listed image always has its target
    atomicWrite(images.resolve(sample.key() + "." + format.extension()), format.encode(sample.image()));
  }

  static void atomicWrite(Path file, byte[] bytes) throws IOException {
    Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
    try {
      Files.write(temp, bytes);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
