package dev.recap.worker.node;

/**
 * Thrown by a {@link TaskHandler} when retrying cannot help (a malformed payload, a missing
 * input file named in the spec): the coordinator fails the job at once with this message
 * instead of retrying the task.
 */
public class PermanentTaskFailure extends Exception {

  public PermanentTaskFailure(String message) {
    super(message);
  }

  public PermanentTaskFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
