package org.edgellm.job.domain;

import static org.edgellm.job.domain.DomainFixtures.NO_CLOCK;
import static org.edgellm.job.domain.DomainFixtures.TOPOLOGY;
import static org.edgellm.job.domain.DomainFixtures.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.edgellm.job.NodeRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link NodeLiveness#check}: crashed and stalled nodes have their overdue batches reported
 * UNFINISHED; a lagging telemetry stream, a batch not yet overdue and the restart grace do not.
 */
class NodeLivenessTest {

    static final long TIMEOUT = 1000;
    static final String D = "d1";

    /**
     * d1-a heard at aHeard, with two outstanding batches (slot 1100: r1, r2, compute 1100..1300;
     * slot 1200: r3, r4, compute 1300..1500), tracking progress; d1-b heard at bHeard.
     */
    static MemoryDomainState state(long aHeard, long bHeard) {
        MemoryDomainState s = new MemoryDomainState();
        NodeRuntime a = NodeRuntime.of(TOPOLOGY.node(D, "d1-a"));
        a.heard = true;
        a.lastHeartbeat = aHeard;
        a.tracksProgress = true;
        a.finishedThrough = 0;
        a.busyUntil = 1500;
        a.outstanding.add(batch("d1/1100/d1-a", 1100, 1100, 1300, "r1", "r2"));
        a.outstanding.add(batch("d1/1200/d1-a", 1200, 1300, 1500, "r3", "r4"));
        s.storeNode("d1-a", a);
        NodeRuntime b = NodeRuntime.of(TOPOLOGY.node(D, "d1-b"));
        b.heard = true;
        b.lastHeartbeat = bHeard;
        s.storeNode("d1-b", b);
        return s;
    }

    static NodeLiveness liveness() {
        return new NodeLiveness(TIMEOUT, new RestartGrace(NO_CLOCK, 0));
    }

    static List<String> ids(List<Rejected> rs) {
        return rs.stream().map(Rejected::requestId).collect(Collectors.toList());
    }

    @Test
    void silentNodeWhileAnotherIsHeardHasEveryBatchReported() {
        // overdue after 1300 + max(1000, 200) = 2300; silent after 1100 + 1000
        MemoryDomainState s = state(1100, 2350);
        List<Rejected> rejected = new ArrayList<>();
        boolean watching = liveness().check(D, 2400, s, false, rejected);
        assertEquals(List.of("r1", "r2", "r3", "r4"), ids(rejected));
        for (Rejected r : rejected) {
            assertEquals(RejectReason.UNFINISHED, r.reason());
            assertEquals(D, r.domainId());
            assertEquals(2400, r.time());
            assertEquals("u-" + r.requestId(), r.userId());
            assertTrue(r.detail().contains("on node d1-a"), r.detail());
            assertTrue(r.detail().contains("silent since"), r.detail());
        }
        assertTrue(rejected.get(0).detail().contains("d1/1100/d1-a"));
        assertTrue(rejected.get(3).detail().contains("d1/1200/d1-a"));
        NodeRuntime a = s.node("d1-a");
        assertTrue(a.outstanding.isEmpty());
        assertFalse(a.stalled, "a silent node is not marked stalled");
        assertTrue(a.busyUntil <= 2400);
        assertFalse(watching);
    }

    /**
     * Boundaries of overdue and of "another node was heard since": (slot end, d1-b heard at) ->
     * reported.
     */
    static Stream<Arguments> silentRows() {
        return Stream.of(
                Arguments.of(2300L, 2250L, false), // exactly end + grace: not overdue yet
                Arguments.of(2301L, 2250L, true),
                Arguments.of(2400L, 2100L, false), // d1-b heard exactly a timeout after d1-a
                Arguments.of(2400L, 2101L, true));
    }

    @ParameterizedTest(name = "slot end {0}, other heard at {1} -> reported {2}")
    @MethodSource("silentRows")
    void silentNodeBoundaries(long slotEnd, long otherHeard, boolean reported) {
        MemoryDomainState s = state(1100, otherHeard);
        List<Rejected> rejected = new ArrayList<>();
        boolean watching = liveness().check(D, slotEnd, s, false, rejected);
        assertEquals(reported ? 4 : 0, rejected.size());
        assertEquals(!reported, watching);
        assertEquals(reported ? 0 : 2, s.node("d1-a").outstanding.size());
    }

    @Test
    void noNodeHeardSinceIsTelemetryLagNotACrash() {
        // both last heard at 1100: the stream lags, the node may be fine
        MemoryDomainState s = state(1100, 1100);
        List<Rejected> rejected = new ArrayList<>();
        assertTrue(liveness().check(D, 5000, s, false, rejected));
        assertEquals(List.of(), rejected);
        assertEquals(2, s.node("d1-a").outstanding.size());
    }

    @Test
    void afterTheEndOfTheInputSilenceIsNotLag() {
        // the same silence once every input has ended: nothing more can come, so it is reported
        MemoryDomainState s = state(1100, 1100);
        List<Rejected> rejected = new ArrayList<>();
        assertTrue(!liveness().check(D, 5000, s, true, rejected));
        assertEquals(List.of("r1", "r2", "r3", "r4"), ids(rejected));
        assertEquals(0, s.node("d1-a").outstanding.size());
    }

    @Test
    void stalledNodeIsReportedAndMarked() {
        // heard at 2350 (not silent at 2400), finished nothing since 0
        MemoryDomainState s = state(2350, 2350);
        List<Rejected> rejected = new ArrayList<>();
        boolean watching = liveness().check(D, 2400, s, false, rejected);
        assertEquals(List.of("r1", "r2", "r3", "r4"), ids(rejected));
        assertTrue(rejected.get(0).detail().contains("stalled"), rejected.get(0).detail());
        NodeRuntime a = s.node("d1-a");
        assertTrue(a.stalled);
        assertTrue(a.outstanding.isEmpty());
        assertFalse(watching);
        // a stalled node is offered nothing
        assertFalse(a.offered(2400, TIMEOUT, 100_000, true));
    }

    @Test
    void nodeRunningLateButSayingSoIsNotStalled() {
        MemoryDomainState s = state(2350, 2350);
        s.node("d1-a").reportedBusyUntil = 2000; // its own estimate of the first batch's end
        List<Rejected> rejected = new ArrayList<>();
        // overdue only after max(1300, 2000) + 1000
        assertTrue(liveness().check(D, 3000, s, false, rejected));
        assertEquals(List.of(), rejected);
        assertFalse(liveness().check(D, 3001, s, false, rejected));
        assertEquals(4, rejected.size());
    }

    @Test
    void withinTheRestartGraceNothingIsReported() {
        AtomicLong now = new AtomicLong(1_000_000);
        NodeLiveness l = new NodeLiveness(TIMEOUT, new RestartGrace(now::get, 5000));
        MemoryDomainState s = state(1100, 2350);
        List<Rejected> rejected = new ArrayList<>();
        assertTrue(l.check(D, 2400, s, false, rejected));
        now.set(1_004_999);
        assertTrue(l.check(D, 2400, s, false, rejected));
        assertEquals(List.of(), rejected);
        now.set(1_005_000); // the grace is over
        assertFalse(l.check(D, 2400, s, false, rejected));
        assertEquals(4, rejected.size());
    }

    static Stream<Arguments> goneRows() {
        // (event time of the domain's latest request or channel, reported): both nodes last heard
        // at 1100, so without other inputs this looks like telemetry lag
        return Stream.of(
                Arguments.of(Long.MIN_VALUE, false), // nothing else seen
                Arguments.of(1100 + 2 * TIMEOUT, false), // exactly two timeouts later: wait
                Arguments.of(1100 + 2 * TIMEOUT + 1, true)); // the domain's workers are gone
    }

    @ParameterizedTest(name = "inputs seen until {0} -> reported {1}")
    @MethodSource("goneRows")
    void whenTheDomainsInputsOutliveItsHeartbeatsTheBatchesAreReported(
            long inputsSeen, boolean reported) {
        MemoryDomainState s = state(1100, 1100);
        s.storeInputsSeen(inputsSeen);
        List<Rejected> rejected = new ArrayList<>();
        boolean watching = liveness().check(D, 9000, s, false, rejected);
        assertEquals(reported ? List.of("r1", "r2", "r3", "r4") : List.of(), ids(rejected));
        assertEquals(!reported, watching);
    }

    @Test
    void nodesWithoutOutstandingBatchesAreLeftAlone() {
        MemoryDomainState s = state(1100, 2350);
        s.node("d1-a").outstanding.clear();
        List<Rejected> rejected = new ArrayList<>();
        assertFalse(liveness().check(D, 9000, s, false, rejected));
        assertEquals(List.of(), rejected);
        assertFalse(s.node("d1-a").stalled);
    }
}
