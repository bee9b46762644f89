package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Rejection;
import org.edgellm.events.RejectionReason;
import org.edgellm.job.domain.Slots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * State written by an earlier release restores: {@code savepoints/slot-coordinator-0.1.0.snapshot}
 * is the coordinator's operator state (every keyed state: the slot buffer with an event of a future
 * slot, the pending queues, the remembered ids, the channels, the node runtimes with unfinished
 * batches, and the registered timers) written with {@link OperatorSnapshotUtil}, the format of
 * Flink's own operator migration tests, by the code of commit 3e3d229 (before the domain logic left
 * the Flink function). {@code slot-coordinator-0.1.0.expected} is what that code then emitted after
 * the restore. The current code must restore the file and emit exactly the same.
 *
 * <p>To write both files again with the code of a release (only when that release's state layout
 * becomes the new baseline): {@code mvn -pl job test -Dtest=SlotCoordinatorSavepointCompatTest
 * -Dsavepoint.write=job/src/test/resources/savepoints}.
 */
class SlotCoordinatorSavepointCompatTest {

    static final String NAME = "slot-coordinator-0.1.0";

    /** Before the snapshot: both domains busy, tracked batches, pending work, a future event. */
    static List<InputEvent> before() {
        List<InputEvent> l = new ArrayList<>(SlotCoordinatorRescaleTest.phase1());
        // d1's nodes report progress, so their batches are tracked until finished
        l.add(Events.progress("d1-a", "d1", 50, 0));
        l.add(Events.progress("d1-b", "d1", 50, 0));
        l.add(Events.request("r4", "u1", "d1", 250, 600, 150, 60_000));
        // a request of a slot that has not closed at the snapshot: it sits in the slot buffer
        l.add(Events.request("r5", "u2", "d1", 395, 300, 60, 60_000));
        return l;
    }

    /** After the restore: heartbeats (d1-a never finishes its batch: UNFINISHED), d2 returns. */
    static List<InputEvent> after() {
        List<InputEvent> l = new ArrayList<>(SlotCoordinatorRescaleTest.phase2());
        for (long t = 500; t <= 3000; t += 500) {
            l.add(Events.progress("d1-b", "d1", t, 0));
        }
        l.add(Events.request("r6", "u3", "d1", 700, 200, 50, 60_000));
        return l;
    }

    static final long SNAPSHOT_AT = 300;
    static final long END = 6000;

    static String text(Map<String, String> outcome) {
        StringBuilder sb = new StringBuilder();
        outcome.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        return sb.toString();
    }

    /**
     * The job's flags of the committed savepoint's run: its outcome was recorded under the paper's
     * per-slot policy with 32 candidates (the defaults of that release), pinned so that the
     * comparison is of state.
     */
    static JobConfig savepointConfig() {
        return Events.harnessConfig(
                Map.of(
                        "heartbeat-timeout-ms",
                        "1000",
                        "max-channel-age-ms",
                        "60000",
                        "policy",
                        "per-slot",
                        "max-candidates",
                        "32"));
    }

    static KeyedOneInputStreamOperatorTestHarness<String, InputEvent, BatchDecision> harness()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new SlotCoordinator(SlotCoordinatorTest.TOPOLOGY, savepointConfig())),
                e -> e.domainId,
                Types.STRING);
    }

    static Path dir() {
        return Path.of("src/test/resources/savepoints");
    }

    @Test
    @EnabledIfSystemProperty(named = "savepoint.write", matches = ".+")
    void write() throws Exception {
        writeWithThisCode(NAME);
    }

    /**
     * Writes {@code name.snapshot} (the state after {@link #before}, snapshotted at {@link
     * #SNAPSHOT_AT}) and {@code name.expected} (what this code emits after restoring it) into the
     * directory of the system property savepoint.write.
     */
    static void writeWithThisCode(String name) throws Exception {
        Path out = Path.of(System.getProperty("savepoint.write"));
        if (!out.isAbsolute()) {
            out = Path.of("..").resolve(out); // relative to the project root
        }
        Files.createDirectories(out);
        var one = harness();
        one.open();
        SlotCoordinatorRescaleTest.feed(List.of(one), before(), 100, SNAPSHOT_AT);
        OperatorSubtaskState snapshot = one.snapshot(1, SNAPSHOT_AT);
        one.close();
        OperatorSnapshotUtil.writeStateHandle(snapshot, out.resolve(name + ".snapshot").toString());
        Files.writeString(out.resolve(name + ".expected"), text(restoreAndRun(out, name)));
    }

    static Map<String, String> restoreAndRun(Path from) throws Exception {
        return restoreAndRun(from, NAME);
    }

    /** Restores {@code name.snapshot} from the directory and runs {@link #after} to the end. */
    static Map<String, String> restoreAndRun(Path from, String name) throws Exception {
        OperatorSubtaskState state =
                OperatorSnapshotUtil.readStateHandle(from.resolve(name + ".snapshot").toString());
        KeyedOneInputStreamOperatorTestHarness<String, InputEvent, BatchDecision> h = harness();
        h.initializeState(state);
        h.open();
        try {
            SlotCoordinatorRescaleTest.feed(List.of(h), after(), SNAPSHOT_AT + 100, END);
            return new TreeMap<>(SlotCoordinatorRescaleTest.outcome(List.of(h)));
        } finally {
            h.close();
        }
    }

    /** What the earlier release emitted after the restore, as the current code must emit it. */
    static String expected() throws Exception {
        String expected = Files.readString(dir().resolve(NAME + ".expected"));
        // Since leases (0.3), the batch decided after the restore (d1/1600/d1-b: r4, r5, r6) is
        // settled a heartbeat timeout after its lease, which lies beyond the end of this run; the
        // earlier release reported it UNFINISHED as soon as it was overdue. Everything else, and
        // the batch itself, is what that release emitted.
        for (String id : List.of("r4", "r5", "r6")) {
            String line = "rejected " + id + " = UNFINISHED\n";
            assertTrue(expected.contains(line), "the earlier release reported " + id);
            expected = expected.replace(line, "");
        }
        return expected;
    }

    static void assertAsTheEarlierRelease(String got) throws Exception {
        // the restored state matters: r5 sat in the slot buffer, r2..r4 in the pending queue
        for (String id : List.of("r2", "r3", "r4", "r5", "r6", "s1", "s2", "s3")) {
            assertTrue(got.contains(id), id + " is decided or rejected after the restore: " + got);
        }
        assertEquals(expected(), got, "the restored run emits what the earlier release emitted");
        assertTrue(got.contains("d1/1600/d1-b = d1-b w4a16 [r6, r5, r4]"), got);
    }

    @Test
    void stateOfTheEarlierReleaseRestoresAndDecidesTheSame() throws Exception {
        assertAsTheEarlierRelease(text(restoreAndRun(dir())));
    }

    /**
     * A coordinator with the savepoint's flags and staggered slots (--slot-stagger spread), the
     * committed state restored into it and opened.
     */
    static KeyedOneInputStreamOperatorTestHarness<String, InputEvent, BatchDecision>
            restoredIntoStaggeredSlots() throws Exception {
        OperatorSubtaskState state =
                OperatorSnapshotUtil.readStateHandle(dir().resolve(NAME + ".snapshot").toString());
        Map<String, String> flags = new java.util.HashMap<>();
        flags.put("heartbeat-timeout-ms", "1000");
        flags.put("max-channel-age-ms", "60000");
        flags.put("policy", "per-slot");
        flags.put("max-candidates", "32");
        flags.put("slot-stagger", "spread");
        KeyedOneInputStreamOperatorTestHarness<String, InputEvent, BatchDecision> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new SlotCoordinator(
                                        SlotCoordinatorTest.TOPOLOGY, Events.harnessConfig(flags))),
                        (InputEvent e) -> e.domainId,
                        Types.STRING);
        h.initializeState(state);
        h.open();
        return h;
    }

    /**
     * The committed state (aligned slots) restored into a job with staggered slots (--slot-stagger
     * spread): the timers it holds fire at their aligned ends, then each domain moves to its own
     * phase. Every request the earlier release reached an outcome for reaches exactly one here
     * (none lost, none decided twice), and every decision after the restored timers lies on its
     * domain's phase.
     */
    @Test
    void stateOfTheEarlierReleaseRestoresIntoStaggeredSlots() throws Exception {
        var h = restoredIntoStaggeredSlots();
        try {
            SlotCoordinatorRescaleTest.feed(List.of(h), after(), SNAPSHOT_AT + 100, END);
            Set<String> reached = new TreeSet<>();
            int decisionsOnPhase = 0;
            for (BatchDecision d : h.extractOutputValues()) {
                for (var r : d.getRequests()) {
                    assertTrue(reached.add(r.getRequestId()), "decided twice: " + r);
                }
                long end = d.getSlotEnd().toEpochMilli();
                if (end > SNAPSHOT_AT + 200) {
                    assertEquals(
                            Slots.staggeredPhase(d.getDomainId(), 100),
                            Math.floorMod(end, 100),
                            d.getDecisionId());
                    decisionsOnPhase++;
                }
            }
            var rej = h.getSideOutput(SlotCoordinator.REJECTIONS);
            if (rej != null) {
                for (StreamRecord<Rejection> r : rej) {
                    assertTrue(
                            reached.add(r.getValue().getRequestId()),
                            "a second outcome: " + r.getValue());
                }
            }
            Set<String> before = new TreeSet<>();
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("\\b([rs][0-9]+)\\b").matcher(expected());
            while (m.find()) {
                before.add(m.group(1));
            }
            assertEquals(before, reached, "the requests of the earlier release's run");
            assertTrue(decisionsOnPhase > 0, "a decision on a staggered slot end");
        } finally {
            h.close();
        }
    }

    /**
     * As {@link #stateOfTheEarlierReleaseRestoresIntoStaggeredSlots}, but the events after the
     * restore arrive interleaved with the watermarks (every 37 ms, on no slot phase), and late
     * requests come in between: each stamped 120 ms behind the watermark of the moment, so that its
     * own slot may already be closed. d2's nodes keep sending heartbeats. Every request reaches
     * exactly one outcome, late ones included; a late request is never decided in a slot that had
     * closed before it arrived; every decision after the restored timers lies on its domain's
     * phase.
     */
    @Test
    void restoredIntoStaggeredSlotsWithLateEventsBetweenWatermarks() throws Exception {
        var h = restoredIntoStaggeredSlots();
        List<InputEvent> timed = new ArrayList<>(after());
        for (long t = 500; t <= END; t += 400) {
            timed.add(SlotCoordinatorRescaleTest.heartbeat("d2-a", "d2", t, true, 1.0));
            timed.add(SlotCoordinatorRescaleTest.heartbeat("d2-b", "d2", t, true, 1.0));
        }
        timed.sort(java.util.Comparator.comparingLong(e -> e.time));
        Map<String, Long> lateAt = new TreeMap<>(); // late request -> watermark when it arrived
        int next = 0;
        int late = 0;
        long watermark = SNAPSHOT_AT;
        try {
            for (long t = SNAPSHOT_AT + 37; t <= END; t += 37) {
                while (next < timed.size() && timed.get(next).time <= t) {
                    InputEvent e = timed.get(next++);
                    h.processElement(new StreamRecord<>(e, e.time));
                }
                if (t % 5 == 0 && t < END - 3000) { // now and then, a late request
                    String id = "late" + late;
                    String user = "v" + (1 + late % 3);
                    long time = watermark - 120;
                    InputEvent e = Events.request(id, user, "d2", time, 200, 40, 3000);
                    h.processElement(new StreamRecord<>(e, time));
                    lateAt.put(id, watermark);
                    late++;
                }
                h.processWatermark(t);
                watermark = t;
            }
            for (long t = END + 100; t <= END + 2000; t += 100) {
                h.processWatermark(t);
            }
            assertTrue(late >= 8, "late requests fed: " + late);
            Set<String> reached = new TreeSet<>();
            int lateDecided = 0;
            for (BatchDecision d : h.extractOutputValues()) {
                long end = d.getSlotEnd().toEpochMilli();
                for (var r : d.getRequests()) {
                    String id = r.getRequestId();
                    assertTrue(reached.add(id), "decided twice: " + id);
                    if (lateAt.containsKey(id)) {
                        lateDecided++;
                        assertTrue(
                                end > lateAt.get(id),
                                id + " decided in slot " + end + ", closed before it arrived");
                    }
                }
                if (end > SNAPSHOT_AT + 200) {
                    assertEquals(
                            Slots.staggeredPhase(d.getDomainId(), 100),
                            Math.floorMod(end, 100),
                            d.getDecisionId());
                }
            }
            var rej = h.getSideOutput(SlotCoordinator.REJECTIONS);
            if (rej != null) {
                for (StreamRecord<Rejection> r : rej) {
                    assertTrue(
                            reached.add(r.getValue().getRequestId()),
                            "a second outcome: " + r.getValue());
                }
            }
            Set<String> all = new TreeSet<>(lateAt.keySet());
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("\\b([rs][0-9]+)\\b").matcher(expected());
            while (m.find()) {
                all.add(m.group(1));
            }
            assertEquals(all, reached, "every request, late ones included, reaches one outcome");
            assertTrue(lateDecided > late / 2, "late requests decided: " + lateDecided);
        } finally {
            h.close();
        }
    }

    /**
     * The committed state was written with Flink's POJO serializers; the current code declares
     * hand-written ones, so the restore migrates it, and its next snapshot is written with the new
     * serializers. Restored from that second snapshot halfway through the run (the slot buffer then
     * holds r6 and the heartbeats of the after-phase, the queue r4 and r5, the nodes their tracked
     * batches), the run goes on to emit the same as without it.
     */
    @Test
    void aSecondSnapshotWithTheNewSerializersRestoresTheSame() throws Exception {
        OperatorSubtaskState state =
                OperatorSnapshotUtil.readStateHandle(dir().resolve(NAME + ".snapshot").toString());
        long halfway = 1200;
        var h1 = harness();
        h1.initializeState(state);
        h1.open();
        var h2 = harness();
        try {
            SlotCoordinatorRescaleTest.feed(List.of(h1), after(), SNAPSHOT_AT + 100, halfway);
            OperatorSubtaskState second = h1.snapshot(2, halfway);
            h2.initializeState(second);
            h2.open();
            SlotCoordinatorRescaleTest.feed(List.of(h2), List.of(), halfway + 100, END);
            Map<String, String> got =
                    new TreeMap<>(SlotCoordinatorRescaleTest.outcome(List.of(h1)));
            got.putAll(SlotCoordinatorRescaleTest.outcome(List.of(h2)));
            assertTrue(
                    SlotCoordinatorRescaleTest.outcome(List.of(h2)).containsKey("d1/1600/d1-b"),
                    "the batch of the queued and buffered requests is decided after the second"
                            + " restore");
            assertAsTheEarlierRelease(text(got));
        } finally {
            h1.close();
            h2.close();
        }
    }

    /** The request ids refused as duplicates in the harness's rejections. */
    static Set<String> refusedAsDuplicates(
            KeyedOneInputStreamOperatorTestHarness<String, InputEvent, BatchDecision> h) {
        Set<String> out = new TreeSet<>();
        var rej = h.getSideOutput(SlotCoordinator.REJECTIONS);
        if (rej != null) {
            for (StreamRecord<Rejection> r : rej) {
                if (r.getValue().getReason() == RejectionReason.INVALID
                        && r.getValue().getDetail().contains("duplicate")) {
                    out.add(r.getValue().getRequestId());
                }
            }
        }
        return out;
    }

    /**
     * The earlier release kept remembered ids one map entry per id ({@code known-ids}); the current
     * code keeps them in hash buckets ({@code known-id-hashes}) and moves the old entries there on
     * a domain's first access. Ids of the committed savepoint are still refused as duplicates after
     * the restore, in both domains, and again after a second snapshot and restore (so they were
     * moved into the new state, not only read from the old one); a new id is not refused.
     */
    @Test
    void idsRememberedByTheEarlierReleaseAreStillRefusedAfterTheRestore() throws Exception {
        assertItsIdsAreRefusedAfterRestoring(
                OperatorSnapshotUtil.readStateHandle(dir().resolve(NAME + ".snapshot").toString()));
    }

    /**
     * Restores state written after {@link #before} and checks that its ids (r1 of d1, s1 of d2) are
     * refused as duplicates, and ids it remembers are again after a second snapshot and restore,
     * while new ids are not.
     */
    static void assertItsIdsAreRefusedAfterRestoring(OperatorSubtaskState state) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, InputEvent, BatchDecision> h = harness();
        h.initializeState(state);
        h.open();
        List<InputEvent> again = new ArrayList<>(after());
        again.add(Events.request("r1", "u1", "d1", 450, 800, 200, 60_000));
        again.add(Events.request("s1", "v1", "d2", 460, 300, 100, 30_000));
        again.add(Events.request("r7", "u1", "d1", 470, 100, 20, 60_000));
        OperatorSubtaskState second;
        try {
            SlotCoordinatorRescaleTest.feed(List.of(h), again, SNAPSHOT_AT + 100, 1000);
            assertEquals(Set.of("r1", "s1"), refusedAsDuplicates(h));
            second = h.snapshot(2, 1000);
        } finally {
            h.close();
        }
        KeyedOneInputStreamOperatorTestHarness<String, InputEvent, BatchDecision> h2 = harness();
        h2.initializeState(second);
        h2.open();
        try {
            SlotCoordinatorRescaleTest.feed(
                    List.of(h2),
                    List.of(
                            Events.request("r2", "u2", "d1", 1050, 400, 100, 60_000),
                            Events.request("s2", "v2", "d2", 1060, 500, 200, 30_000),
                            Events.request("r7", "u1", "d1", 1070, 100, 20, 60_000),
                            Events.request("r8", "u1", "d1", 1080, 100, 20, 60_000)),
                    1100,
                    1500);
            assertEquals(Set.of("r2", "s2", "r7"), refusedAsDuplicates(h2));
        } finally {
            h2.close();
        }
    }
}
