package org.edgellm.scheduler;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The feasibility test C1-C5 of spec section 2 for one (node, variant) pair, with everything that
 * does not depend on the batch precomputed per request.
 *
 * <p>Two entry points: {@link #evaluate(int[], int)} gives the full verdict (all violated
 * constraints and the timeline), and {@link #tryAdd} evaluates adding one request to a batch whose
 * aggregate state is known, in O(1) for C1, C2, C3, C5 and O(b) for C4, without recomputing the
 * batch: the search algorithms use it on their hot path. Compute time is the closed form of {@link
 * #computeMs(int, int, int)}; nothing loops over decode steps.
 *
 * <p>Instances are immutable after construction and safe to share between threads.
 */
public final class Feasibility {

    private final Instance instance;
    private final EdgeNode node;
    private final Variant variant;

    // per request, indexed like instance.requests()
    private final boolean[] channel;
    private final boolean[] accurate;
    private final int[] prompt;
    private final int[] output;
    private final double[] deadline;
    private final double[] uplinkMs;
    private final double[] downlinkDemand; // O_i / e^D_i in bit/(bit/s/Hz): Hz * s
    private final double[] uplinkLoad; // U_i / e^U_i: Hz * s

    private final double t0;
    private final double busyUntil;
    private final double memoryFixed; // sum of resident weights + reserve
    private final double memoryBytes;
    private final double kvPerToken; // 2 L h kv
    private final double downlinkHz;
    private final double uplinkHz;
    private final boolean flopsOnly;
    // compute coefficients (seconds): see computeSeconds
    private final double layers;
    private final double hidden;
    private final double flops;
    private final double bandwidth;
    private final double weightBytes;

    public Feasibility(Instance instance, EdgeNode node, Variant variant) {
        this.instance = instance;
        this.node = node;
        this.variant = variant;
        ModelSpec m = instance.model();
        int count = instance.requests().size();
        channel = new boolean[count];
        accurate = new boolean[count];
        prompt = new int[count];
        output = new int[count];
        deadline = new double[count];
        uplinkMs = new double[count];
        downlinkDemand = new double[count];
        uplinkLoad = new double[count];
        double beta = instance.bitsPerToken();
        for (int i = 0; i < count; i++) {
            Request r = instance.requests().get(i);
            Channel c = r.channels().get(node.id());
            channel[i] = c != null;
            accurate[i] = variant.pplIncrease() <= r.maxPplIncrease();
            prompt[i] = r.promptTokens();
            output[i] = r.maxOutputTokens();
            deadline[i] = r.deadline();
            if (c != null) {
                uplinkLoad[i] = r.uplinkBits(beta) / c.uplinkSpectralEfficiency();
                uplinkMs[i] =
                        r.uplinkBits(beta)
                                / (c.uplinkSpectralEfficiency() * node.uplinkHz())
                                * 1000.0;
                downlinkDemand[i] = r.downlinkBits(beta) / c.downlinkSpectralEfficiency();
            }
        }
        t0 = instance.t0();
        busyUntil = node.busyUntil();
        double weights = 0;
        for (Variant v : node.variants()) {
            weights += m.weightBytes(v);
        }
        memoryFixed = weights + node.reserveBytes();
        memoryBytes = node.memoryBytes();
        kvPerToken = m.kvBytesPerToken(variant);
        downlinkHz = node.downlinkHz();
        uplinkHz = node.uplinkHz();
        flopsOnly = instance.computeModel() == ComputeModel.FLOPS;
        layers = m.layers();
        hidden = m.hidden();
        flops = node.efficiency() * node.peakFlops(variant.activationBits());
        bandwidth = node.memoryBandwidth();
        weightBytes = m.weightBytes(variant);
    }

    public Instance instance() {
        return instance;
    }

    public EdgeNode node() {
        return node;
    }

    public Variant variant() {
        return variant;
    }

    /** C5 and C1 for a single request: the attribute tests that need no batch. */
    public boolean eligible(int i) {
        return channel[i] && accurate[i];
    }

    public boolean hasChannel(int i) {
        return channel[i];
    }

    public boolean accurate(int i) {
        return accurate[i];
    }

    public int prompt(int i) {
        return prompt[i];
    }

    public int output(int i) {
        return output[i];
    }

    public double deadline(int i) {
        return deadline[i];
    }

    /** Uplink time in ms of request i alone on the whole uplink band. */
    public double uplinkMs(int i) {
        return uplinkMs[i];
    }

    /** O_i / e^D_i: the request's downlink band demand times its time left, in Hz*s. */
    public double downlinkDemand(int i) {
        return downlinkDemand[i];
    }

    public double t0() {
        return t0;
    }

    public double busyUntil() {
        return busyUntil;
    }

    public double downlinkHz() {
        return downlinkHz;
    }

    /**
     * Evaluations of a constraint over a set made through this object: every call of {@link
     * #maxBatchForMemory}, {@link #memoryFits}, {@link #computeMs}, {@link #tryAdd}, {@link
     * #feasible} and {@link #evaluate} counts one, whoever makes it (a statistic for benchmarks
     * that compare solvers by the same rule; not synchronized).
     */
    public long evaluations() {
        return evaluations;
    }

    private long evaluations;

    /** Largest batch size that C2 admits at padded lengths s and n (may be 0 or negative). */
    public long maxBatchForMemory(int s, int n) {
        evaluations++;
        double room = memoryBytes - memoryFixed;
        if (room < 0) {
            return 0;
        }
        return (long) Math.floor(room / (kvPerToken * (s + n)));
    }

    /** C2 for a batch of b sequences padded to s prompt and n output tokens. */
    public boolean memoryFits(int b, int s, int n) {
        evaluations++;
        return memoryFixed + b * kvPerToken * (s + n) <= memoryBytes;
    }

    /** T^C(S, q) in ms for a batch of b sequences padded to s prompt and n output tokens. */
    public double computeMs(int b, int s, int n) {
        evaluations++;
        return computeSeconds(b, s, n) * 1000.0;
    }

    private double computeSeconds(int b, int s, int n) {
        double L = layers;
        double h = hidden;
        double kv = kvPerToken / (2.0 * L * h);
        double preFlops = L * (24.0 * b * s * h * h + 4.0 * b * (double) s * s * h) / flops;
        double preMem = (weightBytes + 2.0 * L * h * b * s * kv) / bandwidth;
        double a1 = L * 24.0 * b * h * h / flops;
        double a2 = L * 4.0 * b * h / flops;
        if (flopsOnly) {
            return preFlops + a1 * n + a2 * (2.0 * s + n + 1.0) * n / 2.0;
        }
        double b1 = weightBytes / bandwidth;
        double b2 = 2.0 * L * h * b * kv / bandwidth;
        return Math.max(preFlops, preMem) + sumMaxLinear(a1, a2, b1, b2, s + 1L, (long) s + n);
    }

    /**
     * The decode sum computed step by step (for tests of the closed form only; never on a hot
     * path).
     */
    public double computeMsByLoop(int b, int s, int n) {
        double L = layers;
        double h = hidden;
        double kv = kvPerToken / (2.0 * L * h);
        double pf = L * (24.0 * b * s * h * h + 4.0 * b * (double) s * s * h) / flops;
        double pm = (weightBytes + 2.0 * L * h * b * s * kv) / bandwidth;
        double total = flopsOnly ? pf : Math.max(pf, pm);
        for (int t = 1; t <= n; t++) {
            double c = s + t;
            double f = L * (24.0 * b * h * h + 4.0 * b * h * c) / flops;
            double mem = (weightBytes + 2.0 * L * h * b * c * kv) / bandwidth;
            total += flopsOnly ? f : Math.max(f, mem);
        }
        return total * 1000.0;
    }

    /** sum over integers c in [lo, hi] of max(a1 + a2 c, b1 + b2 c), in closed form. */
    static double sumMaxLinear(double a1, double a2, double b1, double b2, long lo, long hi) {
        if (hi < lo) {
            return 0.0;
        }
        double da = a1 - b1;
        double db = a2 - b2;
        if (db == 0.0) {
            return da >= 0 ? linearSum(a1, a2, lo, hi) : linearSum(b1, b2, lo, hi);
        }
        double x = -da / db; // the two lines cross at c = x
        if (db > 0) { // a >= b from ceil(x) on
            long k = (long) Math.max(lo, Math.min(hi + 1.0, Math.ceil(x)));
            return linearSum(b1, b2, lo, k - 1) + linearSum(a1, a2, k, hi);
        }
        long k = (long) Math.max(lo - 1.0, Math.min(hi, Math.floor(x)));
        return linearSum(a1, a2, lo, k) + linearSum(b1, b2, k + 1, hi);
    }

    private static double linearSum(double x1, double x2, long lo, long hi) {
        long count = hi - lo + 1;
        if (count <= 0) {
            return 0.0;
        }
        return x1 * count + x2 * (double) (lo + hi) * count / 2.0;
    }

    /**
     * Evaluates adding request {@code x} to a feasible batch described by {@code parent} (whose
     * members are {@code members[0..parent.size)}), writing the child's aggregates into {@code
     * child}. Returns whether the child is feasible; C1 and C5 must have been checked with {@link
     * #eligible(int)}. On failure {@code child} holds partial values.
     */
    public boolean tryAdd(BatchState parent, int x, int[] members, BatchState child) {
        return tryAdd(parent, x, members, child, null);
    }

    /**
     * The same, with the compute time taken from {@code cache} when it is not null (the same value
     * bit for bit: the cache holds what {@link #computeMs} returns).
     */
    boolean tryAdd(BatchState parent, int x, int[] members, BatchState child, ComputeCache cache) {
        evaluations++;
        int b = parent.size + 1;
        int s = Math.max(parent.maxPrompt, prompt[x]);
        int n = Math.max(parent.maxOutput, output[x]);
        if (memoryFixed + b * kvPerToken * (s + n) > memoryBytes) {
            return false;
        }
        double up = parent.uplinkMs + uplinkMs[x];
        double dMin = Math.min(parent.minDeadline, deadline[x]);
        return timely(b, s, n, up, dMin, x, members, parent.downlinkNeed, child, cache);
    }

    /**
     * The tests after memory of a batch of b members padded to (s, n) with uplink time up and
     * earliest deadline dMin, whose last member is x and the others members[0..b - 1): its end
     * before every deadline (C3) and the downlink band (C4), each member's demand at that end, the
     * others' summed after x's in their order. {@code othersNeed} is a lower bound of the others'
     * demand at that end (their need at an earlier end, or 0), which rejects early. On success
     * writes the batch's aggregates into {@code child}.
     */
    private boolean timely(
            int b,
            int s,
            int n,
            double up,
            double dMin,
            int x,
            int[] members,
            double othersNeed,
            BatchState child,
            ComputeCache cache) {
        double start = Math.max(t0 + up, busyUntil);
        double end =
                start
                        + (cache == null
                                ? computeSeconds(b, s, n) * 1000.0
                                : cache.computeMs(b, s, n));
        if (!(dMin - end > 0)) {
            return false;
        }
        double need = downlinkDemand[x] * 1000.0 / (deadline[x] - end);
        // every member's demand only grows as the end moves later, so the others' need at an
        // earlier end plus the newcomer's is a lower bound of the batch's: when it exceeds the
        // band by far more than any rounding of the sums, the loop below would reject too
        if (othersNeed + need > downlinkHz * (1 + 1e-9)) {
            return false;
        }
        for (int k = 0; k < b - 1; k++) {
            int i = members[k];
            need += downlinkDemand[i] * 1000.0 / (deadline[i] - end);
        }
        if (need > downlinkHz) {
            return false;
        }
        child.size = b;
        child.maxPrompt = s;
        child.maxOutput = n;
        child.uplinkMs = up;
        child.minDeadline = dMin;
        child.computeEnd = end;
        child.downlinkNeed = need;
        return true;
    }

    /**
     * The state that {@link #tryAdd} reaches by adding {@code members[from..count)} one by one to
     * {@code base} (the state of {@code members[0..from)}, with {@code from < count}), computed in
     * one pass with the sums, maxima and minima taken in the same order, so that the state is the
     * same bit for bit; only the tests of the last add are made. For a subset of a feasible batch,
     * whose every add succeeds, this is that state (the local search's batch without one member);
     * returns false when a test of the last add fails ({@code child} then holds partial values).
     */
    boolean extend(
            BatchState base,
            int[] members,
            int from,
            int count,
            BatchState child,
            ComputeCache cache) {
        evaluations++;
        int s = base.maxPrompt;
        int n = base.maxOutput;
        double up = base.uplinkMs;
        double dMin = base.minDeadline;
        for (int k = from; k < count; k++) {
            int x = members[k];
            s = Math.max(s, prompt[x]);
            n = Math.max(n, output[x]);
            up = up + uplinkMs[x];
            dMin = Math.min(dMin, deadline[x]);
        }
        if (memoryFixed + count * kvPerToken * (s + n) > memoryBytes) {
            return false;
        }
        return timely(count, s, n, up, dMin, members[count - 1], members, 0, child, cache);
    }

    /** Whether the batch {@code members[0..count)} is feasible: C1-C5, computed from scratch. */
    public boolean feasible(int[] members, int count) {
        evaluations++;
        if (count == 0) {
            return true;
        }
        int s = 0;
        int n = 0;
        double up = 0;
        double dMin = Double.POSITIVE_INFINITY;
        for (int k = 0; k < count; k++) {
            int i = members[k];
            if (!channel[i] || !accurate[i]) {
                return false;
            }
            s = Math.max(s, prompt[i]);
            n = Math.max(n, output[i]);
            up += uplinkMs[i];
            dMin = Math.min(dMin, deadline[i]);
        }
        if (memoryFixed + count * kvPerToken * (s + n) > memoryBytes) {
            return false;
        }
        double end = Math.max(t0 + up, busyUntil) + computeSeconds(count, s, n) * 1000.0;
        if (!(dMin - end > 0)) {
            return false;
        }
        double need = 0;
        for (int k = 0; k < count; k++) {
            int i = members[k];
            need += downlinkDemand[i] * 1000.0 / (deadline[i] - end);
        }
        return need <= downlinkHz;
    }

    /** The full verdict on batch {@code members[0..count)}: every violation and the timeline. */
    public BatchEvaluation evaluate(int[] members, int count) {
        evaluations++;
        EnumSet<Constraint> violated = EnumSet.noneOf(Constraint.class);
        if (count == 0) {
            return new BatchEvaluation(violated, null);
        }
        int s = 0;
        int n = 0;
        for (int k = 0; k < count; k++) {
            int i = members[k];
            if (!channel[i]) {
                violated.add(Constraint.C5);
            }
            if (!accurate[i]) {
                violated.add(Constraint.C1);
            }
            s = Math.max(s, prompt[i]);
            n = Math.max(n, output[i]);
        }
        if (memoryFixed + count * kvPerToken * (s + n) > memoryBytes) {
            violated.add(Constraint.C2);
        }
        if (violated.contains(Constraint.C5)) {
            return new BatchEvaluation(violated, null);
        }
        double up = 0;
        for (int k = 0; k < count; k++) {
            up += uplinkMs[members[k]];
        }
        double start = Math.max(t0 + up, busyUntil);
        double compute = computeSeconds(count, s, n) * 1000.0;
        double end = start + compute;
        double need = 0;
        boolean late = false;
        for (int k = 0; k < count; k++) {
            int i = members[k];
            double d = deadline[i] - end;
            if (!(d > 0)) {
                late = true;
            } else {
                need += downlinkDemand[i] * 1000.0 / d;
            }
        }
        if (late) {
            violated.add(Constraint.C3);
        } else if (need > downlinkHz) {
            violated.add(Constraint.C4);
        }
        Map<String, Double> upShare = new LinkedHashMap<>();
        double load = 0;
        for (int k = 0; k < count; k++) {
            load += uplinkLoad[members[k]];
        }
        for (int k = 0; k < count; k++) {
            int i = members[k];
            upShare.put(
                    instance.requests().get(i).id(),
                    load > 0 ? uplinkHz * uplinkLoad[i] / load : uplinkHz / count);
        }
        Map<String, Double> finish = new LinkedHashMap<>();
        Map<String, Double> downShare = new LinkedHashMap<>();
        if (!late && need <= downlinkHz) {
            for (int k = 0; k < count; k++) {
                int i = members[k];
                double dSec = (deadline[i] - end) / 1000.0;
                double demandHz = downlinkDemand[i] / dSec;
                double shareHz = need > 0 ? demandHz * downlinkHz / need : downlinkHz;
                String id = instance.requests().get(i).id();
                downShare.put(id, shareHz);
                finish.put(id, end + downlinkDemand[i] / shareHz * 1000.0);
            }
        }
        return new BatchEvaluation(
                violated, new Timeline(up, start, compute, end, finish, upShare, downShare));
    }

    /**
     * Aggregates of a feasible batch that make adding one request O(1) for C2 and C3: size, padded
     * maxima, uplink time, earliest deadline, compute end and the downlink demand at that end.
     */
    public static final class BatchState {
        public int size;
        public int maxPrompt;
        public int maxOutput;
        public double uplinkMs;
        public double minDeadline = Double.POSITIVE_INFINITY;
        public double computeEnd;
        public double downlinkNeed;

        /** Resets to the empty batch. */
        public void clear() {
            size = 0;
            maxPrompt = 0;
            maxOutput = 0;
            uplinkMs = 0;
            minDeadline = Double.POSITIVE_INFINITY;
            computeEnd = Double.NEGATIVE_INFINITY;
            downlinkNeed = 0;
        }

        /** Becomes a copy of {@code o}. */
        public void copyFrom(BatchState o) {
            size = o.size;
            maxPrompt = o.maxPrompt;
            maxOutput = o.maxOutput;
            uplinkMs = o.uplinkMs;
            minDeadline = o.minDeadline;
            computeEnd = o.computeEnd;
            downlinkNeed = o.downlinkNeed;
        }
    }
}
