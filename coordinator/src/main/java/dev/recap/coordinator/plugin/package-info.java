/**
 * Plugin jars published to a running cluster: the coordinator's content-addressed store of them,
 * their PF4J descriptors, and the journal records that let a restarted coordinator know them.
 */
package dev.recap.coordinator.plugin;
