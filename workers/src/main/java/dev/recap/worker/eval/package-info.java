/**
 * Evaluation of what pretraining bought: dense-head protocols ({@link
 * dev.recap.worker.eval.DenseEvaluator}: frozen linear probe and finetuning at a data fraction),
 * the standard metrics (segmentation confusion matrix / IoU, Eigen depth errors, retrieval recall,
 * zero-shot accuracy), their standard errors over resampled test sets ({@link
 * dev.recap.worker.eval.TestSetBootstrap}) and sample prediction images.
 */
package dev.recap.worker.eval;
