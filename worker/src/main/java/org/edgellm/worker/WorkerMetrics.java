package org.edgellm.worker;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;

/**
 * The worker's Prometheus metrics, all named {@code edgellm_worker_*} and labelled {@code
 * node="<node id>"}; {@link #serve} exposes them on {@code /metrics} in the Prometheus text format
 * ({@code worker --metrics-port N}, off by default). The {@link Worker} calls this class at the
 * points where it commits a batch or a dead letter, runs its backend and polls its consumer, so a
 * test that drives it drives what the worker reports. See docs/metrics.md for what each one means.
 *
 * <p>Counters (exposed with the {@code _total} suffix): {@code batches}, {@code
 * requests_completed}, {@code deadline_met}, {@code deadline_missed}, {@code backend_errors},
 * {@code dead_letters}. Histograms (ms, one observation per committed batch): {@code
 * measured_compute_ms}, {@code predicted_compute_ms}. Gauges: {@code slowdown}, {@code busy},
 * {@code decisions_lag}.
 *
 * <p>The batch counters and histograms move when the batch's transaction commits (the same point
 * where {@link Worker#batches()} counts), so a batch whose stored completions are published after a
 * crash is counted once, by the process that committed it.
 *
 * <p>Library: the Prometheus Java client ({@code io.prometheus:prometheus-metrics-core} and {@code
 * -exporter-httpserver}), not Micrometer's Prometheus registry. The worker needs nothing but
 * Prometheus: the client is the Prometheus project's own, writes the exposition format itself and
 * serves it from the JDK's HTTP server, so the names and labels written here are the ones scraped
 * (Micrometer would add a vendor-neutral facade that renames meters, converts units to seconds and
 * brings this same client underneath as its Prometheus backend). Each worker has its own {@link
 * PrometheusRegistry} rather than the global default one, so that several workers in one JVM (the
 * tests) do not share series.
 */
public final class WorkerMetrics implements AutoCloseable {
    /** Bucket bounds of the compute-time histograms, in ms (up to the openai backend's timeout). */
    static final double[] COMPUTE_MS_BUCKETS = {
        5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000
    };

    private final String node;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter batches;
    private final Counter requestsCompleted;
    private final Counter deadlineMet;
    private final Counter deadlineMissed;
    private final Counter backendErrors;
    private final Counter deadLetters;
    private final Counter refused;
    private final Histogram measuredComputeMs;
    private final Histogram predictedComputeMs;
    private final Gauge slowdown;
    private final Gauge busy;
    private final Gauge decisionsLag;
    private HTTPServer server;

    /** The metrics of node {@code node}, not served yet. */
    public WorkerMetrics(String node) {
        this.node = node;
        Labels labels = Labels.of("node", node);
        batches =
                counter(
                        "edgellm_worker_batches",
                        "Batches whose completions this worker committed.",
                        labels);
        requestsCompleted =
                counter(
                        "edgellm_worker_requests_completed",
                        "Completions committed (one per request of a committed batch).",
                        labels);
        deadlineMet =
                counter(
                        "edgellm_worker_deadline_met",
                        "Committed completions that finished by their request's deadline.",
                        labels);
        deadlineMissed =
                counter(
                        "edgellm_worker_deadline_missed",
                        "Committed completions that missed their request's deadline (or failed).",
                        labels);
        backendErrors =
                counter(
                        "edgellm_worker_backend_errors",
                        "Requests the backend answered with an error (HTTP error, timeout, broken"
                                + " stream), plus backend runs that threw.",
                        labels);
        deadLetters =
                counter(
                        "edgellm_worker_dead_letters",
                        "Records keyed by this node that were no decision for it, committed to the"
                                + " dead-letter topic.",
                        labels);
        refused =
                counter(
                        "edgellm_worker_batches_refused",
                        "Batches refused because their lease ended before they could be run or"
                                + " committed (never run nor published; the job re-dispatches"
                                + " or reports their requests).",
                        labels);
        measuredComputeMs =
                histogram(
                        "edgellm_worker_measured_compute_ms",
                        "Compute time of a committed batch as measured by the backend, in ms.",
                        labels);
        predictedComputeMs =
                histogram(
                        "edgellm_worker_predicted_compute_ms",
                        "Compute time the job predicted for a committed batch, in ms.",
                        labels);
        slowdown =
                gauge(
                        "edgellm_worker_slowdown",
                        "Measured slowdown of this GPU (measured over nominal compute time,"
                                + " smoothed), as sent in the heartbeats.",
                        labels);
        busy = gauge("edgellm_worker_busy", "1 while the backend runs a batch, else 0.", labels);
        decisionsLag =
                gauge(
                        "edgellm_worker_decisions_lag",
                        "Records of the decisions topic's assigned partitions not yet handled"
                                + " (end offset, the last stable one under read_committed, minus"
                                + " the consumer's position), all nodes' records included.",
                        labels);
        slowdown.set(1.0);
    }

    private Counter counter(String name, String help, Labels labels) {
        return Counter.builder().name(name).help(help).constLabels(labels).register(registry);
    }

    private Histogram histogram(String name, String help, Labels labels) {
        return Histogram.builder()
                .name(name)
                .help(help)
                .constLabels(labels)
                .classicOnly()
                .classicUpperBounds(COMPUTE_MS_BUCKETS)
                .register(registry);
    }

    private Gauge gauge(String name, String help, Labels labels) {
        return Gauge.builder().name(name).help(help).constLabels(labels).register(registry);
    }

    /**
     * Serves {@code /metrics} on {@code host:port} (port 0: any free port); returns the port bound.
     */
    public synchronized int serve(String host, int port) throws IOException {
        if (server != null) {
            throw new IllegalStateException("metrics of " + node + " already served");
        }
        server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
        return server.getPort();
    }

    /** The registry (for a test that reads the values without HTTP). */
    PrometheusRegistry registry() {
        return registry;
    }

    /**
     * A batch's transaction committed with these completions (run here, or stored before a crash);
     * {@code d}'s compute window is the predicted compute time.
     */
    void batchCommitted(BatchDecision d, List<FinishedLog.Stored> completions) {
        batches.inc();
        requestsCompleted.inc(completions.size());
        double measured = Double.NaN;
        for (FinishedLog.Stored s : completions) {
            Completion c;
            try {
                c = Completion.fromByteBuffer(ByteBuffer.wrap(s.value()));
            } catch (IOException | RuntimeException e) {
                continue; // written by this worker's own codec; counted above all the same
            }
            if (c.getDeadlineMet()) {
                deadlineMet.inc();
            } else {
                deadlineMissed.inc();
            }
            if (c.getError() != null) {
                backendErrors.inc();
            }
            // the batch's compute time (every completion of a batch carries it)
            measured =
                    Double.isNaN(measured)
                            ? c.getMeasuredComputeMs()
                            : Math.max(measured, c.getMeasuredComputeMs());
        }
        if (!Double.isNaN(measured)) {
            measuredComputeMs.observe(measured);
        }
        predictedComputeMs.observe(Math.max(0, d.getComputeEndMs() - d.getComputeStartMs()));
    }

    /** A dead letter committed. */
    void batchRefused() {
        refused.inc();
    }

    void deadLetterCommitted() {
        deadLetters.inc();
    }

    /** The backend threw while running a batch. */
    void backendFailed() {
        backendErrors.inc();
    }

    /** The backend started ({@code true}) or ended ({@code false}) a batch. */
    void busy(boolean running) {
        busy.set(running ? 1 : 0);
    }

    /** The smoothed slowdown the heartbeats report. */
    void slowdown(double value) {
        slowdown.set(value);
    }

    /** The records of the assigned decision partitions not yet handled. */
    void decisionsLag(long records) {
        decisionsLag.set(records);
    }

    /** Stops serving (the values stay readable through the registry). */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
