package org.edgellm.scheduler;

/**
 * The paper's reference for one node: every subset of the requests, for every resident variant,
 * tested from scratch. Exponential: at most {@link #MAX_REQUESTS} requests.
 */
public final class BruteForce {

    /** Largest instance accepted. */
    public static final int MAX_REQUESTS = 30;

    private BruteForce() {}

    /** The best batch on {@code node} among {@code candidates} with the given profits. */
    public static NodeSolution solve(
            Instance instance, EdgeNode node, int[] candidates, double[] profit) {
        int n = candidates.length;
        if (n > MAX_REQUESTS) {
            throw new IllegalArgumentException(
                    "brute-force: at most " + MAX_REQUESTS + " requests per node, got " + n);
        }
        long checks = 0;
        double best = 0;
        int bestMask = 0;
        Variant bestVariant = null;
        int[] members = new int[n];
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(instance, node, v);
            for (int mask = 1; mask < (1 << n); mask++) {
                int c = 0;
                double value = 0;
                for (int k = 0; k < n; k++) {
                    if ((mask >> k & 1) != 0) {
                        members[c++] = candidates[k];
                        value += profit[candidates[k]];
                    }
                }
                checks++;
                boolean feasible = eligible(f, members, c) && f.feasible(members, c);
                if (feasible && value > best + OptimalTreeSearch.tolerance(best)) {
                    best = value;
                    bestMask = mask;
                    bestVariant = v;
                }
            }
        }
        int[] batch = new int[Integer.bitCount(bestMask)];
        int c = 0;
        for (int k = 0; k < n; k++) {
            if ((bestMask >> k & 1) != 0) {
                batch[c++] = candidates[k];
            }
        }
        long subsets = ((1L << n) - 1) * node.variants().size();
        return new NodeSolution(bestVariant, batch, best, best, true, subsets, checks, 0);
    }

    private static boolean eligible(Feasibility f, int[] members, int c) {
        for (int k = 0; k < c; k++) {
            if (!f.eligible(members[k])) {
                return false;
            }
        }
        return true;
    }
}
