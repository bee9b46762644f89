package org.edgellm.job.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.edgellm.job.ChannelEvent;
import org.edgellm.job.InputEvent;
import org.edgellm.job.JobConfig;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.TelemetryEvent;
import org.edgellm.job.Topology;

/**
 * A small trace for the bound's tests, described once: the topology, the requests, the channel
 * measurements (and heartbeats) and the slot flags. It renders the job's events and runs {@code
 * simulate} over them; {@link HindsightOptimum} reads the same description with its own code.
 */
final class BoundWorld {
    static final long BASE = 1_700_000_000_000L;

    record Variant(String name, int weightBits, int activationBits, int kvBits, double ppl) {}

    record Node(
            String domain,
            String id,
            double memoryBytes,
            double reserveBytes,
            double bandwidth,
            double flops16,
            double flops8,
            double flops4,
            double efficiency,
            double uplinkHz,
            double downlinkHz,
            List<Variant> variants) {}

    record Req(
            String domain,
            String id,
            String user,
            long arrival,
            int prompt,
            int output,
            double deadline,
            double tolerance) {}

    record Chan(String domain, String user, String node, long at, double up, double down) {}

    record Beat(String domain, String node, long at, double slowdown, long busyUntil) {}

    String computeModel = "roofline";
    int layers = 32;
    int hidden = 4096;
    int vocab = 32000;
    final List<Node> nodes = new ArrayList<>();
    final List<Req> requests = new ArrayList<>();
    final List<Chan> channels = new ArrayList<>();
    final List<Beat> beats = new ArrayList<>();
    long slotMs = 1000;
    String slotStagger = "aligned";
    long outOfOrdernessMs = 200;
    long commitDelayMs = 0;
    long maxChannelAgeMs = 5000;
    long lookaheadMs = -1;
    int maxCandidates = 32;

    String yaml() {
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        Locale.ROOT,
                        "model: {layers: %d, hidden: %d, vocab: %d}%n"
                                + "objective: requests%ncomputeModel: %s%n"
                                + "serviceClasses:%n"
                                + "  - {name: standard, latencyBudgetMs: 20000, maxPplIncrease:"
                                + " 0.5, weight: 1, share: 1}%n"
                                + "domains:%n",
                        layers,
                        hidden,
                        vocab,
                        computeModel));
        for (String d : nodes.stream().map(Node::domain).distinct().toList()) {
            b.append("  - id: ").append(d).append("\n    nodes:\n");
            for (Node n : nodes) {
                if (!n.domain.equals(d)) {
                    continue;
                }
                b.append(
                        String.format(
                                Locale.ROOT,
                                "      - id: %s%n        memoryBytes: %s%n        reserveBytes: %s%n"
                                        + "        memoryBandwidth: %s%n"
                                        + "        peakFlops: {\"16\": %s, \"8\": %s, \"4\": %s}%n"
                                        + "        efficiency: %s%n        uplinkHz: %s%n"
                                        + "        downlinkHz: %s%n        variants:%n",
                                n.id,
                                num(n.memoryBytes),
                                num(n.reserveBytes),
                                num(n.bandwidth),
                                num(n.flops16),
                                num(n.flops8),
                                num(n.flops4),
                                num(n.efficiency),
                                num(n.uplinkHz),
                                num(n.downlinkHz)));
                for (Variant v : n.variants) {
                    b.append(
                            String.format(
                                    Locale.ROOT,
                                    "          - {name: %s, weightBits: %d, activationBits: %d,"
                                            + " kvBits: %d, pplIncrease: %s}%n",
                                    v.name,
                                    v.weightBits,
                                    v.activationBits,
                                    v.kvBits,
                                    num(v.ppl)));
                }
            }
        }
        return b.toString();
    }

    /** A YAML float that reads back as the same double. */
    private static String num(double d) {
        String s = Double.toString(d);
        return s.contains(".") || s.contains("E") ? s.replace("E", "e") : s + ".0";
    }

    Topology topology() {
        return Topology.parse(yaml(), "bound-world");
    }

    /** The job's validated events, sorted by time (stable: requests, channels, heartbeats). */
    List<InputEvent> events() {
        List<InputEvent> out = new ArrayList<>();
        for (Req q : requests) {
            RequestEvent r = new RequestEvent();
            r.requestId = q.id;
            r.userId = q.user;
            r.domainId = q.domain;
            r.arrivalTime = q.arrival;
            r.promptTokens = q.prompt;
            r.maxOutputTokens = q.output;
            r.deadline = q.deadline;
            r.maxPplIncrease = q.tolerance;
            r.weight = 1;
            r.serviceClass = "standard";
            out.add(InputEvent.of(r));
        }
        for (Chan c : channels) {
            ChannelEvent e = new ChannelEvent();
            e.userId = c.user;
            e.domainId = c.domain;
            e.nodeId = c.node;
            e.measuredAt = c.at;
            e.uplinkSpectralEfficiency = c.up;
            e.downlinkSpectralEfficiency = c.down;
            out.add(InputEvent.of(e));
        }
        for (Beat h : beats) {
            TelemetryEvent t = new TelemetryEvent();
            t.nodeId = h.node;
            t.domainId = h.domain;
            t.time = h.at;
            t.slowdown = h.slowdown;
            t.busyUntil = h.busyUntil;
            out.add(InputEvent.of(t));
        }
        out.sort(Comparator.comparingLong(e -> e.time));
        return out;
    }

    String[] flags(String scheduler, int candidates, Path out) {
        return new String[] {
            "--scheduler", scheduler,
            "--slot-ms", Long.toString(slotMs),
            "--slot-stagger", slotStagger,
            "--out-of-orderness-ms", Long.toString(outOfOrdernessMs),
            "--commit-delay-ms", Long.toString(commitDelayMs),
            "--max-channel-age-ms", Long.toString(maxChannelAgeMs),
            "--lookahead-ms", Long.toString(lookaheadMs),
            "--max-candidates", Integer.toString(candidates),
            "--max-pending", "100000",
            "--out", out.toString()
        };
    }

    /** The flags' domain settings with the given candidate limit. */
    JobConfig config(String scheduler, int candidates, Path out) {
        return ReplayOptions.parse(flags(scheduler, candidates, out), scheduler).job();
    }

    GoodputBound.Result bound(int candidates) {
        return GoodputBound.compute(
                topology(), config("fcfs", candidates, Path.of(".")).domainSettings(), events());
    }

    /** simulate with one scheduler (and the world's candidate limit); returns its summary. */
    ObjectNode simulate(String scheduler, Path dir) throws Exception {
        return simulate(scheduler, maxCandidates, dir);
    }

    ObjectNode simulate(String scheduler, int candidates, Path dir) throws Exception {
        return simulate(scheduler, candidates, "per-slot", dir);
    }

    ObjectNode simulate(String scheduler, int candidates, String policy, Path dir)
            throws Exception {
        return simulate(scheduler, candidates, policy, -1, dir);
    }

    /** The same with the given --candidate-share (below 0: the job's default). */
    ObjectNode simulate(String scheduler, int candidates, String policy, double share, Path dir)
            throws Exception {
        ReplayOptions o = ReplayOptions.parse(flags(scheduler, candidates, dir), scheduler);
        JobConfig config = o.job();
        config.policy = policy;
        if (share >= 0) {
            config.candidateShare = share;
        }
        Topology topology = topology();
        List<InputEvent> events = events();
        long first = requests.stream().mapToLong(Req::arrival).min().orElse(BASE);
        long last = requests.stream().mapToLong(Req::arrival).max().orElse(BASE);
        ReplayRunner.Setup s =
                new ReplayRunner.Setup(
                        o, config, topology, dir, null, null, requests.size(), first, last, 0, 0);
        GoodputBound.Result bound = GoodputBound.compute(topology, config.domainSettings(), events);
        return Simulator.simulate(s, config, events, () -> bound, dir);
    }

    // ---- generators ---------------------------------------------------------------------------

    static final List<Variant> BIG_VARIANTS =
            List.of(
                    new Variant("fp16", 16, 16, 16, 0.0),
                    new Variant("w8a8", 8, 8, 16, 0.05),
                    new Variant("w4a16", 4, 16, 16, 0.31),
                    new Variant("w4a16-kv8", 4, 16, 8, 0.45),
                    new Variant("w4a4", 4, 4, 8, 0.9));

    /** A GPU from datasheet-like figures with a random subset of the variants resident. */
    static Node gpu(Random rnd, String domain, String id) {
        int kind = rnd.nextInt(3);
        double[][] gpus = {
            {40e9, 2e9, 1555e9, 312e12}, // A100-40GB
            {24e9, 1.5e9, 600e9, 125e12}, // A10
            {24e9, 1.5e9, 300e9, 121e12} // L4
        };
        double[] g = gpus[kind];
        List<Variant> vs = new ArrayList<>();
        for (Variant v : BIG_VARIANTS) {
            if (rnd.nextDouble() < 0.45) {
                vs.add(v);
            }
        }
        if (vs.isEmpty()) {
            vs.add(BIG_VARIANTS.get(2 + rnd.nextInt(3)));
        }
        double memory = g[0] * (0.5 + rnd.nextDouble() * 0.5);
        while (vs.size() > 1 && weights(vs) + g[1] > memory * 0.8) {
            vs.remove(0); // keep room for KV caches
        }
        return new Node(
                domain,
                id,
                memory,
                g[1],
                g[2],
                g[3],
                g[3] * 2,
                g[3] * 4,
                0.3 + 0.7 * rnd.nextDouble(),
                Math.exp(Math.log(1e5) + rnd.nextDouble() * Math.log(200)),
                Math.exp(Math.log(1e5) + rnd.nextDouble() * Math.log(400)),
                vs);
    }

    /**
     * A slow GPU: a request of 400 prompt and 50 output tokens alone takes about 0.4-1.6 s (by
     * FLOPs and by memory traffic alike); fp16 and maybe one cheaper variant resident.
     */
    static Node slowGpu(Random rnd, String domain, String id) {
        // a request of 400 + 50 tokens alone takes about tau seconds
        double tau = 0.4 + 1.2 * rnd.nextDouble();
        // fp16 (every tolerance accepts it) and maybe a cheaper variant
        List<Variant> vs = new ArrayList<>();
        vs.add(BIG_VARIANTS.get(0));
        if (rnd.nextBoolean()) {
            vs.add(BIG_VARIANTS.get(1 + rnd.nextInt(4)));
        }
        double peak = 1.2e13 / tau;
        return new Node(
                domain,
                id,
                weights(vs) + 1.5e9 + 2e9 * (1 + rnd.nextInt(8)),
                1.5e9,
                1.65e11 / tau,
                peak,
                peak * 2,
                peak * 4,
                0.5,
                logUniform(rnd, 2e5, 2e7),
                logUniform(rnd, 2e5, 4e7),
                vs);
    }

    static double weights(List<Variant> vs) {
        double w = 0;
        for (Variant v : vs) {
            w += (12.0 * 32 * 4096 * 4096 + 32000.0 * 4096) * v.weightBits / 8.0;
        }
        return w;
    }

    static double logUniform(Random rnd, double lo, double hi) {
        return Math.exp(Math.log(lo) + rnd.nextDouble() * (Math.log(hi) - Math.log(lo)));
    }

    static final double[] TOLERANCES = {0.0, 0.05, 0.3, 0.5, 1.0};

    /**
     * Random requests over horizonMs at the given rate (Poisson), users' channels every period with
     * gaps; every user reaches each node with probability 0.85.
     */
    void randomTraffic(
            Random rnd,
            String domain,
            List<Node> domainNodes,
            int users,
            double perSecond,
            long horizonMs,
            int maxPrompt,
            int maxOutput,
            double minBudgetMs,
            double maxBudgetMs) {
        randomTraffic(
                rnd,
                domain,
                domainNodes,
                users,
                perSecond,
                horizonMs,
                8,
                maxPrompt,
                2,
                maxOutput,
                minBudgetMs,
                maxBudgetMs);
    }

    /** The same with the smallest prompt and output given. */
    void randomTraffic(
            Random rnd,
            String domain,
            List<Node> domainNodes,
            int users,
            double perSecond,
            long horizonMs,
            int minPrompt,
            int maxPrompt,
            int minOutput,
            int maxOutput,
            double minBudgetMs,
            double maxBudgetMs) {
        double t = 0;
        int k = requests.size();
        while (true) {
            t += -Math.log(1 - rnd.nextDouble()) / perSecond * 1000;
            if (t >= horizonMs) {
                break;
            }
            long a = BASE + (long) t;
            requests.add(
                    new Req(
                            domain,
                            domain + "-r" + k++,
                            domain + "-u" + rnd.nextInt(users),
                            a,
                            (int) logUniform(rnd, minPrompt, maxPrompt),
                            (int) logUniform(rnd, minOutput, maxOutput),
                            a + minBudgetMs + rnd.nextDouble() * (maxBudgetMs - minBudgetMs),
                            TOLERANCES[rnd.nextInt(TOLERANCES.length)]));
        }
        for (int u = 0; u < users; u++) {
            String user = domain + "-u" + u;
            for (Node n : domainNodes) {
                if (rnd.nextDouble() > 0.85) {
                    continue;
                }
                long period = 300 + rnd.nextInt(1700);
                double level = logUniform(rnd, 0.05, 7.4);
                for (long m = BASE - rnd.nextInt(3000);
                        m < BASE + horizonMs + maxBudgetMs;
                        m += period) {
                    if (rnd.nextDouble() < 0.2) {
                        continue; // a gap: the last measurement ages
                    }
                    double up = Math.min(7.4, level * logUniform(rnd, 0.2, 2));
                    double down = Math.min(7.4, level * logUniform(rnd, 0.2, 3));
                    channels.add(new Chan(domain, user, n.id, m, up, down));
                }
            }
        }
    }
}
