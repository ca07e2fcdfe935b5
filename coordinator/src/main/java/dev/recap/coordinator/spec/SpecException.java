package dev.recap.coordinator.spec;

import java.util.List;

/** A job spec that cannot run, with every problem found (not just the first). */
public final class SpecException extends RuntimeException {

  private final List<SpecProblem> problems;

  public SpecException(String source, List<SpecProblem> problems) {
    super("invalid job spec " + source + ":\n  " + String.join("\n  ", problems.stream().map(SpecProblem::toString).toList()));
    this.problems = List.copyOf(problems);
  }

  public List<SpecProblem> problems() {
    return problems;
  }
}
