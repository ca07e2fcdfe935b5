/**
 * Recap's extension points and the value types they exchange with the host.
 *
 * <p>This module is what plugin authors compile against (as JUnit's jupiter-api is for test
 * authors): small, stable and documented. Each extension point lives in its own package:
 * {@link dev.recap.api.encoder} (image and text towers), {@link dev.recap.api.caption}
 * (captioners), {@link dev.recap.api.dense} (dense prediction heads) and {@link dev.recap.api.data}
 * (sample sources). Configuration reaches every plugin as a {@link dev.recap.api.PluginConfig}.
 *
 * <p>Conformance kits that any third-party plugin runs from its own tests ship in this module's
 * test-jar ({@code dev.recap.api.conformance}).
 */
package dev.recap.api;
