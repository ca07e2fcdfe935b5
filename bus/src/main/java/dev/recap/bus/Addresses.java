package dev.recap.bus;

/**
 * Every event-bus address Recap uses, in one place. Workers send to the coordinator's addresses;
 * the coordinator publishes job events for whoever listens (CLI, console).
 */
public final class Addresses {

  private static final String PREFIX = "recap.";

  /** Workers announce themselves here (point-to-point, replied with an empty ack). */
  public static final String WORKER_HELLO = PREFIX + "worker.hello";

  /** A worker with a free slot asks for a task; the reply is a {@code TaskLease} or a failure with {@link #NO_TASK}. */
  public static final String TASK_REQUEST = PREFIX + "task.request";

  /** Heartbeats renewing leases; replied with a {@code HeartbeatAck}. */
  public static final String HEARTBEAT = PREFIX + "worker.heartbeat";

  /** Best-effort task progress. */
  public static final String TASK_PROGRESS = PREFIX + "task.progress";

  /** Task results; replied with an empty ack so the worker knows it can forget the result. */
  public static final String TASK_RESULT = PREFIX + "task.result";

  /** Metric events from workers and tasks (fire and forget). */
  public static final String METRIC = PREFIX + "metric";

  /** Notes a running task emits ({@code JobEvent} of kind NOTE), consumed by the coordinator. */
  public static final String TASK_EVENT = PREFIX + "task.event";

  /** Job events, published by the coordinator. */
  public static final String JOB_EVENT = PREFIX + "job.event";

  /** Workers ask which plugin jars are published ({@code PluginListRequest}, replied with {@code PublishedPlugins}). */
  public static final String PLUGIN_LIST = PREFIX + "plugin.list";

  /** Workers fetch a published jar in parts ({@code PluginChunkRequest}, replied with a {@code PluginChunk}). */
  public static final String PLUGIN_CHUNK = PREFIX + "plugin.chunk";

  /** The coordinator publishes a {@code PublishedPlugin} here when a new jar is pushed (to every worker). */
  public static final String PLUGIN_PUBLISHED = PREFIX + "plugin.published";

  /** Failure code of a plugin request for a jar the coordinator does not have. */
  public static final int NO_PLUGIN = 404;

  /** Failure code of a task request answered with "nothing to do now, ask again". */
  public static final int NO_TASK = 204;

  private Addresses() {}
}
