package org.edgellm.scheduler;

import java.util.Arrays;

/**
 * The local search of OT: improves a feasible batch among the root's candidates by drops and
 * refills (drop one member, then add every candidate outside that still fits, in search order; the
 * first drop that raises the profit is taken, at most LOCAL_ROUNDS rounds). {@link OtIncumbent}
 * runs it on its best greedy batch and on the case greedy's best; {@link OtSearch}, on the box
 * path, on the first batches it finds ({@link #improve}). Every batch is built with {@link
 * Feasibility#tryAdd} (or {@link Feasibility#extend}, the same state), so the result is feasible by
 * the search's own test; these checks count as feasibility checks.
 */
final class OtLocalSearch {
    /** Rounds of improvement the local search makes at most. */
    static final int LOCAL_ROUNDS = 30;

    private final Feasibility f;
    private final double[] profit;
    private final int[] req;
    private final double[] pp;
    private final OtLevels lv;
    private final OtCounters counters;
    private final OtBatchBuilder builder;

    /**
     * Whether the local search skips a drop whose refill cannot beat the dropped member (lists of
     * BOX_MIN candidates or more; below, the checks and batches stay those of before).
     */
    boolean skipHopelessDrops;

    /**
     * Whether the local search computes the batch without a dropped member in one pass ({@link
     * Feasibility#extend}) instead of re-adding the members after it one by one (the same state;
     * lists of BOX_MIN candidates or more, below the checks stay those of before).
     */
    boolean directDrops;

    /** The value of the batch {@link #improve} returned last. */
    double value;

    OtLocalSearch(OtCandidates c, OtLevels lv, OtCounters counters, OtBatchBuilder builder) {
        this.f = c.f;
        this.profit = c.profit;
        this.req = c.req;
        this.pp = c.pp;
        this.lv = lv;
        this.counters = counters;
        this.builder = builder;
        this.skipHopelessDrops = req.length >= OtSearch.BOX_MIN;
        this.directDrops = req.length >= OtSearch.BOX_MIN;
    }

    /**
     * The local search of a batch (request indices) worth {@code val} that the search found, among
     * the candidates it[0..m) of depth 0 (their limits there); the better batch (its value in
     * {@link #value}) or null.
     */
    int[] improve(int[] batch, double val, int[] it, int m) {
        int[] out = search(batch, it, m);
        double v = 0;
        for (int x : out) {
            v += profit[x];
        }
        if (v > val + OptimalTreeSearch.tolerance(val)) {
            value = v;
            return out;
        }
        return null;
    }

    /**
     * Whether dropping position {@code drop} from the batch of {@code size} members (marked in
     * {@code in}) cannot raise its value: without it the batch is padded to at least (p', o'), the
     * longest prompt and output of the others (p2 when the drop alone holds the longest p1, else
     * p1; the same for outputs), and whatever the refill adds only lengthens that padding, so it
     * adds at most the memory's count at (p', o') minus the size - 1 members left, each a candidate
     * outside the batch, not the dropped one, whose root limit admits a batch of size members; in
     * search order (profit descending) the first that many such candidates bound the refill's
     * profit. When that bound is not above the dropped member's profit, the drop's batch is worth
     * at most the batch's own value: the local search, which takes only a strictly better batch,
     * would not take it.
     */
    private boolean hopelessDrop(
            int drop,
            int size,
            int p1,
            int p2,
            int o1,
            int o2,
            boolean[] in,
            int[] cand,
            long[] rootLim,
            int m) {
        int pd = lv.pPrompt[drop];
        int od = lv.pOutput[drop];
        int pRest = pd == p1 && !sharesLongest(drop, size, true, p1) ? p2 : p1;
        int oRest = od == o1 && !sharesLongest(drop, size, false, o1) ? o2 : o1;
        long slots = mostFor(pRest, oRest) - (size - 1);
        double reach = 0;
        for (int k = 0; k < m && slots > 0; k++) {
            int y = cand[k];
            if (in[y] || y == drop || rootLim[k] <= size - 1) {
                continue;
            }
            reach += pp[y];
            slots--;
        }
        return reach <= pp[drop];
    }

    /**
     * The most members memory admits at padding (s, n), by the test tryAdd makes (the same sum, not
     * the floor of a quotient, which could round the other way).
     */
    private long mostFor(int s, int n) {
        long most = Math.max(0, f.maxBatchForMemory(s, n));
        while (most < Integer.MAX_VALUE && f.memoryFits((int) most + 1, s, n)) {
            most++;
        }
        while (most > 0 && !f.memoryFits((int) most, s, n)) {
            most--;
        }
        return most;
    }

    private int[] lsPos; // the local search's members (positions), for sharesLongest

    /** Whether another member than {@code drop} has the longest prompt (or output) too. */
    private boolean sharesLongest(int drop, int size, boolean prompt, int longest) {
        int[] vals = prompt ? lv.pPrompt : lv.pOutput;
        for (int q = 0; q < size; q++) {
            int y = lsPos[q];
            if (y != drop && vals[y] == longest) {
                return true;
            }
        }
        return false;
    }

    /**
     * Improves a feasible batch (request indices) among the root's candidates (positions it[0..m)):
     * drop one member, then add every candidate outside that still fits, in search order; the first
     * drop that raises the profit is taken, at most LOCAL_ROUNDS times. Every batch is built with
     * {@link Feasibility#tryAdd}, so the result is feasible by the search's own test.
     */
    int[] search(int[] batch, int[] it, int m) {
        int[] posOf = new int[batch.length];
        boolean[] in = new boolean[req.length];
        int[] cand = new int[m];
        long[] rootLim = new long[m];
        for (int k = 0; k < m; k++) {
            cand[k] = it[k];
            rootLim[k] = lv.limit[0][k];
        }
        // positions of the batch's members
        int size = 0;
        for (int x : batch) {
            for (int k = 0; k < m; k++) {
                if (req[it[k]] == x) {
                    posOf[size++] = it[k];
                    in[it[k]] = true;
                    break;
                }
            }
        }
        if (size != batch.length) {
            return batch;
        }
        double val = 0;
        for (int r = 0; r < size; r++) {
            val += pp[posOf[r]];
        }
        // prefix[q]: the state of the batch's first q members (in search order); dropping
        // member r starts from prefix[r] and re-adds the members after it
        Feasibility.BatchState[] prefix = new Feasibility.BatchState[req.length + 1];
        for (int q = 0; q <= req.length; q++) {
            prefix[q] = new Feasibility.BatchState();
        }
        OtBatchBuilder bb = builder;
        int[] members = bb.members;
        int[] pos = bb.pos;
        for (int round = 0; round < LOCAL_ROUNDS; round++) {
            boolean improved = false;
            // drop the least profitable members first (the last in search order)
            Arrays.sort(posOf, 0, size);
            lsPos = posOf;
            prefix[0].clear();
            boolean ok = true;
            for (int q = 0; q < size && ok; q++) {
                counters.checks++;
                ok = f.tryAdd(prefix[q], req[posOf[q]], members, prefix[q + 1], lv.checkCache);
                members[q] = req[posOf[q]];
                pos[q] = posOf[q];
            }
            if (!ok) {
                break; // cannot happen: the batch was built by tryAdd
            }
            // the longest prompt and output of the batch and the next below (with multiplicity)
            int p1 = 0;
            int p2 = 0;
            int o1 = 0;
            int o2 = 0;
            if (skipHopelessDrops) {
                for (int q = 0; q < size; q++) {
                    int pq = lv.pPrompt[posOf[q]];
                    int oq = lv.pOutput[posOf[q]];
                    if (pq > p1) {
                        p2 = p1;
                        p1 = pq;
                    } else if (pq > p2) {
                        p2 = pq;
                    }
                    if (oq > o1) {
                        o2 = o1;
                        o1 = oq;
                    } else if (oq > o2) {
                        o2 = oq;
                    }
                }
            }
            for (int r = size - 1; r >= 0 && !improved; r--) {
                int drop = posOf[r];
                if (skipHopelessDrops
                        && hopelessDrop(drop, size, p1, p2, o1, o2, in, cand, rootLim, m)) {
                    continue; // its refill could not raise the value: the same outcome, no checks
                }
                double v = 0;
                for (int q = 0; q < r; q++) {
                    v += pp[posOf[q]];
                }
                bb.startFrom(prefix[r], v);
                if (directDrops && r + 1 < size) {
                    // the batch without the drop in one pass, not size - 1 - r checks
                    double w = v;
                    for (int q = r + 1; q < size; q++) {
                        members[q - 1] = req[posOf[q]];
                        pos[q - 1] = posOf[q];
                        w += pp[posOf[q]];
                    }
                    counters.checks++;
                    if (f.extend(prefix[r], members, r, size - 1, bb.cur, lv.checkCache)) {
                        bb.value = w;
                    } else {
                        bb.startFrom(prefix[r], v); // one by one, as below
                        for (int q = r + 1; q < size && ok; q++) {
                            ok = bb.add(posOf[q]);
                        }
                    }
                } else {
                    for (int q = r + 1; q < size && ok; q++) {
                        ok = bb.add(posOf[q]);
                    }
                }
                if (!ok) {
                    break;
                }
                int roomP = -1;
                int roomO = -1;
                long room = 0;
                for (int k = 0; k < m; k++) {
                    int y = cand[k];
                    if (in[y] || y == drop || rootLim[k] <= bb.size()) {
                        continue; // in, dropped, or its root limit admits no batch this large
                    }
                    if (skipHopelessDrops) {
                        // the candidates left come in search order (profit descending) and the
                        // padding only grows: at most room - size more of them, each worth at
                        // most this one's profit. When that cannot lift the batch above the
                        // value it had, the drop is not taken whatever the rest adds: stop.
                        Feasibility.BatchState cs = bb.cur;
                        if (cs.maxPrompt != roomP || cs.maxOutput != roomO) {
                            roomP = cs.maxPrompt;
                            roomO = cs.maxOutput;
                            room = mostFor(roomP, roomO);
                        }
                        if (bb.value + Math.max(0, room - cs.size) * pp[y] <= val) {
                            break;
                        }
                    }
                    bb.add(y);
                }
                if (bb.value > val + OptimalTreeSearch.tolerance(val)) {
                    Arrays.fill(in, false);
                    for (int q = 0; q < bb.size(); q++) {
                        in[pos[q]] = true;
                    }
                    size = bb.size();
                    if (posOf.length < size) {
                        posOf = new int[req.length];
                    }
                    System.arraycopy(pos, 0, posOf, 0, size);
                    val = bb.value;
                    improved = true;
                } else {
                    // members[] and pos[] after r were overwritten: restore the batch order
                    for (int q = r; q < size; q++) {
                        members[q] = req[posOf[q]];
                        pos[q] = posOf[q];
                    }
                }
            }
            if (!improved) {
                break;
            }
        }
        int[] out = new int[size];
        for (int q = 0; q < size; q++) {
            out[q] = req[posOf[q]];
        }
        return out;
    }
}
