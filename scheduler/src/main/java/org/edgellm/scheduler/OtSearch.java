package org.edgellm.scheduler;

import java.util.Arrays;

/**
 * The branch-and-bound search of OT for one variant of a node (see {@link OptimalTreeSearch}): a
 * depth-first walk of the set-enumeration tree of the candidates in search order. At each node the
 * level is prepared ({@link OtLevels}), the children that the bound ({@link OtBounds}) cannot cut
 * are checked with {@link Feasibility#tryAdd}, and the feasible ones are expanded in turn; on long
 * lists the search starts from the greedy incumbent ({@link OtIncumbent}).
 */
final class OtSearch {
    final Feasibility f;
    final int[] req;
    final double[] pp;
    final int[] all;
    final OtCounters counters;
    final OtCandidates cand;
    final OtLevels levels;
    final OtBounds bounds;
    final OtLocalSearch localSearch;
    final OtIncumbent incumbent;
    private final OtLevels lv;
    // the levels' arrays (the same objects)
    final Feasibility.BatchState[] state;
    final int[] path;
    final long[] inPath;
    final int[][] items;
    final long[][] limit;
    final int[][] feasPos;

    // per depth: the checked children of the node
    final int[][] feasible; // indices (in items[d]) of feasible children
    final Feasibility.BatchState[][] childState;
    final int[][] feasItems;

    /** Whether run starts with the greedy incumbent (false only in tests). */
    boolean useGreedy = true;

    /**
     * Most boxes the branch over padding boxes opens on lists of boxMin candidates or more (see
     * {@link #runBoxes}); 1 or less searches the whole list at once (tests).
     */
    int boxLeaves = BOX_LEAVES;

    /** Default of boxLeaves (the harness of the seventh round tried 4 to 64: docs). */
    static final int BOX_LEAVES = 12;

    /**
     * Fewest candidates for which run takes the box path (tests lower it): at N = 50 the split's
     * bounds cost about what the boxes save (docs/benchmarks.md, seventh round).
     */
    int boxMin = BOX_MIN;

    /** Default of boxMin. */
    static final int BOX_MIN = 64;

    /**
     * After a run that the budget stopped, on the box path: an upper bound on what the variant
     * holds (the largest bound of the boxes left open); NaN otherwise.
     */
    double openBound = Double.NaN;

    /**
     * For tests: the floor taken at the box's upper corner where that is finite (wrong: it rejects
     * the box's batches padded below that corner).
     */
    boolean floorAtUpperCorner;

    /** For tests: the open box with the largest bound is dropped from the cover (wrong). */
    boolean dropBestBox;

    /** Boxes the last run searched (for tests). */
    int boxesSearched;

    boolean greedyDone;

    /**
     * How many of the batches that a run on the box path finds better than its incumbent get the
     * local search of the greedy (see {@link OtLocalSearch#improve}); 0 turns it off (tests).
     */
    int foundSearches = FOUND_SEARCHES;

    /**
     * Default of foundSearches: the first three found batches (the ninth round tried 1, 3, 10 and
     * every one: docs/benchmarks.md).
     */
    static final int FOUND_SEARCHES = 3;

    private int foundLeft; // local searches of found batches left in this run

    private int rootCount; // the candidates of depth 0 as last prepared

    double bestValue;
    int[] bestBatch = new int[0];
    double value;

    OtSearch(
            Feasibility f,
            int[] candidates,
            double[] profit,
            boolean integral,
            OtCounters counters) {
        this.f = f;
        this.counters = counters;
        cand = new OtCandidates(f, candidates, profit, integral);
        req = cand.req;
        pp = cand.pp;
        all = cand.all;
        levels = new OtLevels(cand);
        lv = levels;
        bounds = new OtBounds(cand, levels, counters);
        OtBatchBuilder builder = new OtBatchBuilder(cand, levels, counters);
        localSearch = new OtLocalSearch(cand, levels, counters, builder);
        incumbent = new OtIncumbent(cand, levels, builder, localSearch);
        state = lv.state;
        path = lv.path;
        inPath = lv.inPath;
        items = lv.items;
        limit = lv.limit;
        feasPos = lv.feasPos;
        int count = req.length;
        feasible = new int[count + 1][];
        childState = new Feasibility.BatchState[count + 1][];
        feasItems = new int[count + 1][];
    }

    /** For tests: whether position j dominates position k (j < k). */
    boolean dominatesAt(int j, int k) {
        return j < k && cand.dominates(j, k);
    }

    /** Upper bound of the whole variant: the bound at the root over every candidate. */
    double rootBound() {
        int m = lv.prepare(0, all, 0, req.length, -1);
        if (m == 0) {
            return 0;
        }
        int[] fp = feasPos[0];
        for (int k = 0; k < m; k++) {
            fp[k] = k;
        }
        return bounds.bound(0, m, 0);
    }

    /** Candidates in search order (request indices). For tests. */
    int[] order() {
        return req.clone();
    }

    /**
     * For tests: the bound on what the candidates after the batch's last position can add to the
     * batch {@code batch} (positions in increasing order), as the search computes it at that node;
     * NaN when the batch is infeasible.
     */
    double boundAt(int[] batch) {
        int m = prepareAt(batch);
        if (m < 0) {
            return Double.NaN;
        }
        return bounds.bound(batch.length, m, 0);
    }

    /**
     * For tests: the limit of every candidate position at the node of {@code batch} (as boundAt),
     * -1 for positions the node dropped; null when the batch is infeasible.
     */
    long[] limitsAt(int[] batch) {
        int m = prepareAt(batch);
        if (m < 0) {
            return null;
        }
        long[] out = new long[req.length];
        Arrays.fill(out, -1);
        int d = batch.length;
        for (int k = 0; k < m; k++) {
            out[items[d][k]] = limit[d][k];
        }
        return out;
    }

    /**
     * For tests: the band sweep's cap (bandJoint) on the profit of t more members, among all
     * candidates of the node of {@code batch} (as boundAt); NaN when the batch is infeasible, when
     * the node keeps fewer than t candidates, or when the limit caps, whose order lists it reads,
     * did not run there.
     */
    double bandSweepAt(int[] batch, int t) {
        int m = prepareAt(batch);
        int d = batch.length;
        if (m < t || lv.orderStamp == null || lv.orderStamp[d] != lv.stamp[d]) {
            return Double.NaN;
        }
        return bounds.bandSweep(d, m, t);
    }

    /** Prepares every level of the path to {@code batch}; the count at its node, or -1. */
    private int prepareAt(int[] batch) {
        Arrays.fill(inPath, 0L);
        value = 0;
        for (int d = 0; d < batch.length; d++) {
            // every level is prepared, as in the search: a level inherits its parent's limits
            int prev = d == 0 ? -1 : batch[d - 1];
            lv.prepare(d, all, prev + 1, req.length, prev);
            Feasibility.BatchState next = new Feasibility.BatchState();
            if (!f.tryAdd(state[d], req[batch[d]], path, next)) {
                return -1;
            }
            state[d + 1] = next;
            path[d] = req[batch[d]];
            inPath[batch[d] >>> 6] |= 1L << batch[d];
            value += pp[batch[d]];
        }
        int d = batch.length;
        int last = d == 0 ? -1 : batch[d - 1];
        int m = lv.prepare(d, all, last + 1, req.length, last);
        int[] fp = feasPos[d];
        for (int k = 0; k < m; k++) {
            fp[k] = k;
        }
        return m;
    }

    void run(double incumbent) {
        foundLeft = 0; // the box path sets it
        if (incumbent > bestValue) {
            bestValue = incumbent;
            bestBatch = new int[0]; // the caller's incumbent, not a batch of this variant
        }
        greedyOnce();
        value = 0;
        Arrays.fill(inPath, 0L);
        openBound = Double.NaN;
        if (boxLeaves > 1 && req.length >= Math.max(boxMin, 1)) {
            foundLeft = foundSearches;
            runBoxes();
            return;
        }
        expand(0, all, 0, req.length, -1);
    }

    /**
     * A box of padding pairs: the batches whose padded prompt lies in [pLo, pHi] and padded output
     * in [oLo, oHi]. Its subproblem has the candidates within pHi and oHi, searched from an empty
     * batch whose padding is (pLo, oLo) already (the floor): for a batch of the box the floor is
     * not above its own padding, so its checks and limits are exact there; a batch the subproblem
     * finds that is padded below the floor is feasible a fortiori (the floor only makes every test
     * harder: more memory, a later end, more band).
     */
    static final class Box {
        final int pLo;
        final int pHi;
        final int oLo;
        final int oHi;
        double bound;
        boolean leaf; // no dimension left to split

        Box(int pLo, int pHi, int oLo, int oHi) {
            this.pLo = pLo;
            this.pHi = pHi;
            this.oLo = oLo;
            this.oHi = oHi;
        }
    }

    private int[] boxIn; // the box's candidate positions
    private int[] boxVals; // distinct values of one dimension

    /** The candidate positions of the box in search order, into boxIn; returns how many. */
    private int fillBox(Box b) {
        if (boxIn == null) {
            boxIn = new int[req.length];
            boxVals = new int[req.length];
        }
        int n = 0;
        int[] ps = cand.pPrompt;
        int[] os = cand.pOutput;
        for (int k = 0; k < req.length; k++) {
            if (ps[k] <= b.pHi && os[k] <= b.oHi) {
                boxIn[n++] = k;
            }
        }
        return n;
    }

    /** Sets depth 0 to the empty batch with the box's padding floor. */
    private void floor(Box b) {
        Feasibility.BatchState s = state[0];
        s.clear();
        s.maxPrompt = b.pLo;
        s.maxOutput = b.oLo;
        if (floorAtUpperCorner) {
            s.maxPrompt = b.pHi < Integer.MAX_VALUE ? b.pHi : b.pLo;
            s.maxOutput = b.oHi < Integer.MAX_VALUE ? b.oHi : b.oLo;
        }
    }

    /**
     * The bound of the box's subproblem: the search's own root bound with the floor (prepares depth
     * 0 for it); it may stop at {@code enough}.
     */
    private double boxBound(Box b, double enough) {
        int n = fillBox(b);
        floor(b);
        int m = lv.prepare(0, boxIn, 0, n, -1);
        double ub = 0;
        if (m > 0) {
            int[] fp = feasPos[0];
            for (int k = 0; k < m; k++) {
                fp[k] = k;
            }
            ub = bounds.bound(0, m, 0, enough);
        }
        b.bound = ub;
        return ub;
    }

    /**
     * The distinct prompt (or output) values, from the box's floor up, of the box's candidates,
     * sorted into boxVals; returns how many. The padded prompt of a batch of the box is one of
     * them.
     */
    private int distinct(Box b, boolean prompt) {
        int n = fillBox(b);
        int[] vals = prompt ? cand.pPrompt : cand.pOutput;
        int lo = prompt ? b.pLo : b.oLo;
        int u = 0;
        for (int r = 0; r < n; r++) {
            int v = vals[boxIn[r]];
            if (v >= lo) {
                boxVals[u++] = v;
            }
        }
        Arrays.sort(boxVals, 0, u);
        int w = 0;
        for (int r = 0; r < u; r++) {
            if (w == 0 || boxVals[r] != boxVals[w - 1]) {
                boxVals[w++] = boxVals[r];
            }
        }
        return w;
    }

    /**
     * The branch over padding boxes. The root box (every pair) is split, the open box with the
     * largest bound first, into halves at the median of its distinct values on the dimension with
     * more of them (prompt or output), until boxLeaves boxes are open or none can be split; a box
     * whose bound does not beat the incumbent is closed. Then each open box is searched, largest
     * bound first, with one incumbent and one budget, skipping those whose bound no longer beats
     * it. A split gives every distinct value of the box to exactly one half, so the boxes cover
     * every padding pair a batch can have and the search stays exact. The floor tightens each box's
     * limits and its list is shorter than the whole, so its nodes are cheaper.
     */
    private void runBoxes() {
        boxesSearched = 0;
        java.util.ArrayList<Box> open = new java.util.ArrayList<>();
        Box root = new Box(0, Integer.MAX_VALUE, 0, Integer.MAX_VALUE);
        double thr = bestValue + OptimalTreeSearch.tolerance(bestValue);
        if (boxBound(root, thr) > thr) {
            open.add(root);
        }
        while (open.size() < boxLeaves && !counters.spent()) {
            Box top = null;
            for (Box b : open) {
                if (!b.leaf && (top == null || b.bound > top.bound)) {
                    top = b;
                }
            }
            if (top == null) {
                break;
            }
            int up = distinct(top, true);
            int uo = distinct(top, false);
            if (Math.max(up, uo) < 2) {
                top.leaf = true;
                continue;
            }
            boolean prompt = up >= uo;
            if (prompt) {
                distinct(top, true); // boxVals holds the output values of the call just before
            }
            int h = Math.max(up, uo) / 2;
            int lowHi = boxVals[h - 1];
            int highLo = boxVals[h];
            Box low =
                    prompt
                            ? new Box(top.pLo, lowHi, top.oLo, top.oHi)
                            : new Box(top.pLo, top.pHi, top.oLo, lowHi);
            Box high =
                    prompt
                            ? new Box(highLo, top.pHi, top.oLo, top.oHi)
                            : new Box(top.pLo, top.pHi, highLo, top.oHi);
            open.remove(top);
            for (Box half : new Box[] {low, high}) {
                if (boxBound(half, thr) > thr) {
                    open.add(half);
                }
            }
        }
        open.sort((a, b) -> Double.compare(b.bound, a.bound));
        if (dropBestBox && open.size() > 1) {
            open.remove(0);
        }
        for (Box b : open) {
            if (counters.aborted) {
                openBound = b.bound; // the largest bound left open (sorted)
                break;
            }
            if (b.bound <= bestValue + OptimalTreeSearch.tolerance(bestValue)) {
                continue;
            }
            int n = fillBox(b);
            floor(b);
            value = 0;
            Arrays.fill(inPath, 0L);
            boxesSearched++;
            expand(0, boxIn, 0, n, -1);
            if (counters.aborted) {
                openBound = b.bound;
                break;
            }
        }
        state[0].clear();
    }

    /** The greedy incumbent, once per search, for lists of at least GREEDY_MIN candidates. */
    void greedyOnce() {
        if (!greedyDone && useGreedy && req.length >= OptimalTreeSearch.GREEDY_MIN) {
            int[] g = incumbent.build();
            double v = incumbent.value;
            if (g != null && v > bestValue + OptimalTreeSearch.tolerance(bestValue)) {
                bestValue = v;
                bestBatch = g;
            }
        }
        greedyDone = true;
    }

    /**
     * The smallest index r in [lo, hi] with value + bound(key(r)) not better than the incumbent,
     * where the bound shrinks as r grows and r = hi is known to qualify. key(r) is r itself, or the
     * feasPos of the r-th feasible child when feas is given.
     */
    private int cut(int d, int m, int lo, int hi, int[] feas, int keyEnd) {
        if (lo < hi && req.length >= OptimalTreeSearch.GREEDY_MIN) {
            // on long lists most often the whole range is cut: one bound settles it (on short
            // ones the binary search's first bounds are cheap and this one would mostly be
            // an extra bound)
            int c = feas == null ? lo : feasPos[d][feas[lo]];
            double enough = bestValue + OptimalTreeSearch.tolerance(bestValue) - value;
            if (bounds.bound(d, m, c, enough) <= enough) {
                return lo;
            }
            lo++;
        }
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int c = feas == null ? mid : feasPos[d][feas[mid]];
            double enough = bestValue + OptimalTreeSearch.tolerance(bestValue) - value;
            if (bounds.bound(d, m, c, enough) <= enough) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private void expand(int d, int[] in, int from, int to, int last) {
        if (d == 0) {
            counters.nodes++; // the root
        }
        if (counters.spent()) {
            return;
        }
        int m = lv.prepare(d, in, from, to, last);
        if (d == 0) {
            rootCount = m;
        }
        if (m == 0) {
            return;
        }
        if (feasible[d] == null || feasible[d].length < m) {
            int cap = Math.max(m, 4);
            feasible[d] = new int[cap];
            feasItems[d] = new int[cap];
            childState[d] = new Feasibility.BatchState[cap]; // filled on demand
        }
        int[] it = items[d];
        int[] fp = feasPos[d];
        for (int k = 0; k < m; k++) {
            fp[k] = k; // before checks: the suffix from k
        }
        int[] feas = feasible[d];
        Feasibility.BatchState[] cs = childState[d];
        int fm = 0;
        int cut = cut(d, m, 0, m, null, 0);
        int k = 0;
        for (; k < cut; k++) {
            int y = it[k];
            if (lv.dominatedBelow(y, y)) {
                continue; // passed down unchecked: a later child may hold its dominator
            }
            int x = req[y];
            counters.checks++;
            if (cs[fm] == null) {
                cs[fm] = new Feasibility.BatchState();
            }
            if (f.tryAdd(state[d], x, path, cs[fm], lv.checkCache)) {
                counters.nodes++;
                feas[fm++] = k;
                double v = value + pp[y];
                if (v > bestValue + OptimalTreeSearch.tolerance(bestValue)) {
                    bestValue = v;
                    bestBatch = Arrays.copyOf(path, d + 1);
                    bestBatch[d] = x;
                    if (foundLeft > 0) {
                        // a found batch is seldom full: the local search refills it (every
                        // batch it builds is checked with tryAdd, so the incumbent stays real)
                        foundLeft--;
                        int[] better =
                                localSearch.improve(bestBatch, bestValue, items[0], rootCount);
                        if (better != null) {
                            bestBatch = better;
                            bestValue = localSearch.value;
                        }
                    }
                    cut = cut(d, m, k + 1, cut, null, 0);
                }
            } else {
                fp[k] = -2; // proven infeasible
            }
        }
        // Candidates passed down: every index not proven infeasible (feasible children, the
        // dominated ones and the ones the bound spared from a check), in order. feasPos =
        // index in that list.
        int[] childItems = feasItems[d];
        int pass = 0;
        for (int r = 0; r < m; r++) {
            if (fp[r] != -2) {
                fp[r] = pass;
                childItems[pass++] = it[r];
            } else {
                fp[r] = -1;
            }
        }
        int cut2 = cut(d, m, 0, fm, feas, 0);
        for (int r = 0; r < cut2; r++) {
            int c = fp[feas[r]];
            if (c + 1 >= pass) {
                continue; // a leaf: already counted at its check
            }
            int y = it[feas[r]];
            int x = req[y];
            path[d] = x;
            inPath[y >>> 6] |= 1L << y;
            Feasibility.BatchState saved = state[d + 1];
            state[d + 1] = cs[r];
            double before = value;
            double inc = bestValue;
            value += pp[y];
            expand(d + 1, childItems, c + 1, pass, y);
            value = before;
            state[d + 1] = saved;
            inPath[y >>> 6] &= ~(1L << y);
            if (counters.aborted) {
                return;
            }
            if (bestValue != inc) {
                cut2 = cut(d, m, r + 1, cut2, feas, 0);
            }
            // the child's expansion reused depth d+1 scratch only; ours is intact
        }
    }
}
