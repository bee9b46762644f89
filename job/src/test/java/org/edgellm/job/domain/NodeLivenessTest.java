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
import org.edgellm.job.PendingQueue;
import org.edgellm.job.UserChannels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link NodeLiveness#check}: crashed and stalled nodes have their batches settled. Batches without
 * a lease (decided before leases) are reported UNFINISHED once overdue; leased ones are
 * re-dispatched (deadline ahead) or reported once their lease has ended plus a heartbeat timeout,
 * or at once when their worker refused them. A lagging telemetry stream, a batch that may still
 * finish and the restart grace settle nothing.
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

    /** Runs a check with an empty queue; whether batches are still watched. */
    static boolean check(
            NodeLiveness l,
            long slotEnd,
            MemoryDomainState s,
            boolean inputEnded,
            List<Rejected> rejected) {
        return l.check(D, slotEnd, s, new PendingQueue(), inputEnded, rejected).watching();
    }

    /**
     * Gives d1-a's batches leases as the planner would (predicted end + max(timeout, compute
     * time)): 1300 + 1000 = 2300 and 1500 + 1000 = 2500; r1 and r3 have deadline 10,000, r2 and r4
     * deadline 2,600.
     */
    static void lease(MemoryDomainState s) {
        NodeRuntime a = s.node("d1-a");
        for (NodeRuntime.Outstanding o : a.outstanding) {
            NodeRuntime.Lease l = new NodeRuntime.Lease();
            l.decisionId = o.decisionId;
            l.untilMs = SlotPlanner.leaseUntil(o.computeStartMs, o.computeEndMs, TIMEOUT);
            for (String id : o.requestIds) {
                double deadline = id.equals("r1") || id.equals("r3") ? 10_000 : 2_600;
                l.requests.add(
                        DomainFixtures.req(id, "u-" + id, D, 1000, 64, 8, deadline - 1000, 0.5));
            }
            a.leases.add(l);
            for (String id : o.requestIds) {
                UserChannels u = new UserChannels();
                u.nodes = new String[] {"d1-a", "d1-b"};
                u.measuredAt = new long[] {1000, 1000};
                u.uplink = new double[] {5, 5};
                u.downlink = new double[] {5, 5};
                s.storeChannels("u-" + id, u);
            }
        }
        s.storeNode("d1-a", a);
    }

    /**
     * A node with eight leased batches of one request each (deadline 1,050, so a settled one is
     * reported), every other one refused by its worker, and the leases stored in the given order (a
     * permutation of the batches' indices): one check at 1,100 settles exactly the refused ones,
     * and every batch left keeps its own lease. The leases are looked up from where the last one
     * was found, so whatever their order each batch must find its own.
     */
    static List<String> settleRefused(int[] leaseOrder, List<Rejected> rejected) {
        MemoryDomainState s = new MemoryDomainState();
        NodeRuntime a = NodeRuntime.of(TOPOLOGY.node(D, "d1-a"));
        a.heard = true;
        a.lastHeartbeat = 1000;
        a.tracksProgress = true;
        NodeRuntime.Lease[] leases = new NodeRuntime.Lease[leaseOrder.length];
        for (int i = 0; i < leaseOrder.length; i++) {
            String id = "d1/" + (1100 + 100 * i) + "/d1-a";
            a.outstanding.add(batch(id, 1100 + 100 * i, 1100, 60_000, "r" + i));
            NodeRuntime.Lease l = new NodeRuntime.Lease();
            l.decisionId = id;
            l.untilMs = 70_000;
            l.refused = i % 2 == 1;
            l.requests.add(DomainFixtures.req("r" + i, "u-r" + i, D, 1000, 64, 8, 50, 0.5));
            leases[i] = l;
        }
        for (int i : leaseOrder) {
            a.leases.add(leases[i]);
        }
        s.storeNode("d1-a", a);
        liveness().check(D, 1100, s, new PendingQueue(), false, rejected);
        NodeRuntime after = s.node("d1-a");
        List<String> kept = new ArrayList<>();
        for (NodeRuntime.Outstanding o : after.outstanding) {
            NodeRuntime.Lease l = after.lease(o.decisionId);
            assertTrue(l != null && !l.refused, o.decisionId + " keeps its own lease");
            kept.add(o.decisionId);
        }
        assertEquals(kept.size(), after.leases.size(), "no lease without its batch");
        return kept;
    }

    @Test
    void eachBatchFindsItsOwnLeaseWhateverTheLeasesOrder() {
        List<String> expected =
                List.of("d1/1100/d1-a", "d1/1300/d1-a", "d1/1500/d1-a", "d1/1700/d1-a");
        java.util.Random rnd = new java.util.Random(7);
        for (int trial = 0; trial < 30; trial++) {
            List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7));
            if (trial == 1) {
                java.util.Collections.reverse(order);
            } else if (trial > 1) {
                java.util.Collections.shuffle(order, rnd);
            }
            List<Rejected> rejected = new ArrayList<>();
            List<String> kept =
                    settleRefused(order.stream().mapToInt(Integer::intValue).toArray(), rejected);
            assertEquals(expected, kept, "order " + order);
            assertEquals(List.of("r1", "r3", "r5", "r7"), ids(rejected), "order " + order);
        }
    }

    @Test
    void aLeaseIsFoundFromAnyStartingIndex() {
        NodeRuntime n = new NodeRuntime();
        for (int i = 0; i < 5; i++) {
            NodeRuntime.Lease l = new NodeRuntime.Lease();
            l.decisionId = "b" + i;
            n.leases.add(l);
        }
        for (int from = 0; from < 12; from++) {
            for (int i = 0; i < 5; i++) {
                assertEquals(i, n.leaseIndex("b" + i, from), "b" + i + " from " + from);
            }
            assertEquals(-1, n.leaseIndex("b9", from));
        }
        assertEquals(3, n.leaseIndex("b3", -1), "a start that is not an index: from 0");
        assertEquals(3, n.leaseIndex("b3", Integer.MAX_VALUE));
        assertEquals(-1, new NodeRuntime().leaseIndex("b0", 3), "no leases");
    }

    @Test
    void aLeasedBatchIsSettledOnlyATimeoutAfterItsLeaseAndGoesBackToTheQueue() {
        // d1-a silent since 1100 while d1-b is heard: no lag; overdue after 2300 as before, but
        // the worker may commit until the lease ends (2300), so nothing is settled before 3300
        MemoryDomainState s = state(1100, 3400);
        lease(s);
        assertEquals(2300, s.node("d1-a").leases.get(0).untilMs);
        PendingQueue q = new PendingQueue();
        List<Rejected> rejected = new ArrayList<>();
        NodeLiveness.Result r = liveness().check(D, 3300, s, q, false, rejected);
        assertTrue(r.watching());
        assertEquals(0, r.redispatched());
        assertEquals(2, s.node("d1-a").outstanding.size());

        r = liveness().check(D, 3301, s, q, false, rejected);
        // the first batch: r1 (deadline 10,000) re-dispatched, r2 (deadline 2,600) reported
        assertEquals(1, r.redispatched());
        assertEquals(List.of("r1"), DomainFixtures.pendingIds(q));
        assertEquals(List.of("r2"), ids(rejected));
        assertEquals(RejectReason.UNFINISHED, rejected.get(0).reason());
        assertTrue(rejected.get(0).detail().contains("d1/1100/d1-a"), rejected.get(0).detail());
        assertTrue(rejected.get(0).detail().contains("deadline has passed"));
        assertTrue(r.watching(), "the second batch's lease (2500) is not over + timeout yet");
        assertEquals(1, s.node("d1-a").outstanding.size());
        assertEquals(1, s.node("d1-a").leases.size());

        // the second batch's lease ended at 2500, and d1-b was last heard at 3400, not after
        // 2500 + timeout: a heartbeat d1-a committed within its lease may not be read yet
        r = liveness().check(D, 3501, s, q, false, rejected);
        assertEquals(0, r.redispatched());
        assertTrue(r.watching());
        assertEquals(1, s.node("d1-a").outstanding.size());
        s.node("d1-b").lastHeartbeat = 3501;
        r = liveness().check(D, 3501, s, q, false, rejected);
        assertEquals(1, r.redispatched());
        assertEquals(List.of("r1", "r3"), DomainFixtures.pendingIds(q));
        assertEquals(List.of("r2", "r4"), ids(rejected));
        assertFalse(r.watching());
        assertTrue(s.node("d1-a").outstanding.isEmpty());
        assertTrue(s.node("d1-a").leases.isEmpty());
        assertFalse(s.node("d1-a").stalled, "silent, not stalled");
    }

    @Test
    void aHeardNodeWhoseLeaseRunsOutIsStalledAndItsRequestsGoBack() {
        MemoryDomainState s = state(2300, 2300); // heard at the first lease's end, finished nothing
        lease(s);
        PendingQueue q = new PendingQueue();
        List<Rejected> rejected = new ArrayList<>();
        NodeLiveness.Result r = liveness().check(D, 2350, s, q, false, rejected);
        assertEquals(0, r.redispatched(), "a heartbeat stamped at the lease proves nothing");
        assertTrue(r.watching());
        assertFalse(s.node("d1-a").stalled);

        MemoryDomainState s2 = state(2301, 2301); // one millisecond after it
        lease(s2);
        r = liveness().check(D, 2350, s2, q, false, rejected);
        // the first batch at once (r1 back; r2, deadline 2,600, still ahead: back too), long
        // before the heartbeat timeout after the lease (3300); the second's lease is 2500
        assertEquals(2, r.redispatched());
        assertEquals(List.of(), ids(rejected));
        assertEquals(List.of("d1/1200/d1-a"), decisionIds(s2.node("d1-a")));
        assertTrue(s2.node("d1-a").stalled);
        assertFalse(s2.node("d1-a").offered(2350, TIMEOUT, 100_000, true));
    }

    @Test
    void aHeartbeatAfterTheLeaseSettlesEvenWithinTheGraceAndWhileBehind() {
        // the restart grace and a backlog delay only the judgement of silent nodes: a heartbeat
        // stamped after the lease is proof whatever the wall clock says
        AtomicLong now = new AtomicLong(1_000_000);
        NodeLiveness l = new NodeLiveness(TIMEOUT, new RestartGrace(now::get, 5000));
        MemoryDomainState s = state(2600, 2600);
        lease(s);
        List<Rejected> rejected = new ArrayList<>();
        assertTrue(now.get() - 2600 > 5000, "behind the wall clock, and within the grace");
        PendingQueue q = new PendingQueue();
        NodeLiveness.Result r = l.check(D, 2600, s, q, false, rejected);
        // both leases (2300, 2500) are over: r1 and r3 go back, r2 and r4 (deadline 2,600) are
        // reported
        assertEquals(2, r.redispatched());
        assertEquals(List.of("r1", "r3"), DomainFixtures.pendingIds(q));
        assertEquals(List.of("r2", "r4"), ids(rejected));
        assertTrue(s.node("d1-a").outstanding.isEmpty());
    }

    @Test
    void aSilentNodeIsNotJudgedWhileTheSlotsCloseBehindTheWallClock() {
        // live exactly-once with a grace of 5 s, started long ago (the grace is over): d1-a silent
        // since 1100, d1-b heard at 3600 (after both leases + timeout), so at 3501 both leases +
        // timeout are over; but the slot closes 6 s after its end: a backlog (a broker outage), in
        // which d1-a's heartbeats may come after the requests that close the slots
        AtomicLong now = new AtomicLong(0);
        NodeLiveness l = new NodeLiveness(TIMEOUT, new RestartGrace(now::get, 5000));
        MemoryDomainState s = state(1100, 3600);
        lease(s);
        List<Rejected> rejected = new ArrayList<>();
        PendingQueue q = new PendingQueue();
        now.set(3501 + 5001);
        NodeLiveness.Result r = l.check(D, 3501, s, q, false, rejected);
        assertTrue(r.watching());
        assertEquals(0, r.redispatched());
        assertEquals(List.of(), rejected);
        assertEquals(2, s.node("d1-a").outstanding.size());
        now.set(3501 + 5000); // caught up: within the grace of the wall clock
        r = l.check(D, 3501, s, q, false, rejected);
        assertFalse(r.watching());
        assertEquals(List.of("r1", "r3"), DomainFixtures.pendingIds(q));
        assertEquals(List.of("r2", "r4"), ids(rejected));
    }

    @Test
    void aRefusedBatchIsSettledAtOnceEvenWithinTheRestartGrace() {
        AtomicLong now = new AtomicLong(1_000_000);
        NodeLiveness l = new NodeLiveness(TIMEOUT, new RestartGrace(now::get, 5000));
        MemoryDomainState s = state(1500, 1500);
        lease(s);
        NodeRuntime a = s.node("d1-a");
        a.leases.get(1).refused = true; // the second batch: its worker said so
        s.storeNode("d1-a", a);
        PendingQueue q = new PendingQueue();
        List<Rejected> rejected = new ArrayList<>();
        NodeLiveness.Result r = l.check(D, 1600, s, q, false, rejected);
        // r3 goes back; r4 (deadline 2,600) too: it is still ahead at 1600
        assertEquals(2, r.redispatched());
        assertEquals(List.of("r4", "r3"), DomainFixtures.pendingIds(q));
        assertEquals(List.of(), rejected);
        assertTrue(r.watching(), "the first batch may still finish");
        assertEquals(List.of("d1/1100/d1-a"), decisionIds(s.node("d1-a")));
        assertFalse(s.node("d1-a").stalled, "a refusal is no stall");
    }

    /**
     * The hole found by the fault test, closed: d1-a's worker committed the first batch within its
     * lease (2300) with a heartbeat inside the transaction and died; the job lags on the telemetry
     * partition while the other inputs move the slots on. Being heard from d1-b after d1-a's last
     * heartbeat plus a timeout (the rule before) is not enough: d1-b's heartbeats up to the lease
     * plus a timeout may precede d1-a's committed one on the domain's partition. Only one from
     * after that proves d1-a's did not come; the workers are gone, or the input ended, settle too.
     * (slot end, d1-b heard at, inputs seen until, input ended) -> settled
     */
    static Stream<Arguments> laggingPartitionRows() {
        return Stream.of(
                Arguments.of(3301L, 2200L, Long.MIN_VALUE, false, false), // heard since, not after
                Arguments.of(3301L, 3300L, Long.MIN_VALUE, false, false), // exactly lease+timeout
                Arguments.of(3301L, 3301L, Long.MIN_VALUE, false, true),
                Arguments.of(9000L, 3300L, Long.MIN_VALUE, false, false), // slots far ahead
                Arguments.of(9000L, 3300L, 3300L + 2 * TIMEOUT + 1, false, true), // workers gone
                Arguments.of(9000L, 3300L, Long.MIN_VALUE, true, true)); // input ended
    }

    @ParameterizedTest(name = "slot end {0}, d1-b heard at {1}, seen {2}, ended {3} -> settled {4}")
    @MethodSource("laggingPartitionRows")
    void aSilentNodesLeaseIsSettledOnlyOnceAnotherNodeIsHeardAfterIt(
            long slotEnd, long otherHeard, long inputsSeen, boolean ended, boolean settled) {
        MemoryDomainState s = state(1100, otherHeard);
        lease(s);
        s.node("d1-a").outstanding.remove(1); // only the first batch, lease until 2300
        s.node("d1-a").leases.remove(1);
        s.storeInputsSeen(inputsSeen);
        PendingQueue q = new PendingQueue();
        List<Rejected> rejected = new ArrayList<>();
        NodeLiveness.Result r = liveness().check(D, slotEnd, s, q, ended, rejected);
        assertEquals(settled ? 0 : 1, s.node("d1-a").outstanding.size());
        assertEquals(!settled, r.watching());
        List<String> outcome = new ArrayList<>(DomainFixtures.pendingIds(q));
        outcome.addAll(ids(rejected));
        assertEquals(settled ? List.of("r1", "r2") : List.of(), outcome.stream().sorted().toList());
    }

    @Test
    void leasedBatchesOfASilentNodeWaitWhileTheTelemetryMayLag() {
        MemoryDomainState s = state(1100, 1100); // nobody heard since 1100
        lease(s);
        PendingQueue q = new PendingQueue();
        List<Rejected> rejected = new ArrayList<>();
        NodeLiveness.Result r = liveness().check(D, 9000, s, q, false, rejected);
        assertTrue(r.watching());
        assertEquals(0, q.size);
        assertEquals(List.of(), rejected);
        // once the inputs have ended, nothing can come any more
        r = liveness().check(D, 9000, s, q, true, rejected);
        // ... and no node of the domain is left to take them again: all reported
        assertEquals(List.of(), DomainFixtures.pendingIds(q));
        assertEquals(List.of("r1", "r2", "r3", "r4"), ids(rejected));
        assertTrue(
                rejected.get(0).detail().contains("no other live node"), rejected.get(0).detail());
        assertFalse(r.watching());
    }

    static List<String> decisionIds(NodeRuntime n) {
        return n.outstanding.stream().map(o -> o.decisionId).collect(Collectors.toList());
    }

    static List<String> ids(List<Rejected> rs) {
        return rs.stream().map(Rejected::requestId).collect(Collectors.toList());
    }

    @Test
    void silentNodeWhileAnotherIsHeardHasEveryBatchReported() {
        // overdue after 1300 + max(1000, 200) = 2300; silent after 1100 + 1000
        MemoryDomainState s = state(1100, 2350);
        List<Rejected> rejected = new ArrayList<>();
        boolean watching = check(liveness(), 2400, s, false, rejected);
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
        boolean watching = check(liveness(), slotEnd, s, false, rejected);
        assertEquals(reported ? 4 : 0, rejected.size());
        assertEquals(!reported, watching);
        assertEquals(reported ? 0 : 2, s.node("d1-a").outstanding.size());
    }

    @Test
    void noNodeHeardSinceIsTelemetryLagNotACrash() {
        // both last heard at 1100: the stream lags, the node may be fine
        MemoryDomainState s = state(1100, 1100);
        List<Rejected> rejected = new ArrayList<>();
        assertTrue(check(liveness(), 5000, s, false, rejected));
        assertEquals(List.of(), rejected);
        assertEquals(2, s.node("d1-a").outstanding.size());
    }

    @Test
    void afterTheEndOfTheInputSilenceIsNotLag() {
        // the same silence once every input has ended: nothing more can come, so it is reported
        MemoryDomainState s = state(1100, 1100);
        List<Rejected> rejected = new ArrayList<>();
        assertTrue(!check(liveness(), 5000, s, true, rejected));
        assertEquals(List.of("r1", "r2", "r3", "r4"), ids(rejected));
        assertEquals(0, s.node("d1-a").outstanding.size());
    }

    @Test
    void stalledNodeIsReportedAndMarked() {
        // heard at 2350 (not silent at 2400), finished nothing since 0
        MemoryDomainState s = state(2350, 2350);
        List<Rejected> rejected = new ArrayList<>();
        boolean watching = check(liveness(), 2400, s, false, rejected);
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
        assertTrue(check(liveness(), 3000, s, false, rejected));
        assertEquals(List.of(), rejected);
        assertFalse(check(liveness(), 3001, s, false, rejected));
        assertEquals(4, rejected.size());
    }

    @Test
    void withinTheRestartGraceNothingIsReported() {
        // the slots close on time (the wall clock 2400 + 1,000,000 ms after the start is not
        // behind a slot ending at 1,002,400 and later); d1-a silent since 1100
        AtomicLong now = new AtomicLong(1_000_000);
        NodeLiveness l = new NodeLiveness(TIMEOUT, new RestartGrace(now::get, 5000));
        MemoryDomainState s = state(1100, 2350);
        List<Rejected> rejected = new ArrayList<>();
        long slot = 1_002_400;
        s.node("d1-b").lastHeartbeat = slot - 50;
        assertTrue(check(l, slot, s, false, rejected));
        now.set(1_004_999);
        assertTrue(check(l, slot, s, false, rejected));
        assertEquals(List.of(), rejected);
        now.set(1_005_000); // the grace is over
        assertFalse(check(l, slot, s, false, rejected));
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
        boolean watching = check(liveness(), 9000, s, false, rejected);
        assertEquals(reported ? List.of("r1", "r2", "r3", "r4") : List.of(), ids(rejected));
        assertEquals(!reported, watching);
    }

    @Test
    void nodesWithoutOutstandingBatchesAreLeftAlone() {
        MemoryDomainState s = state(1100, 2350);
        s.node("d1-a").outstanding.clear();
        List<Rejected> rejected = new ArrayList<>();
        assertFalse(check(liveness(), 9000, s, false, rejected));
        assertEquals(List.of(), rejected);
        assertFalse(s.node("d1-a").stalled);
    }

    /**
     * The shortcut of {@link NodeLiveness#check}: on random nodes (leased batches, some without a
     * lease, refused ones, heartbeats before, inside and after the leases, slots up to two timeouts
     * past them, with and without the restart grace, the other node heard or not), whenever {@link
     * NodeLiveness#settlesNothing} says so, the full walk over the node's batches settles none of
     * them, rejects nothing, re-queues nothing and still watches batches; and a check of the whole
     * domain settles exactly what the walk settles.
     */
    @Test
    void aNodeTheShortcutSkipsIsOneTheWalkWouldNotSettle() {
        java.util.Random rnd = new java.util.Random(20261203);
        int skipped = 0;
        int walked = 0;
        for (int trial = 0; trial < 4000; trial++) {
            long seed = rnd.nextLong();
            long slotEnd = 2000 + rnd.nextInt(6000);
            boolean grace = rnd.nextInt(4) == 0;
            NodeLiveness l =
                    new NodeLiveness(
                            TIMEOUT, grace ? new RestartGrace(() -> 0L, 100_000) : liveness0());
            MemoryDomainState s = randomNode(new java.util.Random(seed), slotEnd);
            NodeRuntime a = s.node("d1-a");
            int batches = a.outstanding.size();
            if (l.settlesNothing(a, slotEnd)) {
                skipped++;
                List<Rejected> rejected = new ArrayList<>();
                PendingQueue q = new PendingQueue();
                NodeLiveness.Result r =
                        l.walk(
                                D,
                                "d1-a",
                                a,
                                slotEnd,
                                s,
                                s.nodes(),
                                NodeLiveness.heardLatest(s.nodes()),
                                q,
                                false,
                                rejected);
                assertEquals(0, r.redispatched(), "trial " + trial);
                assertTrue(rejected.isEmpty(), "trial " + trial + ": " + rejected);
                assertTrue(r.watching(), "trial " + trial);
                assertEquals(batches, s.node("d1-a").outstanding.size(), "trial " + trial);
            } else {
                walked++;
            }
            // the whole check (shortcut included) against the walk on a copy of the same state
            MemoryDomainState viaCheck = randomNode(new java.util.Random(seed), slotEnd);
            MemoryDomainState viaWalk = randomNode(new java.util.Random(seed), slotEnd);
            List<Rejected> byCheck = new ArrayList<>();
            List<Rejected> byWalk = new ArrayList<>();
            NodeLiveness.Result c =
                    l.check(D, slotEnd, viaCheck, new PendingQueue(), false, byCheck);
            NodeLiveness.Result w =
                    l.walk(
                            D,
                            "d1-a",
                            viaWalk.node("d1-a"),
                            slotEnd,
                            viaWalk,
                            viaWalk.nodes(),
                            NodeLiveness.heardLatest(viaWalk.nodes()),
                            new PendingQueue(),
                            false,
                            byWalk);
            assertEquals(w, c, "trial " + trial);
            assertEquals(
                    byWalk.stream().map(Rejected::requestId).collect(Collectors.toList()),
                    byCheck.stream().map(Rejected::requestId).collect(Collectors.toList()),
                    "trial " + trial);
        }
        assertTrue(skipped > 500 && walked > 500, skipped + " skipped, " + walked + " walked");
    }

    private static RestartGrace liveness0() {
        return new RestartGrace(NO_CLOCK, 0);
    }

    /**
     * d1-a with one to five batches in slot order, each leased (one in six not, one in eight
     * refused), leases ending 1,000-5,000 ms after their batch's slot, heard at a random time
     * around them; d1-b heard at a random time, without batches.
     */
    private static MemoryDomainState randomNode(java.util.Random r, long slotEnd) {
        MemoryDomainState s = new MemoryDomainState();
        NodeRuntime a = NodeRuntime.of(TOPOLOGY.node(D, "d1-a"));
        a.heard = true;
        a.tracksProgress = true;
        a.finishedThrough = 0;
        int k = 1 + r.nextInt(5);
        long first = 1000 + r.nextInt(3000);
        for (int i = 0; i < k; i++) {
            long slot = first + 100L * i;
            String id = "d1/" + slot + "/d1-a";
            double start = slot + r.nextInt(500);
            double end = start + 50 + r.nextInt(2000);
            a.outstanding.add(batch(id, slot, start, end, "r" + i, "s" + i));
            if (r.nextInt(6) > 0) {
                NodeRuntime.Lease l = new NodeRuntime.Lease();
                l.decisionId = id;
                l.untilMs = end + 1000 + r.nextInt(4000);
                l.refused = r.nextInt(8) == 0;
                for (String req : List.of("r" + i, "s" + i)) {
                    l.requests.add(
                            DomainFixtures.req(
                                    req, "u-" + req, D, 1000, 64, 8, 500 + r.nextInt(9000), 0.5));
                }
                a.leases.add(l);
            }
        }
        a.busyUntil = a.outstanding.get(k - 1).computeEndMs;
        a.lastHeartbeat = slotEnd - r.nextInt(4000);
        a.reportedBusyUntil = r.nextBoolean() ? Double.NEGATIVE_INFINITY : a.busyUntil;
        s.storeNode("d1-a", a);
        NodeRuntime b = NodeRuntime.of(TOPOLOGY.node(D, "d1-b"));
        b.heard = true;
        b.lastHeartbeat = slotEnd - r.nextInt(4000);
        s.storeNode("d1-b", b);
        return s;
    }
}
