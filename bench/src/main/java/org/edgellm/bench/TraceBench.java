package org.edgellm.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.BasicStroke;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.edgellm.job.Topology;
import org.edgellm.job.replay.ReplayRunner;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * {@code bench.jar trace [--requests-csv F] [--channels-dir D] [--minutes X] [--seed S] [--users N]
 * [--quick] [--out DIR]}: the trace-driven comparison of schedulers. Replays the Azure conversation
 * trace with the 5G radio traces through the job for each scheduler, as the load is scaled (speedup
 * 1x..8x) and as nodes are added to the domain (the first 1, 2, 3 nodes of the default topology),
 * and writes CSV, PNG plots and {@code results-trace-job.md} beside the output directory.
 */
public final class TraceBench {

    static final String[] SCHEDULERS = {"ot-gah", "fcfs", "edf", "static", "smallest-kv"};

    private TraceBench() {}

    /**
     * What to replay and where to write.
     *
     * @param replayFlags flags handed to every replay (ReplayRunner's {@code --requests-csv},
     *     {@code --channels-dir}, {@code --minutes}, {@code --seed}, {@code --users})
     * @param seed the replays' seed, for the text
     * @param quick two schedulers, two load points, two node counts, half a minute of trace
     * @param command the command line, for the text
     */
    public record Settings(
            Path out, List<String> replayFlags, long seed, boolean quick, String command) {}

    public static void run(Settings settings, PrintStream out) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path dir = settings.out();
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory("trace-bench");
        List<String> common = new ArrayList<>(settings.replayFlags());
        boolean quick = settings.quick();
        if (quick && !common.contains("--minutes")) {
            common.add("--minutes");
            common.add("0.5");
        }
        // the paper's configuration for every scheduler (the job's default policy is compared with
        // them by bench.jar policies, docs/results-trace.md), unless the flags choose
        if (!common.contains("--policy")) {
            common.addAll(List.of("--policy", "per-slot"));
        }
        if (!common.contains("--max-candidates")) {
            common.addAll(List.of("--max-candidates", "32"));
        }
        double[] speedups = quick ? new double[] {1, 2} : new double[] {1, 2, 4, 8};
        String[] schedulers = quick ? new String[] {"ot-gah", "fcfs"} : SCHEDULERS;
        Map<String, List<double[]>> goodput = new LinkedHashMap<>();
        Map<String, List<double[]>> attain = new LinkedHashMap<>();
        Map<String, List<double[]>> solve = new LinkedHashMap<>();
        StringBuilder table =
                new StringBuilder(
                        "| scheduler | speedup | requests | assigned | goodput req/s | deadline attainment | tokens/s | rejected by reason | solve p50/p99 µs |\n|---|---|---|---|---|---|---|---|---|\n");
        for (String s : schedulers) {
            goodput.put(s, new ArrayList<>());
            attain.put(s, new ArrayList<>());
            solve.put(s, new ArrayList<>());
            for (double x : speedups) {
                List<String> a = new ArrayList<>(common);
                a.addAll(
                        List.of(
                                "--scheduler",
                                s,
                                "--speedup",
                                Double.toString(x),
                                "--out",
                                work.resolve(s + "-" + x).toString()));
                ObjectNode sum = replay(a);
                goodput.get(s).add(new double[] {x, sum.get("goodputPerSecond").asDouble()});
                attain.get(s).add(new double[] {x, sum.get("deadlineAttainment").asDouble()});
                solve.get(s)
                        .add(new double[] {x, sum.get("timing").get("solveMicrosP99").asDouble()});
                table.append(row(s, "speedup " + x, sum));
                out.printf(
                        "%s speedup %.0f: goodput %.3f req/s%n",
                        s, x, sum.get("goodputPerSecond").asDouble());
            }
        }
        // nodes added: the first k nodes of the default domain
        Topology full = Topology.defaults();
        Map<String, List<double[]>> byNodes = new LinkedHashMap<>();
        StringBuilder nodeTable =
                new StringBuilder(
                        "| scheduler | nodes | goodput req/s | deadline attainment | tokens/s |\n|---|---|---|---|---|\n");
        String yaml =
                new String(
                        TraceBench.class
                                .getResourceAsStream("/topology-default.yaml")
                                .readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8);
        int total = full.domains.values().iterator().next().size();
        for (String s : schedulers) {
            byNodes.put(s, new ArrayList<>());
            for (int k = 1; k <= (quick ? 2 : total); k++) {
                Path topo = work.resolve("topology-" + k + ".yaml");
                Files.writeString(topo, firstNodes(yaml, k));
                List<String> a = new ArrayList<>(common);
                a.addAll(
                        List.of(
                                "--scheduler",
                                s,
                                "--topology",
                                topo.toString(),
                                "--out",
                                work.resolve(s + "-n" + k).toString()));
                ObjectNode sum = replay(a);
                byNodes.get(s).add(new double[] {k, sum.get("goodputPerSecond").asDouble()});
                nodeTable.append(
                        String.format(
                                Locale.ROOT,
                                "| %s | %d | %.3f | %.1f%% | %.1f |%n",
                                s,
                                k,
                                sum.get("goodputPerSecond").asDouble(),
                                100 * sum.get("deadlineAttainment").asDouble(),
                                sum.get("tokensPerSecond").asDouble()));
            }
        }
        png(
                dir.resolve("fig5-goodput.png"),
                "Azure trace: goodput against load",
                "speedup",
                "goodput (requests/s meeting the deadline)",
                goodput);
        png(
                dir.resolve("fig5-attainment.png"),
                "Azure trace: deadline attainment against load",
                "speedup",
                "share of requests served in time",
                attain);
        png(
                dir.resolve("fig5-solve.png"),
                "Azure trace: p99 solve time per slot",
                "speedup",
                "µs",
                solve);
        png(
                dir.resolve("fig5-nodes.png"),
                "Azure trace: goodput as nodes are added (speedup 1)",
                "nodes in the domain",
                "goodput (requests/s)",
                byNodes);
        csv(dir.resolve("fig5-goodput.csv"), goodput);
        csv(dir.resolve("fig5-nodes.csv"), byNodes);
        String cmd = settings.command();
        String md =
                "# Trace-driven results\n\nMade by\n\n```\nmvn -B package -DskipTests\n"
                        + cmd
                        + "\n```\n\n"
                        + "Each row is one replay of the trace through the job (`job-local.jar replay`, slot 1 s, seed "
                        + settings.seed()
                        + ", OT with a node budget of 20,000 per call) on the default three-GPU domain "
                        + "(A100-40GB, A10, L4 serving Llama-2-7B). Goodput counts the requests whose predicted finish meets their deadline, "
                        + "per second of trace; a replay is deterministic, so one run per point (no interval).\n\n"
                        + "## Load scaled\n\n![goodput]("
                        + dir.getFileName()
                        + "/fig5-goodput.png)\n\n![attainment]("
                        + dir.getFileName()
                        + "/fig5-attainment.png)\n\n"
                        + table
                        + "\n![solve]("
                        + dir.getFileName()
                        + "/fig5-solve.png)\n\n"
                        + "## Nodes added\n\n![nodes]("
                        + dir.getFileName()
                        + "/fig5-nodes.png)\n\n"
                        + nodeTable;
        Path mdFile = dir.toAbsolutePath().getParent().resolve("results-trace-job.md");
        Files.writeString(mdFile, md);
        deleteTree(work);
        out.println("wrote " + mdFile);
    }

    static void deleteTree(Path p) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    static ObjectNode replay(List<String> args) throws Exception {
        return ReplayRunner.run(
                args.toArray(new String[0]),
                StreamExecutionEnvironment.getExecutionEnvironment(),
                new PrintStream(new ByteArrayOutputStream()));
    }

    static String row(String s, String what, ObjectNode sum) {
        StringBuilder rej = new StringBuilder();
        sum.get("rejected")
                .fields()
                .forEachRemaining(
                        e ->
                                rej.append(rej.length() == 0 ? "" : ", ")
                                        .append(e.getKey())
                                        .append(' ')
                                        .append(e.getValue().asInt()));
        return String.format(
                Locale.ROOT,
                "| %s | %s | %d | %d | %.3f | %.1f%% | %.1f | %s | %d / %d |%n",
                s,
                what.replace("speedup ", ""),
                sum.get("requests").asInt(),
                sum.get("assigned").asInt(),
                sum.get("goodputPerSecond").asDouble(),
                100 * sum.get("deadlineAttainment").asDouble(),
                sum.get("tokensPerSecond").asDouble(),
                rej.length() == 0 ? "–" : rej,
                sum.get("timing").get("solveMicrosP50").asLong(),
                sum.get("timing").get("solveMicrosP99").asLong());
    }

    /** The default topology YAML with only the first k nodes of its domain. */
    static String firstNodes(String yaml, int k) {
        String[] parts = yaml.split("\n      - id: ");
        StringBuilder sb = new StringBuilder(parts[0]);
        for (int i = 1; i <= k && i < parts.length; i++) {
            sb.append("\n      - id: ").append(parts[i]);
        }
        return sb.toString();
    }

    static void png(Path f, String title, String x, String y, Map<String, List<double[]>> data)
            throws java.io.IOException {
        XYSeriesCollection c = new XYSeriesCollection();
        for (Map.Entry<String, List<double[]>> e : data.entrySet()) {
            XYSeries s = new XYSeries(e.getKey());
            e.getValue().forEach(p -> s.add(p[0], p[1]));
            c.addSeries(s);
        }
        JFreeChart chart =
                ChartFactory.createXYLineChart(
                        title, x, y, c, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.size(); i++) {
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
        ChartStyle.whiteWithGreyGrid(plot);
        ChartUtils.saveChartAsPNG(f.toFile(), chart, 900, 560);
    }

    static void csv(Path f, Map<String, List<double[]>> data) throws java.io.IOException {
        StringBuilder sb = new StringBuilder("series,x,value\n");
        data.forEach(
                (k, v) ->
                        v.forEach(
                                p ->
                                        sb.append(
                                                String.format(
                                                        Locale.ROOT,
                                                        "%s,%s,%.6g%n",
                                                        k,
                                                        p[0],
                                                        p[1]))));
        Files.writeString(f, sb.toString());
    }
}
