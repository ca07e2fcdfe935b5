/**
 * Conformance kits: abstract JUnit 5 test classes that any plugin (Recap's own or a third
 * party's) extends from its test sources to check that it keeps its extension point's contract.
 * Shipped in the plugins-api test-jar.
 */
package dev.recap.api.conformance;
