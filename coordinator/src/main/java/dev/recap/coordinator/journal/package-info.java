/** The append-only job journal a restarted coordinator recovers from. */
package dev.recap.coordinator.journal;
