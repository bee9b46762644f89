package org.edgellm.job.domain;

import static org.edgellm.job.domain.DomainFixtures.TOPOLOGY;
import static org.edgellm.job.domain.DomainFixtures.channel;
import static org.edgellm.job.domain.DomainFixtures.close;
import static org.edgellm.job.domain.DomainFixtures.computeMs;
import static org.edgellm.job.domain.DomainFixtures.copyOf;
import static org.edgellm.job.domain.DomainFixtures.memoryFits;
import static org.edgellm.job.domain.DomainFixtures.pendingIds;
import static org.edgellm.job.domain.DomainFixtures.req;
import static org.edgellm.job.domain.DomainFixtures.request;
import static org.edgellm.job.domain.DomainFixtures.settings;
import static org.edgellm.job.domain.DomainFixtures.variant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.edgellm.job.InputEvent;
import org.edgellm.job.NodeRuntime;
import org.edgellm.job.NodeSpec;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.UserChannels;
import org.edgellm.job.domain.DomainFixtures.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Slot planning through {@link DomainScheduler#closeSlot}: which nodes and candidates are offered,
 * and every decision re-checked against the spec's constraints C1-C5 computed here.
 */
class SlotPlannerTest {

    static final String D = "d1";
    static final long SLOT_END = 1100; // heartbeat timeout 1000, look-ahead 100
    static final NodeSpec BIG = TOPOLOGY.node(D, "d1-a");

    /** A single node in a state of its own, and whether the slot ending at 1100 offers it. */
    record NodeRow(String name, String id, Supplier<NodeRuntime> node, boolean offered) {
        @Override
        public String toString() {
            return name;
        }
    }

    static NodeRuntime heardAt(String id, long t, boolean healthy) {
        NodeRuntime n = NodeRuntime.of(copyOf(BIG, id));
        n.heard = true;
        n.lastHeartbeat = t;
        n.healthy = healthy;
        return n;
    }

    static Stream<NodeRow> nodeRows() {
        return Stream.of(
                new NodeRow("topology node, never heard", "d1-a", () -> NodeRuntime.of(BIG), true),
                new NodeRow("heard within the timeout", "n", () -> heardAt("n", 100, true), true),
                new NodeRow("silent past the timeout", "n", () -> heardAt("n", 99, true), false),
                new NodeRow("unhealthy", "n", () -> heardAt("n", 1050, false), false),
                new NodeRow(
                        "stalled",
                        "n",
                        () -> {
                            NodeRuntime n = heardAt("n", 1050, true);
                            n.stalled = true;
                            return n;
                        },
                        false),
                new NodeRow(
                        "busy until slot end + look-ahead",
                        "n",
                        () -> {
                            NodeRuntime n = heardAt("n", 1050, true);
                            n.busyUntil = SLOT_END + 100;
                            return n;
                        },
                        true),
                new NodeRow(
                        "busy beyond the look-ahead",
                        "n",
                        () -> {
                            NodeRuntime n = heardAt("n", 1050, true);
                            n.busyUntil = SLOT_END + 101;
                            return n;
                        },
                        false),
                new NodeRow(
                        "unhealthy topology node, never heard",
                        "d1-a",
                        () -> {
                            NodeRuntime n = NodeRuntime.of(BIG);
                            n.healthy = false;
                            return n;
                        },
                        false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nodeRows")
    void offersOnlyAvailableNodes(NodeRow row) {
        Run run = new Run(settings().build());
        NodeRuntime n = row.node.get();
        double busyBefore = n.busyUntil;
        run.state(D).storeNode(row.id, n);
        SlotOutcome o =
                run.close(
                        D,
                        SLOT_END,
                        channel("u-r", D, row.id, 1000, 5.0),
                        request("r", D, 1000, 20_000));
        assertEquals(List.of(), o.rejections());
        if (row.offered) {
            assertEquals(1, o.decisions().size());
            Decision d = o.decisions().get(0);
            assertEquals(row.id, d.nodeId());
            assertEquals(1, o.report().nodesOffered());
            assertTrue(d.computeStartMs() >= busyBefore);
            assertEquals(0, o.pending());
        } else {
            assertEquals(List.of(), o.decisions());
            assertNull(o.report());
            assertEquals(List.of("r"), pendingIds(run.state(D).pending()));
        }
    }

    /** All the nodes of the table in one domain: only the available ones are offered or used. */
    @Test
    void offersOnlyAvailableNodesAmongMany() {
        Run run = new Run(settings().build());
        List<NodeRow> rows = nodeRows().collect(Collectors.toList());
        Set<String> available = new HashSet<>();
        List<InputEvent> events = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            String id = "n" + i;
            NodeRuntime n = rows.get(i).node.get();
            n.spec = copyOf(n.spec, id);
            run.state(D).storeNode(id, n);
            if (rows.get(i).offered) {
                available.add(id);
            }
            for (int k = 0; k < 6; k++) {
                events.add(channel("u-r" + k, D, id, 1000, 5.0));
            }
        }
        for (int k = 0; k < 6; k++) {
            events.add(request("r" + k, D, 1000, 20_000));
        }
        SlotOutcome o = run.close(D, SLOT_END, events.toArray(new InputEvent[0]));
        assertEquals(available.size(), o.report().nodesOffered());
        assertFalse(o.decisions().isEmpty());
        for (Decision d : o.decisions()) {
            assertTrue(available.contains(d.nodeId()), d.nodeId());
        }
    }

    /** At most max-candidates, the earliest deadlines, and only deadlines after t0. */
    @Test
    void offersTheEarliestDeadlinesAfterT0UpToMaxCandidates() {
        DomainFixtures.Settings s = settings();
        s.maxCandidates = 3;
        Run run = new Run(s.build());
        long[] budgets = {5000, 4000, 8000, 6000, 7000, 100}; // the last: deadline = t0
        List<InputEvent> events = new ArrayList<>();
        Map<String, Double> deadlines = new HashMap<>();
        for (int i = 0; i < budgets.length; i++) {
            String id = "c" + i;
            events.add(channel("u-" + id, D, "d1-a", 1000, 5.0));
            events.add(channel("u-" + id, D, "d1-b", 1000, 5.0));
            events.add(request(id, D, 1000, budgets[i]));
            deadlines.put(id, 1000.0 + budgets[i]);
        }
        SlotOutcome o = run.close(D, SLOT_END, events.toArray(new InputEvent[0]));
        double t0 = SLOT_END;
        List<String> expected =
                deadlines.entrySet().stream()
                        .filter(e -> e.getValue() > t0)
                        .sorted(Map.Entry.comparingByValue())
                        .limit(3)
                        .map(Map.Entry::getKey)
                        .sorted()
                        .collect(Collectors.toList());
        assertEquals(3, o.report().considered());
        assertEquals(expected, run.decidedIds().stream().sorted().collect(Collectors.toList()));
        assertEquals(List.of("c4", "c2"), pendingIds(run.state(D).pending()));
        // the one whose deadline is t0 was not a candidate; it expired
        assertEquals(1, o.rejections().size());
        assertEquals("c5", o.rejections().get(0).requestId());
        assertEquals(RejectReason.EXPIRED, o.rejections().get(0).reason());
    }

    /** Live runs plan a late slot from the wall clock plus the commit delay. */
    @Test
    void wallClockPlanningStartsFromTheClock() {
        DomainFixtures.Settings s = settings();
        s.wallClockPlanning = true;
        s.outOfOrdernessMs = 20;
        s.commitDelayMs = 30;
        Run run = new Run(s.build(), () -> SLOT_END + 5000);
        double t0 = SLOT_END + 5000 + 30;
        SlotOutcome o =
                run.close(
                        D,
                        SLOT_END,
                        channel("u-late", D, "d1-a", 1000, 5.0),
                        channel("u-fine", D, "d1-a", 1000, 5.0),
                        request("late", D, 1000, 5000), // deadline 6000: before t0
                        request("fine", D, 1000, 20_000));
        assertEquals(List.of("fine"), run.decidedIds());
        Decision d = o.decisions().get(0);
        double uplink = 32.0 * 64 / (5.0 * BIG.uplinkHz) * 1000;
        assertTrue(close(t0 + uplink, d.computeStartMs()), "start " + d.computeStartMs());
        assertEquals(1, o.report().considered());
        assertEquals(RejectReason.EXPIRED, o.rejections().get(0).reason());
        assertEquals("late", o.rejections().get(0).requestId());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "ot-gah",
                "gah",
                "static",
                "fcfs",
                "edf",
                "smallest-kv",
                "random",
                "best-channel",
                "round-robin"
            })
    void everyDecisionIsFeasible(String algorithm) {
        feasibleRun(algorithm, "per-slot");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ot-gah", "gah", "smallest-kv", "fcfs"})
    void everyDecisionIsFeasibleUnderTheThroughputRatePolicy(String algorithm) {
        feasibleRun(algorithm, "throughput-rate");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ot-gah", "gah", "smallest-kv", "fcfs"})
    void everyDecisionIsFeasibleUnderThePaddingRatePolicy(String algorithm) {
        feasibleRun(algorithm, "padding-rate");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ot-gah", "gah", "smallest-kv", "fcfs"})
    void everyDecisionIsFeasibleUnderTheLoadPricePolicy(String algorithm) {
        feasibleRun(algorithm, "load-price");
    }

    /**
     * The five candidates of {@link #theThroughputRatePolicyLeavesTheRequestThatWouldPadTheBatch}
     * under load-price, whose price of node time follows the load. When they all arrived within the
     * two slots before t0 (five arrivals in 200 ms, each holding the node for seconds: load 1),
     * node time is dear: the four short ones are decided, as under throughput-rate, and the long
     * one waits. When they arrived long before (no recent arrival: load 0), node time is free and
     * the most requests win, as per slot: all five. Each batch passes the independent re-check of
     * C1-C5, and a second run of the same input decides the same.
     */
    @Test
    void theLoadPricePolicyPricesNodeTimeByTheLoad() {
        for (long arrival : new long[] {1000, 500}) {
            Outcome first = fourShortOneLong("load-price", arrival);
            if (arrival == 1000) {
                assertEquals(List.of("q0", "q1", "q2", "q3"), first.decided());
                assertEquals(List.of("q4"), first.pending());
            } else {
                assertEquals(List.of("q0", "q1", "q2", "q3", "q4"), first.decided());
                assertTrue(first.pending().isEmpty());
            }
            assertEquals(
                    first, fourShortOneLong("load-price", arrival), "deterministic: " + arrival);
        }
    }

    /**
     * The load-price policy counts a schedule's kills at the domain's next slot end, which after an
     * off-phase slot comes sooner than a slot length later. Domain d1's staggered phase is 95 ms,
     * so after the (aligned) slot ending at 1100 the next ends at 1195. Two urgent short requests
     * (x1, x2) can be served alone from 1195 but not from 1200; three long ones (y1-y3, loose
     * deadlines) make the most requests in one batch, which the urgent ones cannot join. The full
     * schedule (the y's) kills both x's, so it is worth 3 - 2 = 1 against the x's 2 (they kill
     * nothing): the x's are decided. Counted a full slot later, the x's would look lost anyway, the
     * y's worth 3, and the y's decided.
     */
    @Test
    void theLoadPriceKillsAreCountedAtTheDomainsNextSlotEnd() {
        DomainFixtures.Settings s = settings();
        s.policy = "load-price";
        s.staggerSlots = true;
        DomainSettings settings = s.build();
        assertEquals(95, settings.slotPhaseMs(D));
        assertEquals(SLOT_END + 95, settings.slotEndAfter(D, SLOT_END));
        double soon = earliestDeadlineServableFrom(SLOT_END + 95.0);
        double late = earliestDeadlineServableFrom(SLOT_END + 100.0);
        assertTrue(soon < late - 4, soon + " " + late);
        double deadline = late - 1; // servable alone from 1195, not from 1200
        Run run = new Run(settings);
        List<InputEvent> events = new ArrayList<>();
        events.add(DomainFixtures.heartbeat("d1-b", D, 1000, false)); // one node: d1-a
        for (String id : List.of("x1", "x2", "y1", "y2", "y3")) {
            boolean urgent = id.startsWith("x");
            events.add(
                    request(
                            req(
                                    id,
                                    "u-" + id,
                                    D,
                                    500,
                                    64,
                                    urgent ? 16 : 400,
                                    urgent ? deadline - 500 : 600_000,
                                    0.5)));
            events.add(channel("u-" + id, D, "d1-a", 500, 6));
        }
        SlotOutcome o = run.close(D, SLOT_END, events.toArray(new InputEvent[0]));
        assertEquals(1, o.decisions().size());
        Decision d = o.decisions().get(0);
        recheck(d, D, SLOT_END, SLOT_END, Double.NEGATIVE_INFINITY, run.state(D), settings);
        List<String> ids = new ArrayList<>();
        d.requests().forEach(r -> ids.add(r.request().requestId));
        ids.sort(null);
        assertEquals(List.of("x1", "x2"), ids);
        assertEquals(List.of("y1", "y2", "y3"), pendingIds(run.state(D).pending()));
    }

    /**
     * The earliest deadline (to 0.01 ms) at which a request like x1 of the test above is servable
     * alone on d1-a from t, by {@link ServableAlone}, the test the planner counts kills with.
     */
    private static double earliestDeadlineServableFrom(double t) {
        NodeRuntime n = NodeRuntime.of(BIG);
        List<org.edgellm.scheduler.EdgeNode> nodes =
                List.of(n.spec.toEdgeNode(n.busyUntil, n.slowdown));
        double[] idle = {n.busyUntil};
        double lo = t;
        double hi = t + 60_000;
        while (hi - lo > 0.01) {
            double mid = (lo + hi) / 2;
            org.edgellm.scheduler.Request r =
                    new org.edgellm.scheduler.Request(
                            "x",
                            500,
                            64,
                            16,
                            mid,
                            0.5,
                            1,
                            Double.NaN,
                            Map.of("d1-a", new org.edgellm.scheduler.Channel(6, 6)));
            if (ServableAlone.ofViews(TOPOLOGY, t, nodes, List.of(r)).servable(0, idle)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /** What one slot decided (its ids, sorted) and left pending. */
    record Outcome(List<String> decided, List<String> pending) {}

    /**
     * One node (d1-a), five requests arrived at the given time: four of 16 output tokens and one of
     * 1,500; the slot's one decision passes the independent re-check of C1-C5.
     */
    private Outcome fourShortOneLong(String policy, long arrival) {
        DomainFixtures.Settings s = settings();
        s.policy = policy;
        DomainSettings settings = s.build();
        Run run = new Run(settings);
        List<InputEvent> events = new ArrayList<>();
        events.add(DomainFixtures.heartbeat("d1-b", D, 1000, false)); // one node: d1-a
        for (int i = 0; i < 5; i++) {
            events.add(
                    request(
                            req(
                                    "q" + i,
                                    "u" + i,
                                    D,
                                    arrival,
                                    64,
                                    i == 4 ? 1500 : 16,
                                    600_000,
                                    0.5)));
            events.add(channel("u" + i, D, "d1-a", arrival, 6));
        }
        SlotOutcome o = run.close(D, SLOT_END, events.toArray(new InputEvent[0]));
        assertEquals(1, o.decisions().size(), policy + ", arrival " + arrival);
        Decision d = o.decisions().get(0);
        recheck(d, D, SLOT_END, SLOT_END, Double.NEGATIVE_INFINITY, run.state(D), settings);
        List<String> ids = new ArrayList<>();
        d.requests().forEach(r -> ids.add(r.request().requestId));
        ids.sort(null);
        return new Outcome(ids, pendingIds(run.state(D).pending()));
    }

    /**
     * Four candidates in the window (max-candidates 4), the four earliest deadlines each asking for
     * 1,500 output tokens, and four short requests (16 tokens) with later deadlines just behind the
     * window. Per slot and under throughput-rate only the window is looked at: the batch holds long
     * requests. Under padding-rate the cut-offs draw from twice the window, and the four short ones
     * serve more requests per second of GPU time: they are decided, the long ones stay pending.
     * Every batch passes the independent re-check of C1-C5, and a second run of the same input
     * decides the same.
     */
    @Test
    void thePaddingRatePolicyReachesTheShortRequestsBehindTheWindow() {
        for (String policy : List.of("per-slot", "throughput-rate", "padding-rate")) {
            List<List<String>> runs = new ArrayList<>();
            for (int again = 0; again < 2; again++) {
                DomainFixtures.Settings s = settings();
                s.policy = policy;
                s.maxCandidates = 4;
                DomainSettings settings = s.build();
                Run run = new Run(settings);
                List<InputEvent> events = longThenShort(4, 4, i -> "w" + i);
                SlotOutcome o = run.close(D, SLOT_END, events.toArray(new InputEvent[0]));
                assertEquals(1, o.decisions().size(), policy);
                Decision d = o.decisions().get(0);
                recheck(d, D, SLOT_END, SLOT_END, Double.NEGATIVE_INFINITY, run.state(D), settings);
                List<String> ids = new ArrayList<>();
                d.requests().forEach(r -> ids.add(r.request().requestId));
                ids.sort(null);
                runs.add(ids);
                if (policy.equals("padding-rate")) {
                    assertEquals(List.of("w4", "w5", "w6", "w7"), ids);
                    assertEquals(
                            List.of("w0", "w1", "w2", "w3"),
                            pendingIds(run.state(D).pending()).stream().sorted().toList());
                } else {
                    for (String id : ids) {
                        assertTrue(
                                List.of("w0", "w1", "w2", "w3").contains(id),
                                policy + " decided " + id + " from outside its window");
                    }
                }
            }
            assertEquals(runs.get(0), runs.get(1), "deterministic: " + policy);
        }
    }

    /**
     * Of five candidates, one asks for 1,500 output tokens: in one batch with it the four short
     * ones wait for its decode steps too. Per slot, the most requests now (all five) win; the
     * throughput-rate policy keeps the four short ones, whose batch serves more requests per second
     * of GPU time, and the long one stays pending. Both runs' batches pass the independent re-check
     * of C1-C5, and a second run of the same input decides the same.
     */
    @Test
    void theThroughputRatePolicyLeavesTheRequestThatWouldPadTheBatch() {
        for (String policy : List.of("per-slot", "throughput-rate")) {
            Outcome first = fourShortOneLong(policy, 1000);
            if (policy.equals("per-slot")) {
                assertEquals(List.of("q0", "q1", "q2", "q3", "q4"), first.decided());
            } else {
                assertEquals(List.of("q0", "q1", "q2", "q3"), first.decided());
                assertEquals(List.of("q4"), first.pending());
            }
            assertEquals(first, fourShortOneLong(policy, 1000), "deterministic: " + policy);
        }
    }

    /**
     * The same runs with the opt-in urgency tie-break (the queue stays within its 32): every batch
     * passes the re-check, and each slot's report counts the requests decided, not the raised
     * weights the solver saw, stays within its bound, and says proven only at that bound.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ot-gah", "gah"})
    void everyDecisionIsFeasibleAndReportedInOwnWeightsUnderTheUrgencyTieBreak(String algorithm) {
        feasibleRun(algorithm, "load-price", true, false);
    }

    /**
     * The same runs with the job's defaults under load-price (the urgency tie-break, and each
     * chosen batch moved to its node's variant where it ends first): the re-check of C1-C5, with
     * the spec's formulas computed here, holds for the variant each batch ends up on.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ot-gah", "gah"})
    void everyDecisionIsFeasibleWithTheBatchesOnTheirFastestVariants(String algorithm) {
        feasibleRun(algorithm, "load-price", true, true);
    }

    /**
     * The urgency tie-break acts only where urgency tells the candidates apart. Twelve requests of
     * one size on one node (16,000-token prompts at w8a16: memory holds a few), arriving one after
     * another: with one latency budget (times to the deadlines within 1.25 of each other) the slot
     * decides exactly what it decides with the tie-break off, whose solver keeps the later
     * deadlines among equals; with budgets spread from 20 to 75 s the tie-break decides as many
     * requests, but the more urgent ones.
     */
    @Test
    void theTieBreakActsOnlyWhereUrgencyTellsTheCandidatesApart() {
        List<String> offOne = decidedOfTwelve(false, false);
        assertEquals(offOne, decidedOfTwelve(true, false));
        assertTrue(
                offOne.size() >= 2 && offOne.size() < 12,
                "a batch that leaves some out: " + offOne);

        List<String> offSpread = decidedOfTwelve(false, true);
        List<String> onSpread = decidedOfTwelve(true, true);
        assertEquals(offSpread.size(), onSpread.size(), "as many requests");
        assertTrue(
                deadlineSum(onSpread) < deadlineSum(offSpread),
                "more urgent: " + onSpread + " against " + offSpread);
    }

    private static List<String> decidedOfTwelve(boolean tieBreak, boolean spread) {
        DomainFixtures.Settings s = settings();
        s.policy = "load-price";
        s.urgencyTieBreak = tieBreak;
        Run run = new Run(s.build());
        List<InputEvent> events = new ArrayList<>();
        events.add(DomainFixtures.heartbeat("d1-b", D, 1000, false)); // one node: d1-a
        for (int i = 0; i < 12; i++) {
            long arrival = 100 + 70L * i;
            double budget = spread ? 20_000 + 5_000 * i : 30_000;
            events.add(request(req("q" + i, "u" + i, D, arrival, 16_000, 256, budget, 0.1)));
            events.add(channel("u" + i, D, "d1-a", arrival, 6));
        }
        SlotOutcome o = run.close(D, SLOT_END, events.toArray(new InputEvent[0]));
        List<String> ids = new ArrayList<>();
        for (Decision d : o.decisions()) {
            d.requests().forEach(r -> ids.add(r.request().requestId));
        }
        ids.sort(null);
        return ids;
    }

    /** The deadlines of decidedOfTwelve's requests, summed (in ms from 0). */
    private static double deadlineSum(List<String> ids) {
        double sum = 0;
        for (String id : ids) {
            int i = Integer.parseInt(id.substring(1));
            sum += 100 + 70L * i + 20_000 + 5_000 * i;
        }
        return sum;
    }

    void feasibleRun(String algorithm, String policy) {
        feasibleRun(algorithm, policy, false, false);
    }

    void feasibleRun(
            String algorithm, String policy, boolean urgencyTieBreak, boolean fastestVariant) {
        feasibleRun(algorithm, policy, urgencyTieBreak, fastestVariant, s -> {});
    }

    /**
     * Four slots of eight random requests each on the fixture's two nodes, every batch re-checked
     * against C1-C5 computed here, no request decided twice or decided and still pending; returns
     * the most candidates a slot offered.
     */
    int feasibleRun(
            String algorithm,
            String policy,
            boolean urgencyTieBreak,
            boolean fastestVariant,
            java.util.function.Consumer<DomainFixtures.Settings> tweak) {
        DomainFixtures.Settings s = settings();
        s.scheduler = algorithm;
        s.policy = policy;
        s.urgencyTieBreak = urgencyTieBreak;
        s.fastestVariant = fastestVariant;
        s.outOfOrdernessMs = 20;
        s.commitDelayMs = 30;
        s.lookaheadMs = 5000; // busy nodes stay on offer: their busy time delays the next batch
        tweak.accept(s);
        DomainSettings settings = s.build();
        int widest = 0;
        Run run = new Run(settings);
        Random rnd = new Random(42);
        double[] ppl = {0.05, 0.1, 0.35, 0.5};
        int[] prompts = {32, 128, 512, 2048};
        int[] outputs = {8, 32, 128};
        Set<String> decidedOnce = new HashSet<>();
        int batches = 0;
        int delayed = 0;
        for (int slot = 0; slot < 4; slot++) {
            long slotEnd = SLOT_END + 100L * slot;
            List<InputEvent> events = new ArrayList<>();
            Map<String, RequestEvent> sent = new HashMap<>();
            for (int i = 0; i < 8; i++) {
                String id = "s" + slot + "-" + i;
                String user = "u" + rnd.nextInt(6);
                long t = slotEnd - 100 + rnd.nextInt(100);
                RequestEvent r =
                        req(
                                id,
                                user,
                                D,
                                t,
                                prompts[rnd.nextInt(prompts.length)],
                                outputs[rnd.nextInt(outputs.length)],
                                1000 + rnd.nextInt(9000),
                                ppl[rnd.nextInt(ppl.length)]);
                sent.put(id, r);
                events.add(request(r));
                if (rnd.nextInt(4) > 0) {
                    events.add(channel(user, D, "d1-a", t, 1 + rnd.nextInt(8)));
                }
                if (rnd.nextInt(4) > 0) {
                    events.add(channel(user, D, "d1-b", t, 1 + rnd.nextInt(8)));
                }
            }
            Map<String, Double> busyBefore = new HashMap<>();
            for (NodeSpec n : TOPOLOGY.domains.get(D)) {
                NodeRuntime rt = run.state(D).node(n.id);
                busyBefore.put(n.id, rt == null ? Double.NEGATIVE_INFINITY : rt.busyUntil);
            }
            SlotOutcome o = run.close(D, slotEnd, events.toArray(new InputEvent[0]));
            int decidedNow = 0;
            for (Decision d : o.decisions()) {
                decidedNow += d.requests().size();
            }
            SlotSummary report = o.report();
            widest = Math.max(widest, report.considered());
            assertEquals(decidedNow, report.objective(), 1e-9, "objective of slot " + slotEnd);
            assertTrue(report.objective() <= report.upperBound() + 1e-9, "within its bound");
            assertTrue(
                    !report.provenOptimal() || report.objective() >= report.upperBound() - 1e-9,
                    "proven only at its bound: " + report);
            double t0 = slotEnd + 20 + 30;
            Set<String> nodesUsed = new HashSet<>();
            for (Decision d : o.decisions()) {
                batches++;
                assertTrue(nodesUsed.add(d.nodeId()), "one batch per node");
                if (recheck(
                        d, D, slotEnd, t0, busyBefore.get(d.nodeId()), run.state(D), settings)) {
                    delayed++;
                }
                for (Decision.Decided r : d.requests()) {
                    assertTrue(decidedOnce.add(r.request().requestId), "decided twice");
                }
            }
            List<String> pending = pendingIds(run.state(D).pending());
            for (String id : decidedOnce) {
                assertFalse(pending.contains(id), id + " decided and still pending");
            }
        }
        assertTrue(batches >= 3, "batches " + batches);
        assertTrue(delayed >= 1, "a batch waited for a busy node: " + delayed);
        return widest;
    }

    /**
     * One node (d1-b reports unhealthy, so only d1-a is offered) and {@code longs} requests with
     * 1,500-token answers due at 601 s, then {@code shorts} with 16-token answers due at 701 s, all
     * arriving at 1 s with a 64-token prompt, a fresh channel to d1-a each; the i-th is named
     * {@code id.apply(i)}.
     */
    static List<InputEvent> longThenShort(
            int longs, int shorts, java.util.function.IntFunction<String> id) {
        List<InputEvent> events = new ArrayList<>();
        events.add(DomainFixtures.heartbeat("d1-b", D, 1000, false));
        for (int i = 0; i < longs + shorts; i++) {
            boolean isLong = i < longs;
            events.add(
                    request(
                            req(
                                    id.apply(i),
                                    "u" + i,
                                    D,
                                    1000,
                                    64,
                                    isLong ? 1500 : 16,
                                    isLong ? 600_000 : 700_000,
                                    0.5)));
            events.add(channel("u" + i, D, "d1-a", 1000, 6));
        }
        return events;
    }

    /**
     * Re-checks one decision against C1-C5 and the timeline of the spec, computed here; returns
     * whether the batch waited for the node (start = its busy time).
     */
    static boolean recheck(
            Decision d,
            String domain,
            long slotEnd,
            double t0,
            double busyBefore,
            DomainState state,
            DomainSettings settings) {
        assertEquals(domain + "/" + slotEnd + "/" + d.nodeId(), d.decisionId());
        assertEquals(domain, d.domainId());
        assertEquals(slotEnd, d.slotEnd());
        assertEquals(settings.scheduler(), d.algorithm());
        NodeSpec node = TOPOLOGY.node(domain, d.nodeId());
        assertNotNull(node, d.nodeId());
        NodeSpec.VariantSpec v = variant(node, d.variant());
        int b = d.requests().size();
        assertTrue(b >= 1);
        int s = 0;
        int n = 0;
        double uplinkMs = 0;
        Map<String, double[]> se = new HashMap<>();
        for (Decision.Decided x : d.requests()) {
            RequestEvent r = x.request();
            // C1 accuracy
            assertTrue(v.pplIncrease <= r.maxPplIncrease, r.requestId + " accuracy");
            // C5 a fresh channel to the node
            UserChannels u = state.channels(r.userId);
            assertNotNull(u, r.requestId + " has no channel");
            int k = u.indexOf(d.nodeId());
            assertTrue(k >= 0, r.requestId + " has no channel to " + d.nodeId());
            assertTrue(u.measuredAt[k] >= slotEnd - settings.maxChannelAgeMs(), "fresh");
            se.put(r.requestId, new double[] {u.uplink[k], u.downlink[k]});
            assertTrue(r.deadline > t0, "a candidate's deadline lies after t0");
            s = Math.max(s, r.promptTokens);
            n = Math.max(n, r.maxOutputTokens);
            uplinkMs += 32.0 * r.promptTokens / (u.uplink[k] * node.uplinkHz) * 1000;
        }
        // C2 memory
        assertTrue(memoryFits(TOPOLOGY, node, v, b, s, n), "memory");
        // timeline
        assertTrue(close(uplinkMs, d.uplinkMs()), uplinkMs + " vs " + d.uplinkMs());
        double start = Math.max(t0 + uplinkMs, busyBefore);
        assertTrue(close(start, d.computeStartMs()), start + " vs " + d.computeStartMs());
        double end = start + computeMs(TOPOLOGY, node, v, b, s, n, 1.0);
        assertTrue(close(end, d.computeEndMs()), end + " vs " + d.computeEndMs());
        // C3 and C4
        double need = 0;
        double downShares = 0;
        for (Decision.Decided x : d.requests()) {
            RequestEvent r = x.request();
            double left = r.deadline - end;
            assertTrue(left > 0, r.requestId + " misses its deadline");
            double bits = 32.0 * r.maxOutputTokens;
            need += bits / (left / 1000.0 * se.get(r.requestId)[1]);
            assertTrue(x.predictedFinishMs() > d.computeEndMs());
            assertTrue(x.predictedFinishMs() <= r.deadline + 1e-6, "finish by the deadline");
            downShares += x.downlinkShareHz();
        }
        assertTrue(need <= node.downlinkHz * (1 + 1e-9), "downlink band " + need);
        assertTrue(downShares <= node.downlinkHz * (1 + 1e-9), "shares " + downShares);
        // the node is busy until the batch ends, and the decided requests left the queue
        assertEquals(d.computeEndMs(), state.node(d.nodeId()).busyUntil);
        List<String> pending = pendingIds(state.pending());
        for (Decision.Decided x : d.requests()) {
            assertFalse(pending.contains(x.request().requestId));
        }
        assertEquals(1.0, d.assumedSlowdown());
        return busyBefore > t0 + uplinkMs;
    }
}
