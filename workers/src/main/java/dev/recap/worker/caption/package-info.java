/**
 * Caption curation on a worker: running a captioner over one shard ({@link
 * dev.recap.worker.caption.CurationRun}), writing and reading the Avro caption sidecars, filtering
 * by image-text score, and the caption quality metrics BLEU-4 and CIDEr-D.
 */
package dev.recap.worker.caption;
