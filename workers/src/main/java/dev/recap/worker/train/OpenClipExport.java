package dev.recap.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Export of a {@link ClipModel} as safetensors with OpenCLIP's parameter names, and import back.
 *
 * <p>Names: the text tower's parameters through {@code textNames} (the text encoder's
 * {@code exportName}; OpenCLIP's text tower sits at the top level), the image tower's through
 * {@code imageNames} (the image encoder's {@code exportName}) under {@code visual.} (added when
 * the mapped name lacks it), then {@code visual.proj}, {@code text_projection} ({@code [width,
 * embed]}, applied as {@code x @ P} in both) and {@code logit_scale} (a 0-d tensor holding
 * {@code ln(scale)}).
 */
public final class OpenClipExport {

  private final UnaryOperator<String> imageNames;
  private final UnaryOperator<String> textNames;

  /**
   * @param imageNames the image encoder's {@code exportName}
   * @param textNames the text encoder's {@code exportName}
   */
  public OpenClipExport(UnaryOperator<String> imageNames, UnaryOperator<String> textNames) {
    this.imageNames = imageNames;
    this.textNames = textNames;
  }

  /** Every parameter by its exported name, in a fixed order. */
  public Map<String, Parameter> named(ClipModel model) {
    Map<String, Parameter> out = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : model.imageTower().block().getParameters()) {
      String name = imageNames.apply(p.getKey());
      put(out, name.startsWith("visual.") ? name : "visual." + name, p.getValue());
    }
    put(out, "visual.proj", model.imageProjection());
    for (Pair<String, Parameter> p : model.textTower().block().getParameters()) {
      put(out, textNames.apply(p.getKey()), p.getValue());
    }
    put(out, "text_projection", model.textProjection());
    put(out, "logit_scale", model.logitScale());
    return out;
  }

  private static void put(Map<String, Parameter> out, String name, Parameter p) {
    if (out.put(name, p) != null) {
      throw new IllegalStateException("two parameters export as '" + name + "'; fix the encoder's exportName");
    }
  }

  /** Writes every parameter of {@code model} to {@code file}. */
  public void write(ClipModel model, Path file) throws IOException {
    List<Safetensors.Tensor> tensors = new ArrayList<>();
    for (Map.Entry<String, Parameter> e : named(model).entrySet()) {
      NDArray a = e.getValue().getArray();
      tensors.add(new Safetensors.Tensor(e.getKey(), a.getShape().getShape(), a.toFloatArray()));
    }
    Safetensors.write(file, tensors, Map.of("format", "pt", "producer", "recap"));
  }

  /**
   * Sets every parameter of {@code model} (initialized, same configuration) from {@code file}.
   *
   * @throws IOException naming the first missing tensor or shape mismatch
   */
  public void read(ClipModel model, Path file) throws IOException {
    Map<String, Safetensors.Tensor> tensors = Safetensors.read(file);
    Map<String, Parameter> params = named(model);
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      Safetensors.Tensor t = tensors.get(e.getKey());
      if (t == null) {
        throw new IOException(file + " has no tensor '" + e.getKey() + "' (model parameter " + e.getValue().getName() + ")");
      }
      NDArray a = e.getValue().getArray();
      if (!java.util.Arrays.equals(a.getShape().getShape(), t.shape())) {
        throw new IOException(file + ": tensor '" + e.getKey() + "' has shape " + java.util.Arrays.toString(t.shape())
            + ", the model expects " + a.getShape());
      }
      Autograd.withGradMode(false, () -> {
        a.set(t.data());
        return null;
      });
    }
  }
}
