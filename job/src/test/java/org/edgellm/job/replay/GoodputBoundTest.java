package org.edgellm.job.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.edgellm.scheduler.Algorithms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The goodput bound ({@link GoodputBound}): on a trace computed by hand; never below what any of
 * the project's schedulers decides on random traces; never below the hindsight optimum of an
 * independent exhaustive search, itself never below any scheduler, on small traces.
 */
class GoodputBoundTest {

    @TempDir Path dir;

    static final long B = BoundWorld.BASE;

    /**
     * One node, the FLOPs-only model with L = h = V = 1 and 60 FLOP/s: a batch of b one-token
     * prompts with one output token takes exactly b seconds; 26 bytes of weights and 8 bytes of KV
     * cache per sequence in 50 bytes: at most 3 per batch; one bit per ms on each link (32-bit
     * prompt and answer: 1 ms each). Slots of 1 s, t0 at the slot end.
     */
    static BoundWorld tiny() {
        return tiny("d");
    }

    /** {@link #tiny()} with its node, requests and channels in the given domain. */
    static BoundWorld tiny(String d) {
        BoundWorld w = new BoundWorld();
        w.computeModel = "flops";
        w.layers = 1;
        w.hidden = 1;
        w.vocab = 1;
        w.outOfOrdernessMs = 0;
        w.nodes.add(
                new BoundWorld.Node(
                        d,
                        "n1",
                        50,
                        0,
                        1,
                        60,
                        60,
                        60,
                        1.0,
                        32_000,
                        32_000,
                        List.of(new BoundWorld.Variant("fp16", 16, 16, 16, 0.0))));
        for (int k = 0; k < 5; k++) { // five at once, 3 s to their deadline
            w.requests.add(new BoundWorld.Req(d, "g" + k, "u1", B + 500, 1, 1, B + 3500, 0.5));
        }
        // its deadline 1.4 s after arrival: the first t0 is 0.5 s later and it needs 1 s + 2 ms
        w.requests.add(new BoundWorld.Req(d, "late", "u1", B + 500, 1, 1, B + 1900, 0.5));
        // a user without any channel measurement
        w.requests.add(new BoundWorld.Req(d, "mute", "u2", B + 500, 1, 1, B + 30_000, 0.5));
        w.requests.add(new BoundWorld.Req(d, "solo", "u1", B + 10_500, 1, 1, B + 13_000, 0.5));
        for (long t = B; t <= B + 14_000; t += 1000) {
            w.channels.add(new BoundWorld.Chan(d, "u1", "n1", t, 1.0, 1.0));
        }
        return w;
    }

    /**
     * By hand: g0-g4 have t0 = B+1000 and window [B+1001, B+3499] (1 ms up, 1 ms down); alone each
     * takes 1 s: servable. late: B+1001+1000 > B+1899, not servable; mute: no channel; solo:
     * [B+11001, B+12999], servable: 6 servable alone. A batch of g's fits its 2498 ms window with
     * at most 2 of them (memory allows 3), so each is charged T(2)/2 = 1000 ms; the node time of
     * their window holds 2 of the 5: 3 lost, bound 3. Over the 10 s from the first arrival to the
     * last: 0.3 requests per second. 3 is also achievable (two g's in one batch, then solo).
     */
    @Test
    void aTraceComputedByHand() throws Exception {
        BoundWorld w = tiny();
        GoodputBound.Result r = w.bound(32);
        assertEquals(8, r.requests());
        assertEquals(6, r.servableAlone());
        assertEquals(3, r.bound());
        assertEquals(1, r.lossWindows());
        assertEquals(3, new HindsightOptimum(w, 32).solve(), "the hindsight optimum");
        ObjectNode s = w.simulate("ot-gah", dir);
        assertEquals(0.3, s.get("upperBoundGoodputPerSecond").asDouble(), 1e-12);
        JsonNode ub = s.get("upperBound");
        assertEquals(6, ub.get("servableAlone").asInt());
        assertEquals(3, ub.get("capacityBound").asInt());
        assertEquals(10.0, ub.get("seconds").asDouble(), 1e-12);
        assertEquals(3, s.get("assigned").asInt(), "ot-gah reaches the bound here");
        JsonNode onDisk = RunOutput.JSON.readTree(Files.readString(dir.resolve("summary.json")));
        assertEquals(3, onDisk.get("upperBound").get("capacityBound").asInt());
    }

    /**
     * A window that grows with the queue lets one batch hold more than max-candidates requests, and
     * the bound allows for it. One node whose decode steps are paid by reading the weights (about
     * one second per pass, the same for 1 or 12 sequences; roofline, one layer of width 64 read at
     * 100 kB/s), twelve one-token requests at once whose deadline leaves room for one batch only.
     * With max-candidates 4 and a fixed window one batch of 4 is decided; with the window of the
     * whole queue (--candidate-share 1) one batch of 12. The bound of the growing window's settings
     * charges each request a twelfth of that batch and counts all 12; the bound of the fixed
     * window's settings caps batches at 4 and counts fewer than the 12 the growing window decides,
     * so a bound that ignored the growth would be broken by it.
     */
    @Test
    void theBoundAllowsForBatchesOfAGrowingWindow() throws Exception {
        BoundWorld w = new BoundWorld();
        w.layers = 1;
        w.hidden = 64;
        w.vocab = 1;
        w.outOfOrdernessMs = 0;
        w.maxCandidates = 4;
        w.nodes.add(
                new BoundWorld.Node(
                        "d",
                        "n1",
                        1e6,
                        0,
                        1e5,
                        1e12,
                        1e12,
                        1e12,
                        1.0,
                        32_000,
                        32_000,
                        List.of(new BoundWorld.Variant("fp16", 16, 16, 16, 0.0))));
        for (int k = 0; k < 12; k++) {
            w.requests.add(new BoundWorld.Req("d", "q" + k, "u" + k, B + 500, 1, 1, B + 3800, 0.5));
            for (long t = B; t <= B + 4_000; t += 1000) {
                w.channels.add(new BoundWorld.Chan("d", "u" + k, "n1", t, 1.0, 1.0));
            }
        }
        for (String policy : List.of("throughput-rate", "load-price")) {
            ObjectNode fixed = w.simulate("ot-gah", 4, policy, 0, dir.resolve(policy + "-fixed"));
            ObjectNode grown = w.simulate("ot-gah", 4, policy, 1, dir.resolve(policy + "-grown"));
            assertEquals(4, fixed.get("assigned").asInt(), policy + ", fixed window");
            assertEquals(12, grown.get("assigned").asInt(), policy + ", growing window");
            assertEquals(4, fixed.get("largestWindow").asInt());
            assertEquals(512, grown.get("largestWindow").asInt());
            int grownBound = grown.get("upperBound").get("capacityBound").asInt();
            int fixedBound = fixed.get("upperBound").get("capacityBound").asInt();
            assertEquals(12, grownBound, policy + ": the growing window's bound");
            assertTrue(
                    fixedBound >= 4 && fixedBound < 12,
                    policy + ": the fixed window's bound caps batches at 4: " + fixedBound);
        }
    }

    /**
     * A node's own weighting, by hand: {@link #tiny()}'s five g's made strict (perplexity tolerance
     * 0.1), with a second node n2 like n1 whose only variant costs 0.3 of perplexity, and one
     * tolerant request h at the same time that either node can serve. With every node at weight 1
     * the window holds six requests charged 1000 ms each and two nodes' 2498 ms: four fit, two
     * lost, bound 4. But only n1 can serve the g's: with n1 alone at weight 1 (n2 at 0, so h costs
     * nothing), the window holds n1's 2498 ms: two g's and h, three lost, bound 3, which is the
     * optimum (two g's in one batch on n1, h on n2) and what ot-gah decides.
     */
    @Test
    void aNodesOwnWeightingBoundsTheRequestsOnlyItServes() throws Exception {
        BoundWorld w = tiny();
        w.requests.removeIf(q -> !q.id().startsWith("g"));
        w.requests.replaceAll(
                q ->
                        new BoundWorld.Req(
                                q.domain(),
                                q.id(),
                                q.user(),
                                q.arrival(),
                                q.prompt(),
                                q.output(),
                                q.deadline(),
                                0.1));
        w.requests.add(new BoundWorld.Req("d", "h", "u1", B + 500, 1, 1, B + 3500, 0.5));
        BoundWorld.Node n1 = w.nodes.get(0);
        w.nodes.add(
                new BoundWorld.Node(
                        "d",
                        "n2",
                        n1.memoryBytes(),
                        n1.reserveBytes(),
                        n1.bandwidth(),
                        n1.flops16(),
                        n1.flops8(),
                        n1.flops4(),
                        n1.efficiency(),
                        n1.uplinkHz(),
                        n1.downlinkHz(),
                        List.of(new BoundWorld.Variant("lossy", 16, 16, 16, 0.3))));
        for (long t = B; t <= B + 4_000; t += 1000) {
            w.channels.add(new BoundWorld.Chan("d", "u1", "n2", t, 1.0, 1.0));
        }
        GoodputBound.Result r = w.bound(32);
        assertEquals(6, r.servableAlone());
        assertEquals(3, r.bound());
        assertEquals(3, new HindsightOptimum(w, 32).solve(), "the hindsight optimum");
        assertEquals(3, w.simulate("ot-gah", dir).get("assigned").asInt(), "ot-gah");
        // the weightings: all at 1, by median charge, then each node alone (two nodes: no
        // all-but-one)
        double[][] theta =
                NodeWeightings.of(
                        2, new double[][] {{1000, 1000}, {500, Double.POSITIVE_INFINITY}});
        assertEquals(4, theta.length);
        assertEquals(List.of(1.0, 0.0), List.of(theta[2][0], theta[2][1]));
        assertEquals(List.of(0.0, 1.0), List.of(theta[3][0], theta[3][1]));
    }

    /**
     * The bound follows the domain's slot phase, by hand. Domain "z" has the staggered phase 695 ms
     * with 1-s slots, so "late" (arrival B+500, deadline B+1900, 1 s + 2 ms alone) joins the slot
     * ending at B+695 and finishes at B+1697 when slots are spread: servable, and ot-gah decides
     * it. Aligned, its first t0 is B+1000 and it would finish at B+2002: not servable, and not
     * decided. A bound that took the aligned slot end in the spread world would count 1 and fall
     * below the 2 decided.
     */
    @Test
    void theBoundFollowsTheSlotPhaseByHand() throws Exception {
        assertEquals(695, org.edgellm.job.domain.Slots.staggeredPhase("z", 1000));
        for (String stagger : List.of("spread", "aligned")) {
            BoundWorld w = tiny("z");
            w.slotStagger = stagger;
            w.requests.removeIf(q -> q.id().startsWith("g") || q.id().equals("mute"));
            int expected = stagger.equals("spread") ? 2 : 1;
            GoodputBound.Result r = w.bound(32);
            assertEquals(2, r.requests(), stagger);
            assertEquals(expected, r.servableAlone(), stagger);
            assertEquals(expected, r.bound(), stagger);
            ObjectNode s = w.simulate("ot-gah", dir.resolve(stagger));
            assertEquals(stagger, s.get("slotStagger").asText());
            assertEquals(expected, s.get("assigned").asInt(), stagger + ": ot-gah reaches it");
        }
    }

    /**
     * A heartbeat saying the node runs twice as fast (slowdown 0.5) makes late servable (500 ms
     * alone) and halves the charges; one reporting a busy time removes the capacity part (a
     * heartbeat may move the busy time before a batch's predicted end).
     */
    @Test
    void heartbeatsChangeWhatIsAssumed() {
        BoundWorld fast = tiny();
        fast.beats.add(new BoundWorld.Beat("d", "n1", B + 100, 0.5, Long.MIN_VALUE));
        GoodputBound.Result r = fast.bound(32);
        assertEquals(7, r.servableAlone());
        // g's and late: charges of 500 ms; the shortest window holding all six is 2540 ms long
        // (window lengths are 898 ms * sqrt(2)^k), which holds five: one lost
        assertEquals(6, r.bound());
        // by hand: three g's at B+1000 (end B+2503), a fourth at B+2000 (starts at B+2503, ends
        // B+3003), then solo; late cannot join the first batch (it would end at B+2003)
        assertEquals(5, new HindsightOptimum(withFastNode(), 32).solve());

        BoundWorld busy = tiny();
        busy.beats.add(new BoundWorld.Beat("d", "n1", B + 100, 1.0, B + 100));
        GoodputBound.Result rb = busy.bound(32);
        assertEquals(6, rb.servableAlone());
        assertEquals(6, rb.bound(), "no capacity part: only the servable count");
        assertEquals(List.of("d"), rb.capacitySkipped());
    }

    /** The tiny world with the node's efficiency doubled instead (the optimum reads no beats). */
    private static BoundWorld withFastNode() {
        BoundWorld w = tiny();
        BoundWorld.Node n = w.nodes.get(0);
        w.nodes.set(
                0,
                new BoundWorld.Node(
                        n.domain(),
                        n.id(),
                        n.memoryBytes(),
                        n.reserveBytes(),
                        n.bandwidth(),
                        120,
                        120,
                        120,
                        n.efficiency(),
                        n.uplinkHz(),
                        n.downlinkHz(),
                        n.variants()));
        return w;
    }

    // ---- every scheduler on random traces -------------------------------------------------------

    /** Candidate limits the exponential algorithms accept in reasonable time. */
    static int candidates(String scheduler) {
        return switch (scheduler) {
            case "exact" -> 6;
            case "brute-force" -> 10;
            default -> 32;
        };
    }

    static BoundWorld randomWorld(long seed) {
        Random rnd = new Random(seed);
        BoundWorld w = new BoundWorld();
        w.computeModel = rnd.nextInt(4) == 0 ? "flops" : "roofline";
        long[] slotChoices = {100, 250, 500, 1000};
        w.slotMs = slotChoices[rnd.nextInt(slotChoices.length)];
        w.outOfOrdernessMs = rnd.nextBoolean() ? 0 : 200;
        w.commitDelayMs = rnd.nextInt(3) == 0 ? 300 : 0;
        w.maxChannelAgeMs = 1000 + rnd.nextInt(5000);
        w.lookaheadMs = rnd.nextBoolean() ? -1 : rnd.nextInt(3000);
        // the bound follows each domain's slot phase (after the draws above: seeds keep their
        // worlds)
        w.slotStagger = seed % 2 == 0 ? "spread" : "aligned";
        int domains = rnd.nextInt(3) == 0 ? 2 : 1;
        for (int d = 0; d < domains; d++) {
            String domain = "d" + d;
            int count = 1 + rnd.nextInt(3);
            boolean slow = rnd.nextBoolean();
            List<BoundWorld.Node> mine = new ArrayList<>();
            for (int j = 0; j < count; j++) {
                // datasheet GPUs, or slow ones that a few requests fill
                BoundWorld.Node n =
                        slow
                                ? BoundWorld.slowGpu(rnd, domain, domain + "-n" + j)
                                : BoundWorld.gpu(rnd, domain, domain + "-n" + j);
                mine.add(n);
                w.nodes.add(n);
            }
            // from light load to several times what the nodes can take
            double rate = 0.5 + rnd.nextDouble() * 20;
            w.randomTraffic(
                    rnd,
                    domain,
                    mine,
                    2 + rnd.nextInt(10),
                    rate,
                    20_000 + rnd.nextInt(20_000),
                    3000,
                    200 + rnd.nextInt(1000),
                    1000,
                    5000 + rnd.nextInt(30_000));
            // heartbeats in some traces: speeds (some faster than the topology says), or busy
            // times that turn the capacity part off
            int beats = rnd.nextInt(4);
            if (beats > 0) {
                for (BoundWorld.Node n : mine) {
                    for (long t = B; t < B + 60_000; t += 1000) {
                        double slowdown = 0.5 + rnd.nextDouble() * 1.5;
                        long busy = beats == 3 ? t + rnd.nextInt(2000) : Long.MIN_VALUE;
                        w.beats.add(new BoundWorld.Beat(domain, n.id(), t, slowdown, busy));
                    }
                }
            }
        }
        return w;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void noSchedulerBeatsTheBound(long seed) throws Exception {
        BoundWorld w = randomWorld(seed);
        StringBuilder report = new StringBuilder();
        int best = 0;
        List<String> runs = new ArrayList<>(Algorithms.NAMES);
        runs.add("ot-gah/throughput-rate"); // the policy that weighs GPU time, at two windows
        runs.add("ot-gah/throughput-rate/64");
        runs.add("ot-gah/padding-rate"); // subsets from twice the window
        runs.add("ot-gah/padding-rate/64");
        runs.add("smallest-kv/padding-rate/64");
        runs.add("ot-gah/load-price"); // the default policy (padding-rate's schedules, priced)
        runs.add("ot-gah/load-price/64");
        runs.add("smallest-kv/load-price/64");
        // windows that grow with the queue from 4 candidates to all of it: batches larger than
        // max-candidates, which the bound must allow for
        runs.add("ot-gah/load-price/4/1");
        runs.add("ot-gah/throughput-rate/4/1");
        for (String name : runs) {
            String[] p = name.split("/");
            ObjectNode s =
                    w.simulate(
                            p[0],
                            p.length > 2 ? Integer.parseInt(p[2]) : candidates(p[0]),
                            p.length > 1 ? p[1] : "per-slot",
                            p.length > 3 ? Double.parseDouble(p[3]) : -1,
                            dir.resolve(name.replace('/', '-')));
            double good = s.get("goodputPerSecond").asDouble();
            double bound = s.get("upperBoundGoodputPerSecond").asDouble();
            int assigned = s.get("assigned").asInt();
            int cap = s.get("upperBound").get("capacityBound").asInt();
            assertTrue(
                    good <= bound && assigned <= cap,
                    name
                            + " on seed "
                            + seed
                            + ": goodput "
                            + good
                            + " > bound "
                            + bound
                            + " (assigned "
                            + assigned
                            + ", bound "
                            + cap
                            + ")");
            best = Math.max(best, assigned);
            report.append(String.format(Locale.ROOT, " %s=%d", name, assigned));
        }
        GoodputBound.Result r = w.bound(32);
        System.out.printf(
                Locale.ROOT,
                "bound seed %d: %d requests, %d servable alone, bound %d (%d windows, %d where"
                        + " the fixed part loses more), best scheduler %d (%.0f%% of the bound):%s%n",
                seed,
                r.requests(),
                r.servableAlone(),
                r.bound(),
                r.lossWindows(),
                r.fixedPartWindows(),
                best,
                r.bound() == 0 ? 100.0 : 100.0 * best / r.bound(),
                report);
    }

    // ---- the hindsight optimum on small traces --------------------------------------------------

    /** The candidate limit of the small traces: every scheduler, exact included, accepts it. */
    static final int SMALL_CANDIDATES = 16;

    /** States the exhaustive search may visit before the world counts as too large. */
    static final long STATE_BUDGET = 200_000;

    /**
     * One domain, one or two slow nodes, a few dozen requests over a short horizon with deadlines
     * of a few seconds: small enough for the exhaustive search, loaded enough to lose requests.
     */
    static BoundWorld smallWorld(long seed) {
        Random rnd = new Random(seed);
        BoundWorld w = new BoundWorld();
        // FLOPs-only, batching saves nothing and node time binds; with the roofline, decode steps
        // share the weight reads
        w.computeModel = rnd.nextBoolean() ? "flops" : "roofline";
        w.slotMs = rnd.nextBoolean() ? 500 : 1000;
        w.outOfOrdernessMs = rnd.nextBoolean() ? 0 : 200;
        w.maxChannelAgeMs = 2000 + rnd.nextInt(4000);
        int count = 1 + rnd.nextInt(2);
        List<BoundWorld.Node> mine = new ArrayList<>();
        for (int j = 0; j < count; j++) {
            BoundWorld.Node n = BoundWorld.slowGpu(rnd, "d", "n" + j);
            mine.add(n);
            w.nodes.add(n);
        }
        int target = 10 + rnd.nextInt(12);
        while (w.requests.size() < 8 || w.requests.size() > target) {
            w.requests.clear();
            w.channels.clear();
            w.randomTraffic(
                    rnd,
                    "d",
                    mine,
                    2 + rnd.nextInt(4),
                    2 + rnd.nextDouble() * 3 * count,
                    2000 + rnd.nextInt(3000),
                    100,
                    800,
                    10,
                    100,
                    3000,
                    10_000);
        }
        return w;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
    void boundAboveTheOptimumAboveEveryScheduler(long seed) throws Exception {
        // the first world of the seed's sequence small enough for the exhaustive search
        BoundWorld w;
        HindsightOptimum opt;
        int optimum = -1;
        long sub = seed;
        do {
            w = smallWorld(sub);
            opt = new HindsightOptimum(w, SMALL_CANDIDATES);
            try {
                optimum = opt.solve(STATE_BUDGET);
            } catch (HindsightOptimum.TooLarge e) {
                sub += 1000;
            }
        } while (optimum < 0);
        GoodputBound.Result r = w.bound(SMALL_CANDIDATES);
        assertTrue(
                r.bound() >= optimum,
                "seed " + seed + ": bound " + r.bound() + " below the optimum " + optimum);
        StringBuilder report = new StringBuilder();
        int best = 0;
        List<String> runs = new ArrayList<>(Algorithms.NAMES);
        // the rate policies: their subsets stay within max-candidates, the optimum's relaxation
        runs.add("ot-gah/throughput-rate");
        runs.add("ot-gah/padding-rate");
        runs.add("ot-gah/load-price");
        for (String name : runs) {
            String[] p = name.split("/");
            ObjectNode s =
                    w.simulate(
                            p[0],
                            SMALL_CANDIDATES,
                            p.length > 1 ? p[1] : "per-slot",
                            dir.resolve(name.replace('/', '-')));
            int assigned = s.get("assigned").asInt();
            assertTrue(
                    assigned <= optimum,
                    name + " on seed " + seed + " decided " + assigned + " > optimum " + optimum);
            assertEquals(r.bound(), s.get("upperBound").get("capacityBound").asInt());
            best = Math.max(best, assigned);
            report.append(String.format(Locale.ROOT, " %s=%d", name, assigned));
        }
        System.out.printf(
                Locale.ROOT,
                "optimum seed %d (world %d): %d requests on %d node(s), %d servable alone, bound %d"
                        + " (fixed part tighter in %d windows), optimum %d (bound/optimum %.2f, %d"
                        + " states), best scheduler %d:%s%n",
                seed,
                sub,
                r.requests(),
                w.nodes.size(),
                r.servableAlone(),
                r.bound(),
                r.fixedPartWindows(),
                optimum,
                optimum == 0 ? 1.0 : (double) r.bound() / optimum,
                opt.states,
                best,
                report);
    }

    // ---- the pieces, against plain oracles -----------------------------------------------------

    /** countWithin is the count of the smallest present values that fit, by sorting. */
    @Test
    void fenwickCountsTheSmallestThatFit() {
        Random rnd = new Random(5);
        for (int round = 0; round < 200; round++) {
            int n = 1 + rnd.nextInt(40);
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = rnd.nextInt(4) == 0 ? 7 : rnd.nextInt(1000); // ties too
            }
            int[] order = WindowSweep.argsort(v);
            for (int p = 1; p < n; p++) {
                assertTrue(v[order[p - 1]] <= v[order[p]], "argsort sorts");
            }
            int[] rank = new int[n];
            for (int p = 0; p < n; p++) {
                rank[order[p]] = p + 1;
            }
            WindowSweep.Fenwick f = new WindowSweep.Fenwick(n);
            List<Long> present = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (rnd.nextBoolean()) {
                    f.add(rank[i], v[i], 1);
                    present.add(v[i]);
                }
            }
            present.sort(null);
            long cap = rnd.nextInt(5000);
            int k = 0;
            long sum = 0;
            while (k < present.size() && sum + present.get(k) <= cap) {
                sum += present.get(k++);
            }
            assertEquals(k, f.countWithin(cap), "round " + round);
        }
    }

    /** The dynamic programme finds the best set of windows that do not overlap, as brute force. */
    @Test
    void disjointWindowsAsBruteForce() {
        Random rnd = new Random(9);
        for (int round = 0; round < 200; round++) {
            int groups = 1 + rnd.nextInt(8);
            double[] ends = new double[groups];
            double t = 0;
            for (int g = 0; g < groups; g++) {
                t += 1 + rnd.nextInt(5);
                ends[g] = t;
            }
            WindowSweep.Windows w = new WindowSweep.Windows();
            w.ends = ends;
            int count = rnd.nextInt(10);
            double[][] win = new double[count][];
            for (int k = 0; k < count; k++) {
                int g = rnd.nextInt(groups);
                double x = ends[g] - 1 - rnd.nextInt(12);
                int loss = 1 + rnd.nextInt(5);
                win[k] = new double[] {x, ends[g], loss};
                w.add(x, g, loss);
            }
            int best = 0;
            for (int set = 0; set < 1 << count; set++) {
                int total = 0;
                boolean ok = true;
                for (int a = 0; a < count && ok; a++) {
                    if ((set & 1 << a) == 0) {
                        continue;
                    }
                    total += (int) win[a][2];
                    for (int b = a + 1; b < count; b++) {
                        if ((set & 1 << b) != 0
                                && !(win[a][1] <= win[b][0] || win[b][1] <= win[a][0])) {
                            ok = false;
                        }
                    }
                }
                if (ok) {
                    best = Math.max(best, total);
                }
            }
            assertEquals(best, w.bestDisjoint(groups), "round " + round);
        }
    }
}
