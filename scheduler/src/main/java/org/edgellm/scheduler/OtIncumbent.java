package org.edgellm.scheduler;

import java.util.Arrays;

/**
 * The incumbent an OT search starts with on long lists: greedy batches, each among the candidates
 * whose limit at the root is at least t, for t = 1, 2, 3, 4, 8, 16, ... up to the largest limit,
 * and each t in six orders, and greedy batches in search order inside boxes of prompt, output and
 * deadline (quantiles), the best of them improved by the local search ({@link OtLocalSearch}: drop
 * one member, refill in search order); then greedy batches of the padding cases of best estimate
 * (see {@link #caseGreedy}), whose best batch, improved by its own local search, replaces the
 * incumbent when better. A high t, or a box of short paddings and late deadlines, keeps the
 * candidates that many can share a batch with; the depth-first search in profit order alone finds
 * such batches late. Every batch is built with {@link Feasibility#tryAdd}, so it is feasible by the
 * search's own test; these checks count as feasibility checks.
 */
final class OtIncumbent {
    /** Orders the greedy tries. */
    static final int GREEDY_ORDERS = 6;

    /**
     * Quantiles per attribute of the box greedy: prompt, output and deadline each split in this
     * many ranges, BOX_SPLITS^3 boxes.
     */
    static final int BOX_SPLITS = 3;

    final Feasibility f;
    final double[] profit;
    final int[] req;
    final double[] pp;
    final int[] all;
    final int[] sortTmpOrder;
    final double[] sortTmpKey;
    final OtLevels lv;
    final OtBatchBuilder builder;
    final OtLocalSearch localSearch;
    final int[] upByRatio;

    /** Whether the greedy's batch is improved by a local search (false only in tests). */
    boolean useLocalSearch = true;

    /** Whether the greedy also fills the boxes of paddings and deadlines (false only in tests). */
    boolean useBoxes = true;

    /** Whether the box greedy skips boxes that cannot beat the best batch (false only in tests). */
    boolean skipHopelessBoxes = true;

    /** The value of the batch {@link #build} returned last. */
    double value;

    /**
     * The incumbent of the search over {@code c}, building its batches with {@code builder} and
     * improving them with {@code localSearch} (which shares that builder).
     */
    OtIncumbent(OtCandidates c, OtLevels lv, OtBatchBuilder builder, OtLocalSearch localSearch) {
        this.f = c.f;
        this.profit = c.profit;
        this.req = c.req;
        this.pp = c.pp;
        this.all = c.all;
        this.sortTmpOrder = c.sortTmpOrder;
        this.sortTmpKey = c.sortTmpKey;
        this.upByRatio = c.upByRatio;
        this.lv = lv;
        this.builder = builder;
        this.localSearch = localSearch;
    }

    /**
     * The best greedy batch (request indices), improved by the local search, and its value in
     * {@link #value}; null when no greedy batch has a positive value. Prepares depth 0.
     */
    int[] build() {
        int m = lv.prepare(0, all, 0, req.length, -1);
        int[] it = lv.items[0];
        long[] lim = lv.limit[0];
        long maxLim = 0;
        for (int k = 0; k < m; k++) {
            maxLim = Math.max(maxLim, lim[k]);
        }
        // the orders (stable sorts, ties in search order): search order (profit first),
        // padding ascending, profit per padding, latest deadline, shortest uplink, downlink
        // cost (at the earliest end) per profit
        int[][] orders = new int[GREEDY_ORDERS][m];
        double[] key = new double[m];
        for (int o = 0; o < GREEDY_ORDERS; o++) {
            for (int k = 0; k < m; k++) {
                int x = req[it[k]];
                double pad = f.prompt(x) + f.output(x);
                orders[o][k] = k;
                key[k] =
                        switch (o) {
                            case 0 -> k;
                            case 1 -> pad;
                            case 2 -> -pp[it[k]] / pad;
                            case 3 -> -f.deadline(x);
                            case 4 -> f.uplinkMs(x);
                            default -> lv.bandCost[0][k] / pp[it[k]];
                        };
            }
            KeyedSort.sortByKey(orders[o], key, m, sortTmpOrder, sortTmpKey);
        }
        OtBatchBuilder bb = builder;
        int eligiblePrev = -1;
        int[] gBatch = null;
        double gVal = 0;
        for (long t = 1; t <= maxLim; t = t < 4 ? t + 1 : t * 2) {
            int eligible = 0;
            for (int k = 0; k < m; k++) {
                if (lim[k] >= t) {
                    eligible++;
                }
            }
            if (eligible == eligiblePrev) {
                continue; // the same candidates, the same batches
            }
            eligiblePrev = eligible;
            for (int[] order : orders) {
                bb.clear();
                for (int r = 0; r < m; r++) {
                    int k = order[r];
                    if (lim[k] >= t) {
                        bb.add(it[k]);
                    }
                }
                if (bb.value > gVal + OptimalTreeSearch.tolerance(gVal)) {
                    gVal = bb.value;
                    gBatch = Arrays.copyOf(bb.members, bb.size());
                }
            }
        }
        if (useBoxes && lv.orderStamp != null && lv.orderStamp[0] == lv.stamp[0]) {
            int[] best = boxGreedy(it, m, gVal);
            if (best != null) {
                gBatch = best;
                gVal = value;
            }
        }
        if (gBatch != null && useLocalSearch) {
            gBatch = localSearch.search(gBatch, it, m);
            gVal = 0;
            for (int x : gBatch) {
                gVal += profit[x];
            }
        }
        if (useCases
                && req.length >= caseMin
                && lv.orderStamp != null
                && lv.orderStamp[0] == lv.stamp[0]) {
            // the case greedy's best batch, when better than the best so far, gets its own local
            // search and replaces it when still better: started from the best batch before its
            // local search instead, the local search ends lower more often than not (a full batch
            // has little room to refill)
            int[] caseBatch = caseGreedy(it, m, gVal);
            double caseVal = value;
            if (caseBatch != null && useLocalSearch) {
                caseBatch = localSearch.search(caseBatch, it, m);
                caseVal = 0;
                for (int x : caseBatch) {
                    caseVal += profit[x];
                }
            }
            if (caseBatch != null && caseVal > gVal + OptimalTreeSearch.tolerance(gVal)) {
                gBatch = caseBatch;
                gVal = caseVal;
            }
        }
        value = gVal;
        return gBatch;
    }

    /**
     * The box greedy: the batches that the limits' order statistics favour are padded to a short
     * prompt and output and wait for a late earliest deadline, while the ladder's greedy in search
     * order fills up with long, urgent requests first. For every box of a prompt limit, an output
     * limit and a deadline floor (quantiles of the root's candidates, BOX_SPLITS each), a greedy
     * batch in search order among the candidates inside the box, until the memory of the box's
     * longest padding is full (a stop, not a rule: the batch is feasible either way). A box whose
     * first candidates in search order, as many as that memory admits, are worth no more than the
     * best batch so far is not filled: its batch, of such candidates, could not be better. Returns
     * the best batch worth more than {@code floor} (its value in {@link #value}), or null.
     */
    private int[] boxGreedy(int[] it, int m, double floor) {
        OtBatchBuilder bb = builder;
        int n = lv.orderCount[0];
        int[] byP = lv.orders[1][0]; // prompt ascending
        int[] byO = lv.orders[2][0]; // output ascending
        int[] byD = lv.orders[3][0]; // deadline descending
        int k3 = BOX_SPLITS;
        int[] best = null;
        double bestVal = floor;
        for (int i = 1; i <= k3; i++) {
            int pHi = lv.pPrompt[byP[quantile(i, n, k3)]];
            for (int j = 1; j <= k3; j++) {
                int oHi = lv.pOutput[byO[quantile(j, n, k3)]];
                long most = f.maxBatchForMemory(pHi, oHi);
                for (int q = 1; q <= k3; q++) {
                    if (i == k3 && j == k3 && q == k3) {
                        continue; // every candidate: the ladder's greedy in search order
                    }
                    double dLo = lv.pDeadline[byD[quantile(q, n, k3)]];
                    // the box's batch is worth at most its first `most` candidates (search
                    // order: profit first); a box that cannot beat the best is not filled
                    double reach = 0;
                    int count = 0;
                    for (int k = 0; k < m && count < most; k++) {
                        int y = it[k];
                        if (inBox(y, pHi, oHi, dLo)) {
                            reach += pp[y];
                            count++;
                        }
                    }
                    if (skipHopelessBoxes
                            && reach <= bestVal + OptimalTreeSearch.tolerance(bestVal)) {
                        continue;
                    }
                    bb.clear();
                    for (int k = 0; k < m && bb.size() < most; k++) {
                        int y = it[k];
                        if (inBox(y, pHi, oHi, dLo)) {
                            bb.add(y);
                        }
                    }
                    if (bb.value > bestVal + OptimalTreeSearch.tolerance(bestVal)) {
                        bestVal = bb.value;
                        best = Arrays.copyOf(bb.members, bb.size());
                    }
                }
            }
        }
        value = bestVal;
        return best;
    }

    /** Whether the greedy also fills the padding cases of best estimate (false only in tests). */
    boolean useCases = true;

    /** For tests: the case greedy ignores the deadline floor of its cases (a weaker greedy). */
    boolean caseWithoutFloor;

    /**
     * For tests: a case's batch also takes the first candidate that tryAdd rejected, without a
     * check (wrong: the batch is infeasible).
     */
    boolean caseUnchecked;

    /**
     * Fewest candidates for the case greedy (tests lower it): the box path's threshold. On the
     * shorter lists of the job (the domain scheduler's 64 candidates at most, spread over nodes)
     * its batches, equal in value but different in members, changed later slots' decisions and
     * served 0-5 fewer of 1,445 requests in the simulate runs that differed (docs/benchmarks.md,
     * eighth round); at N = 50 it only added set-up time.
     */
    int caseMin = OtSearch.BOX_MIN;

    /** Quantiles per padding dimension of the case greedy's grid: CASE_SPLITS^2 cases. */
    static final int CASE_SPLITS = 8;

    /** How many cases of the grid, best estimate first, the case greedy fills at most. */
    static final int CASE_TRIES = 6;

    private double[] caseDl;
    private double[] caseUp;

    /**
     * The case greedy. The optimal batches on long lists are nearly always full at their padding
     * (memory) and end just before their earliest deadline, often at a shorter padding than the
     * other greedy batches (docs/benchmarks.md, eighth round). For every case (P, O) of a grid of
     * prompt and output limits (CASE_SPLITS quantiles of the root's candidates each): b is the most
     * members that memory at (P, O) admits whose b-th latest deadline (among the candidates within
     * P and O) comes after the end of b members padded to (P, O) with the b shortest uploads (by
     * binary search: that deadline falls and that end grows with b); the case's estimate is the
     * first b profits in search order among its candidates with a deadline that late. At most
     * CASE_TRIES cases, best estimate first and while the estimate beats the best batch, are
     * filled: a greedy in the order of uplink time per profit among those candidates, until memory
     * at (P, O) is full. The estimates only rank the cases: every batch is built with tryAdd, so it
     * is feasible. Returns the best batch worth more than {@code floor} (its value in {@link
     * #value}), or null.
     */
    private int[] caseGreedy(int[] it, int m, double floor) {
        int n = lv.orderCount[0];
        int[] byU = lv.orders[0][0];
        int[] byP = lv.orders[1][0];
        int[] byO = lv.orders[2][0];
        int[] byD = lv.orders[3][0];
        if (caseDl == null) {
            caseDl = new double[req.length + 1];
            caseUp = new double[req.length + 1];
        }
        double[] dl = caseDl;
        int k = CASE_SPLITS;
        int cases = k * k;
        double[] est = new double[cases];
        double[] caseD = new double[cases];
        int[] caseP = new int[cases];
        int[] caseO = new int[cases];
        int[] order = new int[cases];
        for (int i = 0; i < k; i++) {
            int pHi = lv.pPrompt[byP[quantile(i + 1, n, k)]];
            for (int j = 0; j < k; j++) {
                int oHi = lv.pOutput[byO[quantile(j + 1, n, k)]];
                int c = i * k + j;
                caseP[c] = pHi;
                caseO[c] = oHi;
                order[c] = c;
                long most = f.maxBatchForMemory(pHi, oHi);
                int cnt = 0;
                for (int r = 0; r < n; r++) {
                    int y = byD[r];
                    if (lv.pPrompt[y] <= pHi && lv.pOutput[y] <= oHi) {
                        dl[cnt++] = lv.pDeadline[y];
                    }
                }
                // the b shortest uploads among the case's candidates, summed
                int lim = (int) Math.min(most, cnt);
                int b = 0;
                for (int r = 0; r < n && b < lim; r++) {
                    int y = byU[r];
                    if (lv.pPrompt[y] <= pHi && lv.pOutput[y] <= oHi) {
                        caseUp[b + 1] = caseUp[b] + lv.upMs[y];
                        b++;
                    }
                }
                // the largest b whose b-th latest deadline comes after the end of b members
                int lo = 0;
                int hi = lim;
                while (lo < hi) {
                    int mid = (lo + hi + 1) >>> 1;
                    double end =
                            Math.max(f.t0() + caseUp[mid], f.busyUntil())
                                    + lv.compute(mid, pHi, oHi);
                    if (dl[mid - 1] > end) {
                        lo = mid;
                    } else {
                        hi = mid - 1;
                    }
                }
                if (lo == 0) {
                    continue; // estimate 0
                }
                double dLo = caseWithoutFloor ? Double.NEGATIVE_INFINITY : dl[lo - 1];
                caseD[c] = dLo;
                double e = 0;
                int taken = 0;
                for (int r = 0; r < m && taken < lo; r++) {
                    int y = it[r];
                    if (inBox(y, pHi, oHi, dLo)) {
                        e += pp[y];
                        taken++;
                    }
                }
                est[c] = e;
            }
        }
        double[] key = new double[cases];
        for (int c = 0; c < cases; c++) {
            key[c] = -est[c];
        }
        KeyedSort.sortByKey(order, key, cases);
        OtBatchBuilder bb = builder;
        long[] so = lv.stampOf[0];
        long st = lv.stamp[0];
        int[] bestBatch = null;
        double bestVal = floor;
        for (int r = 0; r < Math.min(CASE_TRIES, cases); r++) {
            int c = order[r];
            if (est[c] <= bestVal + OptimalTreeSearch.tolerance(bestVal)) {
                break; // sorted: no case left is estimated to beat the best
            }
            int pHi = caseP[c];
            int oHi = caseO[c];
            long most = f.maxBatchForMemory(pHi, oHi);
            bb.clear();
            int rejected = -1;
            for (int q = 0; q < upByRatio.length && bb.size() < most; q++) {
                int y = upByRatio[q];
                if (so[y] == st && inBox(y, pHi, oHi, caseD[c]) && !bb.add(y) && rejected < 0) {
                    rejected = y;
                }
            }
            double v = bb.value;
            int[] batch = Arrays.copyOf(bb.members, bb.size() + 1);
            if (caseUnchecked && rejected >= 0) {
                batch[bb.size()] = req[rejected]; // wrong: tryAdd rejected it
                v += pp[rejected];
            } else {
                batch = Arrays.copyOf(batch, bb.size());
            }
            if (v > bestVal + OptimalTreeSearch.tolerance(bestVal)) {
                bestVal = v;
                bestBatch = batch;
            }
        }
        value = bestVal;
        return bestBatch;
    }

    /**
     * Whether candidate y lies in the box: prompt and output within the limits, deadline not
     * before.
     */
    private boolean inBox(int y, int pHi, int oHi, double dLo) {
        return lv.pPrompt[y] <= pHi && lv.pOutput[y] <= oHi && lv.pDeadline[y] >= dLo;
    }

    /** The index of the i-th of k quantiles of n sorted values (i = k: the last). */
    private static int quantile(int i, int n, int k) {
        return (int) (((long) i * n + k - 1) / k) - 1;
    }
}
