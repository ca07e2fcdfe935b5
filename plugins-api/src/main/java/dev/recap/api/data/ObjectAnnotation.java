package dev.recap.api.data;

/**
 * One annotated object of a sample, as a grounded captioner reads it (COCO-style datasets carry
 * at least {@code label} and the box).
 *
 * @param label the object's class name, e.g. {@code "circle"}
 * @param colour a colour word, or null when unknown
 * @param x0 left edge, in [0, 1] of the image width
 * @param y0 top edge, in [0, 1] of the image height
 * @param x1 right edge
 * @param y1 bottom edge
 * @param depthMetres distance from the camera, or NaN when unknown
 */
public record ObjectAnnotation(
    String label, String colour, float x0, float y0, float x1, float y1, float depthMetres) {}
