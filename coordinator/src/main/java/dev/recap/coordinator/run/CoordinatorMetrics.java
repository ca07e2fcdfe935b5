package dev.recap.coordinator.run;

import dev.recap.bus.msg.MetricEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The coordinator's Micrometer meters, scraped by Prometheus: tasks leased, done per stage
 * (its rate is the stage's rate), retried, duplicate results; workers alive, tasks queued, jobs
 * running; and the last value of every metric workers report, tagged with worker and name.
 */
final class CoordinatorMetrics {

  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter leased;
  private final Counter retried;
  private final Counter duplicates;
  private final Map<String, AtomicLong> workerValues = new ConcurrentHashMap<>();

  CoordinatorMetrics(Supplier<Number> workersAlive, Supplier<Number> queued, Supplier<Number> jobsRunning) {
    leased = Counter.builder("recap.tasks.leased").description("leases handed out").register(registry);
    retried = Counter.builder("recap.tasks.retried").description("attempts lost or failed and re-queued").register(registry);
    duplicates = Counter.builder("recap.tasks.duplicate.results").description("results for tasks already done").register(registry);
    Gauge.builder("recap.workers.alive", workersAlive, s -> s.get().doubleValue()).register(registry);
    Gauge.builder("recap.tasks.queued", queued, s -> s.get().doubleValue()).register(registry);
    Gauge.builder("recap.jobs.running", jobsRunning, s -> s.get().doubleValue()).register(registry);
  }

  void leased() {
    leased.increment();
  }

  void retried() {
    retried.increment();
  }

  void duplicate() {
    duplicates.increment();
  }

  void done(String stage) {
    Counter.builder("recap.tasks.done").tag("stage", stage).register(registry).increment();
  }

  void worker(MetricEvent e) {
    AtomicLong bits = workerValues.computeIfAbsent(e.getSource() + "\u0000" + e.getName(), k -> {
      AtomicLong holder = new AtomicLong();
      Gauge.builder("recap.worker.metric", holder, h -> Double.longBitsToDouble(h.get()))
          .tag("worker", e.getSource()).tag("name", e.getName()).register(registry);
      return holder;
    });
    bits.set(Double.doubleToLongBits(e.getValue()));
  }
}
