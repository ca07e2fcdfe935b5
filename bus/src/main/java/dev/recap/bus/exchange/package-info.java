/**
 * Entry values and entry processors of the gradient exchange that Hazelcast runs on whichever
 * member owns a partition: they live in this shared module so every member can deserialize
 * them. The client side is {@code dev.recap.worker.exchange.HazelcastCollective}.
 *
 * <p>Every entry counts its contributors and its readers as bit masks of ranks (so a gang has
 * at most {@value dev.recap.bus.exchange.RankMask#MAX_WORLD_SIZE} ranks) and removes itself
 * once every rank that must read it has read it: finished steps leave no keys behind.
 */
package dev.recap.bus.exchange;
