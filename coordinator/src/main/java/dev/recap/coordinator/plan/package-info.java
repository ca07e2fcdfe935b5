/**
 * Planning stages into tasks: one {@link dev.recap.coordinator.plan.StagePlanner} per stage kind,
 * found with ServiceLoader, so adding a task type never edits the coordinator's core.
 */
package dev.recap.coordinator.plan;
