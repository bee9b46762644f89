package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.DecidedRequest;
import org.edgellm.events.EventCodec;
import org.junit.jupiter.api.Test;

/**
 * The worker's /metrics: served on a port of its own, every metric named {@code edgellm_worker_*}
 * with its {@code node} label, and the values move with the calls the Worker makes.
 */
class WorkerMetricsTest {

    static final Map<String, String> N7 = Map.of("node", "n7");

    static final List<String> COUNTERS =
            List.of(
                    "edgellm_worker_batches_total",
                    "edgellm_worker_requests_completed_total",
                    "edgellm_worker_deadline_met_total",
                    "edgellm_worker_deadline_missed_total",
                    "edgellm_worker_backend_errors_total",
                    "edgellm_worker_dead_letters_total",
                    "edgellm_worker_batches_refused_total");

    static final List<String> GAUGES =
            List.of(
                    "edgellm_worker_slowdown",
                    "edgellm_worker_busy",
                    "edgellm_worker_decisions_lag");

    static final List<String> HISTOGRAMS =
            List.of("edgellm_worker_measured_compute_ms", "edgellm_worker_predicted_compute_ms");

    /**
     * A port nobody listens on now (port 0 means "off" to the worker), below the kernel's ephemeral
     * range (32768 and up on Linux), so that nothing that binds port 0 (an embedded broker's
     * listeners, any client socket) can be handed it between this pick and the metrics server's
     * bind. A pick through port 0 once gave the Prometheus reporter a port the broker then took:
     * the reporter did not start and the scrapes reached Kafka.
     */
    static int freePort() {
        int start = 20_000 + new java.util.Random().nextInt(10_000);
        for (int p = start; p < 32_000; p++) {
            try (ServerSocket s = new ServerSocket(p)) {
                return p;
            } catch (java.io.IOException busy) {
                // taken: the next one
            }
        }
        throw new IllegalStateException("no free port from " + start + " to 31999");
    }

    /** The completion of request {@code i} of {@code d}, as a backend makes it, stored encoded. */
    static FinishedLog.Stored completion(
            BatchDecision d, int i, double measured, boolean met, String error) {
        DecidedRequest r = d.getRequests().get(i);
        Completion c =
                Completion.newBuilder()
                        .setRequestId(r.getRequestId())
                        .setDecisionId(d.getDecisionId())
                        .setNodeId(d.getNodeId())
                        .setVariant(d.getVariant())
                        .setStartMs(d.getComputeStartMs())
                        .setFinishMs(d.getComputeStartMs() + measured)
                        .setOutputTokens(10)
                        .setPredictedComputeMs(d.getComputeEndMs() - d.getComputeStartMs())
                        .setMeasuredComputeMs(measured)
                        .setDeadlineMet(met)
                        .setError(error)
                        .build();
        return new FinishedLog.Stored(
                r.getRequestId().getBytes(StandardCharsets.UTF_8), EventCodec.encode(c));
    }

    @Test
    void servesEveryMetricWithItsNodeLabelAndTheValuesMove() throws Exception {
        int port = freePort();
        try (WorkerMetrics m = new WorkerMetrics("n7")) {
            assertEquals(port, m.serve("127.0.0.1", port));
            PrometheusText before = PrometheusText.scrape(port);
            assertTrue(
                    before.contentType.startsWith("text/plain"),
                    "the text format: " + before.contentType);
            for (String c : COUNTERS) {
                assertEquals(0, before.value(c, N7), c);
                assertEquals("counter", before.types.get(c), c + ": " + before.types);
            }
            for (String g : GAUGES) {
                assertEquals("gauge", before.types.get(g), g);
            }
            for (String h : HISTOGRAMS) {
                assertEquals("histogram", before.types.get(h), h);
                assertEquals(0, before.value(h + "_count", N7), h);
            }
            assertEquals(1.0, before.value("edgellm_worker_slowdown", N7));
            assertEquals(0, before.value("edgellm_worker_busy", N7));
            for (PrometheusText.Sample s : before.samples) {
                assertTrue(s.name().startsWith("edgellm_worker_"), "prefix: " + s);
                assertEquals("n7", s.labels().get("node"), "node label: " + s);
            }

            // the calls of Worker.run and Worker.handle, in their order for one batch
            BatchDecision d = WorkerTesting.decision("d/1/n7", "n7", 1_000_000, 3);
            m.busy(true);
            assertEquals(1, PrometheusText.scrape(port).value("edgellm_worker_busy", N7));
            m.slowdown(1.4);
            m.busy(false);
            m.batchCommitted(
                    d,
                    List.of(
                            completion(d, 0, 280, true, null),
                            completion(d, 1, 280, false, null),
                            completion(d, 2, 280, false, "HTTP 500: overloaded")));
            m.deadLetterCommitted();
            m.batchRefused();
            m.backendFailed();
            m.decisionsLag(5);

            PrometheusText after = PrometheusText.scrape(port);
            assertEquals(1, after.value("edgellm_worker_batches_total", N7));
            assertEquals(1, after.value("edgellm_worker_batches_refused_total", N7));
            assertEquals(3, after.value("edgellm_worker_requests_completed_total", N7));
            assertEquals(1, after.value("edgellm_worker_deadline_met_total", N7));
            assertEquals(2, after.value("edgellm_worker_deadline_missed_total", N7));
            assertEquals(
                    2,
                    after.value("edgellm_worker_backend_errors_total", N7),
                    "one request answered with an error, one run that threw");
            assertEquals(1, after.value("edgellm_worker_dead_letters_total", N7));
            assertEquals(1.4, after.value("edgellm_worker_slowdown", N7), 1e-12);
            assertEquals(0, after.value("edgellm_worker_busy", N7));
            assertEquals(5, after.value("edgellm_worker_decisions_lag", N7));
            // one observation per batch: the measured and the predicted compute time
            assertEquals(1, after.value("edgellm_worker_measured_compute_ms_count", N7));
            assertEquals(280, after.value("edgellm_worker_measured_compute_ms_sum", N7), 1e-9);
            assertEquals(1, after.value("edgellm_worker_predicted_compute_ms_count", N7));
            assertEquals(200, after.value("edgellm_worker_predicted_compute_ms_sum", N7), 1e-9);
            Map<String, String> le250 = Map.of("node", "n7", "le", "250.0");
            Map<String, String> le500 = Map.of("node", "n7", "le", "500.0");
            assertEquals(0, after.value("edgellm_worker_measured_compute_ms_bucket", le250));
            assertEquals(1, after.value("edgellm_worker_measured_compute_ms_bucket", le500));
            assertEquals(1, after.value("edgellm_worker_predicted_compute_ms_bucket", le250));
        }
        // closed: nothing listens any more
        assertThrows(java.io.IOException.class, () -> PrometheusText.scrape(port));
    }

    @Test
    void theTextParserReadsLabelsEscapesAndSpecialValues() {
        PrometheusText t =
                PrometheusText.parse(
                        "text/plain",
                        "# HELP a_total help\n# TYPE a_total counter\n"
                                + "a_total{node=\"x\\\"y\",le=\"+Inf\"} 3.0\n"
                                + "b NaN\nc{k=\"v\"} +Inf 1700000000000\n");
        assertEquals("counter", t.types.get("a_total"));
        assertEquals(3.0, t.value("a_total", Map.of("node", "x\"y", "le", "+Inf")));
        assertTrue(Double.isNaN(t.value("b", Map.of())));
        assertEquals(Double.POSITIVE_INFINITY, t.value("c", Map.of("k", "v")));
    }

    @Test
    void theWorkerCommandHasTheMetricsFlags() {
        assertTrue(
                WorkerMain.flagsByCommand()
                        .get("worker")
                        .containsAll(Set.of("metrics-port", "metrics-host")));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                WorkerMain.run(
                        new String[] {
                            "worker",
                            "--node-id",
                            "n",
                            "--domain-id",
                            "d",
                            "--metrics-port",
                            "70000"
                        },
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("70000"), err.toString());
    }
}
