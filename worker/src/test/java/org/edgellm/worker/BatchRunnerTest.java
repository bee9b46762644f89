package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A batch's run: busy-until while it runs, the smoothed slowdown after, kept across restarts. */
class BatchRunnerTest {

    /** A slot far in the future (2096), so busy-until starts at the planned start, not now. */
    static final long SLOT = 4_000_000_000_000L;

    @TempDir Path dir;

    static Completion done(BatchDecision d, int i, double predicted, double measured) {
        return Completion.newBuilder()
                .setRequestId(d.getRequests().get(i).getRequestId())
                .setDecisionId(d.getDecisionId())
                .setNodeId(d.getNodeId())
                .setVariant(d.getVariant())
                .setStartMs(0)
                .setFinishMs(measured)
                .setOutputTokens(1)
                .setPredictedComputeMs(predicted)
                .setMeasuredComputeMs(measured)
                .setDeadlineMet(true)
                .build();
    }

    @Test
    void busyUntilWhileRunningAndTheSlowdownSmoothedOverTheCompletions() throws Exception {
        Path file = dir.resolve("slowdown-n1");
        BatchDecision d = WorkerTesting.decision("d/1/n1", "n1", SLOT, 2); // 200 ms predicted
        d.setAssumedSlowdown(2.0);
        List<Double> busyDuringRun = new ArrayList<>();
        Backend backend =
                b -> {
                    busyDuringRun.add(runnerOf.get().busyUntil());
                    return List.of(done(b, 0, 200, 300), done(b, 1, 200, 100));
                };
        try (WorkerMetrics m = new WorkerMetrics("n1")) {
            BatchRunner runner = new BatchRunner(backend, m, new SlowdownFile(file));
            runnerOf.set(runner);
            assertEquals(1.0, runner.slowdown(), "no file: 1");
            List<FinishedLog.Stored> out = runner.run(d);
            // 200 ms at slowdown 1 over the assumed 2: 100 ms after the planned start
            assertEquals(List.of((double) SLOT + 100), busyDuringRun);
            assertEquals(Double.NEGATIVE_INFINITY, runner.busyUntil(), "idle after");
            // ratios measured / predicted * assumed: 3.0, then 1.0; smoothed 1 -> 2 -> 1.5
            assertEquals(1.5, runner.slowdown(), 1e-12);
            assertEquals(2, out.size());
            assertEquals("d/1/n1#r0", new String(out.get(0).key(), StandardCharsets.UTF_8));
            assertEquals(
                    done(d, 0, 200, 300),
                    Completion.fromByteBuffer(java.nio.ByteBuffer.wrap(out.get(0).value())));
            assertEquals("d/1/n1#r1", new String(out.get(1).key(), StandardCharsets.UTF_8));
            assertEquals(
                    done(d, 1, 200, 100),
                    Completion.fromByteBuffer(java.nio.ByteBuffer.wrap(out.get(1).value())));

            // a restart starts from the stored slowdown and predicts with it
            busyDuringRun.clear();
            BatchRunner again = new BatchRunner(backend, m, new SlowdownFile(file));
            runnerOf.set(again);
            assertEquals(1.5, again.slowdown(), 1e-12);
            again.run(d);
            assertEquals(List.of((double) SLOT + 150), busyDuringRun);
        }
    }

    @Test
    void aRunThatThrowsLeavesTheWorkerIdleAndTheSlowdownAsItWas() throws Exception {
        BatchDecision d = WorkerTesting.decision("d/1/n1", "n1", SLOT, 1);
        RuntimeException boom = new IllegalStateException("GPU gone");
        try (WorkerMetrics m = new WorkerMetrics("n1")) {
            BatchRunner runner =
                    new BatchRunner(
                            b -> {
                                throw boom;
                            },
                            m,
                            new SlowdownFile(dir.resolve("slowdown-n1")));
            assertSame(boom, assertThrows(IllegalStateException.class, () -> runner.run(d)));
            assertEquals(Double.NEGATIVE_INFINITY, runner.busyUntil());
            assertEquals(1.0, runner.slowdown());
            assertEquals(
                    1.0, new SlowdownFile(dir.resolve("slowdown-n1")).read(1.0), "nothing stored");
        }
    }

    /** The runner the backend of the first test reads busy-until from. */
    private final java.util.concurrent.atomic.AtomicReference<BatchRunner> runnerOf =
            new java.util.concurrent.atomic.AtomicReference<>();
}
