/**
 * Conformance kits that third-party plugins extend from their own tests (shipped in the
 * plugins-api test-jar).
 */
package dev.recap.api.conformance;
