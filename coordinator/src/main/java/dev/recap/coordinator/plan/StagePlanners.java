package dev.recap.coordinator.plan;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The planners this coordinator knows, by kind: those on the class path plus any registered. */
public final class StagePlanners {

  private final Map<String, StagePlanner> byKind = new TreeMap<>();

  /** Planners found by ServiceLoader. */
  public static StagePlanners fromClassPath() {
    StagePlanners planners = new StagePlanners();
    for (StagePlanner p : ServiceLoader.load(StagePlanner.class, StagePlanners.class.getClassLoader())) {
      planners.register(p);
    }
    return planners;
  }

  /** Adds a planner; fails if its kind is taken. */
  public synchronized StagePlanners register(StagePlanner planner) {
    StagePlanner previous = byKind.putIfAbsent(planner.kind(), planner);
    if (previous != null && previous != planner) {
      throw new IllegalArgumentException("stage kind '" + planner.kind() + "' is already planned by "
          + previous.getClass().getName());
    }
    return this;
  }

  /** The planner of {@code kind}, or null. */
  public synchronized StagePlanner get(String kind) {
    return byKind.get(kind);
  }

  /** Known kinds, sorted. */
  public synchronized java.util.Set<String> kinds() {
    return java.util.Set.copyOf(byKind.keySet());
  }
}
