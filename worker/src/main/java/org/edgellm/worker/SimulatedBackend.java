package org.edgellm.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.DecidedRequest;

/**
 * Runs a batch for the time the model predicts at nominal speed (the job's prediction divided by
 * the slowdown it assumed), times this GPU's slowdown with seeded jitter. In real time it waits
 * until the planned compute start and then for the measured compute time, so the live loop sees
 * real timing; in fast-forward it only advances a virtual clock. The first token comes after the
 * prefill share of the batch (its prompt positions over all positions), the answer's download takes
 * the time the job predicted.
 */
public final class SimulatedBackend implements Backend {

    /** Waits; replaced in tests and in fast-forward. */
    public interface Clock {
        long now();

        void sleepUntil(long epochMs) throws InterruptedException;
    }

    /** The wall clock. */
    public static final Clock REAL =
            new Clock() {
                @Override
                public long now() {
                    return System.currentTimeMillis();
                }

                @Override
                public void sleepUntil(long t) throws InterruptedException {
                    long d = t - System.currentTimeMillis();
                    if (d > 0) {
                        Thread.sleep(d);
                    }
                }
            };

    /** A clock that jumps instead of waiting. */
    public static final class VirtualClock implements Clock {
        private long now;

        public VirtualClock(long start) {
            this.now = start;
        }

        @Override
        public long now() {
            return Math.max(now, System.currentTimeMillis());
        }

        @Override
        public void sleepUntil(long t) {
            now = Math.max(now, t);
        }
    }

    private final double slowdown;
    private final double jitter;
    private final Random random;
    private final Clock clock;

    public SimulatedBackend(double slowdown, double jitter, long seed, Clock clock) {
        if (!(slowdown > 0) || !(jitter >= 0)) {
            throw new IllegalArgumentException(
                    "slowdown must be positive and jitter not negative (got "
                            + slowdown
                            + ", "
                            + jitter
                            + ")");
        }
        this.slowdown = slowdown;
        this.jitter = jitter;
        this.random = new Random(seed);
        this.clock = clock;
    }

    /** Runs the batch; returns one completion per request. */
    @Override
    public List<Completion> run(BatchDecision d) throws InterruptedException {
        double predicted = d.getComputeEndMs() - d.getComputeStartMs();
        // the job's prediction already includes the slowdown it assumed: the GPU's own speed is
        // the nominal time (the prediction without it) times this GPU's slowdown
        double nominal = predicted / (d.getAssumedSlowdown() > 0 ? d.getAssumedSlowdown() : 1.0);
        double factor = Math.max(0.05, slowdown * (1 + jitter * random.nextGaussian()));
        double measured = nominal * factor;
        clock.sleepUntil((long) Math.ceil(d.getComputeStartMs()));
        long start = clock.now();
        int maxPrompt = 0;
        int maxOutput = 0;
        for (DecidedRequest r : d.getRequests()) {
            maxPrompt = Math.max(maxPrompt, r.getPromptTokens());
            maxOutput = Math.max(maxOutput, r.getMaxOutputTokens());
        }
        double prefillShare = (double) maxPrompt / (maxPrompt + maxOutput);
        clock.sleepUntil(start + (long) Math.ceil(measured));
        double end = start + measured;
        List<Completion> out = new ArrayList<>();
        for (DecidedRequest r : d.getRequests()) {
            double download = r.getPredictedFinishMs() - d.getComputeEndMs();
            double finish = end + Math.max(0, download);
            out.add(
                    Completion.newBuilder()
                            .setRequestId(r.getRequestId())
                            .setDecisionId(d.getDecisionId())
                            .setNodeId(d.getNodeId())
                            .setVariant(d.getVariant())
                            .setStartMs(start)
                            .setFirstTokenMs(start + measured * prefillShare)
                            .setFinishMs(finish)
                            .setOutputTokens(r.getMaxOutputTokens())
                            .setPredictedComputeMs(predicted)
                            .setMeasuredComputeMs(measured)
                            .setDeadlineMet(finish <= r.getDeadlineMs())
                            .build());
        }
        return out;
    }
}
