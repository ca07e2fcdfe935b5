/** Job specs: the YAML a user writes, parsed into {@link dev.recap.coordinator.spec.JobSpec} with field-path errors. */
package dev.recap.coordinator.spec;
