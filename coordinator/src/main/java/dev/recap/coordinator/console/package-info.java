/**
 * The coordinator's web console: static pages served under {@code /console} that read the REST
 * API ({@code /api/...}) with a bearer token and draw the cluster, jobs, results and plugins live.
 * The console holds no data of its own; everything it shows comes from the token-protected API.
 */
package dev.recap.coordinator.console;
