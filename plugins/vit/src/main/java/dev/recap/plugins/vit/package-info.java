/**
 * The {@code vit} image encoder plugin: a Vision Transformer tower as OpenCLIP's visual tower
 * builds it (patch convolution without bias, class token, learned positional embedding,
 * {@code ln_pre}, pre-LN residual blocks, {@code ln_post}), with OpenCLIP parameter names for
 * export.
 */
package dev.recap.plugins.vit;
