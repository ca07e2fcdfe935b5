/**
 * Generated Avro payload records of task types, one per type ({@code SmokeTask} is the built-in
 * one). Adding a task type adds one {@code .avsc} here; see {@code docs/extending.md}.
 */
package dev.recap.bus.task;
