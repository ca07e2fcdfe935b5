/** Leasing queued tasks to workers, with expiry on an injected clock and bounded retries. */
package dev.recap.coordinator.lease;
