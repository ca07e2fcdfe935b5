/** The coordinator node: jobs, stages and tasks in flight, dispatch over the event bus, metrics. */
package dev.recap.coordinator.run;
