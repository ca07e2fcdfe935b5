package dev.recap.plugins.captioners;

import static dev.recap.plugins.captioners.ConfigLimits.atLeast;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link LearnedCaptioner} session: one decoder that is trained ({@link LearnedTraining}) or
 * restored from a state directory ({@link LearnedState}), captions ({@link CaptionSearch}) and
 * saves.
 */
final class LearnedSession implements Captioner.Session {

  private final PluginConfig config;
  private final long seed;
  private final Extensions extensions;
  private final LearnedArchitecture architecture;
  private final boolean beam;
  private final int beamWidth;

  private Model model;
  private ImageCaptionModel network;
  private LearnedTraining training;
  private WordVocabulary vocabulary;

  private LearnedSession(PluginConfig config, long seed, Extensions extensions) {
    this.config = config;
    this.seed = seed;
    this.extensions = extensions;
    this.architecture = LearnedArchitecture.from(config);
    String decoding = config.getString("decoding", "greedy");
    if (!decoding.equals("greedy") && !decoding.equals("beam")) {
      throw new IllegalArgumentException("config key 'decoding' must be 'greedy' or 'beam', got '" + decoding + "'");
    }
    this.beam = decoding.equals("beam");
    this.beamWidth = atLeast(config, "beamWidth", 4, 1);
  }

  static LearnedSession open(PluginConfig config, long seed, Extensions extensions) throws IOException {
    if (!config.has("state")) {
      return new LearnedSession(config, seed, extensions);
    }
    Path state = Path.of(config.getString("state", null));
    LearnedSession s = new LearnedSession(config.with(LearnedState.architectureKeys(state)), seed, extensions);
    s.vocabulary = LearnedState.vocabulary(state);
    s.buildModel();
    int size = s.architecture.imageSize();
    s.network.initialize(s.model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, size, size), new Shape(1, s.architecture.inputLength()));
    try {
      LearnedState.loadParameters(state, s.network, s.model.getNDManager());
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return s;
  }

  private void buildModel() {
    network = architecture.build(extensions, vocabulary.size());
    model = Model.newInstance("learned-captioner", device());
    model.setBlock(network);
  }

  /** Where the host computes: the network, its training and its captioning live there. */
  private Device device() {
    return extensions.device();
  }

  @Override
  public void train(List<CaptionRequest> references) {
    train(references, (step, steps, loss) -> {});
  }

  @Override
  public void train(List<CaptionRequest> references, Captioner.TrainingProgress progress) {
    List<CaptionRequest> refs = references.stream().filter(r -> r.sourceCaption() != null && !r.sourceCaption().isBlank()).toList();
    if (refs.isEmpty()) {
      throw new IllegalArgumentException("learned captioner: none of the " + references.size()
          + " reference requests has a sourceCaption; pass the reference (quality) captions as sourceCaption");
    }
    if (model != null) {
      throw new IllegalStateException("learned captioner session is already trained or loaded; open a new session to train again");
    }
    LearnedTraining.Settings settings = LearnedTraining.Settings.from(config, refs.size());
    vocabulary = WordVocabulary.build(refs.stream().map(CaptionRequest::sourceCaption).toList(), atLeast(config, "minWordCount", 1, 1));
    buildModel();
    training = new LearnedTraining(model, network, architecture, config, settings, seed, device());
    training.run(refs, vocabulary, progress);
  }

  /** Steps skipped because their loss or gradient was not finite. */
  int skippedSteps() {
    return training == null ? 0 : training.skippedSteps();
  }

  /** The network, for tests; null before training or loading. */
  ImageCaptionModel network() {
    return network;
  }

  /** The model's manager, for tests. */
  NDManager manager() {
    return model.getNDManager();
  }

  /** The loss of the last training step (NaN before training). */
  float lastLoss() {
    return training == null ? Float.NaN : training.lastLoss();
  }

  @Override
  public List<Caption> caption(List<CaptionRequest> batch) {
    if (batch.isEmpty()) {
      return List.of();
    }
    if (model == null) {
      return batch.stream().map(r -> Caption.none(r.key(),
          "learned captioner has no trained state: call train(...) with reference captions or set config key 'state' to a saved state directory")).toList();
    }
    int b = batch.size();
    int size = architecture.imageSize();
    int pixels = 3 * size * size;
    float[] images = new float[b * pixels];
    for (int i = 0; i < b; i++) {
      ImagePixels.writeChw(batch.get(i).image(), size, images, i * pixels);
    }
    CaptionSearch search = beam
        ? CaptionSearch.beam(network, architecture.maxLength(), vocabulary.size(), beamWidth)
        : CaptionSearch.greedy(network, architecture.maxLength(), vocabulary.size());
    List<long[]> sequences;
    try (NDManager m = model.getNDManager().newSubManager()) {
      ParameterStore ps = new ParameterStore(m, false);
      NDList encoded = network.encode(ps, m.create(images, new Shape(b, 3, size, size)), false);
      sequences = search.decode(ps, m, network.prefix(ps, encoded), b);
    }
    List<Caption> out = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      long[] seq = sequences.get(i);
      String text = vocabulary.decode(Arrays.copyOfRange(seq, 1, seq.length));
      out.add(text.isBlank()
          ? Caption.none(batch.get(i).key(), "the decoder ended the caption before any word")
          : Caption.of(batch.get(i).key(), text));
    }
    return out;
  }

  @Override
  public void save(Path directory) throws IOException {
    if (model == null) {
      throw new IllegalStateException("learned captioner has nothing to save: train it first");
    }
    LearnedState.save(directory, architecture, vocabulary, network);
  }

  @Override
  public void close() {
    if (training != null) {
      training.close();
      training = null;
    }
    if (model != null) {
      model.close();
      model = null;
    }
  }
}
