/**
 * The worker node: joins the cluster, loads PF4J plugins, asks for leased tasks when a slot is
 * free, runs them through the {@link dev.recap.worker.node.TaskHandler} registered for their
 * type, renews leases with heartbeats, and reports progress and results.
 */
package dev.recap.worker.node;
