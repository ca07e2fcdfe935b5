/** The coordinator: job specs, planning, scheduling, journal, REST API, console and CLI. */
package dev.recap.coordinator;
