package dev.recap.api;

import ai.djl.Device;
import java.util.List;

/**
 * The host's view of the extensions its plugins provide, handed to plugins that build on other
 * plugins (a learned captioner on an image encoder, say), and of the device the host computes on.
 */
public interface Extensions {

  /**
   * The device the host computes on. A plugin that creates its own {@code Model}, {@code Trainer}
   * or base {@code NDManager} puts it there; arrays it receives already live there. The CPU unless
   * the host says otherwise ({@link #onDevice}).
   */
  default Device device() {
    return Device.cpu();
  }

  /** These extensions, reporting {@code device} as the host's device. */
  default Extensions onDevice(Device device) {
    Extensions host = this;
    return new Extensions() {
      @Override
      public <T extends NamedPlugin> List<T> all(Class<T> type) {
        return host.all(type);
      }

      @Override
      public Device device() {
        return device;
      }
    };
  }

  /** Every extension of {@code type} the host has loaded. */
  <T extends NamedPlugin> List<T> all(Class<T> type);

  /**
   * The extension of {@code type} with this id; {@code id@version} (as a job spec pins a
   * version, e.g. {@code acme-vit@1.2.0}) also needs that {@link NamedPlugin#version()}.
   *
   * @throws IllegalArgumentException naming the id and the ids (with versions) that are available
   */
  default <T extends NamedPlugin> T get(Class<T> type, String id) {
    int at = id.indexOf('@');
    String bare = at < 0 ? id : id.substring(0, at);
    String version = at < 0 ? null : id.substring(at + 1);
    List<T> found = all(type);
    for (T t : found) {
      if (t.id().equals(bare) && (version == null || t.version().equals(version))) {
        return t;
      }
    }
    throw new IllegalArgumentException("no " + type.getSimpleName() + " '" + id + "'; available: "
        + found.stream().map(t -> t.id() + "@" + t.version()).toList());
  }

  /** Extensions from a fixed list, for tests and embedded use. */
  static Extensions of(NamedPlugin... plugins) {
    List<NamedPlugin> list = List.of(plugins);
    return new Extensions() {
      @Override
      public <T extends NamedPlugin> List<T> all(Class<T> type) {
        return list.stream().filter(type::isInstance).map(type::cast).toList();
      }
    };
  }
}
