package org.edgellm.job.replay;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgellm.job.ChannelEvent;
import org.edgellm.job.InputEvent;
import org.edgellm.job.NodeSpec;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.TelemetryEvent;
import org.edgellm.job.Topology;
import org.edgellm.job.domain.DomainSettings;
import org.edgellm.job.domain.Slots;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Feasibility;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.Variant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upper bound on the number of requests that any scheduler can decide on a trace, under the
 * scheduling model as the job applies it (slots, one batch per node at a time, C1-C5 at the
 * decision instant); goodput counts decided requests, so this bounds the goodput of every policy.
 * See docs/upper-bound.md for why it is a bound, step by step, and what it ignores.
 *
 * <ol>
 *   <li><b>Servable alone</b>: a request counts only if it could be served alone on some node, from
 *       the earliest decision instant its arrival allows, with the best channel measurement that
 *       could be fresh while it waits, on an idle node at the fastest speed any heartbeat reported,
 *       with a variant within its tolerance whose KV cache fits. Each such (node, variant) also
 *       gives the request a window [r, e]: any batch holding it computes within it.
 *   <li><b>Capacity</b>: a request in a batch of b costs its node at least T(b, s_i, n_i) / b of
 *       compute time (padding only adds), and b is at most what memory, the candidate limit, its
 *       window and the requests alive with it allow; T(b)/b falls with b, so the largest such b
 *       gives the least charge. In a time window [x, y], the requests whose own windows lie inside
 *       run in batches that lie inside, one batch per node at a time, so the charges of those
 *       served sum to at most (y - x) per node (each node weighted; two weightings are tried). At
 *       most the k smallest charges fit, so at least |W| - k of them are lost. Losses of
 *       time-disjoint windows add up (their request sets are disjoint); the best set of windows,
 *       out of windows at geometric lengths ending at every request window's end, is found by
 *       weighted-interval dynamic programming.
 *   <li><b>Fixed part</b>, a second estimate of the same windows' losses: a decode step reads the
 *       weights once whatever the batch's size, so a batch pays that per step up to its longest
 *       output, plus each member's own prefill and KV reads at its own lengths ({@link FixedPart}).
 *       Batches of at most B (the largest batch any request of the window could be in): the k-th
 *       largest batch maximum is at least the ((k-1)B+1)-th largest output. A window keeps the
 *       larger of the two losses.
 * </ol>
 *
 * The bound is the servable count minus the largest total loss. A domain whose heartbeats report
 * busy times or finished batches gets no capacity part (a heartbeat may move a node's busy time
 * earlier than its last batch's predicted end, which breaks one batch at a time); its bound is its
 * servable count.
 *
 * <p>This class reads the inputs, runs step (a) per domain and sums the domains; steps (b) and (c),
 * the sweep of windows over one domain's servable requests, are {@link WindowSweep}. The pieces the
 * sweep is built from (the rank trees, the loss windows' dynamic programme, step (c)'s fit in one
 * window) stay here, where their tests address them.
 */
public final class GoodputBound {

    /** What the bound found. */
    public record Result(
            int requests,
            int servableAlone,
            int bound,
            int lossWindows,
            int windowLengths,
            int fixedPartWindows,
            double peakLoad,
            List<String> capacitySkipped,
            double computeSeconds,
            double cpuSeconds) {

        /** The method, in one line, for summary.json. */
        public String method() {
            return "servable alone (earliest slot, best fresh channel, idle node at its fastest"
                    + " reported speed), minus the requests that cannot fit the node time of"
                    + " disjoint windows when each is charged its least per-request compute time"
                    + " in any feasible batch, or when the weight reads of each decode step are"
                    + " paid once per batch at its longest output; see docs/upper-bound.md";
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(GoodputBound.class);

    private GoodputBound() {}

    /**
     * The bound, or null (logged) when computing it failed: a run's results are not lost to a fault
     * of this extra figure.
     */
    public static Result computeOrNull(
            Topology topology, DomainSettings settings, List<InputEvent> events) {
        try {
            return compute(topology, settings, events);
        } catch (RuntimeException e) {
            LOG.error("the goodput upper bound could not be computed; summary.json omits it", e);
            return null;
        }
    }

    /** The bound over the job's valid input events (any order). */
    public static Result compute(
            Topology topology, DomainSettings settings, List<InputEvent> events) {
        long started = System.nanoTime();
        long cpu = threadCpuNanos();
        Map<String, DomainInput> byDomain = new LinkedHashMap<>();
        int requests = 0;
        for (InputEvent e : events) {
            switch (e.kind) {
                case InputEvent.REQUEST -> {
                    requests++;
                    domain(byDomain, e.request.domainId).requests.add(e.request);
                }
                case InputEvent.CHANNEL -> {
                    ChannelEvent c = e.channel;
                    domain(byDomain, c.domainId)
                            .channels
                            .computeIfAbsent(c.userId, k -> new HashMap<>())
                            .computeIfAbsent(c.nodeId, k -> new Series())
                            .add(c);
                }
                case InputEvent.TELEMETRY -> {
                    TelemetryEvent t = e.telemetry;
                    DomainInput d = domain(byDomain, t.domainId);
                    d.telemetry.computeIfAbsent(t.nodeId, k -> new NodeTelemetry()).add(t);
                }
                default -> {}
            }
        }
        int servable = 0;
        int bound = 0;
        int windows = 0;
        int lengths = 0;
        int fixedWins = 0;
        double peak = 0;
        List<String> skipped = new ArrayList<>();
        for (Map.Entry<String, DomainInput> en : byDomain.entrySet()) {
            List<NodeSpec> specs = topology.domains.get(en.getKey());
            if (specs == null || en.getValue().requests.isEmpty()) {
                continue;
            }
            DomainBound b = new DomainBound(topology, settings, specs, en.getValue());
            b.run();
            servable += b.servable;
            bound += b.bound;
            windows += b.lossWindows;
            lengths = Math.max(lengths, b.lengths);
            fixedWins += b.fixedPartWindows;
            peak = Math.max(peak, b.peakLoad);
            if (b.capacitySkipped) {
                skipped.add(en.getKey());
            }
        }
        return new Result(
                requests,
                servable,
                bound,
                windows,
                lengths,
                fixedWins,
                peak,
                List.copyOf(skipped),
                (System.nanoTime() - started) / 1e9,
                cpu < 0 ? Double.NaN : (threadCpuNanos() - cpu) / 1e9);
    }

    /** CPU time of the current thread in ns, or -1 where the JVM does not measure it. */
    private static long threadCpuNanos() {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        return bean.isCurrentThreadCpuTimeSupported() ? bean.getCurrentThreadCpuTime() : -1;
    }

    private static DomainInput domain(Map<String, DomainInput> m, String id) {
        return m.computeIfAbsent(id, k -> new DomainInput());
    }

    // ---- inputs ---------------------------------------------------------------------------------

    private static final class DomainInput {
        final List<RequestEvent> requests = new ArrayList<>();
        final Map<String, Map<String, Series>> channels = new HashMap<>(); // user, node
        final Map<String, NodeTelemetry> telemetry = new HashMap<>();
    }

    /** One user's measurements to one node, sorted by measurement time once complete. */
    private static final class Series {
        long[] at = new long[8];
        double[] up = new double[8];
        double[] down = new double[8];
        int size;
        boolean sorted = true;

        void add(ChannelEvent c) {
            if (size == at.length) {
                at = Arrays.copyOf(at, size * 2);
                up = Arrays.copyOf(up, size * 2);
                down = Arrays.copyOf(down, size * 2);
            }
            if (size > 0 && c.measuredAt < at[size - 1]) {
                sorted = false;
            }
            at[size] = c.measuredAt;
            up[size] = c.uplinkSpectralEfficiency;
            down[size] = c.downlinkSpectralEfficiency;
            size++;
        }

        void sort() {
            if (sorted) {
                return;
            }
            Integer[] idx = new Integer[size];
            for (int i = 0; i < size; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, (a, b) -> Long.compare(at[a], at[b]));
            long[] a2 = new long[size];
            double[] u2 = new double[size];
            double[] d2 = new double[size];
            for (int i = 0; i < size; i++) {
                a2[i] = at[idx[i]];
                u2[i] = up[idx[i]];
                d2[i] = down[idx[i]];
            }
            at = a2;
            up = u2;
            down = d2;
            sorted = true;
        }

        /** The first index with at >= t. */
        int from(long t) {
            int lo = 0;
            int hi = size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (at[mid] < t) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }

    /** What heartbeats said of one node: its descriptions, fastest speed, busy reports. */
    private static final class NodeTelemetry {
        final Map<String, NodeSpec> capabilities = new LinkedHashMap<>();
        double minSlowdown = 1.0;
        boolean reportsBusy;

        void add(TelemetryEvent t) {
            if (t.capabilities != null) {
                capabilities.putIfAbsent(key(t.capabilities), t.capabilities);
            }
            minSlowdown = Math.min(minSlowdown, t.slowdown > 0 ? t.slowdown : 1.0);
            if (t.busyUntil != Long.MIN_VALUE || t.finishedThrough != Long.MIN_VALUE) {
                reportsBusy = true;
            }
        }
    }

    static String key(NodeSpec s) {
        StringBuilder b =
                new StringBuilder()
                        .append(s.id)
                        .append('|')
                        .append(s.memoryBytes)
                        .append('|')
                        .append(s.reserveBytes)
                        .append('|')
                        .append(s.memoryBandwidth)
                        .append('|')
                        .append(s.peakFlops16)
                        .append('|')
                        .append(s.peakFlops8)
                        .append('|')
                        .append(s.peakFlops4)
                        .append('|')
                        .append(s.efficiency)
                        .append('|')
                        .append(s.uplinkHz)
                        .append('|')
                        .append(s.downlinkHz);
        for (NodeSpec.VariantSpec v : s.variants) {
            b.append('|')
                    .append(v.name)
                    .append(',')
                    .append(v.weightBits)
                    .append(',')
                    .append(v.activationBits)
                    .append(',')
                    .append(v.kvBits)
                    .append(',')
                    .append(v.pplIncrease);
        }
        return b.toString();
    }

    // ---- one domain -----------------------------------------------------------------------------

    /** One way a node may be at some time: a description and its fastest speed. */
    private record Config(EdgeNode node, Feasibility[] variants) {}

    private static final class DomainBound {
        final Topology topology;
        final DomainSettings settings;
        final List<NodeSpec> specs;
        final DomainInput in;
        final Config[][] configs; // per node
        boolean capacitySkipped;

        int servable;
        int bound;
        int lossWindows;
        int lengths;
        int fixedPartWindows; // windows where step (c) lost more than step (b)
        double peakLoad;

        // per servable request
        int n;
        double[] r;
        double[] e;
        double[] t0;
        double[] deadline;
        int[] outputs;
        long[] mask; // nodes that can serve it (bit per node, first 64; beyond: all)
        double[][] charge; // [node][request], +inf where it cannot be served
        // the fixed-part step (docs/upper-bound.md, step (c)): per node, the least time per decode
        // step that does not scale with the batch (reading the weights) and the least compute time
        // that does, at the request's own lengths; and the largest batch it could be part of
        double[][] stepFixed; // [node][request] ms per decode step, +inf where it cannot be served
        double[][] own; // [node][request] ms, +inf where it cannot be served
        int[] batchCap;

        DomainBound(
                Topology topology, DomainSettings settings, List<NodeSpec> specs, DomainInput in) {
            this.topology = topology;
            this.settings = settings;
            this.specs = specs;
            this.in = in;
            this.configs = new Config[specs.size()][];
            boolean busy = false;
            for (int j = 0; j < specs.size(); j++) {
                NodeSpec s = specs.get(j);
                NodeTelemetry t = in.telemetry.get(s.id);
                Map<String, NodeSpec> all = new LinkedHashMap<>();
                all.put(key(s), s);
                double slowdown = 1.0;
                if (t != null) {
                    all.putAll(t.capabilities);
                    slowdown = t.minSlowdown;
                    busy |= t.reportsBusy;
                }
                List<Config> cs = new ArrayList<>();
                for (NodeSpec spec : all.values()) {
                    cs.add(config(spec, slowdown));
                }
                configs[j] = cs.toArray(new Config[0]);
            }
            this.capacitySkipped = busy;
            Map<String, Integer> nodeIndex = new HashMap<>();
            for (int j = 0; j < specs.size(); j++) {
                nodeIndex.putIfAbsent(specs.get(j).id, j);
            }
            for (Map.Entry<String, Map<String, Series>> u : in.channels.entrySet()) {
                Series[] mine = new Series[specs.size()];
                for (Map.Entry<String, Series> c : u.getValue().entrySet()) {
                    Integer j = nodeIndex.get(c.getKey());
                    if (j != null) {
                        c.getValue().sort();
                        mine[j] = c.getValue();
                    }
                }
                byUser.put(u.getKey(), mine);
            }
        }

        /** Each user's channel series, by node index. */
        final Map<String, Series[]> byUser = new HashMap<>();

        Config config(NodeSpec spec, double slowdown) {
            EdgeNode node = spec.toEdgeNode(Double.NEGATIVE_INFINITY, slowdown);
            Instance empty =
                    new Instance(
                            0,
                            topology.objective,
                            topology.computeModel,
                            topology.bitsPerToken,
                            topology.model(),
                            List.of(node),
                            List.of());
            Feasibility[] fs = new Feasibility[node.variants().size()];
            for (int q = 0; q < fs.length; q++) {
                fs[q] = new Feasibility(empty, node, node.variants().get(q));
            }
            return new Config(node, fs);
        }

        void run() {
            servableAlone();
            if (n == 0) {
                return;
            }
            if (capacitySkipped) {
                bound = n;
                return;
            }
            WindowSweep sweep =
                    new WindowSweep(
                            specs.size(), r, e, mask, charge, stepFixed, own, outputs, batchCap);
            bound = n - sweep.largestLoss();
            lossWindows = sweep.lossWindows;
            lengths = sweep.lengths;
            fixedPartWindows = sweep.fixedPartWindows;
            peakLoad = sweep.peakLoad;
        }

        // per feasible (request, node, config, variant): kept until the batch caps are known
        final List<int[]> comboIdx = new ArrayList<>(); // {request, node, config, variant, cap}

        /** Step (a): which requests could be served alone, their windows and batch-size caps. */
        void servableAlone() {
            long slotMs = settings.slotMs();
            long off = settings.outOfOrdernessMs() + settings.commitDelayMs();
            long maxAge = settings.maxChannelAgeMs();
            double beta = topology.bitsPerToken;
            // the most requests one slot's batches can hold: its largest candidate window
            int cap0 = settings.largestWindow();
            List<double[]> windows = new ArrayList<>(); // {r, e, t0, deadline}
            List<Long> masks = new ArrayList<>();
            List<RequestEvent> kept = new ArrayList<>();
            for (RequestEvent q : in.requests) {
                long phase = settings.slotPhaseMs(q.domainId);
                long first = Slots.slotEndAfter(q.arrivalTime, slotMs, phase);
                double d = q.deadline;
                if (!(d > first + off)) {
                    continue; // never a candidate: its deadline is before the first t0
                }
                // rounding: the job's sums of epoch ms differ from these by a few ulps
                double tol = 64 * Math.ulp(Math.abs(d)) + 1e-6;
                double upBits = q.uplinkBytes < 0 ? beta * q.promptTokens : 8.0 * q.uplinkBytes;
                double downBits = beta * q.maxOutputTokens;
                double rMin = Double.POSITIVE_INFINITY;
                double eMax = Double.NEGATIVE_INFINITY;
                double t0Min = Double.POSITIVE_INFINITY;
                long m = 0;
                int index = kept.size();
                int combosBefore = comboIdx.size();
                Series[] mine = byUser.get(q.userId);
                for (int j = 0; j < specs.size(); j++) {
                    Series s = mine == null ? null : mine[j];
                    if (s == null) {
                        continue;
                    }
                    // a channel used at slot end T was measured in [T - maxAge, T), T >= first,
                    // and T + off < deadline
                    double bestUp = 0;
                    double bestDown = 0;
                    long firstAt = Long.MIN_VALUE;
                    for (int k = s.from(first - maxAge); k < s.size && s.at[k] < d - off; k++) {
                        if (firstAt == Long.MIN_VALUE) {
                            firstAt = s.at[k];
                        }
                        bestUp = Math.max(bestUp, s.up[k]);
                        bestDown = Math.max(bestDown, s.down[k]);
                    }
                    if (firstAt == Long.MIN_VALUE) {
                        continue;
                    }
                    double t0 =
                            Math.max(first, Slots.slotEndAfter(firstAt, slotMs, phase))
                                    + (double) off;
                    if (!(d > t0)) {
                        continue;
                    }
                    for (int c = 0; c < configs[j].length; c++) {
                        EdgeNode node = configs[j][c].node();
                        double up = upBits / (bestUp * node.uplinkHz()) * 1000.0;
                        double down = downBits / (bestDown * node.downlinkHz()) * 1000.0;
                        double rr = t0 + up - tol;
                        double ee = d - down + tol;
                        Feasibility[] fs = configs[j][c].variants();
                        for (int v = 0; v < fs.length; v++) {
                            Variant var = fs[v].variant();
                            if (var.pplIncrease() > q.maxPplIncrease) {
                                continue;
                            }
                            if (!fs[v].memoryFits(1, q.promptTokens, q.maxOutputTokens)) {
                                continue;
                            }
                            double t1 = fs[v].computeMs(1, q.promptTokens, q.maxOutputTokens);
                            if (!(rr + t1 <= ee)) {
                                continue;
                            }
                            int cap =
                                    (int)
                                            Math.min(
                                                    cap0,
                                                    fs[v].maxBatchForMemory(
                                                            q.promptTokens, q.maxOutputTokens));
                            cap = largestBatchWithin(fs[v], cap, q, ee - rr);
                            comboIdx.add(new int[] {index, j, c, v, cap});
                            rMin = Math.min(rMin, rr);
                            eMax = Math.max(eMax, ee);
                            t0Min = Math.min(t0Min, t0);
                            m |= j < 64 ? 1L << j : -1L;
                        }
                    }
                }
                if (comboIdx.size() > combosBefore) {
                    kept.add(q);
                    windows.add(new double[] {rMin, eMax, t0Min, d});
                    masks.add(m);
                }
            }
            n = kept.size();
            servable = n;
            r = new double[n];
            e = new double[n];
            t0 = new double[n];
            deadline = new double[n];
            mask = new long[n];
            outputs = new int[n];
            for (int i = 0; i < n; i++) {
                double[] w = windows.get(i);
                r[i] = w[0];
                e[i] = w[1];
                t0[i] = w[2];
                deadline[i] = w[3];
                mask[i] = masks.get(i);
                outputs[i] = kept.get(i).maxOutputTokens;
            }
            int[] alive = aliveCaps();
            charge = new double[specs.size()][n];
            stepFixed = new double[specs.size()][n];
            own = new double[specs.size()][n];
            batchCap = new int[n];
            for (int j = 0; j < specs.size(); j++) {
                Arrays.fill(charge[j], Double.POSITIVE_INFINITY);
                Arrays.fill(stepFixed[j], Double.POSITIVE_INFINITY);
                Arrays.fill(own[j], Double.POSITIVE_INFINITY);
            }
            for (int[] c : comboIdx) {
                int i = c[0];
                RequestEvent q = kept.get(i);
                int b = Math.max(1, Math.min(c[4], alive[i]));
                Feasibility f = configs[c[1]][c[2]].variants()[c[3]];
                double ms = f.computeMs(b, q.promptTokens, q.maxOutputTokens) / b;
                charge[c[1]][i] = Math.min(charge[c[1]][i], ms * (1 - 1e-9));
                FixedPart fp =
                        FixedPart.of(
                                topology.model(),
                                topology.computeModel,
                                configs[c[1]][c[2]].node(),
                                f.variant());
                stepFixed[c[1]][i] = Math.min(stepFixed[c[1]][i], fp.stepMs() * (1 - 1e-9));
                double o = fp.ownMs(q.promptTokens, q.maxOutputTokens) * (1 - 1e-9);
                own[c[1]][i] = Math.min(own[c[1]][i], o);
                batchCap[i] = Math.max(batchCap[i], b);
            }
            comboIdx.clear();
        }

        /** The largest b <= cap whose compute time for this request alone fits the window. */
        static int largestBatchWithin(Feasibility f, int cap, RequestEvent q, double window) {
            int hi = Math.max(1, cap);
            if (f.computeMs(hi, q.promptTokens, q.maxOutputTokens) <= window) {
                return hi;
            }
            int lo = 1; // fits (checked)
            while (lo < hi) {
                int mid = (int) (((long) lo + hi + 1) >>> 1);
                if (f.computeMs(mid, q.promptTokens, q.maxOutputTokens) <= window) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return lo;
        }

        /**
         * Per servable request: the most requests alive at once (decidable: t0 reached, deadline
         * ahead) at any instant its batch could be decided, an upper bound on its batch's size.
         */
        int[] aliveCaps() {
            double[] pts = new double[2 * n];
            for (int i = 0; i < n; i++) {
                pts[2 * i] = t0[i];
                pts[2 * i + 1] = deadline[i];
            }
            Arrays.sort(pts);
            int u = 0;
            for (int i = 0; i < pts.length; i++) {
                if (i == 0 || pts[i] != pts[u - 1]) {
                    pts[u++] = pts[i];
                }
            }
            // alive on [pts[p], pts[p+1]): starts at t0, ends at the deadline (exclusive)
            int[] delta = new int[u + 1];
            for (int i = 0; i < n; i++) {
                delta[Arrays.binarySearch(pts, 0, u, t0[i])]++;
                delta[Arrays.binarySearch(pts, 0, u, deadline[i])]--;
            }
            int[] alive = new int[u];
            int run = 0;
            for (int p = 0; p < u; p++) {
                run += delta[p];
                alive[p] = run;
            }
            SparseMax rmq = new SparseMax(alive);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                int lo = Arrays.binarySearch(pts, 0, u, t0[i]);
                int hi = Arrays.binarySearch(pts, 0, u, deadline[i]) - 1;
                out[i] = hi >= lo ? rmq.max(lo, hi) : 1;
            }
            return out;
        }
    }

    // ---- structures (SparseMax for step (a); the sweep's are in WindowSweep)
    // ----------------------------

    /** Range maximum over a fixed array. */
    static final class SparseMax {
        private final int[][] t;

        SparseMax(int[] a) {
            int levels = 1;
            while ((1 << levels) <= a.length) {
                levels++;
            }
            t = new int[levels][];
            t[0] = a.clone();
            for (int l = 1; l < levels; l++) {
                int len = a.length - (1 << l) + 1;
                t[l] = new int[Math.max(0, len)];
                for (int i = 0; i < len; i++) {
                    t[l][i] = Math.max(t[l - 1][i], t[l - 1][i + (1 << (l - 1))]);
                }
            }
        }

        /** max of a[lo..hi], lo <= hi. */
        int max(int lo, int hi) {
            int l = 31 - Integer.numberOfLeadingZeros(hi - lo + 1);
            return Math.max(t[l][lo], t[l][hi - (1 << l) + 1]);
        }
    }
}
