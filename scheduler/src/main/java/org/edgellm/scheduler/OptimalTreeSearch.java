package org.edgellm.scheduler;

import java.util.Arrays;

/**
 * OT: the exact single-node solver (spec section 4). For every resident variant it searches the
 * set-enumeration tree of the candidate requests depth first.
 *
 * <ul>
 *   <li><b>Online pruning.</b> A child that is infeasible is cut with its subtree (downward
 *       closure). Before any check, a candidate whose padded KV cache cannot fit or whose compute
 *       cannot end before the earliest deadline, even with nothing else added, is dropped: that is
 *       a proof of infeasibility from the batch aggregates, not a guess.
 *   <li><b>Branch and bound.</b> A subtree is cut when its value plus an upper bound on what its
 *       remaining candidates can add is not better than the incumbent. The bound is the least of
 *       (a) a cardinality bound: with the padded maxima, memory and the deadline each candidate
 *       admits at most {@code m_x} more members once it is in, so at most the best {@code t}
 *       profits among candidates with {@code m_x >= t}; (b) a fractional knapsack on the downlink
 *       band, each candidate costing its demand at the earliest compute end it can have; (c) a
 *       fractional knapsack on uplink time against the earliest deadline. With integral profits the
 *       bound is rounded down.
 *   <li><b>Ordering.</b> Candidates by profit (ties: shorter padded length, later deadline), so the
 *       first dive is a good greedy incumbent; variants by their root bound, and a variant whose
 *       root bound does not beat the incumbent is skipped.
 *   <li><b>Anytime.</b> With a {@link SearchBudget} the search stops when it is spent and returns
 *       the incumbent with a proven bound: the largest root bound of the variants it did not
 *       finish.
 * </ul>
 */
public final class OptimalTreeSearch {

    private OptimalTreeSearch() {}

    /** Exact optimum over all requests of the instance on the given node, profits of the spec. */
    public static NodeSolution solve(Instance instance, EdgeNode node, SearchBudget budget) {
        int[] all = new int[instance.requests().size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return solve(instance, node, all, instance.profits(), budget);
    }

    /**
     * Best batch on {@code node} among {@code candidates} (request indices) with the given profits
     * (indexed by request index; candidates with profit <= 0 are ignored).
     */
    public static NodeSolution solve(
            Instance instance,
            EdgeNode node,
            int[] candidates,
            double[] profit,
            SearchBudget budget) {
        Feasibility[] tests = new Feasibility[node.variants().size()];
        for (int q = 0; q < tests.length; q++) {
            tests[q] = new Feasibility(instance, node, node.variants().get(q));
        }
        return solve(tests, candidates, profit, budget);
    }

    /**
     * The same with the feasibility tests of the node's variants already built (one per resident
     * variant, in the node's order): callers that search one node many times share them.
     */
    public static NodeSolution solve(
            Feasibility[] tests, int[] candidates, double[] profit, SearchBudget budget) {
        long deadlineNanos =
                budget.maxMicros() > 0 ? System.nanoTime() + budget.maxMicros() * 1000L : 0;
        boolean integral = true;
        for (int c : candidates) {
            if (profit[c] != Math.rint(profit[c])) {
                integral = false;
            }
        }
        int vs = tests.length;
        Search[] searches = new Search[vs];
        double[] rootBound = new double[vs];
        Integer[] order = new Integer[vs];
        Counters counters = new Counters(budget, deadlineNanos);
        for (int q = 0; q < vs; q++) {
            searches[q] = new Search(tests[q], candidates, profit, integral, counters);
            rootBound[q] = searches[q].rootBound();
            order[q] = q;
        }
        Arrays.sort(order, (a, b) -> Double.compare(rootBound[b], rootBound[a]));
        double best = 0;
        int[] bestBatch = new int[0];
        Variant bestVariant = null;
        double openBound = 0;
        for (int k = 0; k < vs; k++) {
            int q = order[k];
            Search s = searches[q];
            if (counters.aborted) {
                openBound = Math.max(openBound, rootBound[q]);
                continue;
            }
            if (rootBound[q] <= best + tolerance(best)) {
                continue;
            }
            s.run(best);
            if (s.bestValue > best) {
                best = s.bestValue;
                bestBatch = s.bestBatch;
                bestVariant = s.f.variant();
            }
            if (counters.aborted) {
                openBound = Math.max(openBound, rootBound[q]);
            }
        }
        double upper = Math.max(best, openBound);
        boolean proven = !counters.aborted || upper <= best + tolerance(best);
        return new NodeSolution(
                bestVariant,
                bestBatch,
                best,
                upper,
                proven,
                counters.nodes,
                counters.checks,
                counters.bounds);
    }

    /** The cardinality bound costs O(m t); beyond this many candidates it is left out. */
    static final int CARDINALITY_MAX = 64;

    static double tolerance(double best) {
        return 1e-9 * Math.max(1.0, Math.abs(best));
    }

    private static final class Counters {
        final SearchBudget budget;
        final long deadlineNanos;
        long nodes;
        long checks;
        long bounds;
        long calls;
        boolean aborted;

        Counters(SearchBudget budget, long deadlineNanos) {
            this.budget = budget;
            this.deadlineNanos = deadlineNanos;
        }

        boolean spent() {
            if (aborted) {
                return true;
            }
            if (budget.maxNodes() > 0 && nodes >= budget.maxNodes()) {
                aborted = true;
            } else if (deadlineNanos != 0
                    && (++calls & 15) == 0
                    && System.nanoTime() > deadlineNanos) {
                aborted = true;
            }
            return aborted;
        }
    }

    /** The search for one variant. */
    static final class Search {
        final Feasibility f;
        final double[] profit;
        final boolean integral;
        final Counters counters;
        final int[] roots; // eligible candidates in search order

        // per depth scratch
        final Feasibility.BatchState[] state;
        final int[] path;
        final int[][] items; // candidate list of the node at depth d
        final long[][] limit;
        final double[][] bandCost;
        final double[][] upCost;
        final int[][] bandOrder;
        final int[][] upOrder;
        final double[][] sortKey;
        final int[][] feasible; // positions (in items[d]) of feasible children
        final Feasibility.BatchState[][] childState;
        final int[][] feasPos; // position in feasible[d] of each items[d] position, or -1
        final int[][] feasItems;
        final boolean[] bandSorted;
        final boolean[] upSorted;

        double bestValue;
        int[] bestBatch = new int[0];
        double value;

        Search(
                Feasibility f,
                int[] candidates,
                double[] profit,
                boolean integral,
                Counters counters) {
            this.f = f;
            this.profit = profit;
            this.integral = integral;
            this.counters = counters;
            int count = 0;
            int[] tmp = new int[candidates.length];
            for (int c : candidates) {
                if (profit[c] > 0 && f.eligible(c)) {
                    tmp[count++] = c;
                }
            }
            roots = Arrays.copyOf(tmp, count);
            sortCandidates(roots, f, profit);
            state = new Feasibility.BatchState[count + 2];
            state[0] = new Feasibility.BatchState();
            state[0].clear();
            path = new int[count + 1];
            items = new int[count + 1][];
            limit = new long[count + 1][];
            bandCost = new double[count + 1][];
            upCost = new double[count + 1][];
            bandOrder = new int[count + 1][];
            upOrder = new int[count + 1][];
            sortKey = new double[count + 1][];
            feasible = new int[count + 1][];
            childState = new Feasibility.BatchState[count + 1][];
            feasPos = new int[count + 1][];
            feasItems = new int[count + 1][];
            bandSorted = new boolean[count + 1];
            upSorted = new boolean[count + 1];
        }

        private void ensureDepth(int d, int size) {
            if (items[d] == null || items[d].length < size) {
                int cap = Math.max(size, 4);
                items[d] = new int[cap];
                limit[d] = new long[cap];
                bandCost[d] = new double[cap];
                upCost[d] = new double[cap];
                bandOrder[d] = new int[cap];
                upOrder[d] = new int[cap];
                sortKey[d] = new double[cap];
                feasible[d] = new int[cap];
                feasPos[d] = new int[cap];
                feasItems[d] = new int[cap];
                childState[d] = new Feasibility.BatchState[cap]; // filled on demand
            }
        }

        /** Profit descending, then shorter padded length, later deadline, lower index. */
        private static void sortCandidates(int[] a, Feasibility f, double[] profit) {
            if (a.length > 48) {
                Integer[] boxed = new Integer[a.length];
                for (int i = 0; i < a.length; i++) {
                    boxed[i] = a[i];
                }
                Arrays.sort(boxed, (x, y) -> x.equals(y) ? 0 : before(x, y, f, profit) ? -1 : 1);
                for (int i = 0; i < a.length; i++) {
                    a[i] = boxed[i];
                }
                return;
            }
            for (int i = 1; i < a.length; i++) {
                int x = a[i];
                int j = i - 1;
                while (j >= 0 && before(x, a[j], f, profit)) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
        }

        private static boolean before(int a, int b, Feasibility f, double[] profit) {
            if (profit[a] != profit[b]) {
                return profit[a] > profit[b];
            }
            int pa = f.prompt(a) + f.output(a);
            int pb = f.prompt(b) + f.output(b);
            if (pa != pb) {
                return pa < pb;
            }
            if (f.deadline(a) != f.deadline(b)) {
                return f.deadline(a) > f.deadline(b);
            }
            return a < b;
        }

        /** Upper bound of the whole variant: the bound at the root over every candidate. */
        double rootBound() {
            int m = prepare(0, roots, 0, roots.length);
            if (m == 0) {
                return 0;
            }
            int[] fp = feasPos[0];
            for (int k = 0; k < m; k++) {
                fp[k] = k;
            }
            return bound(0, m, 0, false);
        }

        void run(double incumbent) {
            bestValue = incumbent;
            value = 0;
            expand(0, roots, 0, roots.length);
        }

        /**
         * Fills items/limit/costs of depth d from the candidate list in[from..to) relative to the
         * batch of depth d; drops candidates proven unable to join. Returns the count.
         */
        private int prepare(int d, int[] in, int from, int to) {
            ensureDepth(d, to - from);
            bandSorted[d] = false;
            upSorted[d] = false;
            Feasibility.BatchState b = state[d];
            int[] it = items[d];
            long[] lim = limit[d];
            double[] band = bandCost[d];
            double[] up = upCost[d];
            int m = 0;
            double t0 = f.t0();
            double busy = f.busyUntil();
            for (int k = from; k < to; k++) {
                int x = in[k];
                int s = Math.max(b.maxPrompt, f.prompt(x));
                int n = Math.max(b.maxOutput, f.output(x));
                long memLim = f.maxBatchForMemory(s, n) - b.size;
                if (memLim < 1) {
                    continue;
                }
                double dMin = Math.min(b.minDeadline, f.deadline(x));
                double start = Math.max(t0 + b.uplinkMs + f.uplinkMs(x), busy);
                double end1 = start + f.computeMs(b.size + 1, s, n);
                if (!(dMin - end1 > 0)) {
                    continue;
                }
                long l = memLim;
                if (!(dMin
                                - (start
                                        + f.computeMs(
                                                (int) Math.min(b.size + memLim, Integer.MAX_VALUE),
                                                s,
                                                n))
                        > 0)) {
                    long lo = 1; // feasible count
                    long hi = memLim; // infeasible count
                    while (hi - lo > 1) {
                        long mid = (lo + hi) >>> 1;
                        if (dMin - (start + f.computeMs((int) (b.size + mid), s, n)) > 0) {
                            lo = mid;
                        } else {
                            hi = mid;
                        }
                    }
                    l = lo;
                }
                it[m] = x;
                lim[m] = l;
                band[m] = f.downlinkDemand(x) * 1000.0 / (f.deadline(x) - end1);
                up[m] = f.uplinkMs(x);
                m++;
            }
            return m;
        }

        /**
         * Upper bound on the profit that a subset of the items of depth d at positions with feasPos
         * >= c (or all positions from c when !useFeas) can add to the batch of depth d.
         */
        private double bound(int d, int m, int c, boolean useFeas) {
            counters.bounds++;
            int[] it = items[d];
            int[] fp = feasPos[d];
            long[] lim = limit[d];
            double sum = 0;
            long maxLim = 0;
            int count = 0;
            double bandSum = 0;
            double upSum = 0;
            for (int k = 0; k < m; k++) {
                if (fp[k] < c) {
                    continue;
                }
                sum += profit[it[k]];
                maxLim = Math.max(maxLim, lim[k]);
                bandSum += bandCost[d][k];
                upSum += upCost[d][k];
                count++;
            }
            if (count == 0) {
                return 0;
            }
            double ub = sum;
            // (a) cardinality: best t profits among items whose limit admits t
            long minLim = Long.MAX_VALUE;
            for (int k = 0; k < m; k++) {
                if (fp[k] >= c) {
                    minLim = Math.min(minLim, lim[k]);
                }
            }
            if (minLim < count && count <= CARDINALITY_MAX) {
                long tMax = Math.min(count, maxLim);
                double card = 0;
                for (long t = 1; t <= tMax; t++) {
                    double s = 0;
                    int got = 0;
                    for (int k = 0; k < m && got < t; k++) {
                        if (fp[k] >= c && lim[k] >= t) {
                            s += profit[it[k]];
                            got++;
                        }
                    }
                    if (got < t) {
                        break;
                    }
                    card = Math.max(card, s);
                }
                ub = Math.min(ub, card);
            }
            // (b) downlink band
            Feasibility.BatchState b = state[d];
            double bandCap = f.downlinkHz() - b.downlinkNeed;
            if (bandSum > bandCap) {
                ub = Math.min(ub, knapsack(d, m, c, bandCost[d], bandCap, bandOrder[d]));
            }
            // (c) uplink time before the earliest deadline
            double upCap;
            if (b.size > 0) {
                double compute = f.computeMs(b.size, b.maxPrompt, b.maxOutput);
                upCap = b.minDeadline - f.t0() - b.uplinkMs - compute;
            } else {
                upCap = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < m; k++) {
                    if (fp[k] >= c) {
                        int x = it[k];
                        upCap =
                                Math.max(
                                        upCap,
                                        f.deadline(x)
                                                - f.t0()
                                                - f.computeMs(1, f.prompt(x), f.output(x)));
                    }
                }
            }
            if (upSum > upCap) {
                ub = Math.min(ub, knapsack(d, m, c, upCost[d], upCap, upOrder[d]));
            }
            if (integral) {
                ub = Math.floor(ub + 1e-9);
            }
            return ub;
        }

        /** Fractional knapsack: capacity cap, item costs cost[k], profits of items. */
        private double knapsack(int d, int m, int c, double[] cost, double cap, int[] order) {
            if (cap <= 0) {
                // only free items fit
                double s = 0;
                for (int k = 0; k < m; k++) {
                    if (feasPos[d][k] >= c && cost[k] <= 0) {
                        s += profit[items[d][k]];
                    }
                }
                return s;
            }
            int[] it = items[d];
            int[] fp = feasPos[d];
            boolean band = cost == bandCost[d];
            if (!(band ? bandSorted[d] : upSorted[d])) {
                // the order by cost per profit of every item of this node, computed once
                double[] key = sortKey[d];
                for (int k = 0; k < m; k++) {
                    order[k] = k;
                    key[k] = cost[k] / profit[it[k]];
                }
                sortByKey(order, key, m);
                if (band) {
                    bandSorted[d] = true;
                } else {
                    upSorted[d] = true;
                }
            }
            double s = 0;
            double left = cap;
            for (int r = 0; r < m; r++) {
                int k = order[r];
                if (fp[k] < c) {
                    continue;
                }
                double p = profit[it[k]];
                if (cost[k] <= left) {
                    left -= cost[k];
                    s += p;
                } else {
                    s += p * left / cost[k];
                    break;
                }
            }
            return s;
        }

        static void sortByKey(int[] order, double[] key, int n) {
            if (n > 32) {
                // exact merge sort: the fractional bound is valid only in the true order
                int[] o2 = new int[n];
                double[] k2 = new double[n];
                for (int width = 1; width < n; width *= 2) {
                    for (int lo = 0; lo < n; lo += 2 * width) {
                        int mid = Math.min(lo + width, n);
                        int hi = Math.min(lo + 2 * width, n);
                        int i = lo;
                        int j = mid;
                        int t = lo;
                        while (i < mid || j < hi) {
                            if (j >= hi || (i < mid && key[i] <= key[j])) {
                                k2[t] = key[i];
                                o2[t++] = order[i++];
                            } else {
                                k2[t] = key[j];
                                o2[t++] = order[j++];
                            }
                        }
                    }
                    System.arraycopy(k2, 0, key, 0, n);
                    System.arraycopy(o2, 0, order, 0, n);
                }
                return;
            }
            for (int i = 1; i < n; i++) {
                double kv = key[i];
                int ov = order[i];
                int j = i - 1;
                while (j >= 0 && key[j] > kv) {
                    key[j + 1] = key[j];
                    order[j + 1] = order[j];
                    j--;
                }
                key[j + 1] = kv;
                order[j + 1] = ov;
            }
        }

        private void expand(int d, int[] in, int from, int to) {
            if (d == 0) {
                counters.nodes++; // the root
            }
            if (counters.spent()) {
                return;
            }
            int m = prepare(d, in, from, to);
            if (m == 0) {
                return;
            }
            int[] it = items[d];
            int[] fp = feasPos[d];
            for (int k = 0; k < m; k++) {
                fp[k] = k; // before checks: the suffix from k
            }
            int[] feas = feasible[d];
            Feasibility.BatchState[] cs = childState[d];
            int fm = 0;
            int k = 0;
            for (; k < m; k++) {
                if (value + bound(d, m, k, false) <= bestValue + tolerance(bestValue)) {
                    break;
                }
                int x = it[k];
                counters.checks++;
                if (cs[fm] == null) {
                    cs[fm] = new Feasibility.BatchState();
                }
                if (f.tryAdd(state[d], x, path, cs[fm])) {
                    counters.nodes++;
                    feas[fm++] = k;
                    double v = value + profit[x];
                    if (v > bestValue + tolerance(bestValue)) {
                        bestValue = v;
                        bestBatch = Arrays.copyOf(path, d + 1);
                        bestBatch[d] = x;
                    }
                }
            }
            // Candidates passed down: every position not proven infeasible (feasible children
            // and the ones the bound spared from a check), in order. feasPos = index in that list.
            int[] childItems = feasItems[d];
            int pass = 0;
            int nextFeasible = 0;
            for (int r = 0; r < m; r++) {
                boolean checked = r < k;
                boolean ok = nextFeasible < fm && feas[nextFeasible] == r;
                if (ok) {
                    nextFeasible++;
                }
                if (!checked || ok) {
                    fp[r] = pass;
                    childItems[pass++] = it[r];
                } else {
                    fp[r] = -1;
                }
            }
            for (int r = 0; r < fm; r++) {
                int c = fp[feas[r]];
                if (value + bound(d, m, c, true) <= bestValue + tolerance(bestValue)) {
                    break;
                }
                if (c + 1 >= pass) {
                    continue; // a leaf: already counted at its check
                }
                int x = it[feas[r]];
                path[d] = x;
                Feasibility.BatchState saved = state[d + 1];
                state[d + 1] = cs[r];
                double before = value;
                value += profit[x];
                expand(d + 1, childItems, c + 1, pass);
                value = before;
                state[d + 1] = saved;
                if (counters.aborted) {
                    return;
                }
                // the child's expansion reused depth d+1 scratch only; ours is intact
            }
        }
    }
}
