/**
 * CLIP pretraining: the two-tower {@link dev.recap.worker.train.ClipModel}, the symmetric
 * InfoNCE {@link dev.recap.worker.train.ContrastiveLoss}, AdamW with a cosine schedule, the
 * data-parallel {@link dev.recap.worker.train.ClipTrainer}, checkpoints and safetensors export.
 */
package dev.recap.worker.train;
