/**
 * The {@code text-transformer} plugin: a CLIP-style causal text transformer and its tokenizers
 * (byte-level BPE from a local {@code tokenizer.json}, or a word-level vocabulary trained from
 * the captions).
 */
package dev.recap.plugins.texttransformer;
