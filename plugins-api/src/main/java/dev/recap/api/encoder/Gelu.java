package dev.recap.api.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.recap.api.ScalarOps;
import java.util.Locale;

/**
 * The GELU of a transformer's MLP, chosen with the configuration key {@link #CONFIG_KEY}. OpenAI's
 * CLIP checkpoints were trained with QuickGELU ({@code x * sigmoid(1.702 x)}); OpenCLIP's own
 * models use the exact (erf) GELU and mark the others with {@code quick_gelu: true} in their
 * config. A checkpoint runs as it was trained only with the same one, so encoders that load
 * OpenCLIP weights offer both.
 */
public enum Gelu {
  /** {@code x * Phi(x)} with the normal CDF (erf): PyTorch's {@code nn.GELU()}. */
  EXACT("gelu"),
  /** {@code x * sigmoid(1.702 x)}: OpenAI CLIP's and OpenCLIP's {@code QuickGELU}. */
  QUICK("quick_gelu");

  /** The configuration key that selects the variant: {@code gelu} (default) or {@code quick_gelu}. */
  public static final String CONFIG_KEY = "activation";

  private static final double QUICK_SCALE = 1.702;

  private final String configValue;

  Gelu(String configValue) {
    this.configValue = configValue;
  }

  /** {@code gelu} or {@code quick_gelu}. */
  public String configValue() {
    return configValue;
  }

  /**
   * The variant a configuration value names.
   *
   * @param value null for the default ({@link #EXACT})
   * @throws IllegalArgumentException naming the key and the accepted values
   */
  public static Gelu of(String value) {
    if (value == null) {
      return EXACT;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (Gelu g : values()) {
      if (g.configValue.equals(v)) {
        return g;
      }
    }
    throw new IllegalArgumentException("config key '" + CONFIG_KEY + "' must be 'gelu' or 'quick_gelu', got '" + value + "'");
  }

  /** The activation of {@code x}; differentiable ({@link ScalarOps} holds the constant). */
  public NDArray apply(NDArray x) {
    if (this == EXACT) {
      return Activation.gelu(x);
    }
    return x.mul(Activation.sigmoid(ScalarOps.times(x, QUICK_SCALE)));
  }
}
