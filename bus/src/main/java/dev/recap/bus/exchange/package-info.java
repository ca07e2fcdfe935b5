/**
 * Entry values and entry processors of the gradient exchange that Hazelcast runs on whichever
 * member owns a partition: they live in this shared module so every member can deserialize
 * them. The coordinator's member owns partitions too (Vert.x keeps its subscriptions in cluster
 * maps, which a lite member could not host while it is the only member) and depends on this
 * module only, so the arithmetic a partition owner must run (summing contributions in rank order)
 * lives here rather than in the workers. The client side, which decides what to exchange and
 * when, is {@code dev.recap.worker.exchange.HazelcastCollective}.
 *
 * <p>Every entry counts its contributors and its readers as bit masks of ranks (so a gang has
 * at most {@value dev.recap.bus.exchange.RankMask#MAX_WORLD_SIZE} ranks) and removes itself
 * once every rank that must read it has read it: finished steps leave no keys behind.
 */
package dev.recap.bus.exchange;
