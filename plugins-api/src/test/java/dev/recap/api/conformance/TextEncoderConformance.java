package dev.recap.api.conformance;

import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.TextEncoder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link TextEncoder} contract as JUnit tests: extend it in the plugin's tests and supply the
 * encoder and a small configuration; one test per check of {@link TextEncoderKit}.
 */
public abstract class TextEncoderConformance {

  /** The encoder under test. */
  protected abstract TextEncoder encoder();

  /** A small configuration (a CPU-sized preset) for the checks. */
  protected abstract PluginConfig config();

  /** Captions for tokenizer training (and the inputs of every check). */
  protected List<String> corpus() {
    return TextEncoderKit.defaultCorpus();
  }

  /** The kit bound to this test's encoder, configuration and corpus. */
  protected TextEncoderKit kit() {
    return new TextEncoderKit(encoder(), config(), corpus());
  }

  @Test
  public void tokenizerEncodesFixedLengthWithStartAndEnd() throws Exception {
    kit().tokenizerEncodesFixedLengthWithStartAndEnd();
  }

  @Test
  public void tokenizerSavesAndLoads() throws Exception {
    kit().tokenizerSavesAndLoads();
  }

  @Test
  public void outputShapesForSeveralBatchSizes() throws Exception {
    kit().outputShapesForSeveralBatchSizes();
  }

  @Test
  public void gradientsReachEveryParameter() throws Exception {
    kit().gradientsReachEveryParameter();
  }

  @Test
  public void sameSeedGivesSameOutput() throws Exception {
    kit().sameSeedGivesSameOutput();
  }

  @Test
  public void parametersSaveAndLoadToIdenticalOutput() throws Exception {
    kit().parametersSaveAndLoadToIdenticalOutput();
  }
}
