package dev.recap.worker.node;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The task handlers of a worker, by task type: those on the class path plus any registered. */
public final class TaskHandlers {

  private final Map<String, TaskHandler<?>> byType = new ConcurrentHashMap<>();

  /** Handlers found by {@link ServiceLoader} on this class loader. */
  public static TaskHandlers fromClassPath() {
    TaskHandlers handlers = new TaskHandlers();
    for (TaskHandler<?> h : ServiceLoader.load(TaskHandler.class, TaskHandlers.class.getClassLoader())) {
      handlers.register(h);
    }
    return handlers;
  }

  /**
   * Adds a handler.
   *
   * @throws IllegalArgumentException if another handler already claims its type
   */
  public TaskHandlers register(TaskHandler<?> handler) {
    TaskHandler<?> previous = byType.putIfAbsent(handler.taskType(), handler);
    if (previous != null && previous != handler) {
      throw new IllegalArgumentException("task type '" + handler.taskType() + "' is already handled by "
          + previous.getClass().getName() + "; cannot register " + handler.getClass().getName());
    }
    return this;
  }

  /** The handler of {@code type}, or null. */
  public TaskHandler<?> get(String type) {
    return byType.get(type);
  }

  /** Every type with a handler, sorted. */
  public Set<String> types() {
    return new TreeMap<>(byType).keySet();
  }
}
