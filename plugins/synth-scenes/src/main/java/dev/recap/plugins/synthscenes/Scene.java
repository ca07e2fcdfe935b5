package dev.recap.plugins.synthscenes;

import java.util.List;

/**
 * The layout of one scene, before rendering.
 *
 * @param size image width and height in pixels
 * @param horizonY the horizon row in pixels (continuous); sky above, ground below
 * @param objects the objects, ordered far to near (the order they are drawn in)
 */
public record Scene(int size, double horizonY, List<PlacedObject> objects) {}
