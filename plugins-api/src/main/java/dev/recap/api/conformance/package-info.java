/**
 * Conformance kits that every plugin of an extension point runs from its own tests, shipped in
 * the plugins-api test-jar. A plugin's test extends the kit's abstract class and supplies the
 * extension and a small configuration; the inherited tests check the extension point's contract
 * on a real engine.
 */
package dev.recap.api.conformance;
