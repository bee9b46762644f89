package org.edgellm.job.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.edgellm.scheduler.ComputeModel;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Feasibility;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.ModelSpec;
import org.edgellm.scheduler.Objective;
import org.edgellm.scheduler.Variant;
import org.junit.jupiter.api.Test;

/**
 * Step (c) of the goodput bound (docs/upper-bound.md): the split of a batch's compute time into a
 * per-step fixed part and per-member parts, and the count of a window's requests that fit its node
 * time, against a brute force over every batching of every subset of a tiny window, with the
 * scheduler module's compute time {@link Feasibility#computeMs} as the cost of each batch.
 */
class FixedPartTest {

    static final ModelSpec LLAMA_7B = new ModelSpec(32, 4096, 32000);

    record Setup(Feasibility feasibility, FixedPart part) {}

    /** A random GPU (datasheet range, or slowed) with one random variant of Llama-2-7B. */
    static Setup randomSetup(Random rnd, ComputeModel model) {
        int[] bits = {4, 8, 16};
        Variant v =
                new Variant(
                        "v",
                        bits[rnd.nextInt(3)],
                        bits[rnd.nextInt(3)],
                        rnd.nextBoolean() ? 8 : 16,
                        0.0);
        double slow = 1 + rnd.nextInt(4);
        EdgeNode node =
                new EdgeNode(
                        "n",
                        80e9,
                        1e9,
                        (200 + rnd.nextInt(1800)) * 1e9 / slow,
                        (50 + rnd.nextInt(300)) * 1e12,
                        (100 + rnd.nextInt(600)) * 1e12,
                        (100 + rnd.nextInt(1200)) * 1e12,
                        (0.2 + 0.8 * rnd.nextDouble()) / slow,
                        20e6,
                        40e6,
                        Double.NEGATIVE_INFINITY,
                        List.of(v));
        Instance empty =
                new Instance(0, Objective.REQUESTS, model, 32, LLAMA_7B, List.of(node), List.of());
        return new Setup(new Feasibility(empty, node, v), FixedPart.of(LLAMA_7B, model, node, v));
    }

    /**
     * T(b, max s, max n) is at least max n times the fixed part plus each member's own part, for
     * random batches; with the FLOPs-only model nothing is fixed and a batch costs exactly the sum
     * of b copies of its padded member's own part.
     */
    @Test
    void aBatchCostsAtLeastItsFixedPartPlusItsMembersOwnParts() {
        Random rnd = new Random(3);
        for (int round = 0; round < 2000; round++) {
            ComputeModel model = rnd.nextInt(4) == 0 ? ComputeModel.FLOPS : ComputeModel.ROOFLINE;
            Setup su = randomSetup(rnd, model);
            int b = 1 + rnd.nextInt(40);
            int sMax = 0;
            int nMax = 0;
            double own = 0;
            for (int k = 0; k < b; k++) {
                int s = 1 + rnd.nextInt(rnd.nextBoolean() ? 100 : 4000);
                int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 50 : 1000);
                sMax = Math.max(sMax, s);
                nMax = Math.max(nMax, n);
                own += su.part().ownMs(s, n);
            }
            double t = su.feasibility().computeMs(b, sMax, nMax);
            double lower = nMax * su.part().stepMs() + own;
            assertTrue(t >= lower * (1 - 1e-12), "round " + round + ": " + t + " < " + lower);
            if (model == ComputeModel.FLOPS) {
                assertEquals(0.0, su.part().stepMs());
                assertEquals(t, b * su.part().ownMs(sMax, nMax), t * 1e-12, "round " + round);
            }
        }
    }

    /**
     * In a batch whose decode steps are all memory-bound the split loses at most the prefill's
     * weight read: the lower bound is within one step of the batch's time (here the prefill is
     * FLOP-bound and the split is exact).
     */
    @Test
    void theSplitIsTightWhenMemoryBound() {
        EdgeNode a100 =
                new EdgeNode(
                        "a100",
                        40e9,
                        2e9,
                        1555e9,
                        312e12,
                        624e12,
                        1248e12,
                        0.5,
                        20e6,
                        40e6,
                        Double.NEGATIVE_INFINITY,
                        List.of(new Variant("w4a16", 4, 16, 16, 0.31)));
        Variant v = a100.variants().get(0);
        Instance empty =
                new Instance(
                        0,
                        Objective.REQUESTS,
                        ComputeModel.ROOFLINE,
                        32,
                        LLAMA_7B,
                        List.of(a100),
                        List.of());
        Feasibility f = new Feasibility(empty, a100, v);
        FixedPart p = FixedPart.of(LLAMA_7B, ComputeModel.ROOFLINE, a100, v);
        // the weights: (12 L h^2 + V h) * 4 bits / 8 bytes over 1555 GB/s
        double weights = (12.0 * 32 * 4096 * 4096 + 32000.0 * 4096) * 0.5;
        assertEquals(weights / 1555e9 * 1000, p.stepMs(), 1e-12);
        // 8 sequences of 200 prompt tokens and 300 output tokens: every decode step memory-bound
        double t = f.computeMs(8, 200, 300);
        double lower = 300 * p.stepMs() + 8 * p.ownMs(200, 300);
        assertTrue(t >= lower * (1 - 1e-12), t + " vs " + lower);
        assertTrue(t - lower <= p.stepMs() * 1.000001, t + " vs " + lower);
    }

    /**
     * A tiny window of up to 6 requests, each with its own batch cap, on one node and variant: the
     * brute force tries every subset and every way of splitting it into batches (each no larger
     * than any member's cap), costs each batch by {@link Feasibility#computeMs} at its padded
     * lengths, and finds the most requests whose least cost fits the window's node time. Step (c)
     * never counts fewer; the per-request charge of step (b) does not either; and in some windows
     * step (c) counts fewer than step (b) (the fixed part of long outputs is paid in full).
     */
    @Test
    void neverBelowTheBestBatchingOfATinyWindow() {
        Random rnd = new Random(11);
        int tighter = 0;
        int exact = 0;
        int rounds = 400;
        for (int round = 0; round < rounds; round++) {
            Setup su =
                    randomSetup(
                            rnd, rnd.nextInt(5) == 0 ? ComputeModel.FLOPS : ComputeModel.ROOFLINE);
            Feasibility f = su.feasibility();
            int m = 1 + rnd.nextInt(6);
            int[] s = new int[m];
            int[] n = new int[m];
            int[] cap = new int[m];
            for (int i = 0; i < m; i++) {
                s[i] = 1 + rnd.nextInt(rnd.nextBoolean() ? 200 : 3000);
                n[i] = 1 + rnd.nextInt(rnd.nextBoolean() ? 40 : 800);
                cap[i] = 1 + rnd.nextInt(rnd.nextBoolean() ? 3 : 8);
            }
            double[] least = leastCostBySize(f, s, n, cap);
            // a capacity near the least cost of some size, on either side
            int k0 = 1 + rnd.nextInt(m);
            double capMs = least[k0] * (0.9 + 0.2 * rnd.nextDouble());
            int oracle = 0;
            for (int k = 1; k <= m; k++) {
                if (least[k] <= capMs) {
                    oracle = k;
                }
            }
            // step (c) as the sweep computes it: integer units, trees over ranks
            long[] own = new long[m];
            long[] fixed = new long[m];
            long[] charge = new long[m];
            int batch = 0;
            for (int i = 0; i < m; i++) {
                own[i] = units(su.part().ownMs(s[i], n[i]));
                fixed[i] = units(su.part().stepMs() * n[i]);
                charge[i] = units(f.computeMs(cap[i], s[i], n[i]) / cap[i]);
                batch = Math.max(batch, cap[i]);
            }
            long capUnits = (long) Math.ceil(capMs * 1e3);
            int stepC = WindowSweep.fitWithFixedPart(tree(own), tree(fixed), m, batch, capUnits);
            int stepB = tree(charge).countWithin(capUnits);
            String where = "round " + round + ": oracle " + oracle + ", step (c) " + stepC;
            assertTrue(stepC >= oracle, where);
            assertTrue(stepB >= oracle, where + ", step (b) " + stepB);
            assertTrue(stepC <= m, where);
            if (stepC < stepB) {
                tighter++;
            }
            if (Math.min(stepB, stepC) == oracle) {
                exact++;
            }
        }
        System.out.printf(
                "fixed part: %d of %d tiny windows tighter than the per-request charge, %d exact%n",
                tighter, rounds, exact);
        assertTrue(tighter >= rounds / 20, "step (c) tightens some windows: " + tighter);
    }

    /** floor(ms * (1 - 1e-9) * 1000), as the bound rounds its charges. */
    static long units(double ms) {
        return (long) Math.floor(ms * (1 - 1e-9) * 1e3);
    }

    static WindowSweep.Fenwick tree(long[] values) {
        WindowSweep.Fenwick t = new WindowSweep.Fenwick(values.length);
        int[] order = WindowSweep.argsort(values);
        for (int p = 0; p < values.length; p++) {
            t.add(p + 1, values[order[p]], 1);
        }
        return t;
    }

    /**
     * least[k]: the least total compute time of k of the requests split into batches, each batch at
     * most the smallest cap among its members, each costing T(b, its longest prompt, its longest
     * output) (+inf where no split exists).
     */
    static double[] leastCostBySize(Feasibility f, int[] s, int[] n, int[] cap) {
        int m = s.length;
        double[] least = new double[m + 1];
        Arrays.fill(least, Double.POSITIVE_INFINITY);
        least[0] = 0;
        for (int set = 1; set < 1 << m; set++) {
            int[] members = new int[Integer.bitCount(set)];
            int c = 0;
            for (int i = 0; i < m; i++) {
                if ((set & 1 << i) != 0) {
                    members[c++] = i;
                }
            }
            double best = bestSplit(f, s, n, cap, members, 0, new int[members.length], 0);
            least[c] = Math.min(least[c], best);
        }
        return least;
    }

    /**
     * Every split of members into blocks (block[k] for members[k]), recursively: the least cost.
     */
    private static double bestSplit(
            Feasibility f,
            int[] s,
            int[] n,
            int[] cap,
            int[] members,
            int k,
            int[] block,
            int used) {
        if (k == members.length) {
            double total = 0;
            for (int b = 0; b < used; b++) {
                int size = 0;
                int sMax = 0;
                int nMax = 0;
                int limit = Integer.MAX_VALUE;
                for (int x = 0; x < members.length; x++) {
                    if (block[x] == b) {
                        int i = members[x];
                        size++;
                        sMax = Math.max(sMax, s[i]);
                        nMax = Math.max(nMax, n[i]);
                        limit = Math.min(limit, cap[i]);
                    }
                }
                if (size > limit) {
                    return Double.POSITIVE_INFINITY;
                }
                total += f.computeMs(size, sMax, nMax);
            }
            return total;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int b = 0; b <= used; b++) {
            block[k] = b;
            best =
                    Math.min(
                            best,
                            bestSplit(f, s, n, cap, members, k + 1, block, Math.max(used, b + 1)));
        }
        return best;
    }
}
