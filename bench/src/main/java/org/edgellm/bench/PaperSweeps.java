package org.edgellm.bench;

import static org.edgellm.bench.PaperFigure.point;
import static org.edgellm.bench.PaperFigure.toSeries;
import static org.edgellm.bench.PaperInstances.base;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.edgellm.scheduler.Algorithms;
import org.edgellm.scheduler.BruteForce;
import org.edgellm.scheduler.ComputeModel;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.ExhaustiveOptimum;
import org.edgellm.scheduler.Feasibility;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.NodeSolution;
import org.edgellm.scheduler.Objective;
import org.edgellm.scheduler.OptimalTreeSearch;
import org.edgellm.scheduler.Request;
import org.edgellm.scheduler.Schedule;
import org.edgellm.scheduler.ScheduledBatch;
import org.edgellm.scheduler.Scheduler;
import org.edgellm.scheduler.SearchBudget;
import org.edgellm.scheduler.bench.RandomInstances;
import org.edgellm.scheduler.bench.RandomInstances.Spec;

/**
 * The runs behind {@code bench.jar paper}: each method solves its seeded instances with the
 * algorithms it compares and returns the figure of means with 95% intervals. OT runs with a node
 * budget ({@link #BUDGET}) so that the results do not depend on the machine.
 */
final class PaperSweeps {

    static final SearchBudget BUDGET = SearchBudget.nodes(200_000);
    static final String[] SINGLE = {
        "ot-gah", "brute-force", "static", "fcfs", "edf", "smallest-kv", "random"
    };
    static final String[] MULTI = {"ot-gah", "gah", "best-channel", "round-robin", "fcfs"};

    private PaperSweeps() {}

    /** The served requests of {@code s}, or their output tokens when {@code tokens}. */
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

    /** One node, {@link #SINGLE} against the number of users; brute force while tractable. */
    static PaperFigure singleNode(
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
        return new PaperFigure(
                id,
                title,
                "users (N)",
                obj == Objective.TOKENS ? "served output tokens" : "served requests",
                false,
                toSeries(pts),
                "Brute force is run while tractable (N <= 16) and coincides with OT-GAH, which is exact on one node.");
    }

    /** One node and 30 users, the single-node algorithms against x as {@code change} applies it. */
    static PaperFigure sweep(
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
        return new PaperFigure(id, title, xLabel, "served requests", false, toSeries(pts), note);
    }

    /**
     * OT (unlimited) against brute force on one node: the time figure and the work figure. Throws
     * if they ever disagree on the optimum.
     */
    static List<PaperFigure> otVsBruteForce(int[] sizes, int n, long seed) {
        Map<String, List<double[]>> time = new LinkedHashMap<>();
        Map<String, List<double[]>> work = new LinkedHashMap<>();
        for (String s : new String[] {"OT time (µs)", "brute force time (µs)"}) {
            time.put(s, new ArrayList<>());
        }
        for (String s :
                new String[] {"OT evaluations", "brute force evaluations", "OT nodes visited"}) {
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
                int[] all = new int[size];
                for (int i = 0; i < size; i++) {
                    all[i] = i;
                }
                long t = System.nanoTime();
                // as bench.jar ot counts: every evaluation of a constraint or of a bound over a
                // set, OT's preparation and bounds included
                Feasibility[] tests = new Feasibility[node.variants().size()];
                for (int q = 0; q < tests.length; q++) {
                    tests[q] = new Feasibility(inst, node, node.variants().get(q));
                }
                NodeSolution a =
                        OptimalTreeSearch.solve(tests, all, inst.profits(), SearchBudget.UNLIMITED);
                ot[k] = (System.nanoTime() - t) / 1000.0;
                t = System.nanoTime();
                NodeSolution b = BruteForce.solve(inst, node, all, inst.profits());
                bf[k] = (System.nanoTime() - t) / 1000.0;
                long evals = a.boundEvaluations();
                for (Feasibility f : tests) {
                    evals += f.evaluations();
                }
                otc[k] = evals;
                bfc[k] = b.feasibilityChecks() + b.boundEvaluations();
                otn[k] = a.nodesVisited();
                if (Math.abs(a.value() - b.value()) > 1e-9 * Math.max(1, b.value())) {
                    throw new IllegalStateException("OT and brute force disagree at N=" + size);
                }
            }
            time.get("OT time (µs)").add(point(size, ot));
            time.get("brute force time (µs)").add(point(size, bf));
            work.get("OT evaluations").add(point(size, otc));
            work.get("brute force evaluations").add(point(size, bfc));
            work.get("OT nodes visited").add(point(size, otn));
        }
        return List.of(
                new PaperFigure(
                        "fig3-time",
                        "OT against brute force: solve time (one node, all profiles)",
                        "users (N)",
                        "µs (log scale)",
                        true,
                        toSeries(time),
                        "The same optimum on every instance (checked while running)."),
                new PaperFigure(
                        "fig3-work",
                        "OT against brute force: evaluations of a constraint or a bound, and nodes"
                                + " visited",
                        "users (N)",
                        "count (log scale)",
                        true,
                        toSeries(work),
                        "The paper reports OT cutting brute force's time by more than 45%; here the cut is orders of magnitude."));
    }

    /**
     * Several nodes with scarce capacity: each algorithm's objective over the exhaustive optimum
     * (instances with optimum 0 are skipped, at most 5n tried).
     */
    static PaperFigure multiNodeRatio(int[] nodes, int n, long seed, boolean quick) {
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
                pts.get(a).add(point(j, Arrays.copyOf(vals.get(a), used)));
            }
            pts.get("1/2 guarantee").add(new double[] {j, 0.5, 0});
        }
        return new PaperFigure(
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

    /** Four nodes beyond exhaustive reach: objectives against users with OT-GAH's bound. */
    static PaperFigure multiNodeScale(int[] users, int n, long seed) {
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
        return new PaperFigure(
                "fig4-scale",
                "Four nodes: objective against users, with OT-GAH's certified upper bound",
                "users (N)",
                "objective (weighted requests)",
                false,
                toSeries(pts),
                "Beyond exhaustive reach, the certified bound says how far from optimal each answer can be. This figure runs OT with 2,000 nodes per call (anytime) to keep 100 instances per point tractable.");
    }
}
