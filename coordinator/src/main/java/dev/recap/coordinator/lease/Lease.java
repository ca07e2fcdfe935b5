package dev.recap.coordinator.lease;

/**
 * A task held by a worker until {@code deadlineMillis} (renewed by heartbeats).
 *
 * @param attempt 1-based attempt number this lease runs
 */
public record Lease(QueuedTask task, String workerId, int attempt, long deadlineMillis) {}
