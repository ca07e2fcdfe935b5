/**
 * Recap's captioner plugin: the extensions {@code alt-text} ({@link
 * dev.recap.plugins.captioners.AltTextCaptioner}, the baseline), {@code grounded} ({@link
 * dev.recap.plugins.captioners.GroundedCaptioner}, dense captions from object annotations) and
 * {@code learned} ({@link dev.recap.plugins.captioners.LearnedCaptioner}, an image-conditioned
 * transformer decoder trained in Recap) and {@code torchscript} ({@link
 * dev.recap.plugins.captioners.TorchScriptCaptioner}, an external TorchScript model; {@link
 * dev.recap.api.torchscript.TorchScriptArchive} writes such models from Java). One plugin holds all of them because PF4J plugins may
 * host several extensions and job specs name extension ids, not plugins; they share no state.
 */
package dev.recap.plugins.captioners;
