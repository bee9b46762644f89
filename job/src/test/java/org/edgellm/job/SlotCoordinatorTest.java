package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.DecidedRequest;
import org.edgellm.events.Rejection;
import org.edgellm.events.RejectionReason;
import org.edgellm.events.SlotReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The coordinator in an operator test harness: slots, late data, state, node health. */
class SlotCoordinatorTest {

    static final Topology TOPOLOGY = Topology.parse(TestTopologies.twoDomains(), "test");

    SlotCoordinator fn;
    KeyedOneInputStreamOperatorTestHarness<String, InputEvent, BatchDecision> h;

    @BeforeEach
    void setUp() throws Exception {
        start(Map.of());
    }

    void start(Map<String, String> extra) throws Exception {
        Map<String, String> flags = new java.util.HashMap<>(Map.of("heartbeat-timeout-ms", "1000"));
        flags.putAll(extra);
        fn = new SlotCoordinator(TOPOLOGY, Events.harnessConfig(flags));
        h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(fn), e -> e.domainId, Types.STRING);
        h.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    void in(InputEvent e) throws Exception {
        h.processElement(new StreamRecord<>(e, e.time));
    }

    void channels(String user, String domain, long t) throws Exception {
        in(Events.channel(user, domain, domain + "-a", t, 5.0));
        in(Events.channel(user, domain, domain + "-b", t, 5.0));
    }

    List<BatchDecision> decisions() {
        return new ArrayList<>(h.extractOutputValues());
    }

    List<SlotReport> reports() {
        List<SlotReport> out = new ArrayList<>();
        var q = h.getSideOutput(SlotCoordinator.REPORTS);
        if (q != null) {
            q.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    List<Rejection> rejections() {
        List<Rejection> out = new ArrayList<>();
        var q = h.getSideOutput(SlotCoordinator.REJECTIONS);
        if (q != null) {
            q.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    int pending(String domain) throws Exception {
        ((org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>) h.getOperator())
                .setCurrentKey(domain);
        return fn.pendingCount();
    }

    static Set<String> ids(List<BatchDecision> ds) {
        Set<String> out = new HashSet<>();
        for (BatchDecision d : ds) {
            for (DecidedRequest r : d.getRequests()) {
                assertTrue(out.add(r.getRequestId()), "request decided twice: " + r.getRequestId());
            }
        }
        return out;
    }

    @Test
    void slotTimerFiresOncePerSlotAndDecidesItsRequests() throws Exception {
        channels("u1", "d1", 5);
        channels("u2", "d1", 5);
        in(Events.request("r1", "u1", "d1", 10, 200, 50, 20_000));
        in(Events.request("r2", "u2", "d1", 40, 300, 60, 20_000));
        assertTrue(decisions().isEmpty(), "nothing before the slot closes");
        h.processWatermark(99);
        assertTrue(decisions().isEmpty(), "slot [0, 100) is still open at watermark 99");
        h.processWatermark(100);
        assertEquals(Set.of("r1", "r2"), ids(decisions()));
        assertEquals(1, reports().size());
        assertEquals(100L, reports().get(0).getSlotEnd().toEpochMilli());
        assertEquals(2, reports().get(0).getAssigned());
        for (BatchDecision d : decisions()) {
            assertEquals(100L, d.getSlotEnd().toEpochMilli());
            assertEquals("d1/100/" + d.getNodeId(), d.getDecisionId());
            for (DecidedRequest r : d.getRequests()) {
                assertTrue(r.getPredictedFinishMs() <= r.getDeadlineMs());
            }
        }
        h.processWatermark(500);
        assertEquals(1, reports().size(), "no further slot fires with nothing pending");
        assertEquals(1, h.numEventTimeTimers(), "only the wake-up for the next cleaning");
        assertEquals(0, pending("d1"));
        h.processWatermark(200_000); // cleaned: ids and channels long past, no timer left
        assertEquals(0, h.numEventTimeTimers());
        assertEquals(1, reports().size());
    }

    /**
     * With {@code --slot-stagger spread} the operator registers each domain's timers at its own
     * phase (d1 at 95 ms past each 100 ms, d2 at 8), so the two domains' slots close at different
     * watermarks and each decision names its domain's slot end.
     */
    @Test
    void staggeredSlotsCloseEachDomainAtItsOwnPhase() throws Exception {
        h.close();
        start(Map.of("slot-stagger", "spread"));
        channels("u1", "d1", 5);
        channels("u2", "d2", 5);
        in(Events.request("r1", "u1", "d1", 10, 200, 50, 20_000)); // d1's slot [-5, 95)
        in(Events.request("r2", "u2", "d2", 10, 200, 50, 20_000)); // d2's slot [8, 108)
        h.processWatermark(94);
        assertTrue(decisions().isEmpty());
        h.processWatermark(95);
        assertEquals(Set.of("r1"), ids(decisions()));
        h.processWatermark(107);
        assertEquals(Set.of("r1"), ids(decisions()));
        h.processWatermark(108);
        assertEquals(Set.of("r1", "r2"), ids(decisions()));
        for (BatchDecision d : decisions()) {
            long expected = d.getDomainId().equals("d1") ? 95 : 108;
            assertEquals(expected, d.getSlotEnd().toEpochMilli(), d.getDecisionId());
            assertEquals(d.getDomainId() + "/" + expected + "/" + d.getNodeId(), d.getDecisionId());
        }
    }

    /**
     * A slot's timer is registered with its first buffered event: the first event of a slot leaves
     * a timer for it, the first event of a second slot a second one, and both slots close. (Flink
     * keeps one timer per key and time, so the count cannot show whether a later event of the same
     * slot registered it again: skipping that call saves CPU only, and no test here can see it.)
     */
    @Test
    void eachBufferedSlotHasItsTimerAndCloses() throws Exception {
        channels("u1", "d1", 5);
        in(Events.request("r1", "u1", "d1", 10, 200, 50, 20_000));
        in(Events.request("r2", "u1", "d1", 40, 200, 50, 20_000));
        assertEquals(1, h.numEventTimeTimers(), "slot 100's timer");
        in(Events.request("r3", "u1", "d1", 150, 200, 50, 20_000));
        channels("u1", "d1", 160);
        assertEquals(2, h.numEventTimeTimers(), "slot 200 has its own");
        h.processWatermark(100);
        assertEquals(Set.of("r1", "r2"), ids(decisions()));
        h.processWatermark(200);
        assertEquals(Set.of("r1", "r2", "r3"), ids(decisions()));
    }

    @Test
    void lateRequestJoinsTheNextSlot() throws Exception {
        channels("u1", "d1", 5);
        h.processWatermark(100); // slot 100 closes with nothing pending
        assertTrue(decisions().isEmpty());
        in(Events.request("late", "u1", "d1", 50, 200, 50, 20_000)); // belongs to the closed slot
        h.processWatermark(199);
        assertTrue(decisions().isEmpty());
        h.processWatermark(200);
        assertEquals(1, decisions().size());
        assertEquals(200L, decisions().get(0).getSlotEnd().toEpochMilli());
        assertEquals(Set.of("late"), ids(decisions()));
    }

    @Test
    void eventsAfterTheSlotEndWaitForTheirOwnSlot() throws Exception {
        channels("u1", "d1", 5);
        in(Events.request("early", "u1", "d1", 10, 200, 50, 20_000));
        in(Events.request("next", "u1", "d1", 150, 200, 50, 20_000)); // arrives before wm 100
        h.processWatermark(100);
        assertEquals(
                Set.of("early"), ids(decisions()), "a request of slot 200 is not used in slot 100");
    }

    @Test
    void pendingStateIsClearedOnDecisionAndOnRejectionAndDuplicatesAreInvalid() throws Exception {
        channels("u1", "d1", 5);
        in(Events.request("ok", "u1", "d1", 10, 200, 50, 20_000));
        in(Events.request("hopeless", "u1", "d1", 20, 200, 400, 300)); // 300 ms for 400 tokens
        h.processWatermark(100);
        assertEquals(Set.of("ok"), ids(decisions()));
        List<Rejection> rej = rejections();
        assertEquals(1, rej.size());
        assertEquals("hopeless", rej.get(0).getRequestId());
        assertEquals(RejectionReason.DEADLINE_UNREACHABLE, rej.get(0).getReason());
        assertEquals(0, pending("d1"));
        in(Events.request("ok", "u1", "d1", 120, 200, 50, 20_000)); // the same id again
        h.processWatermark(200);
        assertEquals(2, rejections().size());
        assertEquals(RejectionReason.INVALID, rejections().get(1).getReason());
        assertTrue(rejections().get(1).getDetail().contains("duplicate"));
        assertEquals(0, pending("d1"));
        ((org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>) h.getOperator())
                .setCurrentKey("d1");
        assertEquals(0, fn.bufferedCount());
    }

    @Test
    void requestsWithoutAnyChannelWaitThenAreRejectedAsNoChannel() throws Exception {
        in(Events.request("lonely", "nobody", "d1", 10, 200, 50, 1000));
        h.processWatermark(100);
        assertTrue(decisions().isEmpty());
        assertEquals(1, pending("d1"), "it may still get a channel");
        h.processWatermark(2000);
        assertEquals(1, rejections().size());
        assertEquals(RejectionReason.NO_CHANNEL, rejections().get(0).getReason());
        assertEquals(0, pending("d1"));
    }

    /**
     * C1 picks the variant: a request that tolerates no perplexity increase runs on fp16. A request
     * that only a node without its channel could serve (d2-a's fp16; its channel reaches only the
     * L4 with w4a16) is neither served nor rejected: it waits, and is served once that channel
     * arrives.
     */
    @Test
    void accuracyPicksTheVariantAndARequestWaitsForTheChannelOfTheOnlyNodeThatCanServeIt()
            throws Exception {
        channels("u1", "d1", 5);
        InputEvent e = Events.request("picky", "u1", "d1", 10, 200, 50, 20_000);
        e.request.maxPplIncrease = 0.0; // fp16 (0.0) still qualifies
        in(e);
        InputEvent strict = Events.request("stricter", "u1", "d2", 10, 200, 50, 20_000);
        in(Events.channel("u1", "d2", "d2-b", 5, 5.0)); // only the L4 with w4a16 (0.31)
        strict.request.maxPplIncrease = 0.1;
        in(strict);
        h.processWatermark(1500); // slots 100 to 1500, each domain's full sweep among them
        assertEquals(Set.of("picky"), ids(decisions()));
        assertEquals("fp16", decisions().get(0).getVariant());
        assertEquals(1, pending("d2"), "d2-a could serve it with fp16 once a channel arrives");
        assertTrue(rejections().isEmpty(), "waiting, not rejected: " + rejections());
        in(Events.channel("u1", "d2", "d2-a", 1550, 5.0));
        h.processWatermark(1600);
        assertEquals(Set.of("picky", "stricter"), ids(decisions()));
        BatchDecision served = decisions().get(1);
        assertEquals("d2-a", served.getNodeId());
        assertEquals("fp16", served.getVariant());
        assertEquals(1600L, served.getSlotEnd().toEpochMilli());
        assertEquals(0, pending("d2"));
    }

    /**
     * A request that no resident variant can serve (d2's nodes announce w4a16 only, 0.31 above its
     * 0.1) is ACCURACY_UNSATISFIABLE, but not always at once: near its deadline (within
     * NEAR_DEADLINE_MS) it is checked every slot and rejected in its first one; far from it, only
     * the domain's full sweep every tenth slot checks it, so the rejection comes within ten slots
     * (at slot 1000 for d2, whose sweep is not slot 100), and it is never decided meanwhile.
     */
    @Test
    void aRequestNoResidentVariantCanServeIsRejectedFirstSlotNearItsDeadlineElseAtTheSweep()
            throws Exception {
        for (String node : List.of("d2-a", "d2-b")) {
            InputEvent beat = Events.heartbeat(node, "d2", 1, true);
            beat.telemetry.capabilities = w4a16Only(node);
            in(beat);
            in(Events.channel("u1", "d2", node, 5, 5.0));
        }
        InputEvent near = Events.request("near", "u1", "d2", 10, 200, 50, 2_500);
        InputEvent far = Events.request("far", "u1", "d2", 20, 200, 50, 20_000);
        near.request.maxPplIncrease = 0.1;
        far.request.maxPplIncrease = 0.1;
        in(near);
        in(far);
        h.processWatermark(100);
        assertEquals(1, rejections().size(), "only the request near its deadline at once");
        Rejection first = rejections().get(0);
        assertEquals("near", first.getRequestId());
        assertEquals(RejectionReason.ACCURACY_UNSATISFIABLE, first.getReason());
        assertEquals(100L, first.getTime().toEpochMilli());
        assertEquals(1, pending("d2"), "the other waits for the sweep");
        h.processWatermark(900);
        assertEquals(1, rejections().size());
        assertEquals(1, pending("d2"));
        h.processWatermark(1000); // ten slots after its own
        assertEquals(2, rejections().size());
        Rejection second = rejections().get(1);
        assertEquals("far", second.getRequestId());
        assertEquals(RejectionReason.ACCURACY_UNSATISFIABLE, second.getReason());
        assertEquals(1000L, second.getTime().toEpochMilli());
        assertTrue(second.getDetail().contains("0.1"), second.getDetail());
        assertTrue(decisions().isEmpty());
        assertEquals(0, pending("d2"));
    }

    /** An A100-like node whose only resident variant is w4a16 (perplexity increase 0.31). */
    static NodeSpec w4a16Only(String id) {
        NodeSpec s = TOPOLOGY.node("d2", "d2-a");
        NodeSpec out = new NodeSpec();
        out.id = id;
        out.memoryBytes = s.memoryBytes;
        out.reserveBytes = s.reserveBytes;
        out.memoryBandwidth = s.memoryBandwidth;
        out.peakFlops16 = s.peakFlops16;
        out.peakFlops8 = s.peakFlops8;
        out.peakFlops4 = s.peakFlops4;
        out.efficiency = s.efficiency;
        out.uplinkHz = s.uplinkHz;
        out.downlinkHz = s.downlinkHz;
        out.variants =
                new NodeSpec.VariantSpec[] {new NodeSpec.VariantSpec("w4a16", 4, 16, 16, 0.31)};
        return out;
    }

    @Test
    void unhealthyNodesGetNothingUntilTheyAreBack() throws Exception {
        in(Events.heartbeat("d1-a", "d1", 1, false));
        in(Events.heartbeat("d1-b", "d1", 1, false));
        channels("u1", "d1", 5);
        in(Events.request("r1", "u1", "d1", 10, 200, 50, 20_000));
        h.processWatermark(100);
        assertTrue(decisions().isEmpty(), "both nodes unhealthy");
        assertEquals(1, pending("d1"));
        in(Events.heartbeat("d1-b", "d1", 150, true));
        in(Events.heartbeat("d1-a", "d1", 150, false));
        h.processWatermark(200);
        assertEquals(1, decisions().size());
        assertEquals("d1-b", decisions().get(0).getNodeId());
    }

    @Test
    void silentNodesAreExcludedAndReadmittedByAHeartbeat() throws Exception {
        in(Events.heartbeat("d1-a", "d1", 1, true));
        in(Events.heartbeat("d1-b", "d1", 1, true));
        in(Events.heartbeat("d1-b", "d1", 1900, true));
        channels("u1", "d1", 1950);
        in(Events.request("r1", "u1", "d1", 1950, 200, 50, 20_000));
        h.processWatermark(2000); // d1-a silent since 1 (timeout 1000)
        assertEquals(1, decisions().size());
        assertEquals("d1-b", decisions().get(0).getNodeId());
        in(Events.heartbeat("d1-a", "d1", 2050, true));
        channels("u2", "d1", 2050);
        in(Events.request("r2", "u2", "d1", 2060, 200, 50, 20_000));
        h.processWatermark(2100); // d1-b is busy with r1, d1-a is back
        assertEquals(2, decisions().size());
        assertEquals("d1-a", decisions().get(1).getNodeId());
    }

    @Test
    void aBusyNodeIsNotOfferedBeyondTheLookAhead() throws Exception {
        in(Events.heartbeat("d1-b", "d1", 1, false)); // only d1-a
        channels("u1", "d1", 5);
        in(Events.request("r1", "u1", "d1", 10, 1500, 400, 60_000));
        h.processWatermark(100);
        assertEquals(1, decisions().size());
        double busyUntil = decisions().get(0).getComputeEndMs();
        assertTrue(busyUntil > 1000, "a long batch: " + busyUntil);
        in(Events.request("r2", "u1", "d1", 150, 200, 50, 60_000));
        h.processWatermark(200);
        assertEquals(1, decisions().size(), "d1-a busy until " + busyUntil);
        long slot = ((long) Math.ceil(busyUntil / 100.0)) * 100;
        h.processWatermark(slot + 100);
        assertEquals(2, decisions().size());
        BatchDecision second = decisions().get(1);
        assertTrue(second.getComputeStartMs() >= busyUntil - 1e-6, "no overlap on one node");
        assertFalse(
                second.getSlotEnd().toEpochMilli() + 100 < busyUntil,
                "offered only within the look-ahead");
    }

    @Test
    void overloadShedsTheLatestDeadlinesFirst() throws Exception {
        h.close();
        start(Map.of("max-pending", "2"));
        in(Events.heartbeat("d1-a", "d1", 1, false));
        in(Events.heartbeat("d1-b", "d1", 1, false)); // nothing can be served now
        channels("u1", "d1", 5);
        in(Events.request("soon", "u1", "d1", 10, 100, 10, 10_000));
        in(Events.request("mid", "u1", "d1", 11, 100, 10, 20_000));
        in(Events.request("late", "u1", "d1", 12, 100, 10, 30_000));
        h.processWatermark(100);
        assertEquals(1, rejections().size());
        assertEquals("late", rejections().get(0).getRequestId());
        assertEquals(RejectionReason.SHED, rejections().get(0).getReason());
        assertEquals(2, pending("d1"));
    }

    List<Rejection> rejections(RejectionReason reason) {
        List<Rejection> out = new ArrayList<>();
        for (Rejection r : rejections()) {
            if (r.getReason() == reason) {
                out.add(r);
            }
        }
        return out;
    }

    /** Both nodes report progress; d1-b is down so that d1-a gets the batch. */
    BatchDecision batchOnA(String id, long t) throws Exception {
        in(Events.progress("d1-a", "d1", t, 0));
        in(Events.heartbeat("d1-b", "d1", t, false));
        channels("u-" + id, "d1", t);
        in(Events.request(id, "u-" + id, "d1", t + 5, 300, 100, 60_000));
        h.processWatermark(t + 100);
        BatchDecision d = decisions().get(decisions().size() - 1);
        assertEquals("d1-a", d.getNodeId());
        return d;
    }

    /**
     * When a watched batch that did not finish is settled: a heartbeat timeout (1000) after its
     * lease, which is its predicted end plus max(timeout, compute time), the moment from which its
     * worker neither starts nor commits it.
     */
    static double settledAfter(BatchDecision d) {
        double end = d.getComputeEndMs();
        double lease = Math.ceil(end + Math.max(1000, end - d.getComputeStartMs()));
        assertEquals((long) lease, d.getLeaseUntil().toEpochMilli(), "the decision's lease");
        return lease + 1000;
    }

    @Test
    void aCrashedWorkersUnfinishedRequestsAreReportedAndItGetsNothingUntilBack() throws Exception {
        BatchDecision d = batchOnA("r1", 0);
        double settled = settledAfter(d);
        // d1-a goes silent; d1-b's heartbeats keep the slots closing (d1-b is unhealthy: no node
        // can take r1 again, so it is reported rather than re-dispatched)
        long t = 200;
        for (; t + 100 <= settled; t += 100) {
            in(Events.heartbeat("d1-b", "d1", t, false));
            h.processWatermark(t + 100);
        }
        assertTrue(
                rejections(RejectionReason.UNFINISHED).isEmpty(),
                "silent, but it may come back in time: not reported before its lease is over");
        for (long stop = t + 300; t <= stop; t += 100) {
            in(Events.heartbeat("d1-b", "d1", t, false));
            h.processWatermark(t + 100);
        }
        List<Rejection> lost = rejections(RejectionReason.UNFINISHED);
        assertEquals(1, lost.size(), rejections().toString());
        assertEquals("r1", lost.get(0).getRequestId());
        assertTrue(lost.get(0).getDetail().contains(d.getDecisionId()), lost.get(0).getDetail());
        assertTrue(lost.get(0).getDetail().contains("silent"), lost.get(0).getDetail());
        // a new request gets no node while d1-a is silent and d1-b unhealthy
        channels("u2", "d1", t);
        in(Events.request("r2", "u2", "d1", t, 300, 100, 60_000));
        h.processWatermark(t + 100);
        assertEquals(1, decisions().size());
        // back: it finished nothing (its first heartbeat after a restart), gets work again
        in(Events.progress("d1-a", "d1", t + 150, 0));
        h.processWatermark(t + 200);
        assertEquals(2, decisions().size());
        assertEquals("d1-a", decisions().get(1).getNodeId());
        assertEquals(1, rejections(RejectionReason.UNFINISHED).size(), "reported once");
    }

    @Test
    void aStalledWorkerIsDetectedReportedAndReadmittedOnProgress() throws Exception {
        BatchDecision d = batchOnA("r1", 0);
        // heard after its lease without finishing it: settled by the first such heartbeat, not a
        // heartbeat timeout later (its worker sends none while a commit is in flight)
        double settled = d.getLeaseUntil().toEpochMilli();
        long stallSeen = (long) Math.ceil(settled / 100.0) * 100 + 100;
        // d1-a keeps sending heartbeats but never reports r1's batch finished
        for (long t = 200; t <= stallSeen; t += 100) {
            in(Events.progress("d1-a", "d1", t, 0));
            in(Events.heartbeat("d1-b", "d1", t, false));
            h.processWatermark(t + 100);
            if (t + 100 <= settled) {
                assertTrue(rejections(RejectionReason.UNFINISHED).isEmpty(), "not before " + t);
            }
        }
        List<Rejection> lost = rejections(RejectionReason.UNFINISHED);
        assertEquals(1, lost.size());
        assertTrue(
                lost.get(0).getDetail().contains("finished nothing after"),
                lost.get(0).getDetail());
        long t = stallSeen + 100;
        channels("u2", "d1", t);
        in(Events.progress("d1-a", "d1", t, 0));
        in(Events.request("r2", "u2", "d1", t + 5, 300, 100, 60_000));
        h.processWatermark(t + 100);
        assertEquals(1, decisions().size(), "a stalled node gets nothing");
        // it finally finishes r1's batch: progress readmits it
        in(Events.progress("d1-a", "d1", t + 150, d.getSlotEnd().toEpochMilli()));
        h.processWatermark(t + 200);
        assertEquals(2, decisions().size());
        assertEquals("d1-a", decisions().get(1).getNodeId());
    }

    @Test
    void finishedBatchesAreNeverReported() throws Exception {
        BatchDecision d = batchOnA("r1", 0);
        in(Events.progress("d1-a", "d1", 150, d.getSlotEnd().toEpochMilli()));
        h.processWatermark(200);
        // then silent for good: nothing of its is outstanding
        for (long t = 300; t <= 3000; t += 300) {
            in(Events.heartbeat("d1-b", "d1", t, false));
            h.processWatermark(t + 100);
        }
        assertTrue(rejections(RejectionReason.UNFINISHED).isEmpty(), rejections().toString());
    }

    @Test
    void whenNoNodeIsHeardTheTelemetryMayLagUntilTheDomainsInputsOutliveItsHeartbeats()
            throws Exception {
        BatchDecision d = batchOnA("r1", 0); // both nodes last heard at 0; timeout 1000 ms
        long overdue = (long) Math.floor(settledAfter(d) / 100.0) * 100 + 100; // first slot past
        // requests keep the slots closing, but no heartbeat of any node arrives
        long firstReport = -1;
        for (long s = 200; s <= Math.max(3000, overdue + 500); s += 100) {
            channels("w" + s, "d1", s);
            in(Events.request("q" + s, "w" + s, "d1", s, 100, 10, 1_000));
            h.processWatermark(s + 100);
            if (firstReport < 0 && !rejections(RejectionReason.UNFINISHED).isEmpty()) {
                firstReport = s + 100;
            }
        }
        // within two heartbeat timeouts of the domain's last heartbeat (0) the telemetry stream
        // may lag; beyond, its requests and channels went on without a heartbeat: the site is
        // down. The slot ending at 2200 is the first to apply inputs of time 2100 > 2 x 1000.
        assertEquals(
                Math.max(2200, overdue),
                firstReport,
                "reported in the first slot both past the lease + timeout and two timeouts");
        List<Rejection> down = rejections(RejectionReason.UNFINISHED);
        assertTrue(down.stream().anyMatch(r -> r.getRequestId().equals("r1")), down.toString());
        assertTrue(down.stream().allMatch(r -> r.getDetail().contains("on node d1-a")));
    }

    @Test
    void whenNoNodeIsHeardForLessThanTwoTimeoutsNothingIsReportedUntilAnotherIsHeard()
            throws Exception {
        BatchDecision d = batchOnA("r1", 0);
        long t = (long) Math.ceil(settledAfter(d) / 100.0) * 100;
        // lease over, but the domain's inputs are within two timeouts of its last heartbeat
        for (long s = 200; s <= t && s < 1900; s += 100) {
            channels("w" + s, "d1", s);
            h.processWatermark(s + 100);
        }
        assertTrue(
                rejections(RejectionReason.UNFINISHED).isEmpty(),
                "every node silent, the inputs within two timeouts: the stream may lag");
        in(Events.heartbeat("d1-b", "d1", t + 150, false));
        h.processWatermark(t + 200);
        List<Rejection> lost = rejections(RejectionReason.UNFINISHED);
        assertTrue(lost.stream().anyMatch(r -> r.getRequestId().equals("r1")), lost.toString());
        assertTrue(lost.stream().allMatch(r -> r.getDetail().contains("on node d1-a")));
    }
}
