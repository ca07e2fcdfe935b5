package dev.recap.worker.train;

import dev.recap.api.Kernels;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.recap.api.encoder.ImageTower;
import dev.recap.api.encoder.TextTower;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIP: an image tower and a text tower, each followed by a linear projection (no bias) into a
 * shared {@code embedDim}-wide space, L2-normalized, and a learnable temperature.
 *
 * <p>The temperature is stored as {@code logit_scale = ln(scale)}, initialized to
 * {@code ln(1/0.07)}; the trainer clamps it to {@code [0, ln 100]} after every update (as
 * OpenCLIP does), so the logit multiplier {@code exp(logit_scale)} never exceeds 100.
 *
 * <p>As a block: input {@code NDList(images [B,3,H,W], tokens [B,L])}, output
 * {@code NDList(imageEmbeddings [B,E], textEmbeddings [B,E], scale [])}.
 */
public final class ClipModel extends AbstractBlock {

  /** {@code ln(1/0.07)}: CLIP's initial logit scale. */
  public static final float INITIAL_LOGIT_SCALE = (float) Math.log(1 / 0.07);
  /** {@code ln(100)}: the largest logit scale. */
  public static final float MAX_LOGIT_SCALE = (float) Math.log(100);

  private static final byte VERSION = 1;

  private final ImageTower image;
  private final TextTower text;
  private final int embedDim;
  private final Parameter imageProjection;
  private final Parameter textProjection;
  private final Parameter logitScale;

  public ClipModel(ImageTower image, TextTower text, int embedDim) {
    super(VERSION);
    if (embedDim <= 0) {
      throw new IllegalArgumentException("embedDim must be positive, got " + embedDim);
    }
    this.image = image;
    this.text = text;
    this.embedDim = embedDim;
    addChildBlock("image", image.block());
    addChildBlock("text", text.block());
    imageProjection = addParameter(Parameter.builder().setName("image_projection").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(image.embeddingDim(), embedDim))
        .optInitializer(new NormalInitializer((float) Math.pow(image.embeddingDim(), -0.5))).build());
    textProjection = addParameter(Parameter.builder().setName("text_projection").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(text.embeddingDim(), embedDim))
        .optInitializer(new NormalInitializer((float) Math.pow(text.embeddingDim(), -0.5))).build());
    logitScale = addParameter(Parameter.builder().setName("logit_scale").setType(Parameter.Type.OTHER)
        .optShape(new Shape()).optInitializer(new ConstantInitializer(INITIAL_LOGIT_SCALE)).build());
  }

  /** Initializes every parameter (fp32) for images of {@code height x width}. */
  public void initialize(NDManager manager, int height, int width) {
    initialize(manager, DataType.FLOAT32, new Shape(1, 3, height, width), new Shape(1, text.contextLength()));
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    image.block().initialize(manager, dataType, inputShapes[0]);
    text.block().initialize(manager, dataType, inputShapes[1]);
  }

  public ImageTower imageTower() {
    return image;
  }

  public TextTower textTower() {
    return text;
  }

  public int embedDim() {
    return embedDim;
  }

  public Parameter imageProjection() {
    return imageProjection;
  }

  public Parameter textProjection() {
    return textProjection;
  }

  public Parameter logitScale() {
    return logitScale;
  }

  /** Every parameter in a fixed order (the order of flat gradients and optimizer state). */
  public List<Parameter> parameterList() {
    return new ArrayList<>(getParameters().values());
  }

  /**
   * Loads parameters saved with {@link #saveParameters} and keeps them trainable: DJL's loader
   * swaps in new arrays without gradient tracking and leaves the old ones open, so this re-enables
   * gradients and closes the replaced arrays.
   */
  public void restoreParameters(NDManager manager, DataInputStream in) throws IOException, MalformedModelException {
    restoreTrainable(this, parameterList(), manager, in);
  }

  /** {@link #restoreParameters} for any block whose parameters, in order, are {@code params}. */
  static void restoreTrainable(AbstractBlock block, List<Parameter> params, NDManager manager, DataInputStream in)
      throws IOException, MalformedModelException {
    List<NDArray> old = new ArrayList<>();
    for (Parameter p : params) {
      old.add(p.getArray());
    }
    block.loadParameters(manager, in);
    for (int i = 0; i < params.size(); i++) {
      NDArray now = params.get(i).getArray();
      now.setRequiresGradient(params.get(i).requiresGradient());
      if (old.get(i) != now) {
        old.get(i).close();
      }
    }
  }

  /** L2-normalized image embeddings {@code [B, embedDim]}. */
  public NDArray encodeImages(ParameterStore ps, NDArray images, boolean training) {
    NDArray pooled = image.block().forward(ps, new NDList(images), training).get(0);
    return normalize(Kernels.current().matMul(pooled, ps.getValue(imageProjection, images.getDevice(), training)));
  }

  /** L2-normalized text embeddings {@code [B, embedDim]}. */
  public NDArray encodeTexts(ParameterStore ps, NDArray tokens, boolean training) {
    NDArray pooled = text.block().forward(ps, new NDList(tokens), training).get(0);
    return normalize(Kernels.current().matMul(pooled, ps.getValue(textProjection, tokens.getDevice(), training)));
  }

  /** {@code exp(logit_scale)}, owned by {@code scope} (not by the parameters' manager). */
  public NDArray scale(ParameterStore ps, NDManager scope, boolean training) {
    NDArray s = ps.getValue(logitScale, scope.getDevice(), training).exp();
    s.attach(scope);
    return s;
  }

  private static NDArray normalize(NDArray x) {
    return x.div(x.norm(new int[] {1}, true));
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray images = inputs.get(0);
    return new NDList(encodeImages(ps, images, training), encodeTexts(ps, inputs.get(1), training),
        scale(ps, images.getManager(), training));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long b = inputShapes[0].get(0);
    return new Shape[] {new Shape(b, embedDim), new Shape(b, embedDim), new Shape()};
  }
}
