package org.edgellm.job.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.edgellm.job.ChannelEvent;
import org.edgellm.job.InputEvent;
import org.edgellm.job.NodeRuntime;
import org.edgellm.job.NodeSpec;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.TelemetryEvent;
import org.edgellm.job.Topology;

/**
 * Shared fixtures of the domain tests: a small topology, settings, event builders, a harness over
 * {@link DomainScheduler#closeSlot} and the spec's formulas (scheduling-model.md section 2),
 * written here again so that expectations do not come from the code under test.
 */
final class DomainFixtures {
    private DomainFixtures() {}

    /**
     * An A100-like node with two resident variants: w8a16 (kv16, dPPL 0.05) and w4a16kv8 (kv8, dPPL
     * 0.4). No fp16 variant, so that a tolerance below every variant is still non-negative.
     */
    static final String NODE_BIG =
            """
                  - id: %s
                    memoryBytes: 40.0e9
                    reserveBytes: 2.0e9
                    memoryBandwidth: 1555.0e9
                    peakFlops: {"16": 312.0e12, "8": 624.0e12, "4": 1248.0e12}
                    efficiency: 0.5
                    uplinkHz: 20.0e6
                    downlinkHz: 40.0e6
                    variants:
                      - {name: w8a16,    weightBits: 8, activationBits: 16, kvBits: 16, pplIncrease: 0.05}
                      - {name: w4a16kv8, weightBits: 4, activationBits: 16, kvBits: 8,  pplIncrease: 0.4}
            """;

    /** An L4-like node with one resident variant w4a16 (kv16, dPPL 0.31). */
    static final String NODE_SMALL =
            """
                  - id: %s
                    memoryBytes: 24.0e9
                    reserveBytes: 1.5e9
                    memoryBandwidth: 300.0e9
                    peakFlops: {"16": 121.0e12, "8": 242.0e12, "4": 242.0e12}
                    efficiency: 0.5
                    uplinkHz: 10.0e6
                    downlinkHz: 20.0e6
                    variants:
                      - {name: w4a16, weightBits: 4, activationBits: 16, kvBits: 16, pplIncrease: 0.31}
            """;

    /** Two domains d1 and d2, each with a big node (-a) and a small one (-b). */
    static final String YAML =
            """
            model: {layers: 32, hidden: 4096, vocab: 32000}
            objective: requests
            computeModel: roofline
            serviceClasses:
              - {name: standard, latencyBudgetMs: 20000, maxPplIncrease: 0.5, weight: 1, share: 1}
            domains:
              - id: d1
                nodes:
            """
                    + NODE_BIG.formatted("d1-a")
                    + NODE_SMALL.formatted("d1-b")
                    + """
                      - id: d2
                        nodes:
                    """
                    + NODE_BIG.formatted("d2-a")
                    + NODE_SMALL.formatted("d2-b");

    static final Topology TOPOLOGY = Topology.parse(YAML, "domain-fixtures");

    /** A wall clock that must not be read (replay configurations). */
    static final LongSupplier NO_CLOCK =
            () -> {
                throw new AssertionError("the wall clock was read in a replay configuration");
            };

    /** DomainSettings with test defaults; change the fields, then {@link #build()}. */
    static final class Settings {
        long slotMs = 100;
        long outOfOrdernessMs = 0;
        long commitDelayMs = 0;
        boolean wallClockPlanning = false;
        long restartGraceMs = 0;
        long maxChannelAgeMs = 5000;
        long heartbeatTimeoutMs = 1000;
        long lookaheadMs = 100;
        int maxPending = 2048;
        int maxCandidates = 32;
        double candidateShare = 0;
        int candidateCap = 512;
        String policy = "per-slot";
        boolean urgencyTieBreak = false;
        boolean fastestVariant = false;
        String scheduler = "ot-gah";
        long budgetNodes = 100_000;
        long budgetMicros = 0;
        boolean offerUnheardNodes = true;
        boolean staggerSlots = false;
        // every slot: the fixtures' 100-ms slots judge as they did before the cadence existed
        long admissionEveryMs = 0;

        DomainSettings build() {
            return new DomainSettings(
                    slotMs,
                    outOfOrdernessMs,
                    commitDelayMs,
                    wallClockPlanning,
                    restartGraceMs,
                    maxChannelAgeMs,
                    heartbeatTimeoutMs,
                    lookaheadMs,
                    maxPending,
                    maxCandidates,
                    candidateShare,
                    candidateCap,
                    policy,
                    urgencyTieBreak,
                    fastestVariant,
                    scheduler,
                    budgetNodes,
                    budgetMicros,
                    offerUnheardNodes,
                    staggerSlots,
                    admissionEveryMs);
        }
    }

    /** Every policy but load-price, the one the urgency tie-break and the fastest variant need. */
    static final List<String> POLICIES_BUT_LOAD_PRICE =
            List.of(RatePolicies.PER_SLOT, RatePolicies.THROUGHPUT_RATE, RatePolicies.PADDING_RATE);

    static Settings settings() {
        return new Settings();
    }

    // ---- events ----

    static RequestEvent req(
            String id,
            String user,
            String domain,
            long t,
            int prompt,
            int out,
            double budgetMs,
            double maxPpl) {
        RequestEvent r = new RequestEvent();
        r.requestId = id;
        r.userId = user;
        r.domainId = domain;
        r.arrivalTime = t;
        r.promptTokens = prompt;
        r.maxOutputTokens = out;
        r.deadline = t + budgetMs;
        r.maxPplIncrease = maxPpl;
        r.weight = 1;
        r.serviceClass = "standard";
        return r;
    }

    /** A small request (64 prompt, 8 output tokens) of user "u-" + id, tolerance 0.5. */
    static InputEvent request(String id, String domain, long t, double budgetMs) {
        return InputEvent.of(req(id, "u-" + id, domain, t, 64, 8, budgetMs, 0.5));
    }

    static InputEvent request(RequestEvent r) {
        return InputEvent.of(r);
    }

    static InputEvent channel(String user, String domain, String node, long t, double se) {
        ChannelEvent c = new ChannelEvent();
        c.userId = user;
        c.domainId = domain;
        c.nodeId = node;
        c.measuredAt = t;
        c.uplinkSpectralEfficiency = se;
        c.downlinkSpectralEfficiency = se;
        return InputEvent.of(c);
    }

    static TelemetryEvent telemetry(String node, String domain, long t, boolean healthy) {
        TelemetryEvent e = new TelemetryEvent();
        e.nodeId = node;
        e.domainId = domain;
        e.time = t;
        e.healthy = healthy;
        return e;
    }

    static InputEvent heartbeat(String node, String domain, long t, boolean healthy) {
        return InputEvent.of(telemetry(node, domain, t, healthy));
    }

    /** A heartbeat of a worker that reports the slot end of the last batch it finished. */
    static InputEvent progress(String node, String domain, long t, long finishedThrough) {
        TelemetryEvent e = telemetry(node, domain, t, true);
        e.finishedThrough = finishedThrough;
        return InputEvent.of(e);
    }

    static NodeRuntime.Outstanding batch(
            String decisionId, long slotEnd, double start, double end, String... requestIds) {
        NodeRuntime.Outstanding o = new NodeRuntime.Outstanding();
        o.decisionId = decisionId;
        o.slotEnd = slotEnd;
        o.computeStartMs = start;
        o.computeEndMs = end;
        for (String id : requestIds) {
            o.requestIds.add(id);
            o.userIds.add("u-" + id);
        }
        return o;
    }

    static List<String> pendingIds(PendingQueue q) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < q.size; i++) {
            ids.add(q.get(i).requestId);
        }
        return ids;
    }

    /** A copy of a topology node under another id (a node known only from telemetry). */
    static NodeSpec copyOf(NodeSpec s, String id) {
        NodeSpec c = new NodeSpec();
        c.id = id;
        c.memoryBytes = s.memoryBytes;
        c.reserveBytes = s.reserveBytes;
        c.memoryBandwidth = s.memoryBandwidth;
        c.peakFlops16 = s.peakFlops16;
        c.peakFlops8 = s.peakFlops8;
        c.peakFlops4 = s.peakFlops4;
        c.efficiency = s.efficiency;
        c.uplinkHz = s.uplinkHz;
        c.downlinkHz = s.downlinkHz;
        c.variants = s.variants.clone();
        return c;
    }

    // ---- the harness ----

    /** One scheduler over in-memory states of any number of domains, recording every outcome. */
    static final class Run {
        final DomainScheduler scheduler;
        final Map<String, MemoryDomainState> states = new HashMap<>();
        final List<SlotOutcome> outcomes = new ArrayList<>();

        Run(DomainSettings s) {
            this(s, NO_CLOCK);
        }

        Run(DomainSettings s, LongSupplier clock) {
            scheduler = new DomainScheduler(TOPOLOGY, s, clock);
        }

        MemoryDomainState state(String domain) {
            return states.computeIfAbsent(domain, k -> new MemoryDomainState());
        }

        SlotOutcome close(String domain, long slotEnd, InputEvent... events) {
            SlotOutcome o =
                    scheduler.closeSlot(
                            domain, slotEnd, new ArrayList<>(List.of(events)), state(domain));
            outcomes.add(o);
            return o;
        }

        List<Rejected> rejections() {
            List<Rejected> out = new ArrayList<>();
            for (SlotOutcome o : outcomes) {
                out.addAll(o.rejections());
            }
            return out;
        }

        List<Decision> decisions() {
            List<Decision> out = new ArrayList<>();
            for (SlotOutcome o : outcomes) {
                out.addAll(o.decisions());
            }
            return out;
        }

        List<String> decidedIds() {
            List<String> out = new ArrayList<>();
            for (Decision d : decisions()) {
                for (Decision.Decided r : d.requests()) {
                    out.add(r.request().requestId);
                }
            }
            return out;
        }
    }

    // ---- the spec's formulas (section 1 and 2), independent of org.edgellm.scheduler ----

    /** Wq = (12 L h^2 + V h) * weightBits / 8. */
    static double weightBytes(Topology t, int weightBits) {
        double h = t.hidden;
        return (12.0 * t.layers * h * h + t.vocab * h) * weightBits / 8.0;
    }

    /** 2 L h kvBits / 8: KV bytes of one token of one sequence. */
    static double kvBytesPerToken(Topology t, int kvBits) {
        return 2.0 * t.layers * t.hidden * kvBits / 8.0;
    }

    /** Sum of the weights of every resident variant plus the reserve. */
    static double fixedBytes(Topology t, NodeSpec n) {
        double sum = n.reserveBytes;
        for (NodeSpec.VariantSpec v : n.variants) {
            sum += weightBytes(t, v.weightBits);
        }
        return sum;
    }

    /** C2 for b sequences padded to s + n tokens under variant v. */
    static boolean memoryFits(
            Topology t, NodeSpec node, NodeSpec.VariantSpec v, int b, int s, int n) {
        return fixedBytes(t, node) + b * kvBytesPerToken(t, v.kvBits) * (s + n) <= node.memoryBytes;
    }

    /** The most tokens (s + n) one request may have on the domain's nodes within its accuracy. */
    static long maxTokens(Topology t, String domain, double maxPpl) {
        long best = -1;
        for (NodeSpec node : t.domains.get(domain)) {
            for (NodeSpec.VariantSpec v : node.variants) {
                if (v.pplIncrease <= maxPpl) {
                    double room = node.memoryBytes - fixedBytes(t, node);
                    best = Math.max(best, (long) Math.floor(room / kvBytesPerToken(t, v.kvBits)));
                }
            }
        }
        return best;
    }

    static double minPplIncrease(Topology t, String domain) {
        double min = Double.POSITIVE_INFINITY;
        for (NodeSpec node : t.domains.get(domain)) {
            for (NodeSpec.VariantSpec v : node.variants) {
                min = Math.min(min, v.pplIncrease);
            }
        }
        return min;
    }

    static NodeSpec.VariantSpec variant(NodeSpec node, String name) {
        for (NodeSpec.VariantSpec v : node.variants) {
            if (v.name.equals(name)) {
                return v;
            }
        }
        throw new AssertionError("node " + node.id + " has no variant " + name);
    }

    static double peakFlops(NodeSpec node, int activationBits) {
        return switch (activationBits) {
            case 16 -> node.peakFlops16;
            case 8 -> node.peakFlops8;
            case 4 -> node.peakFlops4;
            default -> throw new AssertionError("activation bits " + activationBits);
        };
    }

    /**
     * T^C in ms, roofline, step by step as the spec writes it (prefill, then n decode steps), on a
     * node slowed down by slowdown (bandwidth and efficiency divided by it).
     */
    static double computeMs(
            Topology t,
            NodeSpec node,
            NodeSpec.VariantSpec v,
            int b,
            int s,
            int n,
            double slowdown) {
        double L = t.layers;
        double h = t.hidden;
        double f = node.efficiency / slowdown * peakFlops(node, v.activationBits);
        double bw = node.memoryBandwidth / slowdown;
        double kv = v.kvBits / 8.0;
        double w = weightBytes(t, v.weightBits);
        double total =
                Math.max(
                        L * (24.0 * b * s * h * h + 4.0 * b * (double) s * s * h) / f,
                        (w + 2 * L * h * b * s * kv) / bw);
        for (int step = 1; step <= n; step++) {
            double c = s + step;
            total +=
                    Math.max(
                            L * (24.0 * b * h * h + 4.0 * b * h * c) / f,
                            (w + 2 * L * h * b * c * kv) / bw);
        }
        return total * 1000.0;
    }

    /** Relative closeness within 1e-6 (the spec's checker tolerance). */
    static boolean close(double expected, double actual) {
        return Math.abs(expected - actual) <= 1e-6 * Math.max(1.0, Math.abs(expected));
    }
}
