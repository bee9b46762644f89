package org.edgellm.scheduler;

import java.util.Arrays;
import java.util.function.IntToDoubleFunction;

/**
 * The upper bounds of an OT search: on what the candidates of a node (those of depth d with feasPos
 * at least c) can add to the node's batch. The least of (a) the cardinality bound (the best t
 * profits among candidates whose limit admits t, each t capped on long lists by a band knapsack at
 * the earliest end of t more members, itself capped by a Lagrangian bound that couples each
 * newcomer's band cost with that end), (b) a fractional knapsack on the downlink band and (c) a
 * fractional knapsack on uplink time against the earliest deadline; rounded down with integral
 * profits. Reads the levels' data of depth d, which must be prepared.
 */
final class OtBounds {
    final Feasibility f;
    final boolean integral;
    final OtCounters counters;
    final OtLevels lv;
    final int[] req;
    final double[] pp;
    final double[] upMs;
    final double[] pDeadline;
    final double[] pDemand;
    final int[] upByRatio;
    final int[] sortTmpOrder;
    final double[] sortTmpKey;
    // the levels' per-depth arrays (the same objects)
    final int[][] items;
    final long[][] limit;
    final double[][] bandCost;
    final double[][] endOne;
    final int[][] feasPos;
    final int[][] kOf;
    final long[][] stampOf;
    final long[] stamp;
    final Feasibility.BatchState[] state;
    final int[] path;

    // per depth: the items by band cost per profit, sorted once per preparation (bandStamp)
    final int[][] bandOrder;
    final double[][] sortKey;
    final long[] bandStamp;
    final int[] bandCount; // per depth: how many items bandOrder holds
    // per depth: the items by uplink time per profit, filtered once per preparation (upStamp)
    final int[][] upOrder;
    final int[] upCount;
    final long[] upStamp;

    // bound scratch (bounds do not nest)
    final int[] bucketHead;
    final int[] bucketNext;
    final double[] cardProfit;
    final int[] cardLimit;
    final double[] cardPrefix;
    final long[] cardSel;
    double[] jointCost; // allocated on first use (long lists only)
    double[] jointProfit;
    int[] jointItem;
    // coupledBand's inputs, in the order of jointItem (from index 0): limit, deadline, own
    // earliest end, profit, downlink demand times 1000
    long[] jointLim;
    double[] jointDeadline;
    double[] jointEnd;
    double[] jointP;
    double[] jointDemand;
    final IntToDoubleFunction bandJoint = this::bandJoint;
    int jointD;
    int jointC;
    int jointM;
    int jointCount;

    /** Whether the band sweep couples the band costs with the batch's end (tests). */
    boolean coupledBand = true;

    OtBounds(OtCandidates c, OtLevels lv, OtCounters counters) {
        this.f = c.f;
        this.integral = c.integral;
        this.counters = counters;
        this.lv = lv;
        req = c.req;
        pp = c.pp;
        upMs = c.upMs;
        pDeadline = c.pDeadline;
        pDemand = c.pDemand;
        upByRatio = c.upByRatio;
        sortTmpOrder = c.sortTmpOrder;
        sortTmpKey = c.sortTmpKey;
        items = lv.items;
        limit = lv.limit;
        bandCost = lv.bandCost;
        endOne = lv.endOne;
        feasPos = lv.feasPos;
        kOf = lv.kOf;
        stampOf = lv.stampOf;
        stamp = lv.stamp;
        state = lv.state;
        path = lv.path;
        int count = c.count();
        bandOrder = new int[count + 1][];
        sortKey = new double[count + 1][];
        bandStamp = new long[count + 1];
        bandCount = new int[count + 1];
        upOrder = new int[count + 1][];
        upCount = new int[count + 1];
        upStamp = new long[count + 1];
        bucketHead = new int[count + 2];
        bucketNext = new int[count + 1];
        cardProfit = new double[count + 1];
        cardLimit = new int[count + 1];
        cardPrefix = new double[count + 2];
        cardSel = new long[c.words + 1];
    }

    private void allocateJoint() {
        int count = req.length;
        jointCost = new double[count + 2];
        jointProfit = new double[count + 2];
        jointItem = new int[count + 2];
        jointLim = new long[count + 2];
        jointDeadline = new double[count + 2];
        jointEnd = new double[count + 2];
        jointP = new double[count + 2];
        jointDemand = new double[count + 2];
    }

    /**
     * Upper bound on the profit that a subset of the items of depth d with feasPos >= c can add to
     * the batch of depth d.
     */
    double bound(int d, int m, int c) {
        return bound(d, m, c, Double.NEGATIVE_INFINITY);
    }

    /**
     * The same, but it may stop as soon as the bound it has is at most {@code enough} (and return
     * that bound): callers that only compare it with a threshold skip the dearer parts.
     */
    double bound(int d, int m, int c, double enough) {
        counters.bounds++;
        int[] it = items[d];
        int[] fp = feasPos[d];
        long[] lim = limit[d];
        double[] bc = bandCost[d];
        double sum = 0;
        long minLim = Long.MAX_VALUE;
        int count = 0;
        double bandSum = 0;
        double upSum = 0;
        double[] pj = cardProfit;
        int[] tl = cardLimit;
        // feasPos[k] <= k (see OtLevels.feasPos): no index below c has feasPos >= c
        for (int k = c; k < m; k++) {
            if (fp[k] < c) {
                continue;
            }
            int y = it[k];
            double p = pp[y];
            long l = lim[k];
            sum += p;
            minLim = Math.min(minLim, l);
            bandSum += bc[k];
            upSum += upMs[y];
            // the cardinality bound's input, gathered in the same pass
            pj[count] = p;
            tl[count++] = (int) Math.min(l, Integer.MAX_VALUE);
        }
        if (count == 0) {
            return 0;
        }
        double ub = round(sum);
        if (ub <= enough) {
            return ub;
        }
        // (a) cardinality: a batch that adds t of them has every member's limit >= t, so it
        // adds at most the best t profits among the items whose limit admits t; joint with
        // the band (e) when all of them would not fit the band at the earliest end
        Feasibility.BatchState b = state[d];
        boolean joint =
                lv.bandInSweep
                        && bandSum > f.downlinkHz() - b.downlinkNeed
                        && lv.orderStamp != null // the caps ran (their orders exist)
                        && lv.orderStamp[d] == stamp[d];
        if (minLim < count || joint) {
            jointD = d;
            jointC = c;
            jointM = m;
            jointCount = -1;
            ub = Math.min(ub, round(cardinality(count, enough, joint ? bandJoint : null)));
            if (ub <= enough) {
                return ub;
            }
        }
        // (c) uplink time before the earliest deadline
        double upCap;
        if (b.size > 0) {
            double compute = lv.compute(b.size, b.maxPrompt, b.maxOutput);
            upCap = b.minDeadline - f.t0() - b.uplinkMs - compute;
        } else {
            upCap = Double.NEGATIVE_INFINITY;
            for (int k = c; k < m; k++) {
                if (fp[k] >= c) {
                    int x = req[it[k]];
                    upCap =
                            Math.max(
                                    upCap,
                                    f.deadline(x)
                                            - f.t0()
                                            - lv.compute(
                                                    1,
                                                    Math.max(b.maxPrompt, f.prompt(x)),
                                                    Math.max(b.maxOutput, f.output(x))));
                }
            }
        }
        if (upSum > upCap) {
            ub = Math.min(ub, round(uplinkKnapsack(d, c, upCap)));
            if (ub <= enough) {
                return ub;
            }
        }
        // (b) downlink band
        double bandCap = f.downlinkHz() - b.downlinkNeed;
        if (bandSum > bandCap) {
            ub = Math.min(ub, round(knapsack(d, m, c, bc, bandCap)));
            if (ub <= enough) {
                return ub;
            }
        }
        return ub;
    }

    /** With integral profits a bound rounds down. */
    private double round(double ub) {
        return integral ? Math.floor(ub + 1e-9) : ub;
    }

    /**
     * The cardinality bound of the count items that bound() gathered into cardProfit and cardLimit.
     */
    private double cardinality(int count, double enough, IntToDoubleFunction cap) {
        return maxTopProfits(
                cardProfit,
                cardLimit,
                count,
                enough,
                cap,
                bucketHead,
                bucketNext,
                cardPrefix,
                cardSel);
    }

    /**
     * max over t of the sum of the t largest profits among the items whose limit is at least t, for
     * items {@code 0..count)} whose profits {@code p} do not increase (search order) and whose
     * limits {@code lim} are not negative (a limit above count counts as count): the t largest of a
     * set are then its first t. t runs down from the largest limit; the items whose limit is t join
     * the eligible set, and a bitset keeps the first t eligible items (the last selected one leaves
     * when t drops or an earlier one joins), O(count) word operations in all. Stops early when no
     * smaller t can beat the best so far (the first t - 1 profits bound every smaller t), or when
     * both are at most {@code enough}; the value returned is then still an upper bound. The other
     * arrays are scratch: head count + 1, next count, pre count + 1, sel (count + 63) / 64 long.
     */
    static double maxTopProfits(
            double[] p,
            int[] lim,
            int count,
            double enough,
            IntToDoubleFunction cap,
            int[] head,
            int[] next,
            double[] pre,
            long[] sel) {
        Arrays.fill(head, 0, count + 1, -1);
        int top = 0;
        for (int j = 0; j < count; j++) {
            int t = Math.min(lim[j], count);
            next[j] = head[t];
            head[t] = j;
            top = Math.max(top, t);
        }
        // the sweep reads pre[t - 1] for t <= top only: the prefix sums stop there
        double run = 0;
        pre[0] = 0;
        for (int j = 0; j < top; j++) {
            run += p[j];
            pre[j + 1] = run;
        }
        Arrays.fill(sel, 0, (count + 63) >>> 6, 0L);
        int selCount = 0;
        int hi = -1; // the last selected index
        double sum = 0;
        double best = 0;
        for (int t = top; t >= 1; t--) {
            while (selCount > t) {
                sel[hi >>> 6] &= ~(1L << hi);
                sum -= p[hi];
                selCount--;
                hi = highest(sel, hi);
            }
            for (int q = head[t]; q >= 0; q = next[q]) {
                if (selCount < t) {
                    sel[q >>> 6] |= 1L << q;
                    sum += p[q];
                    selCount++;
                    hi = Math.max(hi, q);
                } else if (q < hi) {
                    sel[q >>> 6] |= 1L << q;
                    sel[hi >>> 6] &= ~(1L << hi);
                    sum += p[q] - p[hi];
                    hi = highest(sel, hi);
                }
            }
            double g = sum;
            if (cap != null && g > best && g > enough) {
                g = Math.min(g, cap.applyAsDouble(t));
            }
            best = Math.max(best, g);
            double rest = pre[t - 1];
            if (rest <= best || (best <= enough && rest <= enough)) {
                return Math.max(best, rest);
            }
        }
        return best;
    }

    /** The highest set bit of the bitset at or below {@code from}, or -1. */
    private static int highest(long[] bits, int from) {
        for (int w = from >>> 6; w >= 0; w--) {
            if (bits[w] != 0) {
                return (w << 6) + 63 - Long.numberOfLeadingZeros(bits[w]);
            }
        }
        return -1;
    }

    /**
     * For tests: the band sweep's cap (bandJoint) on the profit of t more members among all the m
     * candidates of depth d.
     */
    double bandSweep(int d, int m, int t) {
        jointD = d;
        jointC = 0;
        jointM = m;
        jointCount = -1;
        return bandJoint(t);
    }

    /**
     * (e) For the cardinality sweep of the bound being computed (depth jointD, items with feasPos
     * >= jointC): an upper bound on the profit of t more members, the fractional knapsack of their
     * band costs (each at its earliest end) within what the band leaves at the earliest end of t
     * more members (endAt) once the members already in have their demand; by binary search on
     * prefix sums in the order by cost per profit (built once per bound).
     */
    private double bandJoint(int t) {
        int d = jointD;
        Feasibility.BatchState b = state[d];
        double end = lv.endAt(d, b, t);
        double room = f.downlinkHz();
        for (int k = 0; k < b.size; k++) {
            int i = path[k];
            double left = f.deadline(i) - end;
            if (!(left > 0)) {
                return 0; // no t more fit: a member would miss its deadline
            }
            room -= f.downlinkDemand(i) * 1000.0 / left;
        }
        // a relative slack absorbs the rounding of this relaxed room
        room += 1e-9 * Math.max(1.0, f.downlinkHz());
        if (room < 0) {
            return 0; // costs are not negative
        }
        if (jointCount < 0) {
            if (jointCost == null) {
                allocateJoint();
            }
            int m = jointM;
            int[] it = items[d];
            int[] fp = feasPos[d];
            double[] cost = bandCost[d];
            int[] order = bandOrderOf(d, m);
            int r = 0;
            jointCost[0] = 0;
            jointProfit[0] = 0;
            long[] lim = limit[d];
            double[] ends = endOne[d];
            boolean soa = ends != null;
            for (int q = 0; q < m; q++) {
                int k = order[q];
                if (fp[k] >= jointC) {
                    int y = it[k];
                    jointCost[r + 1] = jointCost[r] + cost[k];
                    jointProfit[r + 1] = jointProfit[r] + pp[y];
                    jointItem[r + 1] = k;
                    if (soa) {
                        // coupledBand's inputs in this order, side by side
                        jointLim[r] = lim[k];
                        jointDeadline[r] = pDeadline[y];
                        jointEnd[r] = ends[k];
                        jointP[r] = pp[y];
                        jointDemand[r] = pDemand[y] * 1000.0;
                    }
                    r++;
                }
            }
            jointCount = r;
        }
        int n = jointCount;
        int lo = 0; // the largest r with jointCost[r] <= room
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (jointCost[mid] <= room) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        double plain;
        double lambda;
        if (lo == n) {
            plain = jointProfit[n];
            lambda = 0;
        } else {
            int k = jointItem[lo + 1];
            double c = bandCost[d][k];
            plain = jointProfit[lo] + pp[items[d][k]] * (room - jointCost[lo]) / c;
            lambda = pp[items[d][k]] / c;
        }
        return coupledBand && endOne[d] != null
                ? Math.min(plain, coupledBand(d, t, end, room, lambda))
                : plain;
    }

    /**
     * The band knapsack of bandJoint coupled with the batch's end: each newcomer's cost is taken at
     * the later of its own earliest end and the earliest end of t more members ({@code end}), and a
     * newcomer whose deadline is not after that end, or whose limit is below t, cannot be one of
     * the t. For any multiplier lambda >= 0, lambda * room + the sum of max(0, p - lambda * cost)
     * bounds the profit of newcomers whose costs fit the room (weak duality). With lambda the
     * multiplier of the knapsack at the own-end costs, which are not larger, the value is at most
     * that knapsack's.
     */
    private double coupledBand(int d, int t, double end, double room, double lambda) {
        // bandJoint laid out the items' inputs in its order (jointLim...): the same terms, summed
        // in the same order, as reading them through jointItem and items
        int n = jointCount;
        long[] lim = jointLim;
        double[] dl = jointDeadline;
        double[] ends = jointEnd;
        double[] p = jointP;
        double[] dem = jointDemand;
        double s = lambda * room;
        int count = 0;
        for (int r = 0; r < n; r++) {
            if (lim[r] < t) {
                continue;
            }
            double left = dl[r] - Math.max(ends[r], end);
            if (!(left > 0)) {
                continue;
            }
            count++;
            double gain = p[r] - lambda * (dem[r] / left);
            if (gain > 0) {
                s += gain;
            }
        }
        return count < t ? 0 : s; // fewer than t candidates can be among t more members
    }

    /**
     * Fractional knapsack on uplink time: the costs do not depend on the batch, so the items are
     * taken in the search's fixed order by uplink time per profit.
     */
    private double uplinkKnapsack(int d, int c, double cap) {
        int[] fp = feasPos[d];
        int[] ko = kOf[d];
        int[] order = upOrder(d);
        int n = upCount[d];
        double s = 0;
        if (cap <= 0) {
            // only free items fit
            for (int r = 0; r < n; r++) {
                int y = order[r];
                if (fp[ko[y]] >= c && f.uplinkMs(req[y]) <= 0) {
                    s += pp[y];
                }
            }
            return s;
        }
        double left = cap;
        for (int r = 0; r < n; r++) {
            int y = order[r];
            int k = ko[y];
            if (fp[k] < c) {
                continue;
            }
            double p = pp[y];
            double cost = f.uplinkMs(req[y]);
            if (cost <= left) {
                left -= cost;
                s += p;
            } else {
                s += p * left / cost;
                break;
            }
        }
        return s;
    }

    /**
     * The items of depth d in the fixed order by uplink time per profit, filtered once per node
     * from the parent's list (a superset) or, at the root, from the whole order.
     */
    private int[] upOrder(int d) {
        if (upStamp[d] != stamp[d]) {
            int[] src = upByRatio;
            int n = upByRatio.length;
            if (d > 0 && upStamp[d - 1] == stamp[d - 1]) {
                src = upOrder[d - 1];
                n = upCount[d - 1];
            }
            if (upOrder[d] == null || upOrder[d].length < n) {
                upOrder[d] = new int[Math.max(n, 4)];
            }
            long st = stamp[d];
            upCount[d] = OtLevels.keepStamped(src, n, stampOf[d], st, upOrder[d]);
            upStamp[d] = st;
        }
        return upOrder[d];
    }

    /**
     * The order by band cost per profit of every item of depth d, sorted once per node: ascending
     * by key, ties by index (what a stable sort of 0..m) gives). When the parent's order exists it
     * is the starting point: the node's items are a subset of the parent's, in the same relative
     * order, and their keys move little from parent to child, so an insertion sort of the parent's
     * order, filtered, does few moves; the result is the same permutation (the order is total), and
     * the full sort runs when the start is not usable or the moves exceed a few per item.
     */
    private int[] bandOrderOf(int d, int m) {
        if (bandStamp[d] != stamp[d]) {
            if (bandOrder[d] == null || bandOrder[d].length < m) {
                int cap = Math.max(m, 4);
                bandOrder[d] = new int[cap];
                sortKey[d] = new double[cap];
            }
            int[] order = bandOrder[d];
            int[] it = items[d];
            double[] cost = bandCost[d];
            double[] key = sortKey[d];
            boolean nan = false;
            for (int k = 0; k < m; k++) {
                double v = cost[k] / pp[it[k]];
                key[k] = v;
                nan |= v != v;
            }
            if (nan || d == 0 || bandStamp[d - 1] != stamp[d - 1] || !fromParent(d, m)) {
                for (int k = 0; k < m; k++) {
                    order[k] = k;
                }
                KeyedSort.sortByKey(order, key, m, sortTmpOrder, sortTmpKey);
            }
            bandCount[d] = m;
            bandStamp[d] = stamp[d];
        }
        return bandOrder[d];
    }

    /**
     * Fills bandOrder[d] with the node's indices in the parent's band order and sorts it by
     * insertion (key sortKey[d] by index, ties by index); false when the parent's order does not
     * hold every item of the node or the sort needs too many moves (bandOrder[d] is then garbage).
     */
    private boolean fromParent(int d, int m) {
        int[] order = bandOrder[d];
        double[] key = sortKey[d];
        int[] src = bandOrder[d - 1];
        int[] pit = items[d - 1];
        int n = bandCount[d - 1];
        long[] so = stampOf[d];
        int[] ko = kOf[d];
        long st = stamp[d];
        int r = 0;
        for (int q = 0; q < n; q++) {
            int y = pit[src[q]];
            if (so[y] == st) {
                if (r == m) {
                    return false;
                }
                order[r++] = ko[y];
            }
        }
        if (r != m) {
            return false;
        }
        int budget = 4 * m + 16;
        for (int i = 1; i < m; i++) {
            int ov = order[i];
            double kv = key[ov];
            int j = i - 1;
            while (j >= 0) {
                int oj = order[j];
                double kj = key[oj];
                if (kj < kv || (kj == kv && oj < ov)) {
                    break;
                }
                order[j + 1] = oj;
                j--;
                if (--budget < 0) {
                    return false;
                }
            }
            order[j + 1] = ov;
        }
        return true;
    }

    /** Fractional knapsack on the downlink band: capacity cap, item costs cost[k]. */
    private double knapsack(int d, int m, int c, double[] cost, double cap) {
        if (cap <= 0) {
            // only free items fit
            double s = 0;
            for (int k = 0; k < m; k++) {
                if (feasPos[d][k] >= c && cost[k] <= 0) {
                    s += pp[items[d][k]];
                }
            }
            return s;
        }
        int[] it = items[d];
        int[] fp = feasPos[d];
        int[] order = bandOrderOf(d, m);
        double s = 0;
        double left = cap;
        for (int r = 0; r < m; r++) {
            int k = order[r];
            if (fp[k] < c) {
                continue;
            }
            double p = pp[it[k]];
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
}
