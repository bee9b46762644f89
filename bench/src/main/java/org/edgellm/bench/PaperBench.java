package org.edgellm.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.edgellm.scheduler.Algorithms;
import org.edgellm.scheduler.BruteForce;
import org.edgellm.scheduler.ComputeModel;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.ExhaustiveOptimum;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.NodeSolution;
import org.edgellm.scheduler.Objective;
import org.edgellm.scheduler.OptimalTreeSearch;
import org.edgellm.scheduler.Request;
import org.edgellm.scheduler.Schedule;
import org.edgellm.scheduler.ScheduledBatch;
import org.edgellm.scheduler.Scheduler;
import org.edgellm.scheduler.SearchBudget;
import org.edgellm.scheduler.Variant;
import org.edgellm.scheduler.bench.RandomInstances;
import org.edgellm.scheduler.bench.RandomInstances.Spec;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * {@code bench.jar paper [--out DIR] [--instances N] [--seed S] [--quick]}: the figures that
 * reproduce the paper's claims and show where we go beyond them. Every point is the mean over N
 * seeded random instances (default 100) with a 95% confidence interval (1.96 standard errors).
 * Writes one CSV and one PNG per figure and {@code results.md} with the tables, the seeds and the
 * command. OT runs with a node budget (200,000 per call) so that results do not depend on the
 * machine.
 */
public final class PaperBench {

    static final SearchBudget BUDGET = SearchBudget.nodes(200_000);
    static final String[] SINGLE = {
        "ot-gah", "brute-force", "static", "fcfs", "edf", "smallest-kv", "random"
    };
    static final String[] MULTI = {"ot-gah", "gah", "best-channel", "round-robin", "fcfs"};

    private PaperBench() {}

    /** One curve: x, mean, half-width of the 95% interval. */
    record Series(String name, List<double[]> points) {}

    /** One figure with its data. */
    record Figure(
            String id,
            String title,
            String x,
            String y,
            boolean logY,
            List<Series> series,
            String note) {}

    /**
     * Writes every figure to {@code dir} and {@code results.md} beside it; returns the exit status.
     *
     * @param n random instances per point (at most 4 with {@code quick})
     * @param quick a small version in seconds (fewer points and instances)
     */
    public static int run(
            Path dir, int n, long seed, boolean quick, PrintStream out, PrintStream err) {
        System.setProperty("java.awt.headless", "true");
        if (quick) {
            n = Math.min(n, 4);
        }
        long t = System.nanoTime();
        List<Figure> figs = new ArrayList<>();
        int[] users = quick ? new int[] {5, 10} : new int[] {5, 10, 15, 20, 25, 30, 40, 50, 60};
        figs.add(
                singleNode(
                        "fig1-requests",
                        "Served requests on one node",
                        Objective.REQUESTS,
                        ComputeModel.ROOFLINE,
                        users,
                        n,
                        seed,
                        quick));
        figs.add(
                singleNode(
                        "fig1-tokens",
                        "Served output tokens on one node",
                        Objective.TOKENS,
                        ComputeModel.ROOFLINE,
                        users,
                        n,
                        seed + 1,
                        quick));
        figs.add(
                singleNode(
                        "fig6-flops",
                        "Served requests on one node, FLOPs-only compute model (the paper's)",
                        Objective.REQUESTS,
                        ComputeModel.FLOPS,
                        users,
                        n,
                        seed + 2,
                        quick));
        figs.add(
                sweep(
                        "fig2-variant",
                        "Served requests by the resident quantized variant (N = 30)",
                        "variant (0 fp16, 1 w8a8, 2 w4a16, 3 w4a16-kv8)",
                        quick ? new double[] {0, 2} : new double[] {0, 1, 2, 3},
                        n,
                        seed + 3,
                        (inst, x) -> withVariant(inst, VARIANTS[(int) (double) x]),
                        "Quantization frees memory and bandwidth (w4a16) but a request whose tolerance is below the variant's perplexity increase cannot use it: with tolerances drawn from {0, 0.1, 0.5, 1, 2}, 20% of requests accept only fp16 and 40% reject w4a16-kv8."));
        figs.add(
                sweep(
                        "fig2-memory",
                        "Served requests against GPU memory (N = 30)",
                        "GPU memory (GB)",
                        quick ? new double[] {24, 48} : new double[] {16, 24, 32, 40, 48, 64, 80},
                        n,
                        seed + 4,
                        (inst, x) ->
                                withNode(
                                        inst,
                                        nd -> copy(nd, x * 1e9, nd.uplinkHz(), nd.downlinkHz())),
                        null));
        figs.add(
                sweep(
                        "fig2-uplink",
                        "Served requests against the uplink band (N = 30)",
                        "uplink band (MHz)",
                        quick
                                ? new double[] {0.1, 10}
                                : new double[] {0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20},
                        n,
                        seed + 5,
                        (inst, x) ->
                                withNode(
                                        inst,
                                        nd -> copy(nd, nd.memoryBytes(), x * 1e6, nd.downlinkHz())),
                        null));
        figs.add(
                sweep(
                        "fig2-budget",
                        "Served requests against the latency budget (N = 30)",
                        "latency budget (s)",
                        quick ? new double[] {4, 16} : new double[] {2, 4, 6, 8, 10, 15, 20, 30},
                        n,
                        seed + 6,
                        PaperBench::withBudget,
                        null));
        figs.addAll(
                otVsBruteForce(
                        quick ? new int[] {8, 10} : new int[] {8, 10, 12, 14, 16, 18, 20, 22},
                        quick ? 3 : n,
                        seed + 7));
        figs.add(
                multiNodeRatio(
                        quick ? new int[] {2, 3} : new int[] {2, 3, 4, 5, 6, 8},
                        n,
                        seed + 8,
                        quick));
        figs.add(
                multiNodeScale(
                        quick ? new int[] {10, 20} : new int[] {10, 25, 50, 100, 150, 200},
                        quick ? 2 : n,
                        seed + 9));
        try {
            Files.createDirectories(dir);
            for (Figure f : figs) {
                writeCsv(dir.resolve(f.id() + ".csv"), f);
                writePng(dir.resolve(f.id() + ".png"), f);
            }
            Files.writeString(
                    dir.getParent() == null
                            ? Path.of("results.md")
                            : dir.getParent().resolve("results.md"),
                    markdown(figs, dir, n, seed, quick, (System.nanoTime() - t) / 1e9));
        } catch (IOException e) {
            err.println(dir + ": " + e.getMessage());
            return 1;
        }
        out.printf(
                "wrote %d figures to %s in %.0f s%n",
                figs.size(), dir, (System.nanoTime() - t) / 1e9);
        return 0;
    }

    static final Variant[] VARIANTS = {
        RandomInstances.FP16, RandomInstances.W8A8, RandomInstances.W4A16, RandomInstances.W4A16_KV8
    };

    static Instance base(Random rnd, int users, int nodes, Objective obj, ComputeModel cm) {
        Spec s = new Spec(users, nodes, 1.0, obj, cm, RandomInstances.LLAMA2_7B, "balanced");
        Instance inst = RandomInstances.generate(rnd, s);
        // unit weights: the objective is exactly the served requests (or tokens) that are plotted
        List<Request> rs = new ArrayList<>();
        for (Request r : inst.requests()) {
            rs.add(
                    new Request(
                            r.id(),
                            r.arrival(),
                            r.promptTokens(),
                            r.maxOutputTokens(),
                            r.deadline(),
                            r.maxPplIncrease(),
                            1.0,
                            r.uplinkBytes(),
                            r.channels()));
        }
        return inst.withRequests(rs);
    }

    static double served(Schedule s, Instance inst, boolean tokens) {
        if (!tokens) {
            return s.batches().stream().mapToInt(b -> b.requests().size()).sum();
        }
        Map<String, Request> byId = new LinkedHashMap<>();
        inst.requests().forEach(r -> byId.put(r.id(), r));
        double t = 0;
        for (ScheduledBatch b : s.batches()) {
            for (String id : b.requests()) {
                t += byId.get(id).maxOutputTokens();
            }
        }
        return t;
    }

    static Figure singleNode(
            String id,
            String title,
            Objective obj,
            ComputeModel cm,
            int[] users,
            int n,
            long seed,
            boolean quick) {
        Map<String, List<double[]>> pts = new LinkedHashMap<>();
        for (String a : SINGLE) {
            pts.put(a, new ArrayList<>());
        }
        for (int u : users) {
            Map<String, double[]> vals = new LinkedHashMap<>();
            for (String a : SINGLE) {
                vals.put(a, new double[n]);
            }
            for (int k = 0; k < n; k++) {
                Instance inst = base(new Random(seed * 1_000_003L + u * 1009L + k), u, 1, obj, cm);
                for (String a : SINGLE) {
                    if (a.equals("brute-force") && u > (quick ? 10 : 16)) {
                        continue;
                    }
                    Scheduler s = Algorithms.byName(a, seed + k, 8);
                    vals.get(a)[k] = served(s.solve(inst, BUDGET), inst, obj == Objective.TOKENS);
                }
            }
            for (String a : SINGLE) {
                if (a.equals("brute-force") && u > (quick ? 10 : 16)) {
                    continue;
                }
                pts.get(a).add(point(u, vals.get(a)));
            }
        }
        return new Figure(
                id,
                title,
                "users (N)",
                obj == Objective.TOKENS ? "served output tokens" : "served requests",
                false,
                toSeries(pts),
                "Brute force is run while tractable (N <= 16) and coincides with OT-GAH, which is exact on one node.");
    }

    static Figure sweep(
            String id,
            String title,
            String xLabel,
            double[] xs,
            int n,
            long seed,
            BiFunction<Instance, Double, Instance> change,
            String note) {
        String[] algs = {"ot-gah", "static", "fcfs", "edf", "smallest-kv"};
        Map<String, List<double[]>> pts = new LinkedHashMap<>();
        for (String a : algs) {
            pts.put(a, new ArrayList<>());
        }
        for (double x : xs) {
            Map<String, double[]> vals = new LinkedHashMap<>();
            for (String a : algs) {
                vals.put(a, new double[n]);
            }
            for (int k = 0; k < n; k++) {
                Instance inst =
                        change.apply(
                                base(
                                        new Random(seed * 1_000_003L + k),
                                        30,
                                        1,
                                        Objective.REQUESTS,
                                        ComputeModel.ROOFLINE),
                                x);
                for (String a : algs) {
                    vals.get(a)[k] =
                            served(
                                    Algorithms.byName(a, seed + k, 8).solve(inst, BUDGET),
                                    inst,
                                    false);
                }
            }
            for (String a : algs) {
                pts.get(a).add(point(x, vals.get(a)));
            }
        }
        return new Figure(id, title, xLabel, "served requests", false, toSeries(pts), note);
    }

    static List<Figure> otVsBruteForce(int[] sizes, int n, long seed) {
        Map<String, List<double[]>> time = new LinkedHashMap<>();
        Map<String, List<double[]>> work = new LinkedHashMap<>();
        for (String s : new String[] {"OT time (µs)", "brute force time (µs)"}) {
            time.put(s, new ArrayList<>());
        }
        for (String s :
                new String[] {
                    "OT feasibility checks", "brute force feasibility checks", "OT nodes visited"
                }) {
            work.put(s, new ArrayList<>());
        }
        for (int size : sizes) {
            double[] ot = new double[n];
            double[] bf = new double[n];
            double[] otc = new double[n];
            double[] bfc = new double[n];
            double[] otn = new double[n];
            for (int k = 0; k < n; k++) {
                Random rnd = new Random(seed * 1_000_003L + size * 7919L + k);
                Instance inst =
                        RandomInstances.generate(rnd, RandomInstances.randomSpec(rnd, size, 1));
                EdgeNode node = inst.nodes().get(0);
                long t = System.nanoTime();
                NodeSolution a = OptimalTreeSearch.solve(inst, node, SearchBudget.UNLIMITED);
                ot[k] = (System.nanoTime() - t) / 1000.0;
                int[] all = new int[size];
                for (int i = 0; i < size; i++) {
                    all[i] = i;
                }
                t = System.nanoTime();
                NodeSolution b = BruteForce.solve(inst, node, all, inst.profits());
                bf[k] = (System.nanoTime() - t) / 1000.0;
                otc[k] = a.feasibilityChecks();
                bfc[k] = b.feasibilityChecks();
                otn[k] = a.nodesVisited();
                if (Math.abs(a.value() - b.value()) > 1e-9 * Math.max(1, b.value())) {
                    throw new IllegalStateException("OT and brute force disagree at N=" + size);
                }
            }
            time.get("OT time (µs)").add(point(size, ot));
            time.get("brute force time (µs)").add(point(size, bf));
            work.get("OT feasibility checks").add(point(size, otc));
            work.get("brute force feasibility checks").add(point(size, bfc));
            work.get("OT nodes visited").add(point(size, otn));
        }
        return List.of(
                new Figure(
                        "fig3-time",
                        "OT against brute force: solve time (one node, all profiles)",
                        "users (N)",
                        "µs (log scale)",
                        true,
                        toSeries(time),
                        "The same optimum on every instance (checked while running)."),
                new Figure(
                        "fig3-work",
                        "OT against brute force: feasibility checks and nodes visited",
                        "users (N)",
                        "count (log scale)",
                        true,
                        toSeries(work),
                        "The paper reports OT cutting brute force's time by more than 45%; here the cut is orders of magnitude."));
    }

    static Figure multiNodeRatio(int[] nodes, int n, long seed, boolean quick) {
        Map<String, List<double[]>> pts = new LinkedHashMap<>();
        for (String a : MULTI) {
            pts.put(a, new ArrayList<>());
        }
        pts.put("1/2 guarantee", new ArrayList<>());
        int users = quick ? 8 : 12;
        for (int j : nodes) {
            Map<String, double[]> vals = new LinkedHashMap<>();
            for (String a : MULTI) {
                vals.put(a, new double[n]);
            }
            int used = 0;
            for (int k = 0; used < n && k < 5 * n; k++) {
                Random rnd = new Random(seed * 1_000_003L + j * 101L + k);
                Spec b = RandomInstances.randomSpec(rnd, users, j);
                Instance inst =
                        RandomInstances.generate(
                                rnd,
                                new Spec(
                                        users,
                                        j,
                                        0.8,
                                        b.objective(),
                                        b.computeModel(),
                                        b.model(),
                                        b.profile()));
                double opt =
                        new ExhaustiveOptimum().solve(inst, SearchBudget.UNLIMITED).objective();
                if (opt <= 0) {
                    continue;
                }
                for (String a : MULTI) {
                    vals.get(a)[used] =
                            Algorithms.byName(a, seed + k, 8).solve(inst, BUDGET).objective() / opt;
                }
                used++;
            }
            for (String a : MULTI) {
                pts.get(a).add(point(j, java.util.Arrays.copyOf(vals.get(a), used)));
            }
            pts.get("1/2 guarantee").add(new double[] {j, 0.5, 0});
        }
        return new Figure(
                "fig4-ratio",
                "Several nodes: objective / exhaustive optimum ("
                        + users
                        + " requests, scarce capacity)",
                "nodes",
                "ratio to the optimum",
                false,
                toSeries(pts),
                "GAH is guaranteed half of the optimum; the empirical ratio is far above it.");
    }

    static Figure multiNodeScale(int[] users, int n, long seed) {
        Map<String, List<double[]>> pts = new LinkedHashMap<>();
        for (String a : MULTI) {
            pts.put(a, new ArrayList<>());
        }
        pts.put("certified upper bound", new ArrayList<>());
        for (int u : users) {
            Map<String, double[]> vals = new LinkedHashMap<>();
            for (String a : MULTI) {
                vals.put(a, new double[n]);
            }
            double[] ub = new double[n];
            for (int k = 0; k < n; k++) {
                Instance inst =
                        base(
                                new Random(seed * 1_000_003L + u * 31L + k),
                                u,
                                4,
                                Objective.REQUESTS,
                                ComputeModel.ROOFLINE);
                for (String a : MULTI) {
                    Schedule s =
                            Algorithms.byName(a, seed + k, 8)
                                    .solve(inst, SearchBudget.nodes(2_000));
                    vals.get(a)[k] = s.objective();
                    if (a.equals("ot-gah")) {
                        ub[k] = s.stats().upperBound();
                    }
                }
            }
            for (String a : MULTI) {
                pts.get(a).add(point(u, vals.get(a)));
            }
            pts.get("certified upper bound").add(point(u, ub));
        }
        return new Figure(
                "fig4-scale",
                "Four nodes: objective against users, with OT-GAH's certified upper bound",
                "users (N)",
                "objective (weighted requests)",
                false,
                toSeries(pts),
                "Beyond exhaustive reach, the certified bound says how far from optimal each answer can be. This figure runs OT with 2,000 nodes per call (anytime) to keep 100 instances per point tractable.");
    }

    // ---- instance changes -------------------------------------------------------------------

    interface NodeChange {
        EdgeNode apply(EdgeNode n);
    }

    static Instance withNode(Instance inst, NodeChange c) {
        List<EdgeNode> ns = new ArrayList<>();
        inst.nodes().forEach(nd -> ns.add(c.apply(nd)));
        return inst.withNodes(ns);
    }

    static EdgeNode copy(EdgeNode n, double memory, double up, double down) {
        return n.withResources(memory, up, down);
    }

    static Instance withVariant(Instance inst, Variant v) {
        return withNode(
                inst,
                n ->
                        new EdgeNode(
                                n.id(),
                                40e9,
                                n.reserveBytes(),
                                1555e9,
                                312e12,
                                624e12,
                                1248e12,
                                n.efficiency(),
                                n.uplinkHz(),
                                n.downlinkHz(),
                                n.busyUntil(),
                                List.of(v)));
    }

    static Instance withBudget(Instance inst, double seconds) {
        Random rnd = new Random(inst.requests().size() * 31L + (long) (seconds * 1000));
        List<Request> rs = new ArrayList<>();
        for (Request r : inst.requests()) {
            double d = inst.t0() + seconds * 1000 * (0.75 + 0.5 * rnd.nextDouble());
            rs.add(
                    new Request(
                            r.id(),
                            r.arrival(),
                            r.promptTokens(),
                            r.maxOutputTokens(),
                            d,
                            r.maxPplIncrease(),
                            r.weight(),
                            r.uplinkBytes(),
                            r.channels()));
        }
        return inst.withRequests(rs);
    }

    // ---- statistics and output ---------------------------------------------------------------

    static double[] point(double x, double[] v) {
        int n = v.length;
        if (n == 0) {
            return new double[] {x, Double.NaN, 0};
        }
        double mean = 0;
        for (double d : v) {
            mean += d;
        }
        mean /= n;
        double var = 0;
        for (double d : v) {
            var += (d - mean) * (d - mean);
        }
        double sd = n > 1 ? Math.sqrt(var / (n - 1)) : 0;
        return new double[] {x, mean, 1.96 * sd / Math.sqrt(n)};
    }

    static List<Series> toSeries(Map<String, List<double[]>> pts) {
        List<Series> out = new ArrayList<>();
        pts.forEach((k, v) -> out.add(new Series(k, v)));
        return out;
    }

    static void writeCsv(Path f, Figure fig) throws IOException {
        StringBuilder sb = new StringBuilder("series,x,mean,ci95\n");
        for (Series s : fig.series()) {
            for (double[] p : s.points()) {
                sb.append(
                        String.format(
                                Locale.ROOT, "%s,%s,%.6g,%.6g%n", s.name(), num(p[0]), p[1], p[2]));
            }
        }
        Files.writeString(f, sb.toString());
    }

    static void writePng(Path f, Figure fig) throws IOException {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        for (Series s : fig.series()) {
            YIntervalSeries ys = new YIntervalSeries(s.name());
            for (double[] p : s.points()) {
                if (!Double.isNaN(p[1]) && (!fig.logY() || p[1] > 0)) {
                    double lo = p[1] - p[2];
                    ys.add(p[0], p[1], fig.logY() ? Math.max(lo, p[1] / 10) : lo, p[1] + p[2]);
                }
            }
            data.addSeries(ys);
        }
        JFreeChart chart =
                ChartFactory.createXYLineChart(
                        fig.title(),
                        fig.x(),
                        fig.y(),
                        data,
                        PlotOrientation.VERTICAL,
                        true,
                        false,
                        false);
        XYPlot plot = chart.getXYPlot();
        DeviationRenderer r = new DeviationRenderer(true, true);
        Color[] colors = JFreePlotRenderer.COLORS;
        for (int i = 0; i < fig.series().size(); i++) {
            Color c = colors[i % colors.length];
            r.setSeriesPaint(i, c);
            r.setSeriesFillPaint(i, new Color(c.getRed(), c.getGreen(), c.getBlue(), 50));
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        if (fig.logY()) {
            LogAxis axis = new LogAxis(fig.y());
            axis.setSmallestValue(1e-1);
            axis.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1.0)); // whole decades
            plot.setRangeAxis(axis);
        }
        ChartUtils.saveChartAsPNG(f.toFile(), chart, 900, 560);
    }

    static String num(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : String.format(Locale.ROOT, "%g", x);
    }

    static String markdown(
            List<Figure> figs, Path dir, int n, long seed, boolean quick, double seconds) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                        "# Results\n\nMade by\n\n```\nmvn -B package -DskipTests\njava -jar bench/target/bench.jar paper --out ")
                .append(dir)
                .append(" --instances ")
                .append(n)
                .append(" --seed ")
                .append(seed)
                .append(quick ? " --quick" : "")
                .append("\n```\n\non a 2-core machine in ")
                .append(String.format(Locale.ROOT, "%.0f", seconds))
                .append(" s. Every point is the mean over ")
                .append(n)
                .append(" seeded random instances (seed ")
                .append(seed)
                .append(
                        " and derived per point) with its 95% confidence interval (± 1.96 standard errors, the shaded band in the plots). ")
                .append(
                        "Instances: Llama-2-7B on datasheet L4, A10 and A100-40GB figures, the `balanced` profile with unit weights unless said; OT runs with a node budget of 200,000 per call. ")
                .append("CSV files beside each plot hold the numbers.\n\n");
        for (Figure f : figs) {
            sb.append("## ")
                    .append(f.title())
                    .append("\n\n![")
                    .append(f.id())
                    .append("](")
                    .append(dir.getFileName())
                    .append('/')
                    .append(f.id())
                    .append(".png)\n\n");
            sb.append("| ").append(f.x());
            for (Series s : f.series()) {
                sb.append(" | ").append(s.name());
            }
            sb.append(" |\n|---");
            for (int i = 0; i < f.series().size(); i++) {
                sb.append("|---");
            }
            sb.append("|\n");
            List<Double> xs = new ArrayList<>();
            for (Series s : f.series()) {
                for (double[] p : s.points()) {
                    if (!xs.contains(p[0])) {
                        xs.add(p[0]);
                    }
                }
            }
            for (double x : xs) {
                sb.append("| ").append(num(x));
                for (Series s : f.series()) {
                    double[] p =
                            s.points().stream().filter(q -> q[0] == x).findFirst().orElse(null);
                    sb.append(" | ")
                            .append(
                                    p == null || Double.isNaN(p[1])
                                            ? "–"
                                            : String.format(
                                                    Locale.ROOT, "%.4g ± %.2g", p[1], p[2]));
                }
                sb.append(" |\n");
            }
            if (f.note() != null) {
                sb.append("\n").append(f.note()).append("\n");
            }
            sb.append("\n");
        }
        return sb.toString();
    }
}
