package dev.recap.worker.data;

import dev.recap.api.data.ObjectAnnotation;
import dev.recap.api.data.RgbImage;
import dev.recap.api.data.Sample;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one mapping between a {@link Sample} and the members of a WebDataset record:
 * {@code key.png|jpg} image, {@code key.txt} the web caption (img2dataset's), {@code key.json}
 * metadata with every caption by source and the object annotations, and optional
 * {@code key.seg.png} (8-bit class map) and {@code key.depth.png} (16-bit depth in mm).
 */
public final class SampleCodec {

  static final String SEG = "seg.png";
  static final String DEPTH = "depth.png";
  /** The members that hold a record's image, in the order they are looked for. */
  public static final List<String> IMAGE_EXTENSIONS = List.of("png", "jpg", "jpeg", "webp");

  private SampleCodec() {}

  /** The record members of a sample, in the order they go into a tar. */
  public static Map<String, byte[]> encode(Sample sample, ImageFormat format) {
    Map<String, byte[]> m = new LinkedHashMap<>();
    RgbImage img = sample.image();
    m.put(format.extension(), format.encode(img));
    String text = sample.captions().get(Sample.ALT);
    if (text == null && !sample.captions().isEmpty()) {
      text = sample.captions().values().iterator().next();
    }
    if (text != null) {
      m.put("txt", text.getBytes(StandardCharsets.UTF_8));
    }
    m.put("json", metadata(sample).encode().getBytes(StandardCharsets.UTF_8));
    if (sample.classMap() != null) {
      m.put(SEG, ImageCodec.encodeClassMap(img.width(), img.height(), sample.classMap()));
    }
    if (sample.depthMetres() != null) {
      m.put(DEPTH, ImageCodec.encodeDepth(img.width(), img.height(), sample.depthMetres()));
    }
    return m;
  }

  static JsonObject metadata(Sample sample) {
    JsonObject captions = new JsonObject();
    sample.captions().forEach(captions::put);
    JsonArray objects = new JsonArray();
    for (ObjectAnnotation o : sample.objects()) {
      objects.add(new JsonObject()
          .put("label", o.label())
          .put("colour", o.colour())
          .put("box", new JsonArray().add(o.x0()).add(o.y0()).add(o.x1()).add(o.y1()))
          .put("depth", Float.isNaN(o.depthMetres()) ? null : o.depthMetres()));
    }
    return new JsonObject()
        .put("key", sample.key())
        .put("width", sample.image().width())
        .put("height", sample.image().height())
        .put("caption", captions.getString(Sample.ALT))
        .put("captions", captions)
        .put("objects", objects);
  }

  /**
   * Decodes a record into a sample.
   *
   * @param requireCaption whether a record without any caption is bad (image-text pairs) or fine (dense sets)
   * @throws BadSampleException with the reason to count
   */
  public static Sample decode(RawRecord r, boolean requireCaption) throws BadSampleException {
    byte[] imageBytes = null;
    for (String ext : IMAGE_EXTENSIONS) {
      imageBytes = r.members().get(ext);
      if (imageBytes != null) {
        break;
      }
    }
    if (imageBytes == null) {
      throw new BadSampleException(SkipReason.MISSING_IMAGE, "no image member (" + IMAGE_EXTENSIONS + ") among " + r.members().keySet());
    }
    Map<String, String> captions = new LinkedHashMap<>();
    List<ObjectAnnotation> objects = new ArrayList<>();
    byte[] json = r.members().get("json");
    if (json != null) {
      try {
        JsonObject meta = new JsonObject(new String(json, StandardCharsets.UTF_8));
        JsonObject caps = meta.getJsonObject("captions");
        if (caps != null) {
          caps.forEach(e -> captions.put(e.getKey(), String.valueOf(e.getValue())));
        }
        JsonArray objs = meta.getJsonArray("objects");
        if (objs != null) {
          for (int i = 0; i < objs.size(); i++) {
            JsonObject o = objs.getJsonObject(i);
            JsonArray box = o.getJsonArray("box");
            Number depth = o.getNumber("depth");
            objects.add(new ObjectAnnotation(o.getString("label"), o.getString("colour"),
                box.getFloat(0), box.getFloat(1), box.getFloat(2), box.getFloat(3),
                depth == null ? Float.NaN : depth.floatValue()));
          }
        }
      } catch (RuntimeException e) {
        throw new BadSampleException(SkipReason.BAD_METADATA, "key.json is not valid: " + e.getMessage(), e);
      }
    }
    byte[] txt = r.members().get("txt");
    if (txt != null && !captions.containsKey(Sample.ALT)) {
      captions.put(Sample.ALT, new String(txt, StandardCharsets.UTF_8));
    }
    captions.values().removeIf(String::isBlank);
    if (requireCaption && captions.isEmpty()) {
      throw new BadSampleException(SkipReason.MISSING_CAPTION, "no key.txt and no caption in key.json");
    }
    RgbImage image = ImageCodec.decode(imageBytes);
    byte[] classes = null;
    byte[] seg = r.members().get(SEG);
    if (seg != null) {
      ImageCodec.ClassMap cm = ImageCodec.decodeClassMap(seg);
      checkSize("class map", cm.width(), cm.height(), image);
      classes = cm.classes();
    }
    float[] depth = null;
    byte[] dep = r.members().get(DEPTH);
    if (dep != null) {
      ImageCodec.DepthMap dm = ImageCodec.decodeDepth(dep);
      checkSize("depth map", dm.width(), dm.height(), image);
      depth = dm.metres();
    }
    return new Sample(r.key(), image, Map.copyOf(captions), List.copyOf(objects), classes, depth);
  }

  static void checkSize(String what, int w, int h, RgbImage image) throws BadSampleException {
    if (w != image.width() || h != image.height()) {
      throw new BadSampleException(SkipReason.SIZE_MISMATCH,
          what + " is " + w + "x" + h + " but its image is " + image.width() + "x" + image.height());
    }
  }
}
