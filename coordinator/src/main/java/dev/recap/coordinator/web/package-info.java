/**
 * The coordinator's HTTP side (Vert.x Web): the REST API behind a bearer token, the live feed as
 * Server-Sent Events, the results table read from the tasks' {@code result.json} files, artifact
 * downloads limited to recorded task outputs, and the Prometheus scrape endpoint. The web console
 * ({@link dev.recap.coordinator.console}) is mounted on the same router, before the token check.
 * Routes and shapes: docs/console.md; results convention: docs/results.md.
 */
package dev.recap.coordinator.web;
