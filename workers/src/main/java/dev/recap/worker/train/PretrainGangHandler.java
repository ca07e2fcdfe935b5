package dev.recap.worker.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.recap.api.PluginConfig;
import dev.recap.api.encoder.ImageEncoder;
import dev.recap.api.encoder.TextEncoder;
import dev.recap.api.encoder.TextTokenizer;
import dev.recap.bus.task.PretrainGangTask;
import dev.recap.worker.exchange.ExchangeOptions;
import dev.recap.worker.node.TaskContext;
import dev.recap.worker.node.TaskHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The worker side of the {@code pretrain-gang} stage: holds one member slot of a run and trains
 * in its gangs through {@link GangMember} until the run is done. Writes {@code samples.txt}
 * (this worker's committed sample keys, one {@code step key} per line) and {@code loss.csv};
 * rank 0 of the last gang writes {@code result.json}. Checkpoints go to
 * {@code <artifact root>/<jobId>/<stage>-checkpoints}, shared by all members of the run.
 */
public final class PretrainGangHandler implements TaskHandler<PretrainGangTask> {

  /** The task type the coordinator's {@code pretrain-gang} planner emits. */
  public static final String TYPE = "pretrain-gang-member";

  @Override
  public String taskType() {
    return TYPE;
  }

  @Override
  public Class<PretrainGangTask> payloadType() {
    return PretrainGangTask.class;
  }

  @Override
  public void execute(TaskContext<PretrainGangTask> context) throws Exception {
    PretrainGangTask t = context.payload();
    TextEncoder textEncoder = context.extensions().get(TextEncoder.class, t.getTextEncoder());
    ImageEncoder imageEncoder = context.extensions().get(ImageEncoder.class, t.getImageEncoder());
    PluginConfig textConfig = textEncoder.resolve(PluginConfig.of(Map.copyOf(t.getTextConfig())));
    PluginConfig imageConfig = imageEncoder.resolve(PluginConfig.of(Map.copyOf(t.getImageConfig())));
    TextTokenizer tokenizer = textEncoder.tokenizer(textConfig, SyntheticPairs.corpus());
    Path checkpoints = context.artifacts().directory().getParent().resolve(context.stage() + "-checkpoints");
    GangMember.Settings settings = new GangMember.Settings(t.getRunId(), t.getTotalSteps(), t.getStepsPerRange(),
        t.getMinWorkers(), t.getMaxWorkers(), t.getChecksumEvery(), t.getCheckpointEvery(), checkpoints,
        ExchangeOptions.builder().operationTimeout(Duration.ofSeconds(t.getOperationTimeoutSeconds())).build());
    StringBuilder samples = new StringBuilder();
    StringBuilder loss = new StringBuilder("step,loss,logit_scale,lr,world_size\n");
    try (NDManager manager = NDManager.newBaseManager()) {
      ClipModel model;
      // the run's seed, not the task's: every member must start from identical parameters
      synchronized (Engine.class) {
        Engine.getInstance().setRandomSeed((int) t.getRunId().hashCode());
        model = new ClipModel(imageEncoder.build(imageConfig), textEncoder.build(textConfig, tokenizer), t.getEmbedDim());
        model.initialize(manager, t.getImageSize(), t.getImageSize());
      }
      TrainingOptions options = TrainingOptions.clip(new CosineSchedule(t.getLearningRate(), t.getWarmupSteps(),
          t.getTotalSteps(), t.getLearningRate() / 10));
      options = new TrainingOptions(options.schedule(), options.adamW(), options.clipNorm(), t.getMaxConsecutiveSkips());
      SyntheticPairs data = new SyntheticPairs(t.getSamples(), t.getGlobalBatch(), t.getImageSize(), tokenizer,
          t.getRunId().hashCode());
      GangMember member = new GangMember(context.hazelcast(), settings, model, manager, options, data,
          new GangMember.Observer() {
            @Override
            public void stepped(StepResult r, int rank, int worldSize, List<String> keys) {
              Map<String, String> tags = Map.of("step", Long.toString(r.step()));
              context.metric("loss", r.loss(), tags);
              context.metric("world_size", worldSize, tags);
              loss.append(r.step()).append(',').append(r.loss()).append(',').append(r.logitScale()).append(',')
                  .append(r.learningRate()).append(',').append(worldSize).append('\n');
              context.progress((double) (r.step() + 1) / t.getTotalSteps(), "step " + r.step() + " in a gang of " + worldSize);
            }

            @Override
            public void committed(long step, int rank, List<String> keys) {
              keys.forEach(k -> samples.append(k).append('\n'));
            }

            @Override
            public void event(String message) {
              context.event(message);
            }

            @Override
            public boolean cancelled() {
              return context.isCancelled();
            }
          });
      long last;
      try {
        last = member.run();
      } catch (NonFiniteTrainingException | dev.recap.worker.exchange.ReplicaDivergenceException e) {
        // retrying from the same commit would meet the same data or the same divergence
        throw new dev.recap.worker.node.PermanentTaskFailure("run " + t.getRunId() + " stopped: " + e.getMessage(), e);
      }
      context.artifacts().write("samples.txt", samples.toString().getBytes(StandardCharsets.UTF_8));
      context.artifacts().write("loss.csv", loss.toString().getBytes(StandardCharsets.UTF_8));
      context.progress(1.0, last < 0 ? "run finished without this worker" : "run finished at step " + last);
    }
  }
}
