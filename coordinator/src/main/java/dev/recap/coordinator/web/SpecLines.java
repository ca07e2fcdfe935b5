package dev.recap.coordinator.web;

import java.io.StringReader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Finds the line of a job-spec field named by a problem's path ({@code stages[0].requires[1]}),
 * so the console can mark it in the editor. A field that is missing points at the closest
 * enclosing one that exists (e.g. the stage that lacks {@code kind}).
 */
final class SpecLines {

  private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");

  private final Node root;

  private SpecLines(Node root) {
    this.root = root;
  }

  /** Composes the YAML's node tree; a spec that does not compose gives no lines. */
  static SpecLines of(String yaml) {
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(true);
      return new SpecLines(new Yaml(options).compose(new StringReader(yaml)));
    } catch (YAMLException e) {
      // the parser already reported the syntax error with its position; problems just go without lines
      return new SpecLines(null);
    }
  }

  /** The 1-based line of {@code path}, or null if the spec has no node tree or the path names nothing in it. */
  Integer line(String path) {
    if (root == null || path == null || path.isBlank()) {
      return null;
    }
    Node node = root;
    Node found = null;
    Matcher m = SEGMENT.matcher(path);
    while (m.find() && node != null) {
      Node next = null;
      Node at = null;
      if (m.group(1) != null && node instanceof MappingNode map) {
        for (NodeTuple t : map.getValue()) {
          if (t.getKeyNode() instanceof ScalarNode key && key.getValue().equals(m.group(1))) {
            next = t.getValueNode();
            at = t.getKeyNode();
            break;
          }
        }
      } else if (m.group(2) != null && node instanceof SequenceNode seq) {
        int i = Integer.parseInt(m.group(2));
        if (i < seq.getValue().size()) {
          next = seq.getValue().get(i);
          at = next;
        }
      }
      if (next == null) {
        break;
      }
      node = next;
      found = at;
    }
    return found == null ? null : found.getStartMark().getLine() + 1;
  }
}
