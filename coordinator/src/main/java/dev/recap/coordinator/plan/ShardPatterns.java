package dev.recap.coordinator.plan;

import dev.recap.coordinator.spec.SpecCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns a stage's {@code shards:} into files, the way WebDataset users name them: a brace
 * pattern ({@code data/{00000..00127}.tar}, numeric ranges keep their zero padding, and
 * {@code {a,b}} alternatives, as webdataset and img2dataset write them), a glob
 * ({@code data/*.tar}, {@code data/**}{@code /*.tar}), a plain path, or a list of any of these.
 * Relative paths resolve against the folder of the spec file. Problems are recorded with the
 * field path and the path looked for: a pattern that matches nothing, a file a brace pattern names
 * that does not exist, a file that cannot be read, a relative path in a spec that came from no file.
 */
public final class ShardPatterns {

  /**
   * The shard files {@code pattern} names, for callers outside a spec (e.g. {@code recap assess}).
   *
   * @param folder the folder relative paths resolve against
   * @throws IllegalArgumentException with every problem, e.g. the path looked for
   */
  public static List<Path> files(String pattern, Path folder) {
    SpecCheck check = new SpecCheck(null);
    List<Path> files = resolve(check, "shards", pattern, folder);
    if (!check.ok()) {
      throw new IllegalArgumentException(String.join("; ", check.problems().stream().map(p -> p.message()).toList()));
    }
    return files;
  }

  /** Patterns expanding to more names than this are refused (a typo like {0..99999999}). */
  static final int MAX_NAMES = 1_000_000;

  private static final Pattern RANGE = Pattern.compile("(-?\\d+)\\.\\.(-?\\d+)");

  private ShardPatterns() {}

  /**
   * The files {@code value} (a string or a list of strings) names, in order, each once.
   *
   * @param folder the spec file's folder, or null if the spec came from no file
   */
  static List<Path> resolve(SpecCheck check, String field, Object value, Path folder) {
    List<String> entries = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    if (value instanceof String s) {
      entries.add(s);
      fields.add(field);
    } else if (value instanceof List<?> list && !list.isEmpty()) {
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i) instanceof String s) {
          entries.add(s);
          fields.add(field + "[" + i + "]");
        } else {
          check.problem(field + "[" + i + "]", "must be a path or pattern (a string), got " + SpecCheck.describe(list.get(i)));
        }
      }
    } else {
      check.problem(field, "must be a shard path or pattern (e.g. data/{00000..00127}.tar or data/*.tar) or a list of them, got "
          + SpecCheck.describe(value));
      return List.of();
    }
    Set<Path> files = new LinkedHashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      files.addAll(resolveOne(check, fields.get(i), entries.get(i).strip(), folder));
    }
    return List.copyOf(files);
  }

  private static List<Path> resolveOne(SpecCheck check, String field, String entry, Path folder) {
    if (entry.isEmpty()) {
      check.problem(field, "is empty; give a shard path or pattern");
      return List.of();
    }
    boolean relative = !Path.of(entry.replaceAll("[{}*?\\[\\]]", "_")).isAbsolute();
    if (relative && folder == null) {
      check.problem(field, "'" + entry + "' is a relative path, but this spec came from no file: give an absolute path, or submit"
          + " the spec file with recap run / recap submit, which resolve relative paths against its folder");
      return List.of();
    }
    List<String> names;
    try {
      names = expandBraces(entry);
    } catch (IllegalArgumentException e) {
      check.problem(field, "'" + entry + "': " + e.getMessage());
      return List.of();
    }
    List<Path> found = new ArrayList<>();
    List<Path> missing = new ArrayList<>();
    boolean anyGlob = false;
    for (String name : names) {
      Path path = relative ? folder.resolve(name).normalize() : Path.of(name).normalize();
      if (isGlob(name)) {
        anyGlob = true;
        found.addAll(glob(path));
      } else if (Files.isRegularFile(path)) {
        found.add(path);
      } else {
        missing.add(path);
      }
    }
    String where = relative ? " (relative to the spec's folder " + folder + ")" : "";
    if (found.isEmpty()) {
      String lookedFor = relative ? folder.resolve(entry).normalize().toString() : entry;
      check.problem(field, "'" + entry + "' matches no file: looked for " + lookedFor + (names.size() > 1 ? " (" + names.size()
          + " names)" : "") + where);
      return List.of();
    }
    if (!missing.isEmpty()) {
      check.problem(field, missing.size() + " of the " + names.size() + " files '" + entry + "' names do not exist: "
          + missing.stream().limit(3).map(Path::toString).toList() + (missing.size() > 3 ? " ..." : "") + where
          + (anyGlob ? "" : "; fix the range or list the shards that are there"));
    }
    for (Path p : found) {
      if (!Files.isReadable(p)) {
        check.problem(field, "cannot read " + p + ": check its permissions");
      }
    }
    return found;
  }

  static boolean isGlob(String name) {
    return name.indexOf('*') >= 0 || name.indexOf('?') >= 0 || name.indexOf('[') >= 0;
  }

  /** The regular files matching a glob, sorted by path. */
  private static List<Path> glob(Path pattern) {
    Path base = pattern.getRoot() == null ? Path.of("") : pattern.getRoot();
    int i = 0;
    for (; i < pattern.getNameCount() && !isGlob(pattern.getName(i).toString()); i++) {
      base = base.resolve(pattern.getName(i));
    }
    if (i == pattern.getNameCount() || !Files.isDirectory(base)) {
      return List.of();
    }
    Path rest = pattern.subpath(i, pattern.getNameCount());
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
    int depth = rest.toString().contains("**") ? Integer.MAX_VALUE : rest.getNameCount();
    Path from = base;
    try (Stream<Path> walk = Files.walk(from, depth)) {
      return walk.filter(Files::isRegularFile).filter(p -> matcher.matches(from.relativize(p))).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + from + ": " + e.getMessage(), e);
    }
  }

  /**
   * Expands {@code {a,b}} alternatives and {@code {m..n}} numeric ranges (zero-padded to the wider
   * bound when either bound has a leading zero), left to right and nested, as bash and Python's
   * braceexpand do. A brace without a comma or a range stays as it is.
   *
   * @throws IllegalArgumentException for an unclosed brace or more than {@link #MAX_NAMES} names
   */
  static List<String> expandBraces(String pattern) {
    List<String> out = new ArrayList<>();
    expand(pattern, out);
    return out;
  }

  private static void expand(String pattern, List<String> out) {
    int open = -1;
    int depth = 0;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '{') {
        if (depth++ == 0) {
          open = i;
        }
      } else if (c == '}' && depth > 0 && --depth == 0) {
        List<String> parts = alternatives(pattern.substring(open + 1, i));
        if (parts == null) {
          // not an expansion: keep the braces, expand what follows
          List<String> tails = new ArrayList<>();
          expand(pattern.substring(i + 1), tails);
          for (String tail : tails) {
            add(out, pattern.substring(0, i + 1) + tail);
          }
          return;
        }
        String head = pattern.substring(0, open);
        String tail = pattern.substring(i + 1);
        for (String part : parts) {
          expand(head + part + tail, out);
        }
        return;
      }
    }
    if (depth > 0) {
      throw new IllegalArgumentException("the brace at position " + (open + 1) + " is never closed");
    }
    add(out, pattern);
  }

  private static void add(List<String> out, String name) {
    if (out.size() >= MAX_NAMES) {
      throw new IllegalArgumentException("names more than " + MAX_NAMES + " files; is a range mistyped?");
    }
    out.add(name);
  }

  /** The alternatives inside one pair of braces, or null if they are not an expansion. */
  private static List<String> alternatives(String inside) {
    Matcher range = RANGE.matcher(inside);
    if (range.matches()) {
      String a = range.group(1);
      String b = range.group(2);
      long from = Long.parseLong(a);
      long to = Long.parseLong(b);
      if (Math.abs(to - from) >= MAX_NAMES) {
        throw new IllegalArgumentException("the range {" + inside + "} names more than " + MAX_NAMES + " files");
      }
      boolean padded = a.replace("-", "").length() > 1 && a.replace("-", "").startsWith("0")
          || b.replace("-", "").length() > 1 && b.replace("-", "").startsWith("0");
      int width = Math.max(a.length(), b.length());
      List<String> out = new ArrayList<>();
      long step = from <= to ? 1 : -1;
      for (long v = from; ; v += step) {
        out.add(padded ? String.format(Locale.ROOT, "%0" + width + "d", v) : Long.toString(v));
        if (v == to) {
          break;
        }
      }
      return out;
    }
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < inside.length(); i++) {
      char c = inside.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(inside.substring(start, i));
        start = i + 1;
      }
    }
    if (parts.isEmpty()) {
      return null;
    }
    parts.add(inside.substring(start));
    return parts;
  }
}
