package dev.recap.coordinator.spec;

/**
 * One thing wrong with a job spec: the field path ({@code stages[1].tasks}) and why.
 *
 * @param field dotted path into the spec, or the line/column for unparsable YAML
 * @param message what is wrong and, where possible, what would be right
 */
public record SpecProblem(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
