package org.edgellm.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * The pieces that make OT's nodes cheap, each against an independent computation: the cardinality
 * bound's linear sweep against sorting, the limits a level inherits from its parent against the
 * limits computed from scratch and against their definition, and the compute cache against the
 * closed form.
 */
class OtIncrementalTest {

    /**
     * The sweep equals the definition computed by sorting every eligible set: max over t of the t
     * largest profits among the items whose limit is at least t. With a threshold it may stop
     * early, but its answer stays an upper bound and is on the same side of the threshold.
     */
    @Property(tries = 2000)
    void cardinalitySweepEqualsSorting(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 150) int count) {
        Random rnd = new Random(seed);
        double[] p = new double[count];
        int[] lim = new int[count];
        boolean integral = rnd.nextBoolean();
        for (int j = 0; j < count; j++) {
            p[j] = integral ? 1 + rnd.nextInt(4) : rnd.nextDouble() * 10;
            lim[j] = rnd.nextInt(4) == 0 ? count + rnd.nextInt(3) : rnd.nextInt(count + 1);
        }
        // profits in search order: not increasing
        Arrays.sort(p);
        for (int i = 0, k = count - 1; i < k; i++, k--) {
            double t = p[i];
            p[i] = p[k];
            p[k] = t;
        }
        double oracle = 0;
        for (int t = 1; t <= count; t++) {
            double[] eligible = new double[count];
            int e = 0;
            for (int j = 0; j < count; j++) {
                if (lim[j] >= t) {
                    eligible[e++] = p[j];
                }
            }
            double[] sorted = Arrays.copyOf(eligible, e);
            Arrays.sort(sorted);
            double sum = 0;
            for (int r = 0; r < Math.min(t, e); r++) {
                sum += sorted[e - 1 - r];
            }
            oracle = Math.max(oracle, sum);
        }
        double exact = sweep(p, lim, count, Double.NEGATIVE_INFINITY);
        assertEquals(oracle, exact, 1e-9 * Math.max(1, oracle));
        double enough = oracle + (rnd.nextDouble() - 0.5) * oracle;
        double early = sweep(p, lim, count, enough);
        assertTrue(early >= oracle - 1e-9 * Math.max(1, oracle), "an upper bound");
        assertEquals(oracle <= enough, early <= enough, "the same side of " + enough);
    }

    private static double sweep(double[] p, int[] lim, int count, double enough) {
        return OtBounds.maxTopProfits(
                p,
                lim,
                count,
                enough,
                null,
                new int[count + 1],
                new int[count],
                new double[count + 1],
                new long[(count + 63) / 64 + 1]);
    }

    /**
     * At a random node of the search (a batch it can reach), the limits have three layers, each
     * checked against an independent computation. Without the parent's cap and the uplink cap, a
     * limit equals its definition: the largest t (at most the candidates outside the batch) for
     * which t copies of the candidate fit in memory and finish computing before the earliest
     * deadline, by a linear scan over t (a candidate without such a t is dropped). With the
     * parent's limit minus one as a cap (the path prepared level by level) they are unchanged. With
     * the uplink cap as well they can only shrink, but never below the size of the largest feasible
     * set of later candidates (none dominated by a candidate the node left out) that holds the
     * candidate, found by enumerating the sets.
     */
    @Property(tries = 400)
    void limitsEqualTheirDefinitionAndTheCapsAreSound(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int n) {
        Instance inst = PropertiesTest.single(seed, n);
        EdgeNode node = inst.nodes().get(0);
        double[] profit = inst.profits();
        Random rnd = new Random(seed);
        boolean capped = false;
        boolean uplinkCapped = false;
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            OtSearch full = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            full.levels.capByUplink = true; // on by default only for long lists
            full.levels.bandInSweep = true;
            OtSearch inherit = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            inherit.levels.capByUplink = false;
            OtSearch scratch = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            scratch.levels.capByUplink = false;
            scratch.levels.inheritLimits = false;
            int[] req = full.order();
            int m = req.length;
            for (int trial = 0; trial < 3; trial++) {
                int[] b = OtBoundsTest.randomNode(f, profit, req, rnd);
                int size = b.length;
                int[] members = new int[size];
                boolean[] in = new boolean[m];
                for (int k = 0; k < size; k++) {
                    members[k] = req[b[k]];
                    in[b[k]] = true;
                }
                long[] want = scratch.limitsAt(b);
                long[] got = inherit.limitsAt(b);
                long[] tight = full.limitsAt(b);
                assertArrayEquals(want, got, "limits at " + Arrays.toString(b));
                // the later candidates the node keeps by dominance, and their feasible sets
                int last = size == 0 ? -1 : b[size - 1];
                int[] later = new int[m];
                int lc = 0;
                for (int p = last + 1; p < m; p++) {
                    boolean dominated = false;
                    for (int j = 0; j < last; j++) {
                        dominated |= !in[j] && OtBoundsTest.dominates(f, profit, req[j], req[p]);
                    }
                    if (!dominated) {
                        later[lc++] = p;
                    }
                }
                long[] largest = new long[m]; // largest feasible set holding each position
                int[] set = new int[size + lc];
                for (int mask = 1; mask < 1 << lc; mask++) {
                    System.arraycopy(members, 0, set, 0, size);
                    int c = size;
                    for (int k = 0; k < lc; k++) {
                        if ((mask >> k & 1) != 0) {
                            set[c++] = req[later[k]];
                        }
                    }
                    if (f.feasible(set, c)) {
                        for (int k = 0; k < lc; k++) {
                            if ((mask >> k & 1) != 0) {
                                largest[later[k]] = Math.max(largest[later[k]], c - size);
                            }
                        }
                    }
                }
                for (int p = 0; p < m; p++) {
                    if (want[p] >= 0) {
                        long def = limitByDefinition(f, members, size, req[p], m - size);
                        assertEquals(def, want[p], "limit of position " + p);
                        capped |= size > 0 && def < m - size;
                        assertTrue(tight[p] <= want[p], "the uplink cap only shrinks limits");
                    } else {
                        assertEquals(-1, tight[p], "a dropped candidate stays dropped");
                    }
                    assertTrue(
                            Math.max(0, tight[p]) >= largest[p], // -1: dropped, in no set
                            "position "
                                    + p
                                    + " is in a feasible set of "
                                    + largest[p]
                                    + " but its limit is "
                                    + tight[p]);
                    uplinkCapped |= tight[p] >= 0 && tight[p] < want[p];
                }
            }
        }
        Statistics.label("a limit below the candidate count").collect(capped);
        Statistics.label("a limit below the candidate count")
                .coverage(c -> c.check(true).percentage(q -> q > 5));
        Statistics.label("the uplink cap binds").collect(uplinkCapped);
        Statistics.label("the uplink cap binds")
                .coverage(c -> c.check(true).percentage(q -> q > 20));
    }

    /** The definition of a limit, by a linear scan over t. */
    private static long limitByDefinition(
            Feasibility f, int[] members, int size, int x, long room) {
        int s = f.prompt(x);
        int n = f.output(x);
        double up = 0; // summed in the batch's order, as the search does
        double dMin = f.deadline(x);
        for (int k = 0; k < size; k++) {
            int i = members[k];
            s = Math.max(s, f.prompt(i));
            n = Math.max(n, f.output(i));
            up += f.uplinkMs(i);
            dMin = Math.min(dMin, f.deadline(i));
        }
        long best = 0;
        for (long t = 1; t <= room; t++) {
            boolean memory = t + size <= f.maxBatchForMemory(s, n);
            double start = Math.max(f.t0() + up + f.uplinkMs(x), f.busyUntil());
            double end = start + f.computeMs((int) (size + t), s, n);
            if (memory && dMin - end > 0) {
                best = t;
            }
        }
        return best;
    }

    /**
     * On instances too large for brute force but large enough for the greedy incumbent, the search
     * with everything this class checks (greedy incumbent, inherited and capped limits, the band in
     * the cardinality sweep) reaches the value of the search without any of it (whose optimality
     * the brute-force properties check on small instances), and returns a batch that is feasible
     * from scratch and worth what it reports. Larger lists exercise what small ones rarely do: deep
     * subtrees whose scratch must not leak into their parents' bounds.
     */
    @Property(tries = 80)
    void theNewPartsKeepTheOptimum(
            @ForAll long seed,
            @ForAll @IntRange(min = OptimalTreeSearch.GREEDY_MIN, max = 60) int n) {
        Instance inst = PropertiesTest.single(seed, n);
        EdgeNode node = inst.nodes().get(0);
        double[] profit = inst.profits();
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            OtSearch with = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            OtSearch plain = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            plain.useGreedy = false;
            plain.boxLeaves = 1;
            plain.levels.inheritLimits = false;
            plain.levels.capByUplink = false;
            plain.levels.bandInSweep = false;
            with.run(0);
            plain.run(0);
            assertEquals(plain.bestValue, with.bestValue, 1e-9 * Math.max(1, with.bestValue));
            int[] b = with.bestBatch;
            assertTrue(b.length == 0 || f.feasible(b, b.length), "a feasible batch");
            double worth = 0;
            for (int x : b) {
                worth += profit[x];
            }
            assertEquals(with.bestValue, worth, 1e-9 * Math.max(1, worth));
        }
    }

    /**
     * The local search after the greedy returns a batch that is feasible from scratch ({@link
     * Feasibility#feasible}), worth the value it reports and at least the greedy's own; on lists
     * long enough for the greedy (32 or more candidates). Coverage: it must improve on the greedy
     * in some instances, or the property would not test it.
     */
    @Property(tries = 80)
    void theLocalSearchKeepsItsBatchFeasibleAndNoWorse(
            @ForAll long seed,
            @ForAll @IntRange(min = OptimalTreeSearch.GREEDY_MIN, max = 80) int n) {
        Instance inst = PropertiesTest.single(seed, n);
        EdgeNode node = inst.nodes().get(0);
        double[] profit = inst.profits();
        boolean improved = false;
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            OtSearch with = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            OtSearch without = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            without.incumbent.useLocalSearch = false;
            with.greedyOnce();
            without.greedyOnce();
            improved |= soundAndNoWorse(f, profit, with, without);
        }
        Statistics.label("the local search improves on the greedy").collect(improved);
        Statistics.label("the local search improves on the greedy")
                .coverage(c -> c.check(true).percentage(p -> p > 5));
    }

    /**
     * Checks that {@code with}'s incumbent is feasible from scratch, holds no request twice, is
     * worth what it reports and no less than {@code without}'s; returns whether it is better.
     */
    private static boolean soundAndNoWorse(
            Feasibility f, double[] profit, OtSearch with, OtSearch without) {
        int[] b = with.bestBatch;
        assertTrue(b.length == 0 || f.feasible(b, b.length), "a feasible batch");
        assertEquals(b.length, Arrays.stream(b).distinct().count(), "no request twice");
        double worth = 0;
        for (int x : b) {
            worth += profit[x];
        }
        assertEquals(with.bestValue, worth, 1e-9 * Math.max(1, worth));
        assertTrue(
                with.bestValue >= without.bestValue - 1e-9 * Math.max(1, with.bestValue),
                with.bestValue + " below the greedy's " + without.bestValue);
        return with.bestValue > without.bestValue + 1e-9 * Math.max(1, with.bestValue);
    }

    /**
     * The box greedy (greedy batches in search order inside boxes of prompt, output and deadline):
     * the incumbent with it is feasible from scratch ({@link Feasibility#feasible}), holds no
     * request twice, is worth what it reports and, before the local search, is worth no less than
     * the greedy without the boxes (it takes the best of more batches); it is better in a share of
     * the instances. Skipping the boxes that cannot beat the best batch gives the same batch with
     * fewer checks. On lists of up to 48, a full search started from it finds the optimum of a full
     * search without any greedy.
     */
    @Property(tries = 150)
    void theBoxGreedyKeepsItsBatchFeasibleAndTheOptimum(
            @ForAll long seed,
            @ForAll @IntRange(min = OptimalTreeSearch.GREEDY_MIN, max = 80) int n) {
        Instance inst = PropertiesTest.single(seed, n);
        EdgeNode node = inst.nodes().get(0);
        double[] profit = inst.profits();
        boolean better = false;
        boolean skipped = false;
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            OtSearch with = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            OtSearch without = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            with.incumbent.useLocalSearch = false;
            without.incumbent.useLocalSearch = false;
            without.incumbent.useBoxes = false;
            with.greedyOnce();
            without.greedyOnce();
            better |= soundAndNoWorse(f, profit, with, without);
            // skipping the boxes whose first candidates cannot beat the best batch changes
            // nothing but the checks
            OtSearch every = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            every.incumbent.useLocalSearch = false;
            every.incumbent.skipHopelessBoxes = false;
            every.greedyOnce();
            assertEquals(every.bestValue, with.bestValue, "the value without skipping boxes");
            assertArrayEquals(every.bestBatch, with.bestBatch, "the batch without skipping boxes");
            assertTrue(with.counters.checks <= every.counters.checks, "checks");
            skipped |= with.counters.checks < every.counters.checks;
            if (n <= 48) {
                OtSearch full = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
                OtSearch plain = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
                plain.useGreedy = false;
                full.run(0);
                plain.run(0);
                assertEquals(plain.bestValue, full.bestValue, 1e-9 * Math.max(1, plain.bestValue));
            }
        }
        Statistics.label("a box skipped").collect(skipped);
        Statistics.label("a box skipped").coverage(c -> c.check(true).percentage(p -> p > 5));
        Statistics.label("the boxes improve on the greedy").collect(better);
        Statistics.label("the boxes improve on the greedy")
                .coverage(c -> c.check(true).percentage(p -> p > 5));
    }

    /**
     * A variant whose root bound the incumbent already reaches does not build its greedy batch: the
     * answer, the nodes and the proven bound are those of the solve that builds every variant's
     * greedy batch, without a budget and with a small node budget; only the checks fall (in some
     * instances: several variants, one of them reached).
     */
    @Property(tries = 100)
    void skippingTheGreedyOfAReachedVariantChangesNothing(
            @ForAll long seed,
            @ForAll @IntRange(min = OptimalTreeSearch.GREEDY_MIN, max = 60) int n) {
        Instance inst = PropertiesTest.single(seed, n);
        EdgeNode node = inst.nodes().get(0);
        Feasibility[] tests = new Feasibility[node.variants().size()];
        for (int q = 0; q < tests.length; q++) {
            tests[q] = new Feasibility(inst, node, node.variants().get(q));
        }
        int[] all = PropertiesTest.all(inst);
        double[] profit = inst.profits();
        boolean skipped = false;
        for (SearchBudget budget :
                new SearchBudget[] {SearchBudget.UNLIMITED, SearchBudget.nodes(50)}) {
            NodeSolution lean = OptimalTreeSearch.solve(tests, all, profit, budget, false);
            NodeSolution full = OptimalTreeSearch.solve(tests, all, profit, budget, true);
            assertEquals(full.value(), lean.value(), "value");
            assertArrayEquals(full.batch(), lean.batch(), "batch");
            assertEquals(full.variant(), lean.variant(), "variant");
            assertEquals(full.nodesVisited(), lean.nodesVisited(), "nodes");
            assertEquals(full.upperBound(), lean.upperBound(), "bound");
            assertEquals(full.provenOptimal(), lean.provenOptimal(), "proven");
            assertTrue(lean.feasibilityChecks() <= full.feasibilityChecks(), "checks");
            skipped |= lean.feasibilityChecks() < full.feasibilityChecks();
        }
        Statistics.label("a greedy batch skipped").collect(skipped);
        // about 7 % of the tries skip one: P(none in 100) is below 0.1 %
        Statistics.label("a greedy batch skipped")
                .coverage(c -> c.check(true).percentage(p -> p > 0));
    }

    /**
     * The search order from three stable primitive sorts equals a sort with the order's comparator
     * (profit descending, padding ascending, deadline descending, index), ties included.
     */
    @Property(tries = 300)
    void searchOrderEqualsTheComparator(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 80) int n) {
        Instance inst = PropertiesTest.single(seed, n);
        EdgeNode node = inst.nodes().get(0);
        Feasibility f = new Feasibility(inst, node, node.variants().get(0));
        double[] profit = inst.profits();
        Random rnd = new Random(seed);
        if (rnd.nextBoolean()) {
            // coarse profits: many ties, so the later keys decide
            for (int i = 0; i < profit.length; i++) {
                profit[i] = 1 + rnd.nextInt(3);
            }
        }
        int[] got = PropertiesTest.all(inst);
        OtCandidates.sortCandidates(got, f, profit);
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = i;
        }
        Arrays.sort(
                boxed,
                (a, b) -> {
                    if (profit[a] != profit[b]) {
                        return profit[a] > profit[b] ? -1 : 1;
                    }
                    int pa = f.prompt(a) + f.output(a);
                    int pb = f.prompt(b) + f.output(b);
                    if (pa != pb) {
                        return Integer.compare(pa, pb);
                    }
                    if (f.deadline(a) != f.deadline(b)) {
                        return f.deadline(a) > f.deadline(b) ? -1 : 1;
                    }
                    return Integer.compare(a, b);
                });
        int[] want = new int[n];
        for (int i = 0; i < n; i++) {
            want[i] = boxed[i];
        }
        assertArrayEquals(want, got);
    }

    /**
     * The compute cache returns the closed form bit for bit, for keys that collide in its slots,
     * repeat, and lie outside its packed range.
     */
    @Property(tries = 50)
    void computeCacheReturnsTheClosedForm(@ForAll long seed) {
        Instance inst = PropertiesTest.single(seed, 8);
        EdgeNode node = inst.nodes().get(0);
        Feasibility f = new Feasibility(inst, node, node.variants().get(0));
        OtSearch s = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), inst.profits());
        Random rnd = new Random(seed);
        int[][] keys = new int[30_000][];
        for (int k = 0; k < keys.length; k++) {
            keys[k] =
                    rnd.nextInt(50) == 0
                            ? new int[] {1 + rnd.nextInt(4), 1 << 21, 1 + rnd.nextInt(2048)}
                            : new int[] {
                                1 + rnd.nextInt(300), 1 + rnd.nextInt(4096), 1 + rnd.nextInt(4096)
                            };
        }
        for (int round = 0; round < 2; round++) {
            for (int[] k : keys) {
                double want = f.computeMs(k[0], k[1], k[2]);
                assertEquals(
                        Double.doubleToLongBits(want),
                        Double.doubleToLongBits(s.levels.compute(k[0], k[1], k[2])),
                        Arrays.toString(k));
            }
        }
    }
}
