/** The coordinator's REST API (Vert.x Web) and Prometheus scrape endpoint, behind a bearer token. */
package dev.recap.coordinator.web;
