package dev.recap.api.conformance;

import java.util.List;

/**
 * The checks of one extension point's contract, bound to one extension and a small
 * configuration. Runs without a test framework: a plugin's JUnit test runs the checks one by one
 * (through the test-jar's {@code *Conformance} classes), a worker runs {@link #run()} on every
 * extension it loaded and reports the outcome to the coordinator.
 */
public interface ConformanceKit {

  /** One named check; {@link #run()} throws {@link ConformanceFailure} when the contract is broken. */
  interface Check {
    /** A name that reads as a specification, e.g. {@code gradientsReachEveryTrainableParameter}. */
    String name();

    /** Runs the check; any throwable means it did not pass. */
    void run() throws Exception;

    /** A check from a name and an action. */
    static Check of(String name, Action action) {
      return new Check() {
        @Override
        public String name() {
          return name;
        }

        @Override
        public void run() throws Exception {
          action.run();
        }
      };
    }
  }

  /** The body of a check. */
  @FunctionalInterface
  interface Action {
    void run() throws Exception;
  }

  /** The simple name of the extension point, e.g. {@code ImageEncoder}. */
  String extensionPoint();

  /** Every check, in the order they run. */
  List<Check> checks();

  /**
   * Runs every check in order and stops at the first that fails.
   *
   * @return pass, or fail with the check's name and message (an unexpected exception counts)
   */
  default ConformanceOutcome run() {
    long start = System.nanoTime();
    List<Check> checks = checks();
    for (Check check : checks) {
      try {
        check.run();
      } catch (Throwable t) {
        if (t instanceof VirtualMachineError e) {
          throw e;
        }
        String message = t instanceof ConformanceFailure ? t.getMessage() : t.toString();
        return ConformanceOutcome.failed(check.name(), message, (System.nanoTime() - start) / 1_000_000);
      }
    }
    return ConformanceOutcome.passed(checks.size(), (System.nanoTime() - start) / 1_000_000);
  }
}
