package org.edgellm.worker;

import static org.edgellm.worker.WorkerTesting.decision;
import static org.edgellm.worker.WorkerTesting.record;
import static org.edgellm.worker.WorkerTesting.send;
import static org.edgellm.worker.WorkerTesting.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.edgellm.events.BatchDecision;
import org.edgellm.job.testing.EmbeddedKafkaExtension;
import org.edgellm.worker.WorkerTesting.Running;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real worker against the in-JVM broker, its metrics served as {@code worker --metrics-port}
 * serves them: one decision and one undecodable record of its node move the scraped counters.
 */
class WorkerMetricsITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path state;

    @Test
    void oneDecisionMovesTheScrapedCounters() throws Exception {
        String prefix = "metrics-";
        KAFKA.broker().createTopics(2, prefix + "decisions");
        KAFKA.broker()
                .createTopics(
                        1, prefix + "completions", prefix + "telemetry", prefix + "dead-letters");
        Map<String, String> n1 = Map.of("node", "n1");
        int port = WorkerMetricsTest.freePort();
        try (WorkerMetrics metrics = new WorkerMetrics("n1")) {
            metrics.serve("127.0.0.1", port);
            Worker w =
                    new Worker(
                            settings(KAFKA.broker(), "n1", prefix, state),
                            new SimulatedBackend(
                                    1.0,
                                    0,
                                    1,
                                    new SimulatedBackend.VirtualClock(System.currentTimeMillis())),
                            metrics);
            Running run = new Running(w, "metrics-worker-n1");
            try {
                PrometheusText idle = PrometheusText.scrape(port);
                assertEquals(0, idle.value("edgellm_worker_batches_total", n1));
                assertEquals(0, idle.value("edgellm_worker_requests_completed_total", n1));

                long now = System.currentTimeMillis();
                BatchDecision d = decision("d/1/n1", "n1", now, 2);
                send(
                        KAFKA.broker(),
                        List.of(
                                record(prefix + "decisions", d),
                                record(
                                        prefix + "decisions",
                                        "n1",
                                        "not a decision".getBytes(StandardCharsets.UTF_8))));

                AtomicReference<PrometheusText> last = new AtomicReference<>();
                Poll.until(
                        "the scrape shows the batch and the dead letter",
                        Duration.ofSeconds(60),
                        () -> {
                            PrometheusText t = PrometheusText.scrape(port);
                            last.set(t);
                            return t.value("edgellm_worker_batches_total", n1) == 1
                                    && t.value("edgellm_worker_dead_letters_total", n1) == 1;
                        });
                PrometheusText t = last.get();
                assertEquals(2, t.value("edgellm_worker_requests_completed_total", n1));
                assertEquals(
                        2,
                        t.value("edgellm_worker_deadline_met_total", n1)
                                + t.value("edgellm_worker_deadline_missed_total", n1));
                assertEquals(0, t.value("edgellm_worker_backend_errors_total", n1));
                assertEquals(1, t.value("edgellm_worker_measured_compute_ms_count", n1));
                assertEquals(1, t.value("edgellm_worker_predicted_compute_ms_count", n1));
                assertEquals(200, t.value("edgellm_worker_predicted_compute_ms_sum", n1), 1e-9);
                assertTrue(
                        Math.abs(t.value("edgellm_worker_slowdown", n1) - 1.0) < 0.2,
                        "slowdown near the simulated 1.0: " + t.samples);
                assertEquals(1, w.batches());
                assertEquals(1, w.deadLetters());
                // both records handled: nothing left behind on the decision partitions
                Poll.until(
                        "the decisions lag falls to 0 and the worker is idle",
                        Duration.ofSeconds(60),
                        () -> {
                            PrometheusText s = PrometheusText.scrape(port);
                            return s.value("edgellm_worker_decisions_lag", n1) == 0
                                    && s.value("edgellm_worker_busy", n1) == 0;
                        });
            } finally {
                run.stopAndClose();
            }
        }
    }
}
