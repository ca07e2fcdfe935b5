package dev.recap.worker.node;

import dev.recap.bus.task.SmokeTask;
import java.nio.charset.StandardCharsets;

/**
 * The built-in {@code smoke} task: optionally sleeps, optionally fails its first attempts, then
 * writes one small file naming the task. Shows the system working without any ML.
 */
public final class SmokeTaskHandler implements TaskHandler<SmokeTask> {

  /** The task type the {@code smoke} stage planner emits. */
  public static final String TYPE = "smoke";

  @Override
  public String taskType() {
    return TYPE;
  }

  @Override
  public Class<SmokeTask> payloadType() {
    return SmokeTask.class;
  }

  @Override
  public void execute(TaskContext<SmokeTask> context) throws Exception {
    SmokeTask task = context.payload();
    if (context.attempt() <= task.getFailAttempts()) {
      throw new IllegalStateException("smoke task " + task.getIndex() + " fails attempt " + context.attempt()
          + " of its first " + task.getFailAttempts() + " on purpose");
    }
    long sleep = task.getSleepMillis();
    long slept = 0;
    while (slept < sleep && !context.isCancelled()) {
      long step = Math.min(100, sleep - slept);
      Thread.sleep(step);
      slept += step;
      context.progress((double) slept / sleep, "sleeping");
    }
    if (task.getWriteOutput()) {
      String text = context.taskId() + " index=" + task.getIndex() + " seed=" + context.seed() + "\n";
      context.artifacts().write("out-" + task.getIndex() + ".txt", text.getBytes(StandardCharsets.UTF_8));
    }
    context.progress(1.0, "done");
  }
}
