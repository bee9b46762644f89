package org.edgellm.scheduler;

import java.util.Arrays;

/**
 * The per-level preparation of an OT search: for the batch of every depth of the current path, its
 * candidates (those not proven unable to join and not dominated by a request the subtree leaves
 * out), each with its limit (the most new members a batch with it can take) and band cost, and the
 * limit caps from order statistics of the candidates (uplink time, padding, deadline, band). The
 * bounds and the search read these arrays; the data of depth d is valid from its {@link #prepare}
 * until the next one of depth d ({@link #stamp} tells which preparation it is).
 */
final class OtLevels {
    /** The orders of the limit cap: uplink time, prompt, output, deadline. */
    static final int ORDER_KINDS = 4;

    final Feasibility f;
    final int[] req;
    final double[] pp;
    final double[] upMs;
    final int[] pPrompt;
    final int[] pOutput;
    final double[] pDeadline;
    final double[] pDemand;
    final long[][] dom;
    final boolean[] hasDom;

    final int[][] kOf; // per depth: index in items[d] of a position (valid when stamped)
    final long[][] stampOf;
    final long[] stamp;
    long serial;
    final long[] inPath; // bitset of positions in the current batch

    // per depth
    final Feasibility.BatchState[] state;
    final int[] path; // request indices of the batch
    final int[][] items; // positions of the candidates of the node at depth d
    final long[][] limit;
    final double[][] bandCost;
    final double[][] endOne; // per depth: each item's compute end if it joins alone
    // per depth: index in the list passed down of each items[d] index, or -1 (-2 while the node
    // checks its children); never above the items[d] index itself (the list passed down is a
    // subsequence of items[d]), which lets the bounds start their scans at index c
    final int[][] feasPos;

    // positions by uplink time, prompt, output (ascending) and deadline (descending)
    int[][] ordersAll; // built on first use
    int[][][] orders; // per kind and depth: that depth's candidates in the order
    int[] orderCount;
    long[] orderStamp; // the stamp of the node the lists were built for
    double[][] upPrefix; // per depth: sums of its t shortest uplink times
    double[] bandSorted2;
    final ComputeCache computeCache;
    final ComputeCache checkCache; // computeCache on long lists, else null
    long coveredMem;

    /** Whether a level takes its parent's limits as caps (false only in tests). */
    boolean inheritLimits = true;

    /**
     * Whether limits are capped by order statistics (uplink, padding, deadline; by default on lists
     * of GREEDY_MIN candidates or more; tests turn it off or on).
     */
    boolean capByUplink;

    /** Whether limits are capped by the band as well (false only in tests). */
    boolean capByBand = true;

    /**
     * Whether the cardinality sweep caps each t by the band knapsack (as capByUplink; read here for
     * the scratch it needs, and by the bounds).
     */
    boolean bandInSweep;

    OtLevels(OtCandidates c) {
        f = c.f;
        req = c.req;
        pp = c.pp;
        upMs = c.upMs;
        pPrompt = c.pPrompt;
        pOutput = c.pOutput;
        pDeadline = c.pDeadline;
        pDemand = c.pDemand;
        dom = c.dom;
        hasDom = c.hasDom;
        int count = c.count();
        inPath = new long[Math.max(1, c.words)];
        kOf = new int[count + 1][];
        stampOf = new long[count + 1][];
        stamp = new long[count + 1];
        state = new Feasibility.BatchState[count + 2];
        state[0] = new Feasibility.BatchState();
        state[0].clear();
        path = new int[count + 1];
        items = new int[count + 1][];
        limit = new long[count + 1][];
        bandCost = new double[count + 1][];
        endOne = new double[count + 1][];
        feasPos = new int[count + 1][];
        // the limit caps and the band sweep pay off on long lists only (GREEDY_MIN): small
        // lists are searched often (GAH) and quickly, where their set-up would dominate
        capByUplink = count >= OptimalTreeSearch.GREEDY_MIN;
        bandInSweep = count >= OptimalTreeSearch.GREEDY_MIN;
        // the compute cache grows with the list (small lists are searched often, by GAH, and
        // each search zeroes its cache: on them 8 entries per candidate hit as often as 16)
        computeCache =
                new ComputeCache(f, (count >= OptimalTreeSearch.GREEDY_MIN ? 16 : 8) * count);
        // the search's checks take their compute times from the cache on long lists only
        // (on short ones its misses would count as evaluations of their own)
        checkCache = count >= OptimalTreeSearch.GREEDY_MIN ? computeCache : null;
    }

    /** Whether some dominator of position y below position lim is outside the batch. */
    boolean dominatedBelow(int y, int lim) {
        if (!hasDom[y]) {
            return false;
        }
        long[] dy = dom[y];
        int full = lim >>> 6;
        for (int w = 0; w < full; w++) {
            if ((dy[w] & ~inPath[w]) != 0) {
                return true;
            }
        }
        int rest = lim & 63;
        if (rest != 0) {
            long mask = (1L << rest) - 1;
            return (dy[full] & ~inPath[full] & mask) != 0;
        }
        return false;
    }

    private void ensureDepth(int d, int size) {
        if (items[d] == null || items[d].length < size) {
            int cap = Math.max(size, 4);
            items[d] = new int[cap];
            limit[d] = new long[cap];
            bandCost[d] = new double[cap];
            // only the band sweep reads them (long lists): short lists do not allocate them
            endOne[d] = bandInSweep ? new double[cap] : null;
            feasPos[d] = new int[cap];
        }
        if (kOf[d] == null) {
            kOf[d] = new int[req.length];
            stampOf[d] = new long[req.length];
        }
    }

    /**
     * Fills items/limit/costs of depth d from the candidate positions in[from..to) relative to the
     * batch of depth d (whose last position is last, -1 at the root); drops candidates proven
     * unable to join and those dominated by a request the subtree leaves out. Returns the count.
     */
    int prepare(int d, int[] in, int from, int to, int last) {
        ensureDepth(d, to - from);
        stamp[d] = ++serial;
        long st = stamp[d];
        int[] ko = kOf[d];
        long[] so = stampOf[d];
        Feasibility.BatchState b = state[d];
        int[] it = items[d];
        long[] lim = limit[d];
        double[] band = bandCost[d];
        double[] ends = endOne[d];
        int m = 0;
        double t0 = f.t0();
        double busy = f.busyUntil();
        // The parent's limits: its batch lacks only the member added last, so a candidate's
        // limit here is at most its limit there minus one (padding, uplink and compute end
        // can only grow, the earliest deadline only shrink). Valid only when depth d - 1 was
        // prepared for the parent batch, which the search and boundAt guarantee.
        boolean inherit = d > 0 && inheritLimits;
        int[] pko = inherit ? kOf[d - 1] : null;
        long[] pso = inherit ? stampOf[d - 1] : null;
        long pst = inherit ? stamp[d - 1] : 0;
        long[] plim = inherit ? limit[d - 1] : null;
        // no batch adds more members than the candidates outside it
        long room = req.length - b.size;
        coveredMem = Long.MIN_VALUE;
        for (int k = from; k < to; k++) {
            int y = in[k];
            long cap = Long.MAX_VALUE;
            if (inherit) {
                if (pso[y] != pst) {
                    continue; // it could not join the parent's batch
                }
                cap = plim[pko[y]] - 1;
                if (cap < 1) {
                    continue;
                }
            }
            if (last > 0 && dominatedBelow(y, last)) {
                continue;
            }
            int s = Math.max(b.maxPrompt, pPrompt[y]);
            int n = Math.max(b.maxOutput, pOutput[y]);
            // a candidate within the batch's padding leaves it unchanged: its memory limit and
            // compute times are the node's own, computed once (the same calls, the same values)
            boolean covered = s == b.maxPrompt && n == b.maxOutput;
            long memRoom;
            if (covered) {
                if (coveredMem == Long.MIN_VALUE) {
                    coveredMem = f.maxBatchForMemory(s, n);
                }
                memRoom = coveredMem;
            } else {
                memRoom = f.maxBatchForMemory(s, n);
            }
            long memLim = Math.min(Math.min(memRoom - b.size, cap), room);
            if (memLim < 1) {
                continue;
            }
            double dMin = Math.min(b.minDeadline, pDeadline[y]);
            double start = Math.max(t0 + b.uplinkMs + upMs[y], busy);
            double end1 = start + computeAt(b.size, 1, s, n);
            if (!(dMin - end1 > 0)) {
                continue;
            }
            long l = memLim;
            double endMax = start + computeAt(b.size, (int) memLim, s, n);
            if (!(dMin - endMax > 0)) {
                l = deadlineLimit(b.size, memLim, s, n, start, dMin, end1, endMax);
            }
            it[m] = y;
            ko[y] = m;
            so[y] = st;
            lim[m] = l;
            band[m] = pDemand[y] * 1000.0 / (pDeadline[y] - end1);
            if (ends != null) {
                ends[m] = end1;
            }
            m++;
        }
        if (capByUplink && m > 0) {
            m = capByUplink(d, m, b);
        }
        return m;
    }

    /**
     * The largest count t in [1, memLim) of new members, this candidate among them, whose compute
     * still ends before dMin, when t = 1 does and t = memLim does not (end1 and endMax are those
     * two ends); kept out of prepare, which calls it rarely, so that prepare stays small for the
     * JIT.
     */
    private long deadlineLimit(
            int size,
            long memLim,
            int s,
            int n,
            double start,
            double dMin,
            double end1,
            double endMax) {
        // the largest count t in [1, memLim) with dMin - (start + T(size + t)) > 0.
        // T is convex in the batch size (a sum of maxima of linear functions), so
        // the chord from t = 1 to memLim lies above it and the line through sizes
        // size and size + 1 lies below it: they bracket the answer.
        long lo = 1; // feasible count
        long hi = memLim; // infeasible count
        double budgetMs = dMin - start;
        double t1 = end1 - start;
        double tM = endMax - start;
        if (memLim > 2) {
            double slope = (tM - t1) / (memLim - 1);
            long guess = 1 + (long) Math.floor((budgetMs - t1) / slope);
            if (guess > lo && guess < hi) {
                if (dMin - (start + computeAt(size, (int) guess, s, n)) > 0) {
                    lo = guess;
                } else {
                    hi = guess;
                }
            }
            double t0s = computeAt(size, 0, s, n);
            double step = t1 - t0s;
            if (step > 0) {
                long guess2 = 1 + (long) Math.ceil((budgetMs - t1) / step);
                if (guess2 > lo && guess2 < hi) {
                    if (dMin - (start + computeAt(size, (int) guess2, s, n)) > 0) {
                        lo = guess2;
                    } else {
                        hi = guess2;
                    }
                }
            }
        }
        while (hi - lo > 1) {
            long mid = (lo + hi) >>> 1;
            if (dMin - (start + computeAt(size, (int) mid, s, n)) > 0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Copies into dst, in their order, the first n items of src whose stamp in so is st (the items
     * of one search node, filtered from a superset); returns how many.
     */
    static int keepStamped(int[] src, int n, long[] so, long st, int[] dst) {
        int count = 0;
        for (int r = 0; r < n; r++) {
            int y = src[r];
            if (so[y] == st) {
                dst[count++] = y;
            }
        }
        return count;
    }

    /**
     * Caps every limit of depth d at the most members the batch can still take. Any t more members,
     * whichever they are, have uplink times summing to at least the t shortest among the
     * candidates, a padded prompt (output) at least the t-th shortest prompt (output) and an
     * earliest deadline at most the t-th latest deadline: the largest t for which memory and the
     * deadline admit a batch with these order statistics bounds them all (every test only gets
     * harder as t grows: binary search), then the band (bandCap). Returns the count (0 when no
     * candidate fits).
     */
    private int capByUplink(int d, int m, Feasibility.BatchState b) {
        if (orders == null) {
            allocateCapScratch();
        }
        // the candidates of this node in each order, filtered from the parent's lists
        if (ordersAll == null) {
            buildOrders();
        }
        boolean fromParent = d > 0 && orderStamp[d - 1] == stamp[d - 1];
        long[] so = stampOf[d];
        long st = stamp[d];
        int count = 0;
        for (int kind = 0; kind < ORDER_KINDS; kind++) {
            int[] src = fromParent ? orders[kind][d - 1] : ordersAll[kind];
            int n = fromParent ? orderCount[d - 1] : ordersAll[kind].length;
            if (orders[kind][d] == null || orders[kind][d].length < n) {
                orders[kind][d] = new int[Math.max(n, 4)];
            }
            count = keepStamped(src, n, so, st, orders[kind][d]);
        }
        orderCount[d] = count;
        orderStamp[d] = st;
        int[] byUp = orders[0][d];
        if (upPrefix[d] == null || upPrefix[d].length < count + 1) {
            upPrefix[d] = new double[count + 1];
        }
        double[] prefix = upPrefix[d];
        prefix[0] = 0;
        for (int r = 0; r < count; r++) {
            prefix[r + 1] = prefix[r] + upMs[byUp[r]];
        }
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (fitsAny(d, b, mid)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if (lo > 0 && capByBand) {
            lo = bandCap(d, m, b, lo);
        }
        if (lo == 0) {
            return 0;
        }
        long[] lim = limit[d];
        for (int k = 0; k < m; k++) {
            lim[k] = Math.min(lim[k], lo);
        }
        return m;
    }

    /**
     * The scratch of the limit caps and the band sweep, on their first use (small lists never use
     * it, and GAH searches many of them).
     */
    private void allocateCapScratch() {
        int count = req.length;
        orders = new int[ORDER_KINDS][count + 1][];
        orderCount = new int[count + 1];
        orderStamp = new long[count + 1];
        upPrefix = new double[count + 1][];
        bandSorted2 = new double[count + 1];
    }

    /** The candidate positions in each order of the limit cap, sorted once per search. */
    private void buildOrders() {
        int count = req.length;
        ordersAll = new int[ORDER_KINDS][];
        double[] orderKey = new double[count];
        for (int kind = 0; kind < ORDER_KINDS; kind++) {
            ordersAll[kind] = OtCandidates.identity(count);
            for (int k = 0; k < count; k++) {
                orderKey[k] =
                        switch (kind) {
                            case 0 -> upMs[k];
                            case 1 -> pPrompt[k];
                            case 2 -> pOutput[k];
                            default -> -pDeadline[k];
                        };
            }
            KeyedSort.sortByKey(
                    ordersAll[kind], orderKey, count, new int[count], new double[count]);
        }
    }

    /** The padded prompt at least t more members give the batch (order statistic). */
    private int promptAt(int d, Feasibility.BatchState b, int t) {
        return Math.max(b.maxPrompt, pPrompt[orders[1][d][t - 1]]);
    }

    private int outputAt(int d, Feasibility.BatchState b, int t) {
        return Math.max(b.maxOutput, pOutput[orders[2][d][t - 1]]);
    }

    /** The earliest compute end t more members can have (they start after all uploads). */
    double endAt(int d, Feasibility.BatchState b, int t) {
        return Math.max(f.t0() + b.uplinkMs + upPrefix[d][t], f.busyUntil())
                + compute(b.size + t, promptAt(d, b, t), outputAt(d, b, t));
    }

    /** Whether memory and the earliest deadline admit some t more members (relaxed). */
    private boolean fitsAny(int d, Feasibility.BatchState b, int t) {
        int s = promptAt(d, b, t);
        int n = outputAt(d, b, t);
        if (f.maxBatchForMemory(s, n) - b.size < t) {
            return false;
        }
        double dMin = Math.min(b.minDeadline, pDeadline[orders[3][d][t - 1]]);
        double slack = 1e-9 * Math.max(1.0, Math.abs(dMin));
        return dMin - endAt(d, b, t) > -slack;
    }

    /**
     * The most members, at most {@code most}, that the downlink band admits: t more members end no
     * earlier than after the batch's uploads, the t shortest of theirs and T(size + t) at the
     * batch's padding; at that end the members already in need their demand over their time left,
     * and each newcomer at least its band cost at its own earliest end. The largest t whose total
     * fits the band, by binary search (the total grows with t).
     */
    private int bandCap(int d, int m, Feasibility.BatchState b, int most) {
        double[] costs = bandSorted2;
        double slack = 1e-9 * Math.max(1.0, f.downlinkHz());
        int hi = Math.min(most, m);
        // any hi of the costs that fit show that the hi smallest fit: no cap below hi, and
        // no sort needed (with hi == m these are all of them)
        System.arraycopy(bandCost[d], 0, costs, 0, m);
        if (bandFits(d, b, hi, costs, slack)) {
            return hi;
        }
        // the search below reads the hi - 1 smallest costs, ascending: select the hi smallest
        // and sort those (the same values in the same order as a sort of all m)
        if (hi < m && Quickselect.selectSmallest(costs, m, hi)) {
            Arrays.sort(costs, 0, hi);
        } else {
            Arrays.sort(costs, 0, m);
        }
        int lo = 0;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (bandFits(d, b, mid, costs, slack)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private boolean bandFits(
            int d, Feasibility.BatchState b, int t, double[] sortedCosts, double slack) {
        double end = endAt(d, b, t);
        double need = 0;
        for (int k = 0; k < t; k++) {
            need += sortedCosts[k];
        }
        for (int k = 0; k < b.size; k++) {
            int i = path[k];
            double left = f.deadline(i) - end;
            if (!(left > 0)) {
                return false;
            }
            need += f.downlinkDemand(i) * 1000.0 / left;
        }
        return need <= f.downlinkHz() + slack;
    }

    /** {@code f.computeMs(size + t, s, n)}, through the compute cache. */
    private double computeAt(int size, int t, int s, int n) {
        return compute(size + t, s, n);
    }

    /** {@code f.computeMs(b, s, n)}, through the compute cache. */
    double compute(int b, int s, int n) {
        return computeCache.computeMs(b, s, n);
    }
}
