package org.edgellm.job.replay;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The most requests any scheduler could decide on a small one-domain trace, knowing the whole trace
 * in advance, by exhaustive search under the job's slot discipline; written from the spec
 * (scheduling-model.md section 2) and the job's documented behaviour, sharing no code with the job
 * or the scheduler module, so that it checks {@link GoodputBound} independently.
 *
 * <p>The discipline: slots end at multiples of the slot length; a request joins the queue at the
 * end of the slot its arrival falls in; at slot end T the decision instant is t0 = T +
 * out-of-orderness + commit delay; the requests whose deadline is after t0 may be decided; a node
 * is offered when its busy time is within the look-ahead of T; each offered node gets at most one
 * batch (one variant) that satisfies C1-C5 at t0 with each user's latest channel measured before T
 * and not older than the channel age; its busy time becomes the batch's compute end. The job's
 * candidate list (the max-candidates earliest deadlines) is relaxed to: the batches of one slot
 * hold at most max-candidates requests together. Admission and shedding only remove requests, so
 * they are not modelled (a relaxation too): every schedule the job can make is a schedule here.
 */
final class HindsightOptimum {
    private final BoundWorld w;
    private final List<BoundWorld.Node> nodes;
    private final List<BoundWorld.Req> reqs;
    private final int m;
    private final int n;
    private final long off;
    private final long lookahead;
    private final int maxCandidates;
    private final long[] slots;
    private final long[] joins; // slot end at which each request joins
    // channel per slot, request, node: {up, down}, or null
    private final double[][][][] channel;
    private final Map<Key, Integer> memo = new HashMap<>();
    private final Map<Long, Double> computeCache = new HashMap<>();
    private final double beta = 32;
    long states;
    private long budget = Long.MAX_VALUE;

    /** Thrown when the search visits more states than its budget. */
    static final class TooLarge extends RuntimeException {
        TooLarge() {
            super("state budget exhausted", null, false, false);
        }
    }

    HindsightOptimum(BoundWorld w, int maxCandidates) {
        this.w = w;
        this.nodes = w.nodes;
        this.reqs = w.requests;
        this.m = nodes.size();
        this.n = reqs.size();
        if (n > 63) {
            throw new IllegalArgumentException("at most 63 requests, got " + n);
        }
        if (nodes.stream().map(BoundWorld.Node::domain).distinct().count() != 1) {
            throw new IllegalArgumentException("one domain only");
        }
        this.off = w.outOfOrdernessMs + w.commitDelayMs;
        // the job's default look-ahead: a slot plus the commit delay
        this.lookahead = w.lookaheadMs >= 0 ? w.lookaheadMs : w.slotMs + w.commitDelayMs;
        this.maxCandidates = maxCandidates;
        joins = new long[n];
        long first = Long.MAX_VALUE;
        double last = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            joins[i] = slotEnd(reqs.get(i).arrival());
            first = Math.min(first, joins[i]);
            last = Math.max(last, reqs.get(i).deadline());
        }
        List<Long> ts = new ArrayList<>();
        for (long t = first; t + off < last; t += w.slotMs) {
            ts.add(t);
        }
        slots = ts.stream().mapToLong(Long::longValue).toArray();
        channel = new double[slots.length][n][m][];
        for (int k = 0; k < slots.length; k++) {
            long t = slots[k];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    BoundWorld.Chan best = null;
                    for (BoundWorld.Chan c : w.channels) {
                        if (c.user().equals(reqs.get(i).user())
                                && c.node().equals(nodes.get(j).id())
                                && c.at() < t
                                && (best == null || c.at() >= best.at())) {
                            best = c;
                        }
                    }
                    if (best != null && best.at() >= t - w.maxChannelAgeMs) {
                        channel[k][i][j] = new double[] {best.up(), best.down()};
                    }
                }
            }
        }
    }

    private long slotEnd(long t) {
        return Math.floorDiv(t, w.slotMs) * w.slotMs + w.slotMs;
    }

    /** The optimum, or throws {@link TooLarge} after visiting more than budget states. */
    int solve(long budget) {
        this.budget = budget;
        return solve();
    }

    /** The largest number of requests decided by any schedule. */
    int solve() {
        double[] busy = new double[m];
        Arrays.fill(busy, Double.NEGATIVE_INFINITY);
        return best(0, 0L, busy);
    }

    private record Key(int slot, long served, List<Double> busy) {}

    private int best(int k, long served, double[] busy) {
        if (k == slots.length) {
            return 0;
        }
        long t = slots[k];
        double t0 = t + off;
        double[] b = busy.clone();
        boolean[] offered = new boolean[m];
        for (int j = 0; j < m; j++) {
            if (b[j] <= Math.min(t0, t + lookahead)) {
                b[j] = Double.NEGATIVE_INFINITY; // idle from now on: its past no longer matters
            }
            offered[j] = b[j] <= t + lookahead;
        }
        long alive = 0;
        for (int i = 0; i < n; i++) {
            if (joins[i] <= t && reqs.get(i).deadline() > t0 && (served & (1L << i)) == 0) {
                alive |= 1L << i;
            }
        }
        List<Double> key = new ArrayList<>(m);
        for (double x : b) {
            key.add(x);
        }
        Key memoKey = new Key(k, served & ~(~0L << n) & pastOrAlive(t, t0), key);
        Integer known = memo.get(memoKey);
        if (known != null) {
            return known;
        }
        if (++states > budget) {
            throw new TooLarge();
        }
        int[] value = {0};
        choose(k, 0, alive, 0, served, b, offered, t0, value);
        memo.put(memoKey, value[0]);
        return value[0];
    }

    /** Requests whose served bit can still matter: joined by t and deadline after t0. */
    private long pastOrAlive(long t, double t0) {
        long mask = 0;
        for (int i = 0; i < n; i++) {
            if (joins[i] <= t && reqs.get(i).deadline() > t0) {
                mask |= 1L << i;
            }
        }
        return mask;
    }

    /** Gives node j a batch (or none) out of the remaining alive requests, then the next node. */
    private void choose(
            int k,
            int j,
            long remaining,
            int gained,
            long served,
            double[] busy,
            boolean[] offered,
            double t0,
            int[] value) {
        if (j == m) {
            int total = gained + best(k + 1, served, busy);
            value[0] = Math.max(value[0], total);
            return;
        }
        choose(k, j + 1, remaining, gained, served, busy, offered, t0, value);
        if (!offered[j] || remaining == 0 || gained >= maxCandidates) {
            return;
        }
        Map<Long, Double> batches = feasibleBatches(k, j, remaining, t0, busy[j], gained);
        for (Map.Entry<Long, Double> e : batches.entrySet()) {
            long s = e.getKey();
            double[] next = busy.clone();
            next[j] = e.getValue();
            choose(
                    k,
                    j + 1,
                    remaining & ~s,
                    gained + Long.bitCount(s),
                    served | s,
                    next,
                    offered,
                    t0,
                    value);
        }
    }

    /** Every feasible nonempty batch on node j out of the set, with its earliest compute end. */
    private Map<Long, Double> feasibleBatches(
            int k, int j, long set, double t0, double busy, int used) {
        int[] cand = new int[Long.bitCount(set)];
        int c = 0;
        for (int i = 0; i < n; i++) {
            if ((set & (1L << i)) != 0) {
                cand[c++] = i;
            }
        }
        Map<Long, Double> out = new HashMap<>();
        int[] members = new int[cand.length];
        for (int q = 0; q < nodes.get(j).variants().size(); q++) {
            grow(k, j, q, cand, 0, members, 0, 0L, t0, busy, maxCandidates - used, out);
        }
        return out;
    }

    /** Depth-first over subsets in index order; an infeasible batch has no feasible superset. */
    private void grow(
            int k,
            int j,
            int q,
            int[] cand,
            int from,
            int[] members,
            int size,
            long mask,
            double t0,
            double busy,
            int limit,
            Map<Long, Double> out) {
        if (size == limit) {
            return;
        }
        for (int p = from; p < cand.length; p++) {
            members[size] = cand[p];
            double end = end(k, j, q, members, size + 1, t0, busy);
            if (Double.isNaN(end)) {
                continue;
            }
            long s = mask | (1L << cand[p]);
            out.merge(s, end, Math::min);
            grow(k, j, q, cand, p + 1, members, size + 1, s, t0, busy, limit, out);
        }
    }

    /** The compute end of the batch on (j, q) at slot k, or NaN when C1-C5 do not all hold. */
    double end(int k, int j, int q, int[] members, int count, double t0, double busy) {
        BoundWorld.Node node = nodes.get(j);
        BoundWorld.Variant v = node.variants().get(q);
        int s = 0;
        int out = 0;
        double upMs = 0;
        for (int x = 0; x < count; x++) {
            int i = members[x];
            BoundWorld.Req r = reqs.get(i);
            double[] ch = channel[k][i][j];
            if (ch == null || v.ppl() > r.tolerance()) { // C5, C1
                return Double.NaN;
            }
            s = Math.max(s, r.prompt());
            out = Math.max(out, r.output());
            upMs += beta * r.prompt() / (ch[0] * node.uplinkHz()) * 1000;
        }
        double weights = 0;
        for (BoundWorld.Variant o : node.variants()) {
            weights += weightBytes(o);
        }
        double kvBytes = 2.0 * w.layers * w.hidden * v.kvBits() / 8.0;
        if (weights + node.reserveBytes() + count * kvBytes * (s + out) > node.memoryBytes()) {
            return Double.NaN; // C2
        }
        double start = Math.max(t0 + upMs, busy);
        double end = start + computeMs(j, q, count, s, out);
        double need = 0;
        for (int x = 0; x < count; x++) {
            int i = members[x];
            BoundWorld.Req r = reqs.get(i);
            double left = r.deadline() - end;
            if (!(left > 0)) {
                return Double.NaN; // C3
            }
            need += beta * r.output() / (left / 1000 * channel[k][i][j][1]);
        }
        return need <= node.downlinkHz() ? end : Double.NaN; // C4
    }

    private double weightBytes(BoundWorld.Variant v) {
        double h = w.hidden;
        return (12.0 * w.layers * h * h + (double) w.vocab * h) * v.weightBits() / 8.0;
    }

    /** T^C in ms, decode steps summed one by one. */
    double computeMs(int j, int q, int b, int s, int out) {
        long key = ((((long) j * 16 + q) * 1024 + b) * 65536 + s) * 65536 + out;
        Double known = computeCache.get(key);
        if (known != null) {
            return known;
        }
        BoundWorld.Node node = nodes.get(j);
        BoundWorld.Variant v = node.variants().get(q);
        double layers = w.layers;
        double h = w.hidden;
        double peak =
                v.activationBits() == 16
                        ? node.flops16()
                        : v.activationBits() == 8 ? node.flops8() : node.flops4();
        double flops = node.efficiency() * peak;
        double bw = node.bandwidth();
        double kv = v.kvBits() / 8.0;
        double wq = weightBytes(v);
        boolean roofline = w.computeModel.equals("roofline");
        double pf = layers * (24.0 * b * s * h * h + 4.0 * b * (double) s * s * h) / flops;
        double pm = (wq + 2 * layers * h * b * s * kv) / bw;
        double total = roofline ? Math.max(pf, pm) : pf;
        for (int t = 1; t <= out; t++) {
            double c = s + t;
            double f = layers * (24.0 * b * h * h + 4.0 * b * h * c) / flops;
            double mem = (wq + 2 * layers * h * b * c * kv) / bw;
            total += roofline ? Math.max(f, mem) : f;
        }
        computeCache.put(key, total * 1000);
        return total * 1000;
    }
}
