/** The {@code recap} command line (picocli): run, coordinator, worker, submit, status. */
package dev.recap.coordinator.cli;
