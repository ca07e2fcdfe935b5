package dev.recap.worker.data;

import dev.recap.api.data.Sample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * An ADE20k-style or NYUv2-style folder, read as samples (image plus class map or depth map)
 * or cut into {@link RecordShard}s of consecutive keys for the loader and for rank assignment.
 * A sample whose target is missing, of the wrong kind or of another size is skipped and counted.
 */
public final class DenseFolder {

  private final Path root;
  private final DenseFolderLayout layout;

  public DenseFolder(Path root, DenseFolderLayout layout) {
    this.root = root;
    this.layout = layout;
  }

  /**
   * The image files under {@code images/}, sorted by name.
   *
   * @throws ShardOpenException if the folder cannot be listed
   */
  public List<Path> imageFiles() {
    Path images = root.resolve("images");
    try (Stream<Path> files = Files.list(images)) {
      return files.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
    } catch (IOException | RuntimeException e) {
      throw new ShardOpenException(images, e instanceof NoSuchFileException
          ? new NoSuchFileException(images.toString(), null, "a " + layout + " folder needs images/ and " + layout.targetDir() + "/")
          : e);
    }
  }

  /** The folder cut into shards of up to {@code samplesPerShard} consecutive images. */
  public List<RecordShard> shards(int samplesPerShard) {
    List<Path> files = imageFiles();
    List<RecordShard> out = new ArrayList<>();
    for (int i = 0; i < files.size(); i += samplesPerShard) {
      List<Path> slice = files.subList(i, Math.min(files.size(), i + samplesPerShard));
      out.add(new Slice(root + "[" + i + ".." + (i + slice.size()) + ")", slice));
    }
    return out;
  }

  /** Every sample of the folder, in key order; bad ones are skipped and counted in {@code report}. */
  public Iterable<Sample> samples(SkipReport report) {
    return () -> {
      Iterator<RecordShard> shards = shards(Integer.MAX_VALUE).iterator();
      RecordCursor cursor = shards.hasNext() ? shards.next().open(report) : null;
      return new Iterator<>() {
        private Sample next = advance();

        private Sample advance() {
          RawRecord r;
          while (cursor != null && (r = cursor.next()) != null) {
            try {
              return decode(r);
            } catch (BadSampleException e) {
              report.skip(r.shard(), r.key(), e.reason(), e.getMessage());
            }
          }
          return null;
        }

        @Override
        public boolean hasNext() {
          return next != null;
        }

        @Override
        public Sample next() {
          if (next == null) {
            throw new NoSuchElementException();
          }
          Sample s = next;
          next = advance();
          return s;
        }
      };
    };
  }

  /** Decodes a record of this folder, requiring its target. */
  Sample decode(RawRecord r) throws BadSampleException {
    if (!r.members().containsKey(layout.member())) {
      throw new BadSampleException(SkipReason.MISSING_TARGET,
          "no " + layout.targetDir() + "/" + r.key() + ".png beside its image");
    }
    return SampleCodec.decode(r, false);
  }

  private final class Slice implements RecordShard {
    private final String name;
    private final List<Path> files;

    Slice(String name, List<Path> files) {
      this.name = name;
      this.files = files;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public RecordCursor open(SkipReport report) {
      Iterator<Path> it = files.iterator();
      return new RecordCursor() {
        @Override
        public RawRecord next() {
          while (it.hasNext()) {
            Path image = it.next();
            String file = image.getFileName().toString();
            int dot = file.lastIndexOf('.');
            String key = dot < 0 ? file : file.substring(0, dot);
            String ext = dot < 0 ? "" : file.substring(dot + 1).toLowerCase(Locale.ROOT);
            Map<String, byte[]> members = new LinkedHashMap<>();
            try {
              members.put(ext, Files.readAllBytes(image));
              Path target = root.resolve(layout.targetDir()).resolve(key + ".png");
              if (Files.exists(target)) {
                members.put(layout.member(), Files.readAllBytes(target));
              }
            } catch (IOException e) {
              report.skip(name, key, SkipReason.MISSING_IMAGE, "unreadable file: " + e);
              continue;
            }
            return new RawRecord(name, key, members);
          }
          return null;
        }

        @Override
        public void close() {}
      };
    }
  }
}
