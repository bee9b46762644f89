package org.edgellm.worker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code worker.jar}: {@code worker --node-id N --domain-id D [--bootstrap-servers B]
 * [--decisions-topic T] [--completions-topic T] [--telemetry-topic T] [--state-dir DIR]
 * [--heartbeat-ms N] [--backend simulated] [--slowdown X] [--jitter X] [--seed N] [--fast-forward]
 * [--kafka.NAME VALUE]}; {@code feed} ({@link Feeder}), {@code report} ({@link Report}) and {@code
 * audit} ({@link Audit}) with the same flag syntax.
 */
public final class WorkerMain {

    /** Every flag of the three commands, besides {@code --kafka.*}. */
    public static final java.util.Set<String> FLAGS =
            java.util.Set.of(
                    "at-least-once",
                    "backend",
                    "bootstrap-servers",
                    "channel-period-ms",
                    "channels-dir",
                    "channels-topic",
                    "completions-topic",
                    "decisions-topic",
                    "domain-id",
                    "domains",
                    "endpoint",
                    "events",
                    "expect-all",
                    "fast-forward",
                    "heartbeat-ms",
                    "jitter",
                    "kafka-properties",
                    "minutes",
                    "model",
                    "node-id",
                    "out",
                    "rejections-topic",
                    "requests-csv",
                    "requests-topic",
                    "seed",
                    "slowdown",
                    "speedup",
                    "state-dir",
                    "stream",
                    "telemetry-topic",
                    "timeout-ms",
                    "topology",
                    "users");

    /** The commands. */
    static final java.util.Set<String> COMMANDS =
            java.util.Set.of("worker", "feed", "report", "audit");

    /** Flags without a value. */
    static final java.util.Set<String> SWITCHES =
            java.util.Set.of("fast-forward", "expect-all", "at-least-once");

    private WorkerMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !COMMANDS.contains(args[0])) {
            System.err.println(
                    "usage: java -jar worker.jar worker|feed|report|audit [flags]\n"
                            + "  worker --node-id N --domain-id D [--bootstrap-servers B] ...\n"
                            + "  feed [--requests-csv F] [--minutes M] [--speedup X] ...\n"
                            + "  report [--out report.json] ...\n"
                            + "  audit [--out audit.json] [--expect-all] ...");
            System.exit(2);
        }
        Map<String, String> f = new LinkedHashMap<>();
        Map<String, String> kafka = new LinkedHashMap<>();
        for (int k = 1; k < args.length; k++) {
            String a = args[k];
            if (!a.startsWith("--")) {
                fail("unexpected argument: " + a);
            }
            String name = a.substring(2);
            if (!FLAGS.contains(name) && !name.startsWith("kafka.")) {
                fail("unknown flag " + a);
            }
            String value =
                    SWITCHES.contains(name) ? "true" : (k + 1 < args.length ? args[++k] : null);
            if (value == null) {
                fail(a + ": missing value");
            }
            if (name.startsWith("kafka.")) {
                kafka.put(name.substring(6), value);
            } else {
                f.put(name, value);
            }
        }
        if (f.get("kafka-properties") != null) {
            kafka = withFile(f.get("kafka-properties"), kafka);
        }
        if (args[0].equals("audit")) {
            Audit.Result r = Audit.run(f, kafka);
            boolean ok =
                    r.noDuplicates() && (!f.containsKey("expect-all") || r.undecided().isEmpty());
            System.exit(ok ? 0 : 1);
        }
        if (args[0].equals("report")) {
            Report.run(f, kafka);
            return;
        }
        if (args[0].equals("feed")) {
            try {
                Feeder.Sent sent = Feeder.run(f, kafka);
                System.out.println(
                        "sent "
                                + sent.requests()
                                + " requests and "
                                + sent.channels()
                                + " channel states");
            } catch (IllegalArgumentException | java.io.IOException e) {
                fail(e.getMessage());
            }
            return;
        }
        String node = require(f, "node-id");
        String domain = require(f, "domain-id");
        String backendName = f.getOrDefault("backend", "simulated");
        if (!backendName.equals("simulated") && !backendName.equals("openai")) {
            fail("--backend: simulated or openai (got " + backendName + ")");
        }
        double slowdown = number(f, "slowdown", 1.0);
        double jitter = number(f, "jitter", 0.05);
        long seed = (long) number(f, "seed", 1);
        Backend backend =
                backendName.equals("openai")
                        ? new OpenAiBackend(
                                f.getOrDefault("endpoint", "http://localhost:8000"),
                                f.getOrDefault("model", "default"),
                                !f.getOrDefault("stream", "true").equals("false"),
                                java.time.Duration.ofMillis(
                                        (long) number(f, "timeout-ms", 120_000)))
                        : new SimulatedBackend(
                                slowdown,
                                jitter,
                                seed,
                                f.containsKey("fast-forward")
                                        ? new SimulatedBackend.VirtualClock(
                                                System.currentTimeMillis())
                                        : SimulatedBackend.REAL);
        Worker.Settings s =
                new Worker.Settings(
                        f.getOrDefault("bootstrap-servers", "localhost:9092"),
                        node,
                        domain,
                        f.getOrDefault("decisions-topic", "batch-decisions"),
                        f.getOrDefault("completions-topic", "completions"),
                        f.getOrDefault("telemetry-topic", "node-telemetry"),
                        Path.of(f.getOrDefault("state-dir", "worker-state")),
                        (long) number(f, "heartbeat-ms", 500),
                        kafka,
                        capabilities(f, domain, node));
        try (Worker w = new Worker(s, backend)) {
            Runtime.getRuntime().addShutdownHook(new Thread(w::stop));
            w.run();
        }
    }

    /**
     * The node's capabilities from the topology (--topology, or the bundled default), if listed.
     */
    static org.edgellm.events.NodeCapabilities capabilities(
            Map<String, String> f, String domain, String node) throws java.io.IOException {
        org.edgellm.job.Topology t =
                f.containsKey("topology")
                        ? org.edgellm.job.Topology.load(Path.of(f.get("topology")))
                        : org.edgellm.job.Topology.defaults();
        org.edgellm.job.NodeSpec n = t.node(domain, node);
        if (n == null) {
            return null;
        }
        java.util.List<org.edgellm.events.VariantInfo> vs = new java.util.ArrayList<>();
        for (org.edgellm.job.NodeSpec.VariantSpec v : n.variants) {
            vs.add(
                    new org.edgellm.events.VariantInfo(
                            v.name, v.weightBits, v.activationBits, v.kvBits, v.pplIncrease));
        }
        return org.edgellm.events.NodeCapabilities.newBuilder()
                .setMemoryBytes(n.memoryBytes)
                .setReserveBytes(n.reserveBytes)
                .setMemoryBandwidth(n.memoryBandwidth)
                .setPeakFlops16(n.peakFlops16)
                .setPeakFlops8(n.peakFlops8)
                .setPeakFlops4(n.peakFlops4)
                .setEfficiency(n.efficiency)
                .setUplinkHz(n.uplinkHz)
                .setDownlinkHz(n.downlinkHz)
                .setVariants(vs)
                .build();
    }

    /** The settings of {@code --kafka-properties} under the {@code --kafka.*} flags. */
    static Map<String, String> withFile(String file, Map<String, String> flags) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            out.putAll(org.edgellm.job.JobConfig.kafkaPropertiesFile(file));
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
        }
        out.putAll(flags);
        return out;
    }

    private static String require(Map<String, String> f, String k) {
        String v = f.get(k);
        if (v == null || v.isEmpty()) {
            fail("--" + k + ": required");
        }
        return v;
    }

    private static double number(Map<String, String> f, String k, double dflt) {
        String v = f.get(k);
        if (v == null) {
            return dflt;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            fail("--" + k + ": not a number (got " + v + ")");
            return dflt;
        }
    }

    private static void fail(String msg) {
        System.err.println("worker: " + msg);
        System.exit(2);
    }
}
