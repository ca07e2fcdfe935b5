package dev.recap.worker.node;

import org.apache.avro.specific.SpecificRecord;

/**
 * Executes the tasks of one task type. Handlers are found with {@link java.util.ServiceLoader}
 * (a line in {@code META-INF/services/dev.recap.worker.node.TaskHandler}) or registered on
 * {@link TaskHandlers}; the task type is the name the coordinator's stage planner puts on tasks.
 *
 * <p>A handler must be idempotent: it writes its outputs through {@link TaskContext#artifacts()},
 * whose names derive from the task id, so a retried task overwrites, never duplicates. One
 * handler instance serves every slot of the worker concurrently.
 *
 * @param <P> the generated Avro record of this type's payload
 */
public interface TaskHandler<P extends SpecificRecord> {

  /** The task type, e.g. {@code "smoke"}, {@code "caption-shard"}. */
  String taskType();

  /** The payload's generated Avro class. */
  Class<P> payloadType();

  /**
   * Runs one attempt. Returning normally reports success with the artifacts written; throwing
   * reports failure with the exception as cause (the coordinator retries up to the job's limit,
   * unless it is a {@link PermanentTaskFailure}).
   */
  void execute(TaskContext<P> context) throws Exception;
}
