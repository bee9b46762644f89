package org.edgellm.job.domain;

import static org.edgellm.job.domain.DomainFixtures.NO_CLOCK;
import static org.edgellm.job.domain.DomainFixtures.TOPOLOGY;
import static org.edgellm.job.domain.DomainFixtures.channel;
import static org.edgellm.job.domain.DomainFixtures.heartbeat;
import static org.edgellm.job.domain.DomainFixtures.progress;
import static org.edgellm.job.domain.DomainFixtures.request;
import static org.edgellm.job.domain.DomainFixtures.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.edgellm.job.InputEvent;
import org.edgellm.job.JobConfig;
import org.edgellm.job.Topology;
import org.edgellm.scheduler.Algorithms;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.Schedule;
import org.edgellm.scheduler.Scheduler;
import org.edgellm.scheduler.SearchBudget;
import org.junit.jupiter.api.Test;

/**
 * Every request ends once, and a decided request is completed or reported: a node never heard from
 * gets nothing, a one-node domain whose node dies and a whole site that goes down while other
 * domains live are reported, and at-least-once decisions do not depend on the machine's speed.
 */
class NothingVanishesTest {

    static final long TIMEOUT = 1000;

    /** Each request id to its outcomes ("decided on NODE" or the rejection reason). */
    static Map<String, List<String>> outcomes(List<SlotOutcome> os) {
        Map<String, List<String>> m = new TreeMap<>();
        for (SlotOutcome o : os) {
            for (Decision d : o.decisions()) {
                for (Decision.Decided r : d.requests()) {
                    m.computeIfAbsent(r.request().requestId, k -> new ArrayList<>())
                            .add("decided on " + d.nodeId());
                }
            }
            for (Rejected r : o.rejections()) {
                m.computeIfAbsent(r.requestId(), k -> new ArrayList<>()).add(r.reason().name());
            }
        }
        return m;
    }

    static InputEvent req(String id, String user, String domain, long t) {
        InputEvent r = request(id, domain, t, 8_000);
        r.request.userId = user;
        r.request.promptTokens = 200;
        r.request.maxOutputTokens = 40;
        return r;
    }

    @Test
    void aNodeNeverHeardFromGetsNothing() {
        DomainFixtures.Settings s = settings();
        s.offerUnheardNodes = false; // the default of the live job
        EventTimeDriverTest.Recorder rec = new EventTimeDriverTest.Recorder(100_000);
        EventTimeDriver drv =
                new EventTimeDriver(new DomainScheduler(TOPOLOGY, s.build(), NO_CLOCK), rec);
        // only d1-b's worker runs; d1-a's was never started
        for (long t = 0; t <= 6000; t += 100) {
            drv.accept(heartbeat("d1-b", "d1", t, true));
            drv.accept(channel("u1", "d1", "d1-a", t, 6.0));
            drv.accept(channel("u1", "d1", "d1-b", t, 6.0));
            if (t % 500 == 0 && t <= 3000) {
                drv.accept(req("r" + t, "u1", "d1", t));
            }
        }
        drv.finish();
        Map<String, List<String>> m = outcomes(rec.outcomes);
        assertEquals(7, m.size(), m.toString());
        boolean anyDecided = false;
        for (Map.Entry<String, List<String>> e : m.entrySet()) {
            assertEquals(1, e.getValue().size(), "one outcome each: " + e);
            assertFalse(
                    e.getValue().get(0).equals("decided on d1-a"), "d1-a was never heard: " + e);
            anyDecided |= e.getValue().get(0).equals("decided on d1-b");
        }
        assertTrue(anyDecided, m.toString());
    }

    /** A heartbeat with progress, healthy or not, refusing the given decisions. */
    static InputEvent beat(
            String node, String domain, long t, boolean healthy, long through, String... refused) {
        org.edgellm.job.TelemetryEvent e = DomainFixtures.telemetry(node, domain, t, healthy);
        e.finishedThrough = through;
        e.refused = refused.length == 0 ? null : refused;
        return InputEvent.of(e);
    }

    /** Each decision of the run by id. */
    static Map<String, Decision> decisions(List<SlotOutcome> os) {
        Map<String, Decision> m = new TreeMap<>();
        for (SlotOutcome o : os) {
            for (Decision d : o.decisions()) {
                m.put(d.decisionId(), d);
            }
        }
        return m;
    }

    @Test
    void aCrashedNodesBatchIsRedispatchedToAnotherNodeAfterItsLease() {
        EventTimeDriverTest.Recorder rec = new EventTimeDriverTest.Recorder(100_000);
        EventTimeDriver drv =
                new EventTimeDriver(
                        new DomainScheduler(TOPOLOGY, settings().build(), NO_CLOCK), rec);
        // d1-b is down at first, so r1 goes to d1-a; then d1-a crashes and d1-b comes up
        drv.accept(beat("d1-a", "d1", 0, true, 0));
        drv.accept(beat("d1-b", "d1", 0, false, 0));
        drv.accept(channel("u1", "d1", "d1-a", 0, 6.0));
        drv.accept(channel("u1", "d1", "d1-b", 0, 6.0));
        InputEvent r1 = req("r1", "u1", "d1", 10);
        r1.request.deadline = 20_000;
        drv.accept(r1);
        for (long t = 100; t <= 12_000; t += 100) {
            // d1-a is silent from here on; d1-b finishes what it gets within a slot
            long through =
                    decisions(rec.outcomes).values().stream()
                            .filter(d -> d.nodeId().equals("d1-b"))
                            .mapToLong(Decision::slotEnd)
                            .max()
                            .orElse(0);
            drv.accept(beat("d1-b", "d1", t, true, through));
            drv.accept(channel("u1", "d1", "d1-b", t, 6.0));
        }
        drv.finish();
        Map<String, List<String>> m = outcomes(rec.outcomes);
        assertEquals(List.of("decided on d1-a", "decided on d1-b"), m.get("r1"), m.toString());
        List<Decision> ds = List.copyOf(decisions(rec.outcomes).values());
        Decision first = ds.stream().filter(d -> d.nodeId().equals("d1-a")).findFirst().get();
        Decision again = ds.stream().filter(d -> d.nodeId().equals("d1-b")).findFirst().get();
        assertTrue(first.leaseUntilMs() > first.computeEndMs(), "a watched batch has a lease");
        // fencing: the new decision is made only once the old lease is over plus a timeout, so
        // the old worker can no longer commit it
        assertTrue(
                again.slotEnd() > first.leaseUntilMs() + TIMEOUT,
                again.slotEnd() + " vs lease " + first.leaseUntilMs());
        assertTrue(rec.outcomes.stream().anyMatch(o -> o.redispatched() == 1));
        drv.finish();
    }

    /**
     * d1-a healthy and d1-b not, both heard; u1 reaches d1-a; r1 (deadline given) is decided on
     * d1-a in the slot of 100, and the slot of 150 is closed.
     */
    static EventTimeDriver r1DecidedOnA(EventTimeDriverTest.Recorder rec, double deadline) {
        EventTimeDriver drv =
                new EventTimeDriver(
                        new DomainScheduler(TOPOLOGY, settings().build(), NO_CLOCK), rec);
        drv.accept(beat("d1-a", "d1", 0, true, 0));
        drv.accept(beat("d1-b", "d1", 0, false, 0));
        drv.accept(channel("u1", "d1", "d1-a", 0, 6.0));
        InputEvent r1 = req("r1", "u1", "d1", 10);
        r1.request.deadline = deadline;
        drv.accept(r1);
        drv.accept(beat("d1-a", "d1", 150, true, 0));
        drv.accept(beat("d1-b", "d1", 150, false, 0));
        drv.accept(channel("u1", "d1", "d1-a", 150, 6.0));
        drv.accept(channel("u1", "d1", "d1-a", 250, 6.0)); // closes the slot of 150
        return drv;
    }

    /** At t: d1-a heard finished through aThrough (naming refused), d1-b heard, u1's channel. */
    static void tick(EventTimeDriver drv, long t, long aThrough, String... refused) {
        drv.accept(beat("d1-a", "d1", t, true, aThrough, refused));
        drv.accept(beat("d1-b", "d1", t, false, 0));
        drv.accept(channel("u1", "d1", "d1-a", t, 6.0));
    }

    @Test
    void aBatchItsWorkerRefusedIsRedispatchedAtOnce() {
        EventTimeDriverTest.Recorder rec = new EventTimeDriverTest.Recorder(100_000);
        EventTimeDriver drv = r1DecidedOnA(rec, 20_000);
        Decision first = decisions(rec.outcomes).values().iterator().next();
        // its worker restarted late and refused it; finished-through passes it all the same
        for (long t = 300; t <= 1000; t += 100) {
            tick(drv, t, first.slotEnd(), first.decisionId());
        }
        Map<String, List<String>> m = outcomes(rec.outcomes);
        assertEquals(List.of("decided on d1-a", "decided on d1-a"), m.get("r1"), m.toString());
        Decision again =
                decisions(rec.outcomes).values().stream()
                        .filter(d -> !d.decisionId().equals(first.decisionId()))
                        .findFirst()
                        .get();
        assertTrue(
                again.slotEnd() < first.leaseUntilMs(),
                "a refusal needs no wait for the lease: " + again.slotEnd());
    }

    static final Topology SOLO =
            Topology.parse(
                    DomainFixtures.YAML
                            + """
                              - id: solo
                                nodes:
                            """
                            + DomainFixtures.NODE_BIG.formatted("solo-a"),
                    "solo");

    /**
     * The at-least-once fault run's deadlock: a decision reaches its worker only after its lease (a
     * TaskManager restart replayed it), the node is heard after the lease meanwhile, so the batch
     * is settled and the node taken for stalled; the worker then refuses the batch. The refusal
     * moves finished-through (the worker handled the decision), which is progress: the node gets
     * work again instead of nothing for ever.
     */
    @Test
    void aNodeTakenForStalledGetsWorkAgainOnceItsWorkerRefusesTheBatch() {
        EventTimeDriverTest.Recorder rec = new EventTimeDriverTest.Recorder(100_000);
        EventTimeDriver drv = r1DecidedOnA(rec, 60_000);
        Decision first = decisions(rec.outcomes).values().iterator().next();
        long t = 300;
        // heard after the lease, finished nothing: settled (no other node: reported), stalled
        for (; t <= first.leaseUntilMs() + 600; t += 100) { // the watermark trails by 200 ms
            tick(drv, t, 0);
        }
        assertEquals(List.of("decided on d1-a", "UNFINISHED"), outcomes(rec.outcomes).get("r1"));
        InputEvent r2 = req("r2", "u1", "d1", t);
        r2.request.deadline = t + 60_000;
        drv.accept(r2);
        for (long stop = t + 1000; t <= stop; t += 100) {
            tick(drv, t, 0);
        }
        assertEquals(null, outcomes(rec.outcomes).get("r2"), "a stalled node gets nothing");
        assertTrue(rec.outcomes.stream().anyMatch(o -> o.pending() == 1), "r2 waits in the queue");
        // the worker refuses the late decision: finished-through passes it
        for (long stop = t + 500; t <= stop; t += 100) {
            tick(drv, t, first.slotEnd(), first.decisionId());
        }
        assertEquals(List.of("decided on d1-a"), outcomes(rec.outcomes).get("r2"));
        assertEquals(
                List.of("decided on d1-a", "UNFINISHED"),
                outcomes(rec.outcomes).get("r1"),
                "reported once");
    }

    @Test
    void aOneNodeDomainWhoseNodeDiesIsReported() {
        EventTimeDriverTest.Recorder rec = new EventTimeDriverTest.Recorder(100_000);
        EventTimeDriver drv =
                new EventTimeDriver(new DomainScheduler(SOLO, settings().build(), NO_CLOCK), rec);
        drv.accept(progress("solo-a", "solo", 0, Long.MIN_VALUE + 1));
        drv.accept(channel("u1", "solo", "solo-a", 0, 6.0));
        drv.accept(req("r1", "u1", "solo", 10));
        // the node dies; the site's users keep measuring their channels
        for (long t = 100; t <= 8000; t += 100) {
            drv.accept(channel("u1", "solo", "solo-a", t, 6.0));
        }
        Map<String, List<String>> m = outcomes(rec.outcomes);
        assertEquals(List.of("decided on solo-a", "UNFINISHED"), m.get("r1"), m.toString());
        drv.finish();
    }

    @Test
    void aWholeSiteDownIsReportedWhileAnotherDomainOfTheSameCoordinatorLives() {
        EventTimeDriverTest.Recorder rec = new EventTimeDriverTest.Recorder(100_000);
        // one scheduler for both domains: as on one subtask of the job
        EventTimeDriver drv =
                new EventTimeDriver(
                        new DomainScheduler(TOPOLOGY, settings().build(), NO_CLOCK), rec);
        for (String d : List.of("d1", "d2")) {
            drv.accept(progress(d + "-a", d, 0, Long.MIN_VALUE + 1));
            drv.accept(progress(d + "-b", d, 0, Long.MIN_VALUE + 1));
            drv.accept(channel("u-" + d, d, d + "-a", 0, 6.0));
            drv.accept(channel("u-" + d, d, d + "-b", 0, 6.0));
            drv.accept(req("r-" + d, "u-" + d, d, 10));
        }
        for (long t = 100; t <= 8000; t += 100) {
            // d2's workers go on, d1's site is down; both sites' users keep measuring
            drv.accept(progress("d2-a", "d2", t, 100));
            drv.accept(progress("d2-b", "d2", t, 100));
            for (String d : List.of("d1", "d2")) {
                drv.accept(channel("u-" + d, d, d + "-a", t, 6.0));
            }
        }
        Map<String, List<String>> m = outcomes(rec.outcomes);
        assertEquals(2, m.get("r-d1").size(), m.toString());
        assertTrue(m.get("r-d1").get(0).startsWith("decided on d1-"), m.toString());
        assertEquals("UNFINISHED", m.get("r-d1").get(1), "the site that went down is reported");
        assertEquals(1, m.get("r-d2").size(), "the live site's request is only decided: " + m);
        assertTrue(m.get("r-d2").get(0).startsWith("decided on d2-"));
        drv.finish();
    }

    /** A scheduler as slow as a cold JIT: every solve waits before it starts. */
    static final class Slow implements Scheduler {
        final Scheduler inner = Algorithms.byName("ot-gah", 1, 8);

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public Schedule solve(Instance instance, SearchBudget budget) {
            long until = System.nanoTime() + 3_000_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            return inner.solve(instance, budget);
        }
    }

    static List<InputEvent> busyTrace() {
        List<InputEvent> l = new ArrayList<>();
        java.util.Random rnd = new java.util.Random(3);
        for (long t = 0; t <= 4000; t += 100) {
            for (String n : List.of("d1-a", "d1-b")) {
                l.add(heartbeat(n, "d1", t, true));
            }
            for (int u = 0; u < 6; u++) {
                l.add(channel("u" + u, "d1", "d1-a", t, 3 + u));
                l.add(channel("u" + u, "d1", "d1-b", t, 7 - u));
            }
            for (int k = 0; k < 3; k++) {
                InputEvent r = req("q" + t + "-" + k, "u" + rnd.nextInt(6), "d1", t + k);
                r.request.promptTokens = 50 + rnd.nextInt(500);
                r.request.maxOutputTokens = 10 + rnd.nextInt(100);
                l.add(r);
            }
        }
        return l;
    }

    @Test
    void atLeastOnceDecidesTheSameOnASlowMachine() {
        JobConfig c = JobConfig.parse("--delivery", "at-least-once", "--checkpoint-ms", "0");
        assertEquals(0, c.budgetMicros, "at-least-once: no time budget by default");
        assertTrue(c.budgetNodes > 0, "a node budget instead");
        DomainSettings s = c.domainSettings();
        Map<String, String> fast = new HashMap<>();
        Map<String, String> slow = new HashMap<>();
        for (Map<String, String> into : List.of(fast, slow)) {
            EventTimeDriverTest.Recorder rec = new EventTimeDriverTest.Recorder(100_000);
            Scheduler algorithm = into == slow ? new Slow() : Algorithms.byName("ot-gah", 1, 8);
            EventTimeDriver drv =
                    new EventTimeDriver(new DomainScheduler(TOPOLOGY, s, NO_CLOCK, algorithm), rec);
            busyTrace().forEach(drv::accept);
            drv.finish();
            for (SlotOutcome o : rec.outcomes) {
                for (Decision d : o.decisions()) {
                    List<String> ids = new ArrayList<>();
                    for (Decision.Decided r : d.requests()) {
                        ids.add(r.request().requestId + "@" + r.predictedFinishMs());
                    }
                    into.put(
                            d.decisionId(),
                            d.variant()
                                    + " "
                                    + d.computeStartMs()
                                    + "-"
                                    + d.computeEndMs()
                                    + " "
                                    + ids);
                }
                for (Rejected r : o.rejections()) {
                    into.put(r.requestId(), r.toString());
                }
            }
        }
        assertTrue(
                fast.keySet().stream().filter(k -> k.startsWith("d1/")).count() >= 5,
                "many decisions: " + fast.keySet());
        assertEquals(fast, slow, "the same decisions, ids and batches, however slow the solve");
        // the exactly-once default keeps a time budget (its decisions are transactional)
        assertEquals(1000, JobConfig.parse().budgetMicros);
    }
}
