package dev.recap.api.caption;

import dev.recap.api.data.ObjectAnnotation;
import dev.recap.api.data.RgbImage;
import java.util.List;

/**
 * One image to caption, with what its sample carries.
 *
 * @param key the sample key
 * @param image the image
 * @param sourceCaption the dataset's original caption, or null
 * @param objects annotations, possibly empty
 */
public record CaptionRequest(String key, RgbImage image, String sourceCaption, List<ObjectAnnotation> objects) {}
