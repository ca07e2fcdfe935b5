/**
 * The synthetic-scene sample source: procedural scenes (sky, ground plane, shapes at a depth)
 * with exact class maps, depth maps in metres, web alt-text style and quality captions.
 */
package dev.recap.plugins.synthscenes;
