package dev.recap.worker.data;

import java.util.Map;

/**
 * One undecoded sample: the members of a WebDataset record by extension ({@code "png"},
 * {@code "txt"}, {@code "json"}, {@code "seg.png"}, {@code "depth.png"}), and where it came from.
 */
public record RawRecord(String shard, String key, Map<String, byte[]> members) {}
