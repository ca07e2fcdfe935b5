/** Exchanges between data-parallel replicas: gradients, embeddings, barriers. */
package dev.recap.worker.exchange;
