package org.edgellm.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgellm.job.replay.Simulator;

/**
 * {@code bench.jar policies}: the goodput of the batch-selection policies over a request trace,
 * through {@code simulate} (the domain scheduler the job runs, without Flink): the simple
 * schedulers and the paper's per-slot OT-GAH at the default candidate window (32 earliest
 * deadlines), the same with a window of 64, and the throughput-rate policy ({@code --policy
 * throughput-rate}) at both windows, for each speedup and seed. Writes the Markdown table of the
 * means (and each seed's figure) and the ratio of each configuration to the best simple or paper
 * configuration at the default window, with the upper bound when simulate reports one.
 */
final class PolicyBench {

    private PolicyBench() {}

    /** One configuration: a label, the schedulers it runs, and its extra flags. */
    record Config(String label, List<String> schedulers, List<String> flags, boolean baseline) {}

    static final List<Config> CONFIGS =
            List.of(
                    new Config(
                            "window 32",
                            List.of("ot-gah", "smallest-kv", "edf", "fcfs", "static"),
                            List.of("--max-candidates", "32"),
                            true),
                    new Config(
                            "window 64",
                            List.of("ot-gah", "smallest-kv"),
                            List.of("--max-candidates", "64"),
                            false),
                    new Config(
                            "throughput-rate, window 32",
                            List.of("ot-gah"),
                            List.of("--max-candidates", "32", "--policy", "throughput-rate"),
                            false),
                    new Config(
                            "throughput-rate, window 64",
                            List.of("ot-gah"),
                            List.of("--max-candidates", "64", "--policy", "throughput-rate"),
                            false));

    static void run(
            List<String> traceFlags,
            List<Double> speedups,
            List<Long> seeds,
            Path markdown,
            String command,
            PrintStream out)
            throws Exception {
        Path work = Files.createTempDirectory("policy-bench");
        // row label -> speedup -> goodput per seed
        Map<String, Map<Double, List<Double>>> goodput = new LinkedHashMap<>();
        Map<Double, List<Double>> bound = new LinkedHashMap<>();
        Map<String, Boolean> isBaseline = new LinkedHashMap<>();
        for (double x : speedups) {
            for (long seed : seeds) {
                for (Config c : CONFIGS) {
                    List<String> a = new ArrayList<>(traceFlags);
                    a.addAll(c.flags());
                    a.addAll(
                            List.of(
                                    "--scheduler",
                                    String.join(",", c.schedulers()),
                                    "--speedup",
                                    Double.toString(x),
                                    "--seed",
                                    Long.toString(seed),
                                    "--out",
                                    work.resolve(c.label().replace(' ', '_') + "-" + x + "-" + seed)
                                            .toString()));
                    ByteArrayOutputStream sink = new ByteArrayOutputStream();
                    Map<String, ObjectNode> sums =
                            Simulator.run(
                                    a.toArray(String[]::new),
                                    new PrintStream(sink, true, StandardCharsets.UTF_8),
                                    new PrintStream(
                                            new ByteArrayOutputStream(),
                                            true,
                                            StandardCharsets.UTF_8));
                    for (Map.Entry<String, ObjectNode> e : sums.entrySet()) {
                        String row = e.getKey() + " (" + c.label() + ")";
                        isBaseline.put(row, c.baseline());
                        goodput.computeIfAbsent(row, k -> new LinkedHashMap<>())
                                .computeIfAbsent(x, k -> new ArrayList<>())
                                .add(e.getValue().get("goodputPerSecond").asDouble());
                        if (e.getValue().has("upperBoundGoodputPerSecond")
                                && c == CONFIGS.get(0)
                                && e.getKey().equals("ot-gah")) {
                            bound.computeIfAbsent(x, k -> new ArrayList<>())
                                    .add(e.getValue().get("upperBoundGoodputPerSecond").asDouble());
                        }
                        out.printf(
                                "speedup %s seed %d %s: %.3f req/s%n",
                                x, seed, row, e.getValue().get("goodputPerSecond").asDouble());
                    }
                }
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("# Batch-selection policies over the trace (generated)\n\n");
        md.append("Written by `").append(command).append("`.\n\n");
        md.append(
                "Goodput (requests completed within their deadline per second of trace) through"
                        + " `simulate`, mean over the seeds "
                        + seeds
                        + " (each seed's figure in brackets). \"x best\" is the ratio to the best"
                        + " of the simple schedulers and the paper's per-slot OT-GAH at the default"
                        + " window of 32 candidates, at the same speedup.\n\n");
        md.append("| configuration |");
        for (double x : speedups) {
            md.append(" speedup ").append(x).append(" |");
        }
        md.append("\n|---|");
        md.append("---|".repeat(speedups.size()));
        md.append('\n');
        Map<Double, Double> best = new LinkedHashMap<>();
        for (double x : speedups) {
            double b = 0;
            for (Map.Entry<String, Map<Double, List<Double>>> e : goodput.entrySet()) {
                if (isBaseline.get(e.getKey())) {
                    b = Math.max(b, mean(e.getValue().get(x)));
                }
            }
            best.put(x, b);
        }
        for (Map.Entry<String, Map<Double, List<Double>>> e : goodput.entrySet()) {
            md.append("| ").append(e.getKey()).append(" |");
            for (double x : speedups) {
                List<Double> v = e.getValue().get(x);
                md.append(
                        String.format(
                                " %.3f (%.2fx best) %s |", mean(v), mean(v) / best.get(x), fmt(v)));
            }
            md.append('\n');
        }
        if (!bound.isEmpty()) {
            md.append("| upper bound (simulate's) |");
            for (double x : speedups) {
                List<Double> v = bound.get(x);
                md.append(v == null ? " – |" : String.format(" %.3f %s |", mean(v), fmt(v)));
            }
            md.append('\n');
        }
        Files.createDirectories(markdown.toAbsolutePath().getParent());
        Files.writeString(markdown, md.toString());
        out.println("wrote " + markdown);
    }

    static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    static String fmt(List<Double> v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(String.format("%.3f", v.get(i)));
        }
        return b.append(']').toString();
    }
}
