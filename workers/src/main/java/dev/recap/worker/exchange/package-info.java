/**
 * Exchanges between data-parallel replicas: gradients, embeddings, barriers, votes, checksums
 * and the last committed state.
 *
 * <p>The trainer sees {@link dev.recap.worker.exchange.Collective}. For a gang of workers it
 * is {@link dev.recap.worker.exchange.HazelcastCollective#join}: the coordinator describes the
 * formation as a {@link dev.recap.worker.exchange.Gang} (a unique id and the Hazelcast member
 * UUID of every rank). When a member leaves, the collective throws {@link
 * dev.recap.worker.exchange.GangBrokenException} and the gang must be re-formed under a new id.
 * {@link dev.recap.worker.exchange.StepVote} makes all ranks skip a step together, {@link
 * dev.recap.worker.exchange.ParameterChecksum} detects replicas that diverged, and {@link
 * dev.recap.worker.exchange.StepCommits} keeps the last agreed state in the cluster for the
 * next formation. The entry processors that run on other members are in {@code
 * dev.recap.bus.exchange}.
 */
package dev.recap.worker.exchange;
