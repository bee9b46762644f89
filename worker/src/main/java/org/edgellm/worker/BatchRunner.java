package org.edgellm.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.EventCodec;

/**
 * Runs the batches of one {@link Worker} on its {@link Backend} and keeps what the heartbeats say
 * about them: the expected end of the batch running (busy-until) and the measured slowdown,
 * smoothed over the completions and kept across restarts in a {@link SlowdownFile}.
 */
final class BatchRunner {
    private final Backend backend;
    private final WorkerMetrics metrics;

    /** Where the slowdown survives a restart. */
    private final SlowdownFile slowdownFile;

    /** The expected end of the batch running (epoch ms); not positive when idle. */
    private volatile double busyUntil;

    /** The measured slowdown, smoothed. */
    private volatile double slowdown = 1.0;

    /** Starts from the slowdown stored in {@code slowdownFile} (1 when none), reported. */
    BatchRunner(Backend backend, WorkerMetrics metrics, SlowdownFile slowdownFile)
            throws IOException {
        this.backend = backend;
        this.metrics = metrics;
        this.slowdownFile = slowdownFile;
        this.slowdown = slowdownFile.read(1.0);
        metrics.slowdown(slowdown);
    }

    /** The expected end of the batch running (epoch ms), or not positive when idle. */
    double busyUntil() {
        return busyUntil;
    }

    /** The measured slowdown (smoothed; not clamped). */
    double slowdown() {
        return slowdown;
    }

    /** Runs a batch; its completions as they are produced (key: the request id). */
    List<FinishedLog.Stored> run(BatchDecision d) throws Exception {
        // the expected end of this batch: from its planned start (or now, if late), for its
        // predicted time rescaled from the slowdown the job assumed to the one measured here
        double predicted = d.getComputeEndMs() - d.getComputeStartMs();
        busyUntil =
                Math.max(System.currentTimeMillis(), d.getComputeStartMs())
                        + predicted
                                * Math.max(0.01, slowdown)
                                / Math.max(0.01, d.getAssumedSlowdown());
        List<Completion> done;
        metrics.busy(true);
        try {
            done = backend.run(d);
        } catch (Exception e) {
            metrics.backendFailed();
            throw e;
        } finally {
            busyUntil = Double.NEGATIVE_INFINITY; // idle until the next one
            metrics.busy(false);
        }
        List<FinishedLog.Stored> out = new ArrayList<>(done.size());
        for (Completion c : done) {
            out.add(
                    new FinishedLog.Stored(
                            c.getRequestId().getBytes(StandardCharsets.UTF_8),
                            EventCodec.encode(c)));
            // the GPU's own slowdown: measured over nominal (the prediction without the slowdown
            // the job assumed); reporting measured / predicted instead would undo the correction
            double ratio =
                    c.getMeasuredComputeMs()
                            / Math.max(1e-9, c.getPredictedComputeMs())
                            * d.getAssumedSlowdown();
            slowdown = 0.5 * slowdown + 0.5 * ratio; // smoothed
        }
        metrics.slowdown(Math.max(0.01, slowdown));
        if (!done.isEmpty()) {
            slowdownFile.write(slowdown);
        }
        return out;
    }
}
