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
import org.edgellm.scheduler.plot.Chart;

/**
 * {@code bench.jar policies}: the goodput of the batch-selection policies over a request trace,
 * through {@code simulate} (the domain scheduler the job runs, without Flink): the simple
 * schedulers and the paper's per-slot OT-GAH as the paper runs them (per-slot, the 32 earliest
 * deadlines), and the job's default (no policy flags: whatever JobConfig defaults to), for each
 * speedup and seed. Writes the Markdown page of the means with 95% intervals, each configuration's
 * ratio to the best baseline, the trace's upper bound and the share of it reached, each seed's
 * figures, and PNG plots of goodput and share of the bound against the speedup.
 */
final class PolicyBench {

    private PolicyBench() {}

    /** One configuration: a label suffix, the schedulers it runs, and its extra flags. */
    record Config(String label, List<String> schedulers, List<String> flags, boolean baseline) {
        /** The job's defaults: no flags, not a baseline. */
        boolean isDefault() {
            return !baseline && flags.isEmpty();
        }
    }

    /** The row of the job's default configuration. */
    static final String DEFAULT_ROW =
            "default (ot-gah, load-price, window 64 growing to a quarter of the queue, urgency"
                    + " tie-break, fastest variant)";

    static final List<Config> CONFIGS =
            List.of(
                    new Config(
                            "per-slot, window 32",
                            List.of("fcfs", "edf", "smallest-kv", "static", "ot-gah"),
                            List.of("--policy", "per-slot", "--max-candidates", "32"),
                            true),
                    new Config(
                            "load-price, fixed window 64, urgency tie-break, fastest variant; the"
                                    + " previous default",
                            List.of("ot-gah"),
                            List.of("--candidate-share", "0"),
                            false),
                    new Config(
                            "load-price, growing window, no urgency tie-break",
                            List.of("ot-gah"),
                            List.of("--urgency-tie-break", "false"),
                            false),
                    new Config(
                            "load-price, growing window, urgency tie-break, the solver's variant",
                            List.of("ot-gah"),
                            List.of("--fastest-variant", "false"),
                            false),
                    new Config("default", List.of("ot-gah"), List.of(), false));

    static String row(String scheduler, Config c) {
        return c.isDefault() ? DEFAULT_ROW : scheduler + " (" + c.label() + ")";
    }

    static void run(
            List<String> traceFlags,
            List<Double> speedups,
            List<Long> seeds,
            Path markdown,
            Path plots,
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
                                    work.resolve(
                                                    c.label().replace(' ', '_').replace(',', '_')
                                                            + "-"
                                                            + x
                                                            + "-"
                                                            + seed)
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
                        String row = row(e.getKey(), c);
                        isBaseline.put(row, c.baseline());
                        double g = e.getValue().get("goodputPerSecond").asDouble();
                        goodput.computeIfAbsent(row, k -> new LinkedHashMap<>())
                                .computeIfAbsent(x, k -> new ArrayList<>())
                                .add(g);
                        // the default's window (64) caps batches higher than the baselines' 32,
                        // so its bound is the larger one: it bounds every row
                        if (e.getValue().has("upperBoundGoodputPerSecond") && c.isDefault()) {
                            bound.computeIfAbsent(x, k -> new ArrayList<>())
                                    .add(e.getValue().get("upperBoundGoodputPerSecond").asDouble());
                        }
                        out.printf("speedup %s seed %d %s: %.3f req/s%n", x, seed, row, g);
                    }
                }
            }
        }
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
        String md =
                markdown(
                        command,
                        radio(traceFlags),
                        speedups,
                        seeds,
                        goodput,
                        isBaseline,
                        bound,
                        best,
                        markdown,
                        plots);
        Files.createDirectories(markdown.toAbsolutePath().getParent());
        Files.writeString(markdown, md);
        out.println("wrote " + markdown);
        plot(speedups, goodput, bound, plots);
        out.println("wrote " + plots.resolve("trace-goodput.png"));
    }

    /**
     * What the page says of the radio traces: the bundled ones, or those of the --channels-dir
     * given to simulate.
     */
    static String radio(List<String> traceFlags) {
        String dir = null;
        for (int i = 0; i < traceFlags.size(); i++) {
            String f = traceFlags.get(i);
            if (f.equals("--channels-dir") && i + 1 < traceFlags.size()) {
                dir = traceFlags.get(i + 1);
            } else if (f.startsWith("--channels-dir=")) {
                dir = f.substring("--channels-dir=".length());
            }
        }
        return dir == null ? "the bundled radio traces" : "the radio traces of `" + dir + "`";
    }

    private static String markdown(
            String command,
            String radio,
            List<Double> speedups,
            List<Long> seeds,
            Map<String, Map<Double, List<Double>>> goodput,
            Map<String, Boolean> isBaseline,
            Map<Double, List<Double>> bound,
            Map<Double, Double> best,
            Path markdown,
            Path plots) {
        StringBuilder md = new StringBuilder();
        md.append("# Goodput over the trace: policies against the upper bound (generated)\n\n");
        md.append("Written by\n\n```\n").append(command).append("\n```\n\n");
        md.append(
                "Every figure comes from `simulate` (the domain scheduler the job runs, without"
                        + " Flink; replay decides byte-identically): the default three-GPU domain,"
                        + " slot 1 s, "
                        + radio
                        + ", the request trace divided in time by"
                        + " the speedup. Goodput is the requests decided to finish within their"
                        + " deadline per second of trace. Each cell is the mean over the seeds "
                        + seeds
                        + " ± the half-width of its 95% confidence interval (Student's t, "
                        + (seeds.size() - 1)
                        + " degrees of freedom); the seed deals the requests to users, service"
                        + " classes (deadlines) and radio phases.\n\n");
        md.append(
                "Baselines run as the paper runs them: `--policy per-slot --max-candidates 32`."
                        + " The default row runs with no policy flags (the job's defaults); the three"
                        + " rows before it are the default with `--candidate-share 0` (a fixed"
                        + " window of 64, the default before the window grew with the queue), with"
                        + " `--urgency-tie-break false` and with `--fastest-variant false`"
                        + " (docs/policies.md). \"x"
                        + " best\" is a row's mean over the best baseline's mean at that speedup;"
                        + " \"of bound\" is its mean over the mean upper bound (docs/upper-bound.md;"
                        + " no schedule of the trace can beat it under the model).\n\n");
        md.append("## Goodput (requests/s)\n\n");
        List<String> columns = new ArrayList<>(List.of("configuration"));
        speedups.forEach(x -> columns.add("speedup " + fmtX(x)));
        md.append(MarkdownTable.header(columns));
        for (Map.Entry<String, Map<Double, List<Double>>> e : goodput.entrySet()) {
            md.append("| ").append(e.getKey()).append(" |");
            for (double x : speedups) {
                List<Double> v = e.getValue().get(x);
                md.append(
                        String.format(
                                " %.3f ± %.3f (%.2fx best, %.0f%% of bound) |",
                                mean(v),
                                ci95(v),
                                mean(v) / best.get(x),
                                100 * mean(v) / mean(bound.getOrDefault(x, List.of()))));
            }
            md.append('\n');
        }
        md.append("| upper bound |");
        for (double x : speedups) {
            List<Double> v = bound.get(x);
            md.append(v == null ? " – |" : String.format(" %.3f ± %.3f |", mean(v), ci95(v)));
        }
        md.append('\n');
        md.append("\n## The default against the best baseline, seed by seed\n\n");
        md.append(
                "The default's goodput over the best baseline's at the same seed (the best"
                        + " baseline chosen per seed), lowest and highest over the seeds:\n\n");
        md.append("| speedup | lowest | highest |\n|---|---|---|\n");
        Map<Double, List<Double>> def = goodput.get(DEFAULT_ROW);
        for (double x : speedups) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int i = 0; def != null && i < def.get(x).size(); i++) {
                double b = 0;
                for (Map.Entry<String, Map<Double, List<Double>>> e : goodput.entrySet()) {
                    if (isBaseline.get(e.getKey())) {
                        b = Math.max(b, e.getValue().get(x).get(i));
                    }
                }
                double r = def.get(x).get(i) / b;
                lo = Math.min(lo, r);
                hi = Math.max(hi, r);
            }
            md.append(String.format("| %s | %.3fx | %.3fx |%n", fmtX(x), lo, hi));
        }
        md.append("\n## Plots\n\n");
        Path base = markdown.toAbsolutePath().getParent();
        md.append("![goodput](")
                .append(base.relativize(plots.toAbsolutePath().resolve("trace-goodput.png")))
                .append(")\n\n");
        md.append("![share of the upper bound](")
                .append(base.relativize(plots.toAbsolutePath().resolve("trace-share.png")))
                .append(")\n\n");
        md.append("## Each seed\n\n| configuration | speedup | seeds ")
                .append(seeds)
                .append(" |\n|---|---|---|\n");
        for (Map.Entry<String, Map<Double, List<Double>>> e : goodput.entrySet()) {
            for (double x : speedups) {
                md.append("| ")
                        .append(e.getKey())
                        .append(" | ")
                        .append(fmtX(x))
                        .append(" | ")
                        .append(fmt(e.getValue().get(x)))
                        .append(" |\n");
            }
        }
        for (double x : speedups) {
            md.append("| upper bound | ")
                    .append(fmtX(x))
                    .append(" | ")
                    .append(fmt(bound.getOrDefault(x, List.of())))
                    .append(" |\n");
        }
        return md.toString();
    }

    private static void plot(
            List<Double> speedups,
            Map<String, Map<Double, List<Double>>> goodput,
            Map<Double, List<Double>> bound,
            Path plots)
            throws Exception {
        Files.createDirectories(plots);
        double[] xs = speedups.stream().mapToDouble(Double::doubleValue).toArray();
        List<Chart.Series> g = new ArrayList<>();
        List<Chart.Series> share = new ArrayList<>();
        for (Map.Entry<String, Map<Double, List<Double>>> e : goodput.entrySet()) {
            double[] y = new double[xs.length];
            double[] s = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
                y[i] = mean(e.getValue().get(xs[i]));
                s[i] = 100 * y[i] / mean(bound.getOrDefault(xs[i], List.of()));
            }
            g.add(new Chart.Series(e.getKey(), y));
            share.add(new Chart.Series(e.getKey(), s));
        }
        if (!bound.isEmpty()) {
            double[] y = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
                y[i] = mean(bound.getOrDefault(xs[i], List.of()));
            }
            g.add(new Chart.Series("upper bound", y));
        }
        JFreePlotRenderer r = new JFreePlotRenderer();
        r.render(
                new Chart(
                        "trace-goodput",
                        "Goodput over the trace (mean over seeds)",
                        "speedup (load x)",
                        "goodput (requests/s)",
                        xs,
                        g),
                plots.resolve("trace-goodput.png"));
        r.render(
                new Chart(
                        "trace-share",
                        "Share of the trace's upper bound reached",
                        "speedup (load x)",
                        "% of the upper bound",
                        xs,
                        share),
                plots.resolve("trace-share.png"));
    }

    static String fmtX(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }

    static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** Half-width of the 95% confidence interval of the mean (Student's t; 0 for one value). */
    static double ci95(List<Double> v) {
        int n = v.size();
        if (n < 2) {
            return 0;
        }
        double sd = Stats.sampleSd(v.stream().mapToDouble(Double::doubleValue).toArray(), mean(v));
        return T975[Math.min(n - 1, T975.length) - 1] * sd / Math.sqrt(n);
    }

    /** The 97.5% quantiles of Student's t for 1..30 degrees of freedom (30 and up: the last). */
    private static final double[] T975 = {
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042
    };

    static String fmt(List<Double> v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(String.format("%.3f", v.get(i)));
        }
        return b.append(']').toString();
    }
}
