package dev.recap.coordinator.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A parsed job spec. YAML shape:
 *
 * <pre>
 * name: demo              # required: letters, digits, '-' and '_'
 * seed: 42                # optional, default 0: every task's seed derives from it
 * output: /data/artifacts # optional: artifact root handed to workers (default: each worker's own)
 * maxAttempts: 3          # optional, default 3: attempts per task before the job fails
 * leaseSeconds: 10        # optional, default 10: lease length, renewed by heartbeats
 * budget: 30m            # optional: wall-time budget; a stage with withinBudget: [stages] starts only
 *                        # if the time spent so far plus those stages' wall time still fits it
 * stages:
 *   - name: make          # unique within the job
 *     kind: smoke         # a StagePlanner kind
 *     after: [other]      # optional: stages whose results this one needs
 *     tasks: 24           # every other key is the planner's parameter
 * </pre>
 *
 * @param yaml the original text, journaled so a restarted coordinator re-plans the same job
 * @param folder the absolute folder the spec file was read from, against which relative paths in
 *     it resolve (a {@code dataset} stage's {@code shards}); null for a spec that came from no file
 *     (the console, a plain API call), where relative paths are an error
 * @param budgetSeconds the job's wall-time budget in seconds ({@code budget}), 0 for none
 */
public record JobSpec(String name, long seed, String output, int maxAttempts, int leaseSeconds, List<StageSpec> stages,
    String yaml, Path folder, long budgetSeconds) {

  public JobSpec {
    stages = List.copyOf(stages);
    folder = folder == null ? null : folder.toAbsolutePath().normalize();
  }

  /** A spec without a budget. */
  public JobSpec(String name, long seed, String output, int maxAttempts, int leaseSeconds, List<StageSpec> stages,
      String yaml, Path folder) {
    this(name, seed, output, maxAttempts, leaseSeconds, stages, yaml, folder, 0);
  }

  /** A spec that came from no file. */
  public JobSpec(String name, long seed, String output, int maxAttempts, int leaseSeconds, List<StageSpec> stages,
      String yaml) {
    this(name, seed, output, maxAttempts, leaseSeconds, stages, yaml, null, 0);
  }

  /** The stage of that name. */
  public Optional<StageSpec> stage(String stageName) {
    return stages.stream().filter(s -> s.name().equals(stageName)).findFirst();
  }
}
