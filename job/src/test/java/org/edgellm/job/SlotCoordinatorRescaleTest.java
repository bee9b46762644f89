package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.DecidedRequest;
import org.edgellm.events.Rejection;
import org.junit.jupiter.api.Test;

/**
 * An upgrade with a parallelism change: the coordinator's state is snapshotted at parallelism 1,
 * split by key group onto 2 subtasks and restored, and what follows is exactly what the same run
 * without the restart produces. The phase after the restart depends on every kind of state: the
 * pending requests (decided only after the restart), the node busy times and measured slowdown
 * (they set the compute times of the new batches), the channel states (no channel event comes after
 * the restart) and the registered slot timers.
 */
class SlotCoordinatorRescaleTest {

    static final int MAX_PARALLELISM = 128;

    static KeyedOneInputStreamOperatorTestHarness<String, InputEvent, BatchDecision> harness(
            int parallelism, int subtask) throws Exception {
        JobConfig config =
                Events.harnessConfig(
                        Map.of(
                                "heartbeat-timeout-ms", "100000",
                                "max-channel-age-ms", "60000"));
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new SlotCoordinator(SlotCoordinatorTest.TOPOLOGY, config)),
                e -> e.domainId,
                Types.STRING,
                MAX_PARALLELISM,
                parallelism,
                subtask);
    }

    static InputEvent heartbeat(String node, String domain, long t, boolean ok, double slow) {
        InputEvent e = Events.heartbeat(node, domain, t, ok);
        e.telemetry.slowdown = slow;
        return e;
    }

    /** Before the restart: d1-a runs a long batch at slowdown 1.7; d2 has no healthy node. */
    static List<InputEvent> phase1() {
        List<InputEvent> l = new ArrayList<>();
        l.add(heartbeat("d1-a", "d1", 1, true, 1.7));
        l.add(heartbeat("d1-b", "d1", 1, false, 1.0));
        l.add(heartbeat("d2-a", "d2", 1, false, 1.0));
        l.add(heartbeat("d2-b", "d2", 1, false, 1.0));
        for (String u : List.of("u1", "u2", "u3")) {
            for (String n : List.of("d1-a", "d1-b")) {
                l.add(Events.channel(u, "d1", n, 5, 5.0));
            }
        }
        for (String u : List.of("v1", "v2", "v3")) {
            l.add(Events.channel(u, "d2", "d2-a", 5, 4.0 + u.charAt(1) - '0'));
            l.add(Events.channel(u, "d2", "d2-b", 5, 3.0));
        }
        l.add(Events.request("r1", "u1", "d1", 10, 800, 200, 60_000));
        l.add(Events.request("r2", "u2", "d1", 150, 400, 100, 60_000));
        l.add(Events.request("r3", "u3", "d1", 160, 300, 80, 60_000));
        l.add(Events.request("s1", "v1", "d2", 20, 300, 100, 30_000));
        l.add(Events.request("s2", "v2", "d2", 30, 500, 200, 30_000));
        l.add(Events.request("s3", "v3", "d2", 40, 200, 50, 30_000));
        return l;
    }

    /** After the restart: only heartbeats (d2's nodes come back) and the passing of time. */
    static List<InputEvent> phase2() {
        return List.of(
                heartbeat("d2-a", "d2", 450, true, 1.0),
                heartbeat("d2-b", "d2", 450, true, 1.0),
                heartbeat("d1-b", "d1", 460, false, 1.0));
    }

    static final long RESTART_AT = 400;
    static final long END = 4000;

    static void feed(
            List<KeyedOneInputStreamOperatorTestHarness<String, InputEvent, BatchDecision>> hs,
            List<InputEvent> events,
            long from,
            long to)
            throws Exception {
        int p = hs.size();
        for (InputEvent e : events) {
            int owner =
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            e.domainId, MAX_PARALLELISM, p);
            hs.get(owner).processElement(new StreamRecord<>(e, e.time));
        }
        for (long t = from; t <= to; t += 100) {
            for (var h : hs) {
                h.processWatermark(t);
            }
        }
    }

    /** Decisions and rejections as comparable text, ordered by id. */
    static Map<String, String> outcome(
            List<KeyedOneInputStreamOperatorTestHarness<String, InputEvent, BatchDecision>> hs) {
        Map<String, String> out = new TreeMap<>();
        for (var h : hs) {
            for (BatchDecision d : h.extractOutputValues()) {
                List<String> rs = new ArrayList<>();
                for (DecidedRequest r : d.getRequests()) {
                    rs.add(r.getRequestId());
                }
                out.put(
                        d.getDecisionId(),
                        String.format(
                                "%s %s %s start=%.3f end=%.3f",
                                d.getNodeId(),
                                d.getVariant(),
                                rs,
                                d.getComputeStartMs(),
                                d.getComputeEndMs()));
            }
            var rej = h.getSideOutput(SlotCoordinator.REJECTIONS);
            if (rej != null) {
                for (StreamRecord<Rejection> r : rej) {
                    out.put(
                            "rejected " + r.getValue().getRequestId(),
                            r.getValue().getReason().name());
                }
            }
        }
        return out;
    }

    @Test
    void stateCarriesOverAStopWithSavepointAndAParallelismChange() throws Exception {
        int d1 = KeyGroupRangeAssignment.assignKeyToParallelOperator("d1", MAX_PARALLELISM, 2);
        int d2 = KeyGroupRangeAssignment.assignKeyToParallelOperator("d2", MAX_PARALLELISM, 2);
        assertNotEquals(d1, d2, "the two domains land on different subtasks at parallelism 2");

        // the reference: one run, no restart
        var ref = harness(1, 0);
        ref.open();
        feed(List.of(ref), phase1(), 100, RESTART_AT);
        Map<String, String> before = outcome(List.of(ref));
        feed(List.of(ref), phase2(), RESTART_AT + 100, END);
        Map<String, String> all = outcome(List.of(ref));
        ref.close();

        // the same to the restart, a snapshot, then two subtasks restored from it
        var one = harness(1, 0);
        one.open();
        feed(List.of(one), phase1(), 100, RESTART_AT);
        assertEquals(before, outcome(List.of(one)));
        OperatorSubtaskState snapshot = one.snapshot(1, RESTART_AT);
        one.close();
        List<KeyedOneInputStreamOperatorTestHarness<String, InputEvent, BatchDecision>> two =
                new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            var h = harness(2, i);
            h.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            snapshot, MAX_PARALLELISM, 1, 2, i));
            h.open();
            two.add(h);
        }
        feed(two, phase2(), RESTART_AT + 100, END);
        Map<String, String> after = outcome(two);
        for (var h : two) {
            h.close();
        }

        // before the restart: r1 on d1-a, the rest pending
        assertEquals(1, before.size(), before.toString());
        assertTrue(before.values().iterator().next().contains("[r1]"), before.toString());
        Map<String, String> expected = new TreeMap<>(all);
        expected.keySet().removeAll(before.keySet());
        assertFalse(expected.isEmpty());
        String text = expected.toString();
        for (String id : List.of("r2", "r3", "s1", "s2", "s3")) {
            assertTrue(text.contains(id), id + " is decided after the restart: " + text);
        }
        assertEquals(
                expected, after, "the restored, rescaled run decides exactly as the reference");
        System.out.println("after the restart at parallelism 2: " + after);
    }
}
