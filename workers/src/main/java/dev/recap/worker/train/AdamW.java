package dev.recap.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * AdamW (Loshchilov and Hutter) with decoupled weight decay, over the parameters of one model
 * and a flat gradient laid out in the same order.
 *
 * <p>The update runs on the host in float arithmetic, element by element, so it is bit-exact
 * across replicas and across save/resume. Weight decay applies as in OpenCLIP ({@link #decays}):
 * to every parameter of two or more dimensions except norms, so to matrices, kernels and the
 * token and positional embeddings, never to norm gains, biases, the class embedding or the logit
 * scale.
 */
public final class AdamW {

  /** Hyper-parameters; CLIP's usual ones are {@link #clip()}. */
  public record Options(double beta1, double beta2, double epsilon, double weightDecay) {
    /** beta1 0.9, beta2 0.98, epsilon 1e-6, weight decay 0.2 (OpenCLIP's defaults for ViT CLIP). */
    public static Options clip() {
      return new Options(0.9, 0.98, 1e-6, 0.2);
    }
  }

  private final Options options;
  private final List<Parameter> parameters;
  private final int[] offsets;
  private final boolean[] decay;
  private final float[] m;
  private final float[] v;
  private long t;

  public AdamW(Options options, List<Parameter> parameters) {
    this.options = options;
    this.parameters = List.copyOf(parameters);
    this.offsets = new int[parameters.size() + 1];
    this.decay = new boolean[parameters.size()];
    for (int i = 0; i < parameters.size(); i++) {
      offsets[i + 1] = Math.addExact(offsets[i], Math.toIntExact(parameters.get(i).getShape().size()));
      decay[i] = decays(parameters.get(i));
    }
    this.m = new float[offsets[parameters.size()]];
    this.v = new float[offsets[parameters.size()]];
  }

  /**
   * Whether weight decay applies: OpenCLIP's rule, every parameter of rank 2 or more that is not a
   * norm's (gain, shift or running statistic). Biases, norm gains, the class embedding are rank 1,
   * the logit scale rank 0.
   */
  public static boolean decays(Parameter p) {
    Parameter.Type type = p.getType();
    boolean norm = type == Parameter.Type.GAMMA || type == Parameter.Type.BETA || type == Parameter.Type.RUNNING_MEAN
        || type == Parameter.Type.RUNNING_VAR;
    return p.getShape().dimension() >= 2 && !norm;
  }

  /** Total number of scalars, the length of the flat gradient. */
  public int size() {
    return m.length;
  }

  /** Start of parameter {@code i}'s slice in the flat gradient. */
  public int offset(int i) {
    return offsets[i];
  }

  public List<Parameter> parameters() {
    return parameters;
  }

  /** Number of updates applied so far (the bias-correction step). */
  public long updates() {
    return t;
  }

  /**
   * Applies one update. Must run with gradient recording off on this thread.
   *
   * @param grad flat gradient, at least {@link #size()} long
   * @param lr this step's learning rate
   */
  public void update(float[] grad, double lr) {
    t++;
    float b1 = (float) options.beta1();
    float b2 = (float) options.beta2();
    float c1 = (float) (1 - Math.pow(options.beta1(), t));
    float c2 = (float) (1 - Math.pow(options.beta2(), t));
    float eps = (float) options.epsilon();
    float rate = (float) lr;
    float shrink = (float) (1 - lr * options.weightDecay());
    for (int i = 0; i < parameters.size(); i++) {
      NDArray array = parameters.get(i).getArray();
      float[] p = array.toFloatArray();
      int o = offsets[i];
      float keep = decay[i] ? shrink : 1f;
      for (int j = 0; j < p.length; j++) {
        float g = grad[o + j];
        float mj = b1 * m[o + j] + (1 - b1) * g;
        float vj = b2 * v[o + j] + (1 - b2) * g * g;
        m[o + j] = mj;
        v[o + j] = vj;
        float mHat = mj / c1;
        float vHat = vj / c2;
        p[j] = p[j] * keep - rate * mHat / ((float) Math.sqrt(vHat) + eps);
      }
      array.set(p);
    }
  }

  void writeState(DataOutputStream out) throws IOException {
    out.writeLong(t);
    out.writeInt(m.length);
    for (int i = 0; i < m.length; i++) {
      out.writeFloat(m[i]);
    }
    for (int i = 0; i < v.length; i++) {
      out.writeFloat(v[i]);
    }
  }

  void readState(DataInputStream in, String source) throws IOException {
    long steps = in.readLong();
    int n = in.readInt();
    if (n != m.length) {
      throw new IOException(source + ": optimizer state has " + n + " scalars, the model " + m.length
          + "; the checkpoint belongs to a different model configuration");
    }
    for (int i = 0; i < n; i++) {
      m[i] = in.readFloat();
    }
    for (int i = 0; i < n; i++) {
      v[i] = in.readFloat();
    }
    t = steps;
  }
}
