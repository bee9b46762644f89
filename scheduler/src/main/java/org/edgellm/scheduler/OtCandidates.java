package org.edgellm.scheduler;

import java.util.Arrays;

/**
 * The candidates of one OT search (one variant) in search order, with the attributes the hot loops
 * read by position, and the dominance between them. Fixed once built; the sort scratch is shared by
 * the other parts of the search (its sorts do not nest).
 */
final class OtCandidates {
    final Feasibility f;
    final double[] profit; // by request index
    final boolean integral;
    final int[] req; // request index of every position, in search order
    final double[] pp; // profit of every position
    final double[] upMs; // uplink time of every position
    final int[] pPrompt; // and the other attributes the hot loops read, by position
    final int[] pOutput;
    final double[] pDeadline;
    final double[] pDemand;
    final int words;
    final long[][] dom; // per position: earlier positions that dominate it (bitset)
    final boolean[] hasDom;
    final int[] all; // every position, in order (read only)
    final int[] upByRatio; // positions by uplink time per profit, ascending
    final int[] sortTmpOrder; // sort scratch
    final double[] sortTmpKey;

    /**
     * The candidates among {@code candidates} (request indices) with a positive profit that can
     * join the empty batch alone, in search order.
     */
    OtCandidates(Feasibility f, int[] candidates, double[] profit, boolean integral) {
        this.f = f;
        this.profit = profit;
        this.integral = integral;
        int count = 0;
        int[] tmp = new int[candidates.length];
        Feasibility.BatchState empty = new Feasibility.BatchState();
        empty.clear();
        Feasibility.BatchState one = new Feasibility.BatchState();
        for (int c : candidates) {
            if (profit[c] > 0 && f.eligible(c) && f.tryAdd(empty, c, tmp, one)) {
                tmp[count++] = c;
            }
        }
        req = Arrays.copyOf(tmp, count);
        sortCandidates(req, f, profit);
        pp = new double[count];
        for (int k = 0; k < count; k++) {
            pp[k] = profit[req[k]];
        }
        upMs = new double[count];
        pPrompt = new int[count];
        pOutput = new int[count];
        pDeadline = new double[count];
        pDemand = new double[count];
        for (int k = 0; k < count; k++) {
            int x = req[k];
            upMs[k] = f.uplinkMs(x);
            pPrompt[k] = f.prompt(x);
            pOutput[k] = f.output(x);
            pDeadline[k] = f.deadline(x);
            pDemand[k] = f.downlinkDemand(x);
        }
        words = (count + 63) >>> 6;
        dom = new long[count][];
        hasDom = new boolean[count];
        for (int k = 0; k < count; k++) {
            for (int j = 0; j < k; j++) {
                if (dominates(j, k)) {
                    if (dom[k] == null) {
                        dom[k] = new long[words];
                    }
                    dom[k][j >>> 6] |= 1L << j;
                    hasDom[k] = true;
                }
            }
        }
        all = identity(count);
        upByRatio = identity(count);
        double[] upKey = new double[count];
        for (int k = 0; k < count; k++) {
            upKey[k] = f.uplinkMs(req[k]) / pp[k];
        }
        sortTmpOrder = new int[count + 1];
        sortTmpKey = new double[count + 1];
        KeyedSort.sortByKey(upByRatio, upKey, count, sortTmpOrder, sortTmpKey);
    }

    /** The number of candidates. */
    int count() {
        return req.length;
    }

    /**
     * Whether the request at position j dominates the one at position k: it is no worse in every
     * attribute the constraints and the profit read, so in any feasible batch with k but not j, j
     * can replace k.
     */
    boolean dominates(int j, int k) {
        return pp[j] >= pp[k]
                && pPrompt[j] <= pPrompt[k]
                && pOutput[j] <= pOutput[k]
                && pDeadline[j] >= pDeadline[k]
                && upMs[j] <= upMs[k]
                && pDemand[j] <= pDemand[k];
    }

    /**
     * Sorts request indices into search order: profit descending, then padding (prompt plus output)
     * ascending, then deadline descending, then index: stable primitive sorts from the last key to
     * the first.
     */
    static void sortCandidates(int[] a, Feasibility f, double[] profit) {
        int n = a.length;
        Arrays.sort(a);
        int[] o2 = new int[n];
        double[] k2 = new double[n];
        double[] key = new double[n];
        for (int pass = 0; pass < 3; pass++) {
            for (int i = 0; i < n; i++) {
                int x = a[i];
                key[i] =
                        switch (pass) {
                            case 0 -> -f.deadline(x);
                            case 1 -> f.prompt(x) + f.output(x);
                            default -> -profit[x];
                        };
            }
            KeyedSort.sortByKey(a, key, n, o2, k2);
        }
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
