package org.edgellm.worker;

import static org.edgellm.worker.WorkerTesting.await;
import static org.edgellm.worker.WorkerTesting.completions;
import static org.edgellm.worker.WorkerTesting.decision;
import static org.edgellm.worker.WorkerTesting.record;
import static org.edgellm.worker.WorkerTesting.send;
import static org.edgellm.worker.WorkerTesting.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.KafkaException;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.job.testing.EmbeddedKafkaExtension;
import org.edgellm.worker.Worker.Step;
import org.edgellm.worker.WorkerTesting.RecordingBackend;
import org.edgellm.worker.WorkerTesting.Running;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A worker crashes at each step of a batch (the crash injected through {@link Worker.Steps}), and a
 * new worker on the same state directory and broker takes over: the batch's completions are
 * committed exactly once, it is not run again once its completions are stored, and finished-through
 * does not pass it before they are committed.
 */
class WorkerCrashITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path state;

    /** Thrown by the injected crash. */
    static final class Crash extends RuntimeException {
        Crash(Step step) {
            super("injected crash at " + step);
        }
    }

    /**
     * Checks at every step of every decision that finished-through has not reached the decision's
     * slot end before its commit; records what it finds.
     */
    static final class FinishedThroughCheck implements Worker.Steps {
        final List<String> violations = Collections.synchronizedList(new ArrayList<>());
        Worker worker;

        @Override
        public void at(Step step, BatchDecision d) {
            long slotEnd = d.getSlotEnd().toEpochMilli();
            if (step != Step.AFTER_COMMIT && worker.finishedThrough() >= slotEnd) {
                violations.add(
                        d.getDecisionId()
                                + " at "
                                + step
                                + ": finished through "
                                + worker.finishedThrough());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Step.class)
    void aCrashAtAnyStepCommitsTheBatchOnce(Step crashAt) throws Exception {
        String prefix = "crash-" + crashAt.name().toLowerCase() + "-";
        String node = "n-" + crashAt.name().toLowerCase();
        KAFKA.broker().createTopics(1, prefix + "decisions", prefix + "completions");
        KAFKA.broker().createTopics(1, prefix + "telemetry", prefix + "dead-letters");
        String decisions = prefix + "decisions";
        String completionsTopic = prefix + "completions";
        long t0 = 1_700_000_000_000L;
        BatchDecision a = decision("d/1/" + node, node, t0 + 1000, 2);
        BatchDecision b = decision("d/2/" + node, node, t0 + 2000, 1);
        BatchDecision c = decision("d/3/" + node, node, t0 + 3000, 1);
        send(KAFKA.broker(), List.of(record(decisions, a), record(decisions, b)));
        RecordingBackend backend = new RecordingBackend();

        // the first worker crashes at the step, on batch a
        FinishedThroughCheck check1 = new FinishedThroughCheck();
        Worker w1 =
                new Worker(
                        settings(KAFKA.broker(), node, prefix, state),
                        backend,
                        (step, d) -> {
                            check1.at(step, d);
                            if (step == crashAt && d.getDecisionId().equals(a.getDecisionId())) {
                                throw new Crash(step);
                            }
                        });
        check1.worker = w1;
        Running r1 = new Running(w1, "worker-1-" + crashAt);
        Throwable crash = r1.awaitEnd(Duration.ofSeconds(60));
        w1.close();
        assertInstanceOf(Crash.class, crash, "the run ended by the injected crash");
        assertEquals(List.of(), check1.violations);
        assertEquals(0, w1.batches());

        // what the crash left: a's completions are committed only if it came after the commit
        List<Completion> afterCrash = completions(KAFKA.broker(), completionsTopic);
        boolean committedBeforeCrash = crashAt == Step.AFTER_COMMIT;
        assertEquals(
                committedBeforeCrash
                        ? List.of(a.getDecisionId() + "#r0", a.getDecisionId() + "#r1")
                        : List.of(),
                afterCrash.stream().map(Completion::getRequestId).toList(),
                "committed at the crash");
        // the heartbeat that shows a finished travels in a's transaction: a job reading
        // read_committed learns a finished exactly when a's completions are visible, even from a
        // worker that died right after its commit and never sent another heartbeat
        boolean heardFinished =
                WorkerTesting.heartbeats(KAFKA.broker(), prefix + "telemetry").stream()
                        .anyMatch(
                                h ->
                                        h.getFinishedThrough() != null
                                                && h.getFinishedThrough().toEpochMilli()
                                                        >= a.getSlotEnd().toEpochMilli());
        assertEquals(committedBeforeCrash, heardFinished, "a committed heartbeat shows a finished");
        boolean stored = crashAt.compareTo(Step.AFTER_LOG) >= 0;
        try (FinishedLog log = new FinishedLog(state.resolve("finished-" + node + ".log"))) {
            assertEquals(stored, log.pending(a.getDecisionId()) != null, "a pending in the log");
            assertFalse(log.contains(a.getDecisionId()), "a not recorded committed yet");
        }

        // the job delivers a again (at-least-once), then c
        send(KAFKA.broker(), List.of(record(decisions, a), record(decisions, c)));

        // a new worker on the same state directory and broker
        FinishedThroughCheck check2 = new FinishedThroughCheck();
        Worker w2 = new Worker(settings(KAFKA.broker(), node, prefix, state), backend, check2);
        check2.worker = w2;
        Running r2 = new Running(w2, "worker-2-" + crashAt);
        // c is the last record: once its completion is committed, every record before it is done
        // (the offsets are committed in order, each with its completions)
        await(
                "c's completion committed",
                Duration.ofSeconds(60),
                () ->
                        WorkerTesting.anyCompletion(
                                KAFKA.broker(),
                                completionsTopic,
                                x -> x.getDecisionId().equals(c.getDecisionId())));
        r2.stopAndClose();

        List<Completion> all = completions(KAFKA.broker(), completionsTopic);
        Map<String, Integer> times = new TreeMap<>();
        all.forEach(x -> times.merge(x.getRequestId(), 1, Integer::sum));
        assertEquals(
                Map.of(
                        a.getDecisionId() + "#r0", 1,
                        a.getDecisionId() + "#r1", 1,
                        b.getDecisionId() + "#r0", 1,
                        c.getDecisionId() + "#r0", 1),
                times,
                "every request's completion committed exactly once");
        // a ran again only if its completions had not been stored
        // (after the run and before the log write, the results existed only in memory)
        assertEquals(
                crashAt == Step.AFTER_RUN ? 2 : 1, backend.runs(a.getDecisionId()), "runs of a");
        assertEquals(1, backend.runs(b.getDecisionId()));
        assertEquals(1, backend.runs(c.getDecisionId()));
        if (stored) {
            // the committed completions are the stored ones of the first run, byte for byte
            List<Completion> firstRun = backend.firstRun.get(a.getDecisionId());
            List<Completion> ofA =
                    all.stream().filter(x -> x.getDecisionId().equals(a.getDecisionId())).toList();
            assertEquals(firstRun, ofA);
        }
        assertEquals(List.of(), check2.violations, "finished-through passed a batch early");
        assertEquals(c.getSlotEnd().toEpochMilli(), w2.finishedThrough());
        // the second worker committed a (unless it was committed before the crash), b and c
        assertEquals(committedBeforeCrash ? 2 : 3, w2.batches());
        try (FinishedLog log = new FinishedLog(state.resolve("finished-" + node + ".log"))) {
            assertEquals(List.of(), log.pendingDecisions());
            assertTrue(log.contains(a.getDecisionId()));
            assertTrue(log.contains(c.getDecisionId()));
            assertEquals(c.getSlotEnd().toEpochMilli(), log.committedThroughMs());
        }
    }

    /**
     * The worst case with a hard stop: a worker hangs between its log write and its commit with its
     * transaction open, a new worker takes over (fencing it) and publishes the stored completions;
     * when the old one wakes up, its commit fails.
     */
    @Test
    void aWorkerThatHangsBeforeItsCommitIsFencedByItsReplacement() throws Exception {
        String prefix = "zombie-";
        String node = "nz";
        KAFKA.broker().createTopics(1, prefix + "decisions", prefix + "completions");
        KAFKA.broker().createTopics(1, prefix + "telemetry", prefix + "dead-letters");
        String decisions = prefix + "decisions";
        String completionsTopic = prefix + "completions";
        BatchDecision a = decision("d/1/" + node, node, 1_700_000_001_000L, 2);
        send(KAFKA.broker(), List.of(record(decisions, a)));
        RecordingBackend backend = new RecordingBackend();
        CountDownLatch hanging = new CountDownLatch(1);
        CountDownLatch wake = new CountDownLatch(1);
        Worker w1 =
                new Worker(
                        settings(KAFKA.broker(), node, prefix, state),
                        backend,
                        (step, d) -> {
                            if (step == Step.BEFORE_COMMIT) {
                                hanging.countDown();
                                wake.await();
                            }
                        });
        Running r1 = new Running(w1, "worker-zombie");
        assertTrue(hanging.await(60, TimeUnit.SECONDS), "the first worker reached its commit");
        // the process is as good as dead: its state directory is released (the OS would release
        // the lock of a dead process); its producer and consumer stay open
        w1.close();

        Worker w2 = new Worker(settings(KAFKA.broker(), node, prefix, state), backend);
        Running r2 = new Running(w2, "worker-replacement");
        await(
                "a's completions committed by the replacement",
                Duration.ofSeconds(60),
                () -> completions(KAFKA.broker(), completionsTopic).size() >= 2);

        wake.countDown();
        Throwable zombie = r1.awaitEnd(Duration.ofSeconds(60));
        assertNotNull(zombie, "the old worker's commit must fail");
        assertInstanceOf(KafkaException.class, zombie, "fenced: " + zombie);
        r2.stopAndClose();

        List<Completion> all = completions(KAFKA.broker(), completionsTopic);
        assertEquals(
                List.of(a.getDecisionId() + "#r0", a.getDecisionId() + "#r1"),
                all.stream().map(Completion::getRequestId).sorted().toList());
        assertEquals(1, backend.runs(a.getDecisionId()), "published from the log, not run again");
        assertEquals(backend.firstRun.get(a.getDecisionId()), all);
        assertEquals(1, w2.batches());
    }
}
