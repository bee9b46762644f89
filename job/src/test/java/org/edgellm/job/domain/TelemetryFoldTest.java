package org.edgellm.job.domain;

import static org.edgellm.job.domain.DomainFixtures.TOPOLOGY;
import static org.edgellm.job.domain.DomainFixtures.batch;
import static org.edgellm.job.domain.DomainFixtures.copyOf;
import static org.edgellm.job.domain.DomainFixtures.telemetry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.edgellm.job.NodeRuntime;
import org.edgellm.job.NodeSpec;
import org.edgellm.job.TelemetryEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link TelemetryFold#apply}: node creation, newest-wins health, progress and busy time. */
class TelemetryFoldTest {

    static final NodeSpec TOPO_A = TOPOLOGY.node("d1", "d1-a");

    @Test
    void unknownNodeWithoutCapabilitiesIsIgnored() {
        assertNull(TelemetryFold.apply(null, null, telemetry("ghost", "d1", 1000, true)));
    }

    @Test
    void unknownNodeWithCapabilitiesIsRefusedToo() {
        // nodes join through the topology (the validator dead-letters such heartbeats by name);
        // the fold holds no state for them either
        TelemetryEvent t = telemetry("d1-x", "d1", 1000, false);
        t.capabilities = copyOf(TOPO_A, "d1-x");
        assertNull(TelemetryFold.apply(null, null, t));
    }

    @Test
    void capabilitiesOfATopologyNodeTakeEffectOnItsFirstHeartbeat() {
        TelemetryEvent t = telemetry("d1-a", "d1", 1000, false);
        t.capabilities = copyOf(TOPO_A, "d1-a");
        t.slowdown = 1.5;
        NodeRuntime n = TelemetryFold.apply(null, TOPO_A, t);
        assertSame(t.capabilities, n.spec);
        assertTrue(n.heard);
        assertFalse(n.healthy);
        assertEquals(1.5, n.slowdown);
        assertEquals(1000, n.lastHeartbeat);
        assertFalse(n.tracksProgress);
    }

    @Test
    void topologyNodeIsCreatedFromTheTopology() {
        NodeRuntime n = TelemetryFold.apply(null, TOPO_A, telemetry("d1-a", "d1", 1000, true));
        assertSame(TOPO_A, n.spec);
        assertTrue(n.heard);
        assertEquals(1000, n.lastHeartbeat);
    }

    @Test
    void capabilitiesReplaceTheSpecOfAKnownNode() {
        NodeRuntime n = NodeRuntime.of(TOPO_A);
        TelemetryEvent t = telemetry("d1-a", "d1", 1000, true);
        t.capabilities = copyOf(TOPO_A, "d1-a");
        t.capabilities.memoryBytes = 80e9;
        TelemetryFold.apply(n, TOPO_A, t);
        assertEquals(80e9, n.spec.memoryBytes);
    }

    @Test
    void olderHeartbeatDoesNotOverwriteHealthOrSlowdown() {
        NodeRuntime n = NodeRuntime.of(TOPO_A);
        TelemetryEvent newer = telemetry("d1-a", "d1", 2000, false);
        newer.slowdown = 2.0;
        TelemetryFold.apply(n, TOPO_A, newer);
        TelemetryEvent older = telemetry("d1-a", "d1", 1500, true);
        older.slowdown = 1.0;
        TelemetryFold.apply(n, TOPO_A, older);
        assertFalse(n.healthy);
        assertEquals(2.0, n.slowdown);
        assertEquals(2000, n.lastHeartbeat);
        // one of the same time does
        TelemetryEvent same = telemetry("d1-a", "d1", 2000, true);
        same.slowdown = 1.25;
        TelemetryFold.apply(n, TOPO_A, same);
        assertTrue(n.healthy);
        assertEquals(1.25, n.slowdown);
    }

    static NodeRuntime tracked(boolean stalled, long finishedThrough, long... slotEnds) {
        NodeRuntime n = NodeRuntime.of(TOPO_A);
        n.tracksProgress = true;
        n.heard = true;
        n.lastHeartbeat = 900;
        n.stalled = stalled;
        n.finishedThrough = finishedThrough;
        for (long s : slotEnds) {
            n.outstanding.add(batch("d1/" + s + "/d1-a", s, s, s + 400, "r" + s));
        }
        return n;
    }

    static List<Long> slotEnds(NodeRuntime n) {
        return n.outstanding.stream().map(o -> o.slotEnd).collect(Collectors.toList());
    }

    /** finishedThrough removes the batches of slots up to it and, when it advances, un-stalls. */
    static Stream<Arguments> progressRows() {
        return Stream.of(
                // finishedThrough reported, outstanding before, kept after, stalled after
                Arguments.of(1100L, List.of(1100L, 1200L, 1300L), List.of(1200L, 1300L), false),
                Arguments.of(1250L, List.of(1100L, 1200L, 1300L), List.of(1300L), false),
                Arguments.of(1300L, List.of(1100L, 1200L, 1300L), List.of(), false),
                Arguments.of(1000L, List.of(1100L, 1200L), List.of(1100L, 1200L), false),
                // no advance (the same finishedThrough as known): still stalled
                Arguments.of(500L, List.of(1100L), List.of(1100L), true));
    }

    @ParameterizedTest(name = "finishedThrough {0}: {1} -> {2}")
    @MethodSource("progressRows")
    void finishedThroughRemovesFinishedBatches(
            long finishedThrough, List<Long> before, List<Long> after, boolean stalledAfter) {
        NodeRuntime n = tracked(true, 500, before.stream().mapToLong(Long::longValue).toArray());
        TelemetryEvent t = telemetry("d1-a", "d1", 1000, true);
        t.finishedThrough = finishedThrough;
        TelemetryFold.apply(n, TOPO_A, t);
        assertEquals(after, slotEnds(n));
        assertEquals(stalledAfter, n.stalled);
        assertEquals(Math.max(500, finishedThrough), n.finishedThrough);
    }

    @Test
    void aRefusedBatchStaysWatchedThoughFinishedThroughPassesIt() {
        NodeRuntime n = tracked(false, 500, 1100, 1200, 1300);
        for (NodeRuntime.Outstanding o : n.outstanding) {
            NodeRuntime.Lease l = new NodeRuntime.Lease();
            l.decisionId = o.decisionId;
            l.untilMs = o.computeEndMs + 1000;
            n.leases.add(l);
        }
        TelemetryEvent t = telemetry("d1-a", "d1", 1000, true);
        t.finishedThrough = 1200;
        t.refused = new String[] {"d1/1100/d1-a", "d1/9999/d1-a"}; // one not watched: ignored
        TelemetryFold.apply(n, TOPO_A, t);
        // 1100 was refused, not finished: it stays for NodeLiveness to settle; 1200 is finished
        assertEquals(List.of(1100L, 1300L), slotEnds(n));
        assertTrue(n.lease("d1/1100/d1-a").refused);
        assertFalse(n.lease("d1/1300/d1-a").refused);
        assertEquals(null, n.lease("d1/1200/d1-a"), "a finished batch's lease goes with it");
        assertEquals(2, n.leases.size());
    }

    @Test
    void olderFinishedThroughDoesNotGoBack() {
        NodeRuntime n = tracked(false, 1200, 1300);
        TelemetryEvent t = telemetry("d1-a", "d1", 1000, true);
        t.finishedThrough = 1100;
        TelemetryFold.apply(n, TOPO_A, t);
        assertEquals(1200, n.finishedThrough);
        assertEquals(List.of(1300L), slotEnds(n));
    }

    @Test
    void firstProgressReportMakesTheNodeTracked() {
        NodeRuntime n = NodeRuntime.of(TOPO_A);
        TelemetryEvent plain = telemetry("d1-a", "d1", 1000, true);
        TelemetryFold.apply(n, TOPO_A, plain);
        assertFalse(n.tracksProgress);
        TelemetryEvent t = telemetry("d1-a", "d1", 1100, true);
        t.finishedThrough = 0;
        TelemetryFold.apply(n, TOPO_A, t);
        assertTrue(n.tracksProgress);
    }

    /**
     * Busy time of a node that tracks progress: with nothing unfinished it is what the node says;
     * otherwise the end of our last batch shifted by the lateness of the first one.
     */
    static Stream<Arguments> trackedBusyRows() {
        // outstanding batches end at 1500 (slot 1100) and 1900 (slot 1500)
        return Stream.of(
                // reported busyUntil, finishedThrough, expected busyUntil
                Arguments.of(1700L, 1500L, 1700.0), // all finished: as it says
                Arguments.of(1200L, 1000L, 1900.0), // first batch early: no shift back
                Arguments.of(1500L, 1000L, 1900.0), // on time
                Arguments.of(1800L, 1000L, 2200.0), // 300 late: the last shifted by 300
                Arguments.of(2100L, 1100L, 2100.0)); // first done, second reported as is
    }

    @ParameterizedTest(name = "tracked: busyUntil {0}, finishedThrough {1} -> {2}")
    @MethodSource("trackedBusyRows")
    void busyTimeOfATrackedNode(long reported, long finishedThrough, double expected) {
        NodeRuntime n = NodeRuntime.of(TOPO_A);
        n.tracksProgress = true;
        n.outstanding.add(batch("b1", 1100, 1100, 1500, "r1"));
        n.outstanding.add(batch("b2", 1500, 1500, 1900, "r2"));
        n.busyUntil = 1900;
        TelemetryEvent t = telemetry("d1-a", "d1", 1150, true);
        t.finishedThrough = finishedThrough;
        t.busyUntil = reported;
        TelemetryFold.apply(n, TOPO_A, t);
        assertEquals(expected, n.busyUntil);
        assertEquals((double) reported, n.reportedBusyUntil);
    }

    /**
     * Busy time of a node that does not track progress: a heartbeat sent after the last decision's
     * t0 replaces the prediction; an older one can only push it later.
     */
    static Stream<Arguments> untrackedBusyRows() {
        // our prediction: busy until 2000, from a decision at t0 1500
        return Stream.of(
                // heartbeat time, reported busyUntil, expected busyUntil
                Arguments.of(1500L, 1700L, 1700.0), // saw the decision (same time): corrects
                Arguments.of(1600L, 2500L, 2500.0), // saw it: later
                Arguments.of(1600L, 1600L, 1600.0), // saw it: idle now
                Arguments.of(1400L, 1700L, 2000.0), // older: cannot pull it earlier
                Arguments.of(1400L, 2300L, 2300.0)); // older: may push it later
    }

    @ParameterizedTest(name = "untracked: heartbeat at {0} says {1} -> {2}")
    @MethodSource("untrackedBusyRows")
    void busyTimeOfAnUntrackedNode(long time, long reported, double expected) {
        NodeRuntime n = NodeRuntime.of(TOPO_A);
        n.busyUntil = 2000;
        n.lastDecisionT0 = 1500;
        TelemetryEvent t = telemetry("d1-a", "d1", time, true);
        t.busyUntil = reported;
        TelemetryFold.apply(n, TOPO_A, t);
        assertEquals(expected, n.busyUntil);
        assertFalse(n.tracksProgress);
    }

    @Test
    void idleReportIsNoReportedBusyTime() {
        NodeRuntime n = NodeRuntime.of(TOPO_A);
        n.reportedBusyUntil = 5000;
        TelemetryEvent t = telemetry("d1-a", "d1", 1600, true);
        t.busyUntil = 1600; // busy-until = its time: idle
        TelemetryFold.apply(n, TOPO_A, t);
        assertEquals(Double.NEGATIVE_INFINITY, n.reportedBusyUntil);
    }

    @Test
    void busyUntilNotReportedLeavesThePrediction() {
        NodeRuntime n = NodeRuntime.of(TOPO_A);
        n.busyUntil = 2000;
        n.lastDecisionT0 = 1500;
        TelemetryFold.apply(n, TOPO_A, telemetry("d1-a", "d1", 1600, true));
        assertEquals(2000.0, n.busyUntil);
    }

    /** A stalled node that says it is working on a batch ending later is not stalled. */
    @Test
    void busyNewestHeartbeatClearsStalled() {
        NodeRuntime n = tracked(true, 500, 1100);
        TelemetryEvent t = telemetry("d1-a", "d1", 1600, true);
        t.finishedThrough = 500; // no progress
        t.busyUntil = 1900;
        TelemetryFold.apply(n, TOPO_A, t);
        assertFalse(n.stalled);
        // but an older heartbeat (not the newest) does not
        NodeRuntime m = tracked(true, 500, 1100);
        m.lastHeartbeat = 1700;
        TelemetryFold.apply(m, TOPO_A, t);
        assertTrue(m.stalled);
    }
}
