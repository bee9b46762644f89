package org.edgellm.scheduler;

/**
 * A batch of one OT search built by adding candidate positions one by one with {@link
 * Feasibility#tryAdd} (each add counts as a feasibility check): the state, the members (request
 * indices) and their positions, and the profit. The greedy of {@link OtIncumbent} and the local
 * search of {@link OtLocalSearch} share one.
 */
final class OtBatchBuilder {
    private final Feasibility f;
    private final int[] req;
    private final double[] pp;
    private final OtLevels lv;
    private final OtCounters counters;

    Feasibility.BatchState cur = new Feasibility.BatchState();
    Feasibility.BatchState next = new Feasibility.BatchState();
    final int[] members;
    final int[] pos;
    double value;

    OtBatchBuilder(OtCandidates c, OtLevels lv, OtCounters counters) {
        this.f = c.f;
        this.req = c.req;
        this.pp = c.pp;
        this.lv = lv;
        this.counters = counters;
        this.members = new int[req.length];
        this.pos = new int[req.length];
    }

    /** Starts from the empty batch. */
    void clear() {
        cur.clear();
        value = 0;
    }

    /**
     * Starts from the state {@code s} of the first {@code s.size} members already in members and
     * pos, worth {@code v}.
     */
    void startFrom(Feasibility.BatchState s, double v) {
        cur.copyFrom(s);
        value = v;
    }

    int size() {
        return cur.size;
    }

    /** Adds the candidate at position y when the batch stays feasible (one check). */
    boolean add(int y) {
        counters.checks++;
        if (f.tryAdd(cur, req[y], members, next, lv.checkCache)) {
            members[cur.size] = req[y];
            pos[cur.size] = y;
            Feasibility.BatchState tmp = cur;
            cur = next;
            next = tmp;
            value += pp[y];
            return true;
        }
        return false;
    }
}
