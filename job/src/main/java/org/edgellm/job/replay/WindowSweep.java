package org.edgellm.job.replay;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Steps (b) and (c) of {@link GoodputBound} over one domain's servable requests: the node
 * weightings, each request's least charge (and step (c)'s own and fixed parts) in integer units
 * under each weighting, the window lengths, and the sweep of windows of each length over the
 * request-window ends, which records every window that loses requests; the best set of
 * time-disjoint ones gives the loss. See docs/upper-bound.md.
 */
final class WindowSweep {

    /** Ratio between consecutive window lengths. */
    static final double LENGTH_STEP = Math.sqrt(2);

    /**
     * Charges and capacities in integer microseconds: sums in the Fenwick trees are exact (and stay
     * far below 2^63 for any plausible trace).
     */
    static final double UNITS_PER_MS = 1e3;

    // per servable request (as GoodputBound's step (a) left them)
    private final int nodeCount;
    private final int n;
    private final double[] r;
    private final double[] e;
    private final long[] mask;
    private final double[][] charge;
    private final double[][] stepFixed;
    private final double[][] own;
    private final int[] outputs;
    private final int[] batchCap;

    /** Windows in the best disjoint set, once {@link #largestLoss()} ran. */
    int lossWindows;

    /** Window lengths tried. */
    int lengths;

    /** Windows where step (c) lost more than step (b). */
    int fixedPartWindows;

    /** The largest ratio of a window's step-(b) charges to its node time. */
    double peakLoad;

    /**
     * @param nodeCount the domain's nodes
     * @param r per request, the earliest start of its batch's compute
     * @param e per request, the latest end of its batch's compute
     * @param mask per request, the nodes that can serve it (bit per node, first 64; beyond: all)
     * @param charge [node][request] least compute ms per request, +inf where it cannot be served
     * @param stepFixed [node][request] least ms per decode step that does not scale with the batch
     * @param own [node][request] least compute ms that scales with the batch
     * @param outputs per request, its output tokens
     * @param batchCap per request, the largest batch it could be part of
     */
    WindowSweep(
            int nodeCount,
            double[] r,
            double[] e,
            long[] mask,
            double[][] charge,
            double[][] stepFixed,
            double[][] own,
            int[] outputs,
            int[] batchCap) {
        this.nodeCount = nodeCount;
        this.n = r.length;
        this.r = r;
        this.e = e;
        this.mask = mask;
        this.charge = charge;
        this.stepFixed = stepFixed;
        this.own = own;
        this.outputs = outputs;
        this.batchCap = batchCap;
    }

    /** The largest total loss over time-disjoint windows (steps (b) and (c)). */
    int largestLoss() {
        int nodes = nodeCount;
        double[][] theta = NodeWeightings.of(nodes, charge);
        int weightings = theta.length;
        Windows found = new Windows();
        long[][] units = new long[weightings][n]; // per weighting, each request's least charge
        int[][] rank = new int[weightings][];
        for (int w = 0; w < weightings; w++) {
            for (int i = 0; i < n; i++) {
                double best = Double.POSITIVE_INFINITY;
                for (int j = 0; j < nodes; j++) {
                    // a node of weight 0 charges nothing (Lemma 3 holds for any weights >= 0)
                    if (charge[j][i] < Double.POSITIVE_INFINITY) {
                        best = Math.min(best, theta[w][j] * charge[j][i]);
                    }
                }
                units[w][i] = (long) Math.floor(best * (1 - 1e-9) * UNITS_PER_MS);
            }
            rank[w] = ranks(units[w]);
        }
        // step (c): per weighting, each request's least own part and least fixed part (the
        // least weighted time per step times its output), in the same units
        FixedUnits fixed = new FixedUnits(weightings);
        int capTop = 1;
        for (int i = 0; i < n; i++) {
            capTop = Math.max(capTop, batchCap[i]);
        }
        for (int w = 0; w < weightings; w++) {
            fixed.own[w] = new long[n];
            fixed.fixed[w] = new long[n];
            for (int i = 0; i < n; i++) {
                double o = Double.POSITIVE_INFINITY;
                double f = Double.POSITIVE_INFINITY;
                for (int j = 0; j < nodes; j++) {
                    if (own[j][i] < Double.POSITIVE_INFINITY) {
                        o = Math.min(o, theta[w][j] * own[j][i]);
                        f = Math.min(f, theta[w][j] * stepFixed[j][i]);
                    }
                }
                fixed.own[w][i] = (long) Math.floor(o * (1 - 1e-9) * UNITS_PER_MS);
                fixed.fixed[w][i] = (long) Math.floor(f * outputs[i] * (1 - 1e-9) * UNITS_PER_MS);
                fixed.maxFixed[w] = Math.max(fixed.maxFixed[w], fixed.fixed[w][i]);
            }
            fixed.ownRank[w] = ranks(fixed.own[w]);
            fixed.fixedRank[w] = ranks(fixed.fixed[w]);
        }
        int[] byE = argsort(e);
        int[] byR = argsort(r);
        int groups = 0;
        double[] groupEnd = new double[n];
        for (int k = 0; k < n; k++) {
            if (k == 0 || e[byE[k]] != e[byE[k - 1]]) {
                groupEnd[groups++] = e[byE[k]];
            }
        }
        found.ends = Arrays.copyOf(groupEnd, groups);
        double lenMin = Double.POSITIVE_INFINITY;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            lenMin = Math.min(lenMin, e[i] - r[i]);
            lo = Math.min(lo, r[i]);
            hi = Math.max(hi, e[i]);
        }
        List<Double> lens = new ArrayList<>();
        double lenMax = hi - lo;
        for (double len = Math.max(lenMin, 1e-3); len < lenMax; len *= LENGTH_STEP) {
            lens.add(len);
        }
        lens.add(lenMax);
        lengths = lens.size();
        Pass sweep = new Pass(theta, units, rank, fixed, capTop, byE, byR, found);
        for (double len : lens) {
            // a cheap pass with totals only: most lengths overload no window at all
            if (sweep.run(len, false)) {
                sweep.run(len, true);
            }
        }
        int loss = found.bestDisjoint(groups);
        lossWindows = found.chosen;
        fixedPartWindows = sweep.fixedPartWins;
        peakLoad = sweep.peak;
        return loss;
    }

    private int[] ranks(long[] values) {
        int[] rk = new int[n];
        int[] o = argsort(values);
        for (int p = 0; p < n; p++) {
            rk[o[p]] = p + 1;
        }
        return rk;
    }

    private static void forNodes(long mask, int nodes, int[] perNode, int d) {
        for (int j = 0; j < nodes; j++) {
            if (j >= 64 || (mask & (1L << j)) != 0) {
                perNode[j] += d;
            }
        }
    }

    /** The windows of one length, each ending at a distinct request-window end. */
    final class Pass {
        final double[][] theta;
        final long[][] units;
        final int[][] rank;
        final FixedUnits fixed;
        final int[] byE;
        final int[] byR;
        final Windows found;
        final Fenwick[] trees;
        final boolean[] inside = new boolean[n];
        final int[] perNode = new int[nodeCount];
        final long[] total;
        // step (c): trees over the own parts and the fixed parts, totals, batch caps present
        final Fenwick[] ownTrees;
        final Fenwick[] fixedTrees;
        final long[] ownTotal;
        final long[] fixedTotal;
        final int[] capCount;
        final long[] pending; // per weighting: the capacity to search, or -1
        int fixedPartWins;
        double peak; // the largest ratio of a window's step-(b) charges to its node time

        Pass(
                double[][] theta,
                long[][] units,
                int[][] rank,
                FixedUnits fixed,
                int capTop,
                int[] byE,
                int[] byR,
                Windows found) {
            this.theta = theta;
            int m = theta.length;
            this.trees = fenwicks(m);
            this.ownTrees = fenwicks(m);
            this.fixedTrees = fenwicks(m);
            this.total = new long[m];
            this.ownTotal = new long[m];
            this.fixedTotal = new long[m];
            this.pending = new long[m];
            this.units = units;
            this.rank = rank;
            this.fixed = fixed;
            this.capCount = new int[capTop + 1];
            this.byE = byE;
            this.byR = byR;
            this.found = found;
        }

        private Fenwick[] fenwicks(int m) {
            Fenwick[] f = new Fenwick[m];
            for (int w = 0; w < m; w++) {
                f[w] = new Fenwick(n);
            }
            return f;
        }

        /**
         * Slides windows [y - len, y] over the request-window ends y. With exact, records every
         * window that loses requests; without, only tells whether some window's charges exceed its
         * node time (then the exact pass may find losses).
         */
        boolean run(double len, boolean exact) {
            int nodes = nodeCount;
            int weightings = theta.length;
            if (exact) {
                for (int w = 0; w < weightings; w++) {
                    trees[w].clear();
                    ownTrees[w].clear();
                    fixedTrees[w].clear();
                }
            }
            Arrays.fill(inside, false);
            Arrays.fill(perNode, 0);
            Arrays.fill(capCount, 0);
            int batch = 0; // the largest batch cap inside
            for (int w = 0; w < weightings; w++) {
                total[w] = 0;
                ownTotal[w] = 0;
                fixedTotal[w] = 0;
            }
            int count = 0;
            int rp = 0;
            int k = 0;
            int group = -1;
            boolean overloaded = false;
            while (k < n) {
                double y = e[byE[k]];
                group++;
                double x = y - len;
                for (; k < n && e[byE[k]] == y; k++) {
                    int i = byE[k];
                    if (r[i] >= x) {
                        inside[i] = true;
                        count++;
                        change(i, 1, exact);
                        batch = Math.max(batch, batchCap[i]);
                    }
                }
                for (; rp < n && r[byR[rp]] < x; rp++) {
                    int i = byR[rp];
                    if (inside[i]) {
                        inside[i] = false;
                        count--;
                        change(i, -1, exact);
                    }
                }
                if (count == 0) {
                    continue;
                }
                while (capCount[batch] == 0) {
                    batch--;
                }
                int fit = count;
                int fitOld = count;
                for (int w = 0; w < weightings; w++) {
                    double weight = 0;
                    for (int j = 0; j < nodes; j++) {
                        if (perNode[j] > 0) {
                            weight += theta[w][j];
                        }
                    }
                    // the node time of [x, y], rounded up (x = y - len was rounded)
                    long cap = (long) Math.ceil((y - x + 1e-3) * weight * UNITS_PER_MS);
                    if (!exact) {
                        peak = Math.max(peak, (double) total[w] / Math.max(1, cap));
                    }
                    if (total[w] > cap) {
                        overloaded = true;
                        if (!exact) {
                            continue; // the exact pass finds the losses
                        }
                        fitOld = Math.min(fitOld, trees[w].countWithin(cap));
                    }
                    // step (c): at most the largest fixed part, plus the rest over batch
                    long most = exact ? fixedTrees[w].largest(count) : fixed.maxFixed[w];
                    long upper = ownTotal[w] + most + -Math.floorDiv(-fixedTotal[w], (long) batch);
                    if (upper > cap) {
                        overloaded = true;
                        pending[w] = cap;
                    } else {
                        pending[w] = -1;
                    }
                }
                if (!exact) {
                    continue;
                }
                for (int w = 0; w < weightings; w++) {
                    // only worth the search if step (c) loses more than step (b) does
                    int within = Math.min(fit, fitOld);
                    if (pending[w] >= 0
                            && fixedPartCost(ownTrees[w], fixedTrees[w], within, batch)
                                    > pending[w]) {
                        fit =
                                fitWithFixedPart(
                                        ownTrees[w], fixedTrees[w], within, batch, pending[w]);
                    }
                }
                if (fit < fitOld) {
                    fixedPartWins++;
                }
                fit = Math.min(fit, fitOld);
                if (fit < count) {
                    found.add(x, group, count - fit);
                }
            }
            return overloaded;
        }

        private void change(int i, int d, boolean exact) {
            capCount[batchCap[i]] += d;
            for (int w = 0; w < total.length; w++) {
                total[w] += d * units[w][i];
                ownTotal[w] += d * fixed.own[w][i];
                fixedTotal[w] += d * fixed.fixed[w][i];
                if (exact) {
                    trees[w].add(rank[w][i], d * units[w][i], d);
                    ownTrees[w].add(fixed.ownRank[w][i], d * fixed.own[w][i], d);
                    fixedTrees[w].add(fixed.fixedRank[w][i], d * fixed.fixed[w][i], d);
                }
            }
            forNodes(mask[i], nodeCount, perNode, d);
        }
    }

    /** Step (c)'s per-request figures per node weighting, in integer units. */
    static final class FixedUnits {
        final long[][] own;
        final long[][] fixed;
        final int[][] ownRank;
        final int[][] fixedRank;
        final long[] maxFixed;

        FixedUnits(int weightings) {
            own = new long[weightings][];
            fixed = new long[weightings][];
            ownRank = new int[weightings][];
            fixedRank = new int[weightings][];
            maxFixed = new long[weightings];
        }
    }

    /** Chunks of the sorted fixed parts taken one by one; beyond them, their average. */
    static final int EXACT_CHUNKS = 8;

    /**
     * Step (c) in one window: the largest k such that the k smallest own parts plus the chunk
     * maxima of the k smallest fixed parts (sorted descending, in chunks of {@code batch}) fit
     * {@code cap}. Any k of the window's requests that are decided in batches of at most {@code
     * batch} cost at least that, so no more than the result fit. The chunk maxima of the first
     * {@link #EXACT_CHUNKS} chunks are taken exactly; each later chunk's maximum is at least the
     * average of its own members, so those chunks together are bounded below by their members' sum
     * over {@code batch}.
     *
     * @param own the window's own parts (one per request)
     * @param fixed the window's fixed parts (one per request)
     * @param limit the largest k considered, at most the number of requests in the trees
     */
    static int fitWithFixedPart(Fenwick own, Fenwick fixed, int limit, int batch, long cap) {
        if (fixedPartCost(own, fixed, limit, batch) <= cap) {
            return limit;
        }
        int lo = 0; // fits: costs nothing
        int hi = limit - 1; // the largest k that may fit
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (fixedPartCost(own, fixed, mid, batch) <= cap) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The least cost of k of the requests in the trees (nondecreasing in k). */
    static long fixedPartCost(Fenwick own, Fenwick fixed, int k, int batch) {
        if (k <= 0) {
            return 0;
        }
        long cost = own.sumSmallest(k);
        int p = k; // the k smallest fixed parts, descending: position 1 + m * batch is ascending p
        for (int m = 0; m < EXACT_CHUNKS && p > 0; m++, p -= batch) {
            cost += fixed.sumSmallest(p) - fixed.sumSmallest(p - 1);
        }
        if (p > 0) {
            cost += fixed.sumSmallest(p) / batch; // floor: stays a lower bound
        }
        return cost;
    }

    // ---- the sweep's structures ----

    /** Counts and sums by rank: how many of the smallest present values fit a capacity. */
    static final class Fenwick {
        private final long[] sum;
        private final int[] cnt;
        private final int top;

        Fenwick(int n) {
            sum = new long[n + 1];
            cnt = new int[n + 1];
            top = n == 0 ? 0 : Integer.highestOneBit(n);
        }

        void clear() {
            Arrays.fill(sum, 0);
            Arrays.fill(cnt, 0);
        }

        void add(int rank, long value, int count) {
            for (int i = rank; i < sum.length; i += i & -i) {
                sum[i] += value;
                cnt[i] += count;
            }
        }

        /** The sum of the k smallest present values (k at most the number present). */
        long sumSmallest(int k) {
            int pos = 0;
            int left = k;
            long acc = 0;
            for (int step = top; step > 0; step >>= 1) {
                int next = pos + step;
                if (next < sum.length && cnt[next] <= left) {
                    pos = next;
                    left -= cnt[next];
                    acc += sum[next];
                }
            }
            return acc;
        }

        /** The largest present value, with count values present (count > 0). */
        long largest(int count) {
            return sumSmallest(count) - sumSmallest(count - 1);
        }

        /** The largest k such that the k smallest present values sum to at most cap. */
        int countWithin(long cap) {
            int pos = 0;
            int k = 0;
            long rem = cap;
            for (int step = top; step > 0; step >>= 1) {
                int next = pos + step;
                if (next < sum.length && sum[next] <= rem) {
                    pos = next;
                    rem -= sum[next];
                    k += cnt[next];
                }
            }
            return k;
        }
    }

    /**
     * Windows with a positive loss, each ending at one of the sorted request-window ends; the best
     * total over time-disjoint ones.
     */
    static final class Windows {
        double[] ends; // the distinct ends, sorted
        private double[] x = new double[64];
        private int[] y = new int[64]; // index into ends
        private int[] loss = new int[64];
        private int size;
        int chosen;

        void add(double from, int to, int l) {
            if (size == x.length) {
                x = Arrays.copyOf(x, size * 2);
                y = Arrays.copyOf(y, size * 2);
                loss = Arrays.copyOf(loss, size * 2);
            }
            x[size] = from;
            y[size] = to;
            loss[size] = l;
            size++;
        }

        /**
         * Weighted interval scheduling over windows [x, ends[y]] taken when no two overlap in time:
         * best[g] is the largest total loss of disjoint windows ending at or before ends[g - 1].
         */
        int bestDisjoint(int groups) {
            int[] start = new int[groups + 1]; // windows by end (counting sort)
            for (int w = 0; w < size; w++) {
                start[y[w] + 1]++;
            }
            for (int g = 0; g < groups; g++) {
                start[g + 1] += start[g];
            }
            int[] byEnd = new int[size];
            int[] fill = Arrays.copyOf(start, groups);
            for (int w = 0; w < size; w++) {
                byEnd[fill[y[w]]++] = w;
            }
            int[] best = new int[groups + 1];
            int[] took = new int[groups + 1]; // the window that made best[g], or -1
            int[] from = new int[groups + 1]; // best[] index before it
            Arrays.fill(took, -1);
            for (int g = 0; g < groups; g++) {
                best[g + 1] = best[g];
                for (int p = start[g]; p < start[g + 1]; p++) {
                    int w = byEnd[p];
                    // windows ending at or before x[w]: their requests end before w's begin
                    int before = upperBound(ends, g, x[w]);
                    if (best[before] + loss[w] > best[g + 1]) {
                        best[g + 1] = best[before] + loss[w];
                        took[g + 1] = w;
                        from[g + 1] = before;
                    }
                }
            }
            chosen = 0;
            for (int g = groups; g > 0; ) {
                if (took[g] < 0) {
                    g--;
                } else {
                    chosen++;
                    g = from[g];
                }
            }
            return best[groups];
        }

        /** The number of ends[0..limit) that are <= v (ends sorted). */
        private static int upperBound(double[] ends, int limit, double v) {
            int lo = 0;
            int hi = limit;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (ends[mid] <= v) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    /** The indices of key in ascending order of key (ties by index), without boxing. */
    static int[] argsort(double[] key) {
        double[] sorted = key.clone();
        Arrays.sort(sorted);
        int[] next = new int[key.length]; // per first position of a value: how many placed
        int[] order = new int[key.length];
        for (int i = 0; i < key.length; i++) {
            int p = lowerBound(sorted, key[i]);
            order[p + next[p]++] = i;
        }
        return order;
    }

    static int[] argsort(long[] key) {
        double[] d = new double[key.length];
        for (int i = 0; i < key.length; i++) {
            d[i] = key[i]; // exact below 2^53
        }
        return argsort(d);
    }

    private static int lowerBound(double[] sorted, double v) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
