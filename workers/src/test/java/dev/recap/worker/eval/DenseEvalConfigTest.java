package dev.recap.worker.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recap.api.PluginConfig;
import org.junit.jupiter.api.Test;

class DenseEvalConfigTest {

  @Test
  void readsAJobSpecOnTopOfTheProtocolDefaults() {
    DenseEvalConfig c = DenseEvalConfig.from(PluginConfig.of("protocol", "finetune", "fraction", 0.1, "epochs", 3,
        "layerDecay", "0.75"));
    assertEquals(DenseEvalConfig.Protocol.FINETUNE, c.protocol());
    assertEquals(0.1, c.fraction());
    assertEquals(3, c.epochs());
    assertEquals(0.75, c.layerDecay());
    assertEquals(DenseEvalConfig.finetune().encoderLearningRate(), c.encoderLearningRate());
    assertEquals(DenseEvalConfig.Protocol.FROZEN, DenseEvalConfig.from(PluginConfig.empty()).protocol());
  }

  @Test
  void errorsNameTheKey() {
    IllegalArgumentException protocol = assertThrows(IllegalArgumentException.class,
        () -> DenseEvalConfig.from(PluginConfig.of("protocol", "zero-shot")));
    assertTrue(protocol.getMessage().contains("'protocol'"), protocol.getMessage());
    IllegalArgumentException epochs = assertThrows(IllegalArgumentException.class,
        () -> DenseEvalConfig.from(PluginConfig.of("epochs", 2.5)));
    assertTrue(epochs.getMessage().contains("'epochs'"), epochs.getMessage());
    IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
        () -> DenseEvalConfig.frozen().withBatchSize(0));
    assertTrue(batch.getMessage().contains("'batchSize'"), batch.getMessage());
  }
}
