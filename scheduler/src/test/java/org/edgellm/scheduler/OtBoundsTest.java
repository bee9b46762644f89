package org.edgellm.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * OT's bound and its dominance rule against brute force on small random instances of every profile:
 * the bound at a node is never below the best the node's subtree can reach, and a dominated request
 * can always be swapped for its dominator.
 */
class OtBoundsTest {

    /**
     * At random nodes of the search (a feasible batch of candidates in search order, none of them
     * dominated by an earlier candidate left out: a node the search can reach), the bound is at
     * least the best profit that any set of later candidates can add while the batch stays
     * feasible, counting only sets the search may explore: none of their members is dominated by a
     * request the node has left out (earlier in the order, not in the batch). The oracle enumerates
     * those sets and tests each from scratch with {@link Feasibility#feasible}; the dominance test
     * is the test's own comparison of the attributes.
     */
    @Property(tries = 600)
    void boundIsNeverBelowTheSubtreeOptimum(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 11) int n) {
        Instance inst = PropertiesTest.single(seed, n);
        EdgeNode node = inst.nodes().get(0);
        double[] profit = inst.profits();
        Random rnd = new Random(seed);
        boolean tight = false;
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            OtSearch s = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            s.levels.capByUplink = true; // on by default only for long lists
            s.levels.bandInSweep = true;
            int[] req = s.order();
            for (int trial = 0; trial < 4; trial++) {
                int[] b = randomNode(f, profit, req, rnd);
                int size = b.length;
                double bound = s.boundAt(b);
                assertTrue(!Double.isNaN(bound), "a feasible batch");
                int[] later = undominatedAfter(f, profit, req, b);
                int lc = later.length;
                double best = 0;
                int[] set = new int[size + lc];
                for (int mask = 1; mask < 1 << lc; mask++) {
                    int c = 0;
                    for (int p : b) {
                        set[c++] = req[p];
                    }
                    double add = 0;
                    for (int k = 0; k < lc; k++) {
                        if ((mask >> k & 1) != 0) {
                            set[c++] = req[later[k]];
                            add += profit[req[later[k]]];
                        }
                    }
                    if (add > best && f.feasible(set, c)) {
                        best = add;
                    }
                }
                assertTrue(
                        bound >= best - 1e-9 * Math.max(1, best),
                        "bound " + bound + " below the subtree's best " + best);
                tight |= best > 0 && bound < sumOf(profit, req, later, lc) - 1e-9;
            }
        }
        Statistics.label("the bound is below the plain sum").collect(tight);
        Statistics.label("the bound is below the plain sum")
                .coverage(c -> c.check(true).percentage(p -> p > 10));
    }

    /**
     * The test's own reading of dominance agrees with the search's, and it is sound: in a random
     * feasible batch holding k but not its dominator j, j can take k's place, the batch stays
     * feasible and its profit does not drop.
     */
    @Property(tries = 400)
    void aDominatedRequestCanBeSwappedForItsDominator(
            @ForAll long seed, @ForAll @IntRange(min = 2, max = 14) int n) {
        Instance inst = PropertiesTest.single(seed, n);
        EdgeNode node = inst.nodes().get(0);
        double[] profit = inst.profits();
        Random rnd = new Random(seed);
        boolean swapped = false;
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            OtSearch s = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            int[] req = s.order();
            for (int k = 0; k < req.length; k++) {
                for (int j = 0; j < k; j++) {
                    boolean mine = dominates(f, profit, req[j], req[k]);
                    assertTrue(mine == s.dominatesAt(j, k), "dominance of " + j + " over " + k);
                    if (!mine) {
                        continue;
                    }
                    // a random feasible batch with k and without j
                    int[] batch = new int[req.length];
                    batch[0] = req[k];
                    int size = 1;
                    for (int p = 0; p < req.length; p++) {
                        if (p != j && p != k && rnd.nextBoolean()) {
                            batch[size] = req[p];
                            if (f.feasible(batch, size + 1)) {
                                size++;
                            }
                        }
                    }
                    assertTrue(f.feasible(batch, size));
                    batch[0] = req[j];
                    assertTrue(f.feasible(batch, size), "swapping " + k + " for " + j);
                    assertTrue(profit[req[j]] >= profit[req[k]]);
                    swapped = true;
                }
            }
        }
        Statistics.label("a dominated pair exists").collect(swapped);
        Statistics.label("a dominated pair exists")
                .coverage(c -> c.check(true).percentage(p -> p > 5));
    }

    /**
     * The band sweep's cap on the profit of exactly t more members (each newcomer's band cost at
     * the later of its own earliest end and the earliest end of t more members, Lagrangian with the
     * knapsack's multiplier) is never below the best profit of t later candidates that keep the
     * batch feasible, at random nodes of random instances (the oracle enumerates the sets and tests
     * each from scratch with {@link Feasibility#feasible}). The coupling must bind in some cases,
     * or the property would not test it: the coverage check counts the nodes where the coupled cap
     * is below the cap without the coupling.
     */
    @Property(tries = 500)
    void bandSweepIsNeverBelowTheBestOfTMoreMembers(
            @ForAll long seed, @ForAll @IntRange(min = 2, max = 11) int n) {
        Instance inst = PropertiesTest.single(seed, n);
        EdgeNode node = inst.nodes().get(0);
        double[] profit = inst.profits();
        Random rnd = new Random(seed);
        boolean tighter = false;
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            OtSearch s = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            OtSearch loose = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            s.levels.capByUplink = true; // on by default only for long lists
            s.levels.bandInSweep = true;
            loose.levels.capByUplink = true;
            loose.levels.bandInSweep = true;
            loose.bounds.coupledBand = false;
            int[] req = s.order();
            for (int trial = 0; trial < 4; trial++) {
                int[] b = randomNode(f, profit, req, rnd);
                int size = b.length;
                int[] later = undominatedAfter(f, profit, req, b);
                int lc = later.length;
                // the best profit of exactly t more members, by brute force
                double[] best = new double[lc + 1];
                java.util.Arrays.fill(best, Double.NEGATIVE_INFINITY);
                int[] set = new int[size + lc];
                for (int mask = 1; mask < 1 << lc; mask++) {
                    int c = 0;
                    for (int p : b) {
                        set[c++] = req[p];
                    }
                    double add = 0;
                    for (int k = 0; k < lc; k++) {
                        if ((mask >> k & 1) != 0) {
                            set[c++] = req[later[k]];
                            add += profit[req[later[k]]];
                        }
                    }
                    int t = Integer.bitCount(mask);
                    if (add > best[t] && f.feasible(set, c)) {
                        best[t] = add;
                    }
                }
                for (int t = 1; t <= lc; t++) {
                    double cap = s.bandSweepAt(b, t);
                    if (Double.isNaN(cap)) {
                        // the node kept fewer than t candidates: no t more members can fit
                        assertEquals(Double.NEGATIVE_INFINITY, best[t], "t = " + t);
                        continue;
                    }
                    assertTrue(
                            cap >= best[t] - 1e-9 * Math.max(1, best[t]),
                            "band sweep " + cap + " below the best " + best[t] + " of t = " + t);
                    tighter |= cap < loose.bandSweepAt(b, t) - 1e-9;
                }
            }
        }
        Statistics.label("the coupling binds").collect(tighter);
        Statistics.label("the coupling binds").coverage(c -> c.check(true).percentage(p -> p > 3));
    }

    /**
     * A random node of the search: each candidate in search order with probability 1/3, kept if the
     * batch stays feasible and no earlier candidate left out dominates it (the search never adds
     * such a request, so it never reaches such a batch).
     */
    /**
     * The positions after the batch's last member that no left-out earlier candidate dominates: the
     * candidates the search may still add.
     */
    static int[] undominatedAfter(Feasibility f, double[] profit, int[] req, int[] b) {
        int m = req.length;
        int last = b.length == 0 ? -1 : b[b.length - 1];
        boolean[] inBatch = new boolean[m];
        for (int p : b) {
            inBatch[p] = true;
        }
        int[] later = new int[m];
        int lc = 0;
        for (int p = last + 1; p < m; p++) {
            boolean dominated = false;
            for (int j = 0; j < last; j++) {
                if (!inBatch[j] && dominates(f, profit, req[j], req[p])) {
                    dominated = true;
                }
            }
            if (!dominated) {
                later[lc++] = p;
            }
        }
        return java.util.Arrays.copyOf(later, lc);
    }

    static int[] randomNode(Feasibility f, double[] profit, int[] req, Random rnd) {
        int m = req.length;
        int[] batch = new int[m];
        int size = 0;
        int[] members = new int[m];
        boolean[] in = new boolean[m];
        for (int p = 0; p < m; p++) {
            if (rnd.nextInt(3) != 0) {
                continue;
            }
            boolean dominated = false;
            for (int j = 0; j < p; j++) {
                dominated |= !in[j] && dominates(f, profit, req[j], req[p]);
            }
            members[size] = req[p];
            if (!dominated && f.feasible(members, size + 1)) {
                in[p] = true;
                batch[size++] = p;
            }
        }
        return java.util.Arrays.copyOf(batch, size);
    }

    static boolean dominates(Feasibility f, double[] profit, int a, int b) {
        return profit[a] >= profit[b]
                && f.prompt(a) <= f.prompt(b)
                && f.output(a) <= f.output(b)
                && f.deadline(a) >= f.deadline(b)
                && f.uplinkMs(a) <= f.uplinkMs(b)
                && f.downlinkDemand(a) <= f.downlinkDemand(b);
    }

    private static double sumOf(double[] profit, int[] req, int[] pos, int count) {
        double s = 0;
        for (int k = 0; k < count; k++) {
            s += profit[req[pos[k]]];
        }
        return s;
    }
}
