package dev.recap.coordinator.run;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The jobs this coordinator knows, running and finished (recovered ones included), in submission
 * order, and the future each one completes when it ends. The jobs are guarded by the
 * coordinator's lock; the futures may be read without it.
 */
final class JobTable {

  private final Map<String, JobRun> jobs = new LinkedHashMap<>();
  private final Map<String, CompletableFuture<JobStatus>> completions = new ConcurrentHashMap<>();

  /** Adds a job with a pending completion. */
  void add(JobRun job) {
    jobs.put(job.jobId, job);
    completions.put(job.jobId, new CompletableFuture<>());
  }

  /** The job, or null if unknown. */
  JobRun get(String jobId) {
    return jobs.get(jobId);
  }

  Collection<JobRun> all() {
    return jobs.values();
  }

  List<JobRun> running() {
    return jobs.values().stream().filter(j -> j.state.equals("RUNNING")).toList();
  }

  /** Completes the job's future with its final status. */
  void ended(JobRun job) {
    completions.computeIfAbsent(job.jobId, id -> new CompletableFuture<>()).complete(job.status());
  }

  /** Completes when the job ends; needs no lock. */
  CompletableFuture<JobStatus> completion(String jobId) {
    CompletableFuture<JobStatus> f = completions.get(jobId);
    if (f == null) {
      throw new IllegalArgumentException("unknown job " + jobId);
    }
    return f;
  }
}
