package org.edgellm.worker;

import static org.edgellm.worker.WorkerTesting.Running;
import static org.edgellm.worker.WorkerTesting.await;
import static org.edgellm.worker.WorkerTesting.completions;
import static org.edgellm.worker.WorkerTesting.decision;
import static org.edgellm.worker.WorkerTesting.record;
import static org.edgellm.worker.WorkerTesting.send;
import static org.edgellm.worker.WorkerTesting.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.NodeTelemetry;
import org.edgellm.job.testing.EmbeddedKafkaExtension;
import org.edgellm.worker.Worker.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fencing by lease, against a real broker: a worker never starts a batch whose lease has ended and
 * never publishes completions after it, even those it stored before a crash; it records the refusal
 * durably, skips the decision when it is delivered again, and repeats the refusal in its heartbeats
 * so that the job re-dispatches or reports the requests. The worker's clock is injected: the lease
 * is judged by it, nothing waits for real time to pass.
 */
class WorkerLeaseITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path state;

    static final long NOW = 1_700_000_000_000L;

    static BatchDecision leased(String id, String node, long slotEnd, long leaseUntil) {
        BatchDecision d = decision(id, node, slotEnd, 1);
        d.setLeaseUntil(Instant.ofEpochMilli(leaseUntil));
        return d;
    }

    static List<NodeTelemetry> heartbeats(String topic) {
        return WorkerTesting.heartbeats(KAFKA.broker(), topic);
    }

    /** Waits for a heartbeat that names the decision refused. */
    static void awaitRefusal(String prefix, BatchDecision d) throws Exception {
        await(
                "a heartbeat names " + d.getDecisionId() + " refused",
                Duration.ofSeconds(60),
                () ->
                        heartbeats(prefix + "telemetry").stream()
                                .anyMatch(h -> h.getRefused().contains(d.getDecisionId())));
    }

    /** Waits for a heartbeat finished through through's slot that names refused as refused. */
    static void awaitHeartbeat(
            String prefix, String what, BatchDecision through, BatchDecision refused)
            throws Exception {
        await(
                what,
                Duration.ofSeconds(60),
                () ->
                        heartbeats(prefix + "telemetry").stream()
                                .anyMatch(
                                        h ->
                                                h.getFinishedThrough().toEpochMilli()
                                                                == through.getSlotEnd()
                                                                        .toEpochMilli()
                                                        && h.getRefused()
                                                                .contains(
                                                                        refused.getDecisionId())));
    }

    /** Waits for a committed completion of the decision. */
    static void awaitCompletion(String prefix, BatchDecision d) throws Exception {
        await(
                d.getDecisionId() + "'s completion committed",
                Duration.ofSeconds(60),
                () ->
                        WorkerTesting.anyCompletion(
                                KAFKA.broker(),
                                prefix + "completions",
                                c -> c.getDecisionId().equals(d.getDecisionId())));
    }

    /** A worker of the node on the prefix's topics with the given backend, steps and clock. */
    Worker worker(String node, String prefix, Backend backend, Worker.Steps steps, AtomicLong clock)
            throws java.io.IOException {
        return new Worker(
                settings(KAFKA.broker(), node, prefix, state),
                backend,
                steps,
                new WorkerMetrics(node),
                clock::get);
    }

    static void topics(String prefix) throws Exception {
        KAFKA.broker().createTopics(1, prefix + "decisions", prefix + "completions");
        KAFKA.broker().createTopics(1, prefix + "telemetry", prefix + "dead-letters");
    }

    @Test
    void aReturningWorkerDoesNotRunABatchWhoseLeaseEnded() throws Exception {
        String prefix = "lease-returning-";
        String node = "n-returning";
        topics(prefix);
        // a was decided while the worker was down; its lease is over by the time it comes back.
        // b's lease is still running.
        BatchDecision a = leased("d/1/" + node, node, NOW - 5000, NOW - 1);
        BatchDecision b = leased("d/2/" + node, node, NOW - 4000, NOW + 60_000);
        send(
                KAFKA.broker(),
                List.of(record(prefix + "decisions", a), record(prefix + "decisions", b)));
        WorkerTesting.RecordingBackend backend = new WorkerTesting.RecordingBackend();
        WorkerMetrics metrics = new WorkerMetrics(node);
        int port = metrics.serve("127.0.0.1", WorkerMetricsTest.freePort());
        Worker w =
                new Worker(
                        settings(KAFKA.broker(), node, prefix, state),
                        backend,
                        Worker.Steps.NONE,
                        metrics,
                        () -> NOW);
        Running r = new Running(w, "lease-returning");
        awaitCompletion(prefix, b);
        awaitHeartbeat(prefix, "a heartbeat past b that names a as refused", b, a);
        // the same decision again (the job's at-least-once mode): skipped
        send(KAFKA.broker(), List.of(record(prefix + "decisions", a)));
        BatchDecision c = leased("d/3/" + node, node, NOW - 3000, NOW + 60_000);
        send(KAFKA.broker(), List.of(record(prefix + "decisions", c)));
        awaitCompletion(prefix, c);
        r.stopAndClose();
        assertEquals(0, backend.runs(a.getDecisionId()), "a batch past its lease is never run");
        assertEquals(1, backend.runs(b.getDecisionId()));
        List<String> decided =
                completions(KAFKA.broker(), prefix + "completions").stream()
                        .map(Completion::getDecisionId)
                        .toList();
        assertEquals(List.of(b.getDecisionId(), c.getDecisionId()), decided);
        // no heartbeat ever passed a without naming it refused
        for (NodeTelemetry h : heartbeats(prefix + "telemetry")) {
            if (h.getFinishedThrough().toEpochMilli() >= a.getSlotEnd().toEpochMilli()) {
                assertTrue(h.getRefused().contains(a.getDecisionId()), h.toString());
            }
        }
        try (FinishedLog log = new FinishedLog(state.resolve("finished-" + node + ".log"))) {
            assertTrue(log.refused(a.getDecisionId()));
            assertFalse(log.refused(b.getDecisionId()));
            assertEquals(List.of(a.getDecisionId()), log.refusedSince(0, 10));
        }
        assertEquals(
                1.0,
                PrometheusText.scrape(port)
                        .value(
                                "edgellm_worker_batches_refused_total",
                                java.util.Map.of("node", node)),
                "the refusal is counted");
        metrics.close();
    }

    @Test
    void aBatchThatRunsPastItsLeaseIsNotPublished() throws Exception {
        String prefix = "lease-overrun-";
        String node = "n-overrun";
        topics(prefix);
        AtomicLong clock = new AtomicLong(NOW);
        BatchDecision a = leased("d/1/" + node, node, NOW, NOW + 100);
        send(KAFKA.broker(), List.of(record(prefix + "decisions", a)));
        WorkerTesting.RecordingBackend recording = new WorkerTesting.RecordingBackend();
        Backend slow =
                d -> {
                    clock.addAndGet(1000); // the GPU took a second: past the lease
                    return recording.run(d);
                };
        Worker w = worker(node, prefix, slow, Worker.Steps.NONE, clock);
        Running r = new Running(w, "lease-overrun");
        awaitRefusal(prefix, a);
        awaitHeartbeat(
                prefix, "finished-through passes the refused batch (progress, not a stall)", a, a);
        r.stopAndClose();
        assertEquals(1, recording.runs(a.getDecisionId()), "it ran");
        assertEquals(
                List.of(),
                completions(KAFKA.broker(), prefix + "completions"),
                "nothing published");
        try (FinishedLog log = new FinishedLog(state.resolve("finished-" + node + ".log"))) {
            assertTrue(log.refused(a.getDecisionId()));
            assertNull(log.pending(a.getDecisionId()), "its completions are not kept");
        }
    }

    /**
     * The worst moment: the worker crashes between its log write and its commit (the completions
     * stored, not published) and comes back after the lease has ended. The stored completions are
     * not published: the job may have re-dispatched the requests already.
     */
    @Test
    void storedCompletionsAreNotPublishedAfterTheLease() throws Exception {
        String prefix = "lease-crash-";
        String node = "n-crash";
        topics(prefix);
        AtomicLong clock = new AtomicLong(NOW);
        BatchDecision a = leased("d/1/" + node, node, NOW, NOW + 5000);
        send(KAFKA.broker(), List.of(record(prefix + "decisions", a)));
        WorkerTesting.RecordingBackend backend = new WorkerTesting.RecordingBackend();
        Worker w1 =
                worker(
                        node,
                        prefix,
                        backend,
                        (step, d) -> {
                            if (step == Step.BEFORE_COMMIT) {
                                throw new WorkerCrashITCase.Crash(step);
                            }
                        },
                        clock);
        Running r1 = new Running(w1, "lease-crash-1");
        assertInstanceOf(WorkerCrashITCase.Crash.class, r1.awaitEnd(Duration.ofSeconds(60)));
        w1.close();
        try (FinishedLog log = new FinishedLog(state.resolve("finished-" + node + ".log"))) {
            assertTrue(log.pending(a.getDecisionId()) != null, "stored before the crash");
        }
        clock.set(NOW + 5001); // back after the lease
        Worker w2 = worker(node, prefix, backend, Worker.Steps.NONE, clock);
        Running r2 = new Running(w2, "lease-crash-2");
        awaitRefusal(prefix, a);
        r2.stopAndClose();
        assertEquals(1, backend.runs(a.getDecisionId()));
        assertEquals(
                List.of(),
                completions(KAFKA.broker(), prefix + "completions"),
                "nothing published");
        try (FinishedLog log = new FinishedLog(state.resolve("finished-" + node + ".log"))) {
            assertTrue(log.refused(a.getDecisionId()));
            assertEquals(List.of(), log.pendingDecisions());
        }
    }

    /**
     * A commit that passed the lease check but lands only after the lease (a broker outage holds
     * it): no heartbeat is sent meanwhile, so no heartbeat stamped after the lease says the batch
     * is unfinished. The job settles a batch at once on such a heartbeat; one sent during this
     * commit would have made it report (or re-dispatch) a batch that then completed.
     */
    @Test
    void noHeartbeatWhileACommitOutlastsTheLease() throws Exception {
        String prefix = "lease-slow-commit-";
        String node = "n-slow-commit";
        topics(prefix);
        AtomicLong clock = new AtomicLong(NOW);
        BatchDecision a = leased("d/1/" + node, node, NOW, NOW + 1000);
        WorkerTesting.RecordingBackend backend = new WorkerTesting.RecordingBackend();
        Worker w =
                worker(
                        node,
                        prefix,
                        backend,
                        (step, d) -> {
                            if (step == Step.BEFORE_COMMIT) {
                                // the commit starts in time and takes 5 s of the worker's clock
                                // (one real second: ten heartbeat intervals)
                                clock.set(NOW + 6000);
                                Thread.sleep(1000);
                            }
                        },
                        clock);
        Running r = new Running(w, "lease-slow-commit");
        await(
                "a heartbeat before the decision",
                Duration.ofSeconds(60),
                () -> !heartbeats(prefix + "telemetry").isEmpty());
        send(KAFKA.broker(), List.of(record(prefix + "decisions", a)));
        long slotEnd = a.getSlotEnd().toEpochMilli();
        await(
                "a heartbeat that shows a finished",
                Duration.ofSeconds(60),
                () ->
                        heartbeats(prefix + "telemetry").stream()
                                .anyMatch(h -> h.getFinishedThrough().toEpochMilli() >= slotEnd));
        r.stopAndClose();
        assertEquals(1, completions(KAFKA.broker(), prefix + "completions").size(), "a committed");
        List<NodeTelemetry> after =
                heartbeats(prefix + "telemetry").stream()
                        .filter(h -> h.getTime().toEpochMilli() > NOW + 1000)
                        .toList();
        assertFalse(after.isEmpty(), "heartbeats stamped after the lease");
        for (NodeTelemetry h : after) {
            assertTrue(
                    h.getFinishedThrough().toEpochMilli() >= slotEnd,
                    "stamped after the lease, yet a not finished: " + h);
        }
    }

    /**
     * The broker holds the transaction's sends past the lease (it was away): once they are
     * acknowledged, the worker finds the lease over, aborts the transaction instead of committing
     * it, and refuses the batch; nothing is published and the decision is not run again.
     */
    @Test
    void sendsHeldPastTheLeaseAreAbortedAndTheBatchRefused() throws Exception {
        String prefix = "lease-held-sends-";
        String node = "n-held-sends";
        topics(prefix);
        AtomicLong clock = new AtomicLong(NOW);
        BatchDecision a = leased("d/1/" + node, node, NOW, NOW + 1000);
        BatchDecision b = leased("d/2/" + node, node, NOW + 100, NOW + 60_000);
        send(KAFKA.broker(), List.of(record(prefix + "decisions", a)));
        WorkerTesting.RecordingBackend backend = new WorkerTesting.RecordingBackend();
        Worker w =
                worker(
                        node,
                        prefix,
                        backend,
                        (step, d) -> {
                            if (step == Step.AFTER_SEND
                                    && d.getDecisionId().equals(a.getDecisionId())) {
                                clock.set(NOW + 1001); // the acknowledgements came after the lease
                            }
                        },
                        clock);
        Running r = new Running(w, "lease-held-sends");
        awaitRefusal(prefix, a);
        send(
                KAFKA.broker(),
                List.of(record(prefix + "decisions", a), record(prefix + "decisions", b)));
        awaitCompletion(prefix, b);
        r.stopAndClose();
        assertEquals(1, backend.runs(a.getDecisionId()), "run once, never again");
        assertEquals(
                List.of(b.getDecisionId()),
                completions(KAFKA.broker(), prefix + "completions").stream()
                        .map(Completion::getDecisionId)
                        .toList(),
                "a's aborted completions are not visible under read_committed");
        try (FinishedLog log = new FinishedLog(state.resolve("finished-" + node + ".log"))) {
            assertTrue(log.refused(a.getDecisionId()));
            assertEquals(List.of(), log.pendingDecisions());
        }
    }
}
