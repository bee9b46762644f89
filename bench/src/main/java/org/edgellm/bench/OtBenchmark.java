package org.edgellm.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.edgellm.scheduler.BruteForce;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.ExhaustiveOptimum;
import org.edgellm.scheduler.Feasibility;
import org.edgellm.scheduler.GeneralizedAssignment;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.NodeSolution;
import org.edgellm.scheduler.OptimalTreeSearch;
import org.edgellm.scheduler.SearchBudget;
import org.edgellm.scheduler.bench.RandomInstances;
import org.edgellm.scheduler.bench.RandomInstances.Spec;

/**
 * {@code bench.jar ot [--quick] [--seed N] [--out FILE]}: a plain benchmark harness (not a test) of
 * the scheduling core on seeded random instances of every constraint profile. It prints three
 * tables as Markdown:
 *
 * <ol>
 *   <li>OT against brute force on one node, N = 10, 15, 20, 25, in one run: median and p99 solve
 *       time and their ratio, evaluations of constraints or bounds over a set counted the same way
 *       for both (see {@link #compareRow}) and their median per-instance ratio, OT's nodes and
 *       tryAdd calls; it also counts instances where the two optima differ (must be 0).
 *   <li>OT alone for N = 50, 100, 200, 500 on refmodel.py's single-node instances: solve time
 *       without a budget (N = 50) and the share proven optimal within 10 ms of wall clock, 10 ms of
 *       thread CPU time and 20,000 search nodes.
 *   <li>GAH on 2-4 nodes and 10-13 requests with scarce capacity: mean ratio to the exhaustive
 *       optimum of plain GAH and of the improved GAH ({@code ot-gah}).
 * </ol>
 */
public final class OtBenchmark {

    private OtBenchmark() {}

    /**
     * Prints the tables as Markdown (and writes them to {@code file} unless null); returns the exit
     * status.
     *
     * @param quick a small version in seconds
     */
    public static int run(boolean quick, long seed, Path file, PrintStream out, PrintStream err) {
        StringBuilder md = new StringBuilder();
        md.append("Written by `java -jar bench/target/bench.jar ot")
                .append(quick ? " --quick" : "")
                .append(" --seed ")
                .append(seed)
                .append(file != null ? " --out " + file : "")
                .append("` (see benchmarks.md for how to read it).\n\n");
        md.append("## OT against brute force (one node)\n\n");
        md.append(
                "| N | instances | OT median µs | OT p99 µs | BF median µs | BF p99 µs |"
                        + " time ratio BF/OT (medians) | time reduction |"
                        + " OT evaluations (median) | BF evaluations (median) |"
                        + " evaluation ratio (median) | evaluation ratio (min) |"
                        + " OT nodes (median) | OT tryAdd calls (median) | optimum mismatches |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        warmUp(seed);
        int[] sizes = {10, 15, 20, 25};
        int[] counts = quick ? new int[] {10, 10, 5, 0} : new int[] {200, 100, 40, 8};
        for (int si = 0; si < sizes.length; si++) {
            if (counts[si] > 0) {
                md.append(compareRow(sizes[si], counts[si], seed + si));
            }
        }
        md.append(largeTable(quick, seed));
        md.append(
                "\n## GAH against the exhaustive optimum (2-4 nodes, 10-13 requests, scarce)\n\n");
        md.append(
                "| instances | plain GAH mean ratio | plain GAH min | ot-gah mean ratio |"
                        + " ot-gah min | ot-gah = optimum | mean certified ratio (ot-gah / bound) |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        md.append(gahRow(quick ? 10 : 200, seed + 7));
        out.print(md);
        if (file != null) {
            try {
                Files.writeString(file, md.toString());
            } catch (IOException e) {
                err.println(file + ": " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    /**
     * Solves instances of every size of the table before timing any: a size first met in the timed
     * rows would take paths the JIT has not seen and time its recompilation (a long-running job has
     * long compiled them).
     */
    private static void warmUp(long seed) {
        Random rnd = new Random(seed ^ 0x5DEECE66DL);
        int[] sizes = {10, 15, 20, 25};
        for (int k = 0; k < 1200; k++) {
            int n = sizes[k % sizes.length];
            Instance inst = RandomInstances.generate(rnd, RandomInstances.randomSpec(rnd, n, 1));
            OptimalTreeSearch.solve(inst, inst.nodes().get(0), SearchBudget.UNLIMITED);
            if (k < 40 && n <= 15) {
                BruteForce.solve(inst, inst.nodes().get(0), all(inst), inst.profits());
            }
        }
    }

    private static int[] all(Instance inst) {
        int[] a = new int[inst.requests().size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        return a;
    }

    /**
     * OT against brute force on {@code count} instances of N requests. Evaluations are counted the
     * same way for both: every evaluation of C1-C5 over a set made through {@link Feasibility}
     * (tryAdd, feasible, evaluate, computeMs, memoryFits, maxBatchForMemory: OT's preparation of
     * each tree level included) plus every bound over a set (OT's root and node bounds); brute
     * force makes one feasibility evaluation per subset and variant and no bounds.
     */
    private static String compareRow(int n, int count, long seed) {
        Random rnd = new Random(seed);
        long[] otT = new long[count];
        long[] bfT = new long[count];
        long[] otNodes = new long[count];
        long[] otTryAdd = new long[count];
        long[] otEval = new long[count];
        long[] bfEval = new long[count];
        double[] reduction = new double[count];
        int mismatches = 0;
        for (int k = 0; k < count; k++) {
            Instance inst = RandomInstances.generate(rnd, RandomInstances.randomSpec(rnd, n, 1));
            EdgeNode node = inst.nodes().get(0);
            long t = System.nanoTime();
            Feasibility[] tests = new Feasibility[node.variants().size()];
            for (int q = 0; q < tests.length; q++) {
                tests[q] = new Feasibility(inst, node, node.variants().get(q));
            }
            NodeSolution ot =
                    OptimalTreeSearch.solve(
                            tests, all(inst), inst.profits(), SearchBudget.UNLIMITED);
            otT[k] = (System.nanoTime() - t) / 1000;
            t = System.nanoTime();
            NodeSolution bf = BruteForce.solve(inst, node, all(inst), inst.profits());
            bfT[k] = (System.nanoTime() - t) / 1000;
            otNodes[k] = ot.nodesVisited();
            otTryAdd[k] = ot.feasibilityChecks();
            long evals = ot.boundEvaluations();
            for (Feasibility f : tests) {
                evals += f.evaluations();
            }
            otEval[k] = evals;
            bfEval[k] = bf.feasibilityChecks() + bf.boundEvaluations();
            reduction[k] = (double) bfEval[k] / Math.max(1, otEval[k]);
            if (Math.abs(ot.value() - bf.value()) > 1e-9 * Math.max(1, bf.value())) {
                mismatches++;
            }
        }
        double[] red = reduction.clone();
        Arrays.sort(red);
        double timeRatio = (double) pct(bfT, 50) / Math.max(1, pct(otT, 50));
        return String.format(
                "| %d | %d | %d | %d | %d | %d | %,.0fx | %.2f%% | %d | %d | %,.0fx | %,.0fx | %d | %d | %d |%n",
                n,
                count,
                pct(otT, 50),
                pct(otT, 99),
                pct(bfT, 50),
                pct(bfT, 99),
                timeRatio,
                100.0 * (1 - 1 / timeRatio),
                pct(otEval, 50),
                pct(bfEval, 50),
                red[red.length / 2],
                red[0],
                pct(otNodes, 50),
                pct(otTryAdd, 50),
                mismatches);
    }

    /** Budgets of the large-instance table. */
    static final long LARGE_MICROS = 10_000;

    static final long LARGE_NODES = 20_000;

    /**
     * The table of OT alone on large single-node instances of refmodel's generator (see {@link
     * #refmodelSingle}): solve time without a budget (N = 50) and the share proven optimal within
     * 10 ms of wall-clock time, 10 ms of the solving thread's CPU time and 20,000 search nodes.
     */
    static String largeTable(boolean quick, long seed) {
        StringBuilder md = new StringBuilder();
        md.append("\n## OT alone on large single-node instances\n\n");
        md.append(
                "Instances: the single-node instances of refmodel.py's generator (profiles balanced,"
                        + " memory, band, deadline; objective, compute model and architecture each"
                        + " half and half, as check-solve draws them). A search is proven when OT"
                        + " finishes (or its bound meets its incumbent) within the budget.\n\n");
        md.append(
                "| N | instances | unlimited median µs | unlimited p95 µs | unlimited max µs |"
                        + " proven within 10 ms wall clock | proven within 10 ms thread CPU |"
                        + " proven within 20,000 nodes | median nodes (10 ms CPU) |"
                        + " proven within 10 ms CPU: balanced / memory / band / deadline |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        int[] large = {50, 100, 200, 500};
        warmUpLarge(large, quick ? 10 : LARGE_WARMUP, seed);
        for (int n : large) {
            md.append(largeRow(n, quick ? 5 : 100, seed + n, n <= 50));
        }
        return md.toString();
    }

    /** Instances of every large size solved before the large table's rows (see warmUpLarge). */
    static final int LARGE_WARMUP = 300;

    /**
     * Solves {@code perSize} other instances of every large size with the table's CPU budget before
     * any row is timed. The small-list warm-up ({@link #warmUp}) never takes the long-list paths
     * (the greedy incumbent from 32 candidates, the padding boxes from 64, the band sweep), so
     * without this the first rows timed their compilation: 73 / 53 / 22 % proven within 10 ms at N
     * = 100 / 200 / 500 cold, 83 / 69 / 27 % after 300 instances per size (twenty-sixth session,
     * docs/benchmarks.md), which is what a job that has run for a while sees.
     */
    static void warmUpLarge(int[] sizes, int perSize, long seed) {
        for (int n : sizes) {
            Random rnd = new Random((seed + n) ^ 0x5DEECE66DL);
            for (int k = 0; k < perSize; k++) {
                Instance inst = RandomInstances.generate(rnd, refmodelSingle(rnd, n));
                OptimalTreeSearch.solve(
                        inst, inst.nodes().get(0), SearchBudget.cpuMicros(LARGE_MICROS));
            }
        }
    }

    /** Profiles of refmodel.py's random_instance (it has no accuracy profile). */
    static final List<String> REFMODEL_PROFILES = List.of("balanced", "memory", "band", "deadline");

    /**
     * The settings of a single-node instance drawn like check-solve draws refmodel.py's: a random
     * profile of four, objective, compute model and architecture each with probability 1/2. {@link
     * RandomInstances} mirrors random_instance otherwise (GPUs, variants, channels, requests).
     */
    static Spec refmodelSingle(Random rnd, int n) {
        return new Spec(
                n,
                1,
                1.0,
                rnd.nextBoolean()
                        ? org.edgellm.scheduler.Objective.REQUESTS
                        : org.edgellm.scheduler.Objective.TOKENS,
                rnd.nextBoolean()
                        ? org.edgellm.scheduler.ComputeModel.ROOFLINE
                        : org.edgellm.scheduler.ComputeModel.FLOPS,
                rnd.nextBoolean() ? RandomInstances.SMALL_1B : RandomInstances.LLAMA2_7B,
                REFMODEL_PROFILES.get(rnd.nextInt(REFMODEL_PROFILES.size())));
    }

    private static String largeRow(int n, int count, long seed, boolean unlimited) {
        Random rnd = new Random(seed);
        List<Long> times = new ArrayList<>();
        int provenWall = 0;
        int provenCpu = 0;
        int provenNodes = 0;
        long[] nodes = new long[count];
        int[] perProfile = new int[REFMODEL_PROFILES.size()];
        int[] perProfileProven = new int[REFMODEL_PROFILES.size()];
        for (int k = 0; k < count; k++) {
            Spec spec = refmodelSingle(rnd, n);
            Instance inst = RandomInstances.generate(rnd, spec);
            EdgeNode node = inst.nodes().get(0);
            if (unlimited) {
                long t = System.nanoTime();
                OptimalTreeSearch.solve(inst, node, SearchBudget.UNLIMITED);
                times.add((System.nanoTime() - t) / 1000);
            }
            if (OptimalTreeSearch.solve(inst, node, SearchBudget.micros(LARGE_MICROS))
                    .provenOptimal()) {
                provenWall++;
            }
            NodeSolution cpu =
                    OptimalTreeSearch.solve(inst, node, SearchBudget.cpuMicros(LARGE_MICROS));
            int p = REFMODEL_PROFILES.indexOf(spec.profile());
            perProfile[p]++;
            if (cpu.provenOptimal()) {
                provenCpu++;
                perProfileProven[p]++;
            }
            nodes[k] = cpu.nodesVisited();
            if (OptimalTreeSearch.solve(inst, node, SearchBudget.nodes(LARGE_NODES))
                    .provenOptimal()) {
                provenNodes++;
            }
        }
        long[] ts = times.stream().mapToLong(Long::longValue).toArray();
        StringBuilder byProfile = new StringBuilder();
        for (int p = 0; p < perProfile.length; p++) {
            byProfile.append(p == 0 ? "" : " / ").append(perProfileProven[p]).append('/');
            byProfile.append(perProfile[p]);
        }
        return String.format(
                "| %d | %d | %s | %s | %s | %.1f%% | %.1f%% | %.1f%% | %d | %s |%n",
                n,
                count,
                unlimited ? Long.toString(pct(ts, 50)) : "-",
                unlimited ? Long.toString(pct(ts, 95)) : "-",
                unlimited ? Long.toString(pct(ts, 100)) : "-",
                100.0 * provenWall / count,
                100.0 * provenCpu / count,
                100.0 * provenNodes / count,
                pct(nodes, 50),
                byProfile);
    }

    private static String gahRow(int count, long seed) {
        Random rnd = new Random(seed);
        double plainSum = 0;
        double plainMin = 1;
        double impSum = 0;
        double impMin = 1;
        double certSum = 0;
        int equal = 0;
        int used = 0;
        GeneralizedAssignment plain = new GeneralizedAssignment(false);
        GeneralizedAssignment improved = new GeneralizedAssignment(true);
        ExhaustiveOptimum exact = new ExhaustiveOptimum();
        for (int k = 0; k < count; k++) {
            Spec base = RandomInstances.randomSpec(rnd, 10 + rnd.nextInt(4), 2 + rnd.nextInt(3));
            Spec spec =
                    new Spec(
                            base.requests(),
                            base.nodes(),
                            0.8,
                            base.objective(),
                            base.computeModel(),
                            base.model(),
                            base.profile());
            Instance inst = RandomInstances.generate(rnd, spec);
            double opt = exact.solve(inst, SearchBudget.UNLIMITED).objective();
            if (opt <= 0) {
                continue;
            }
            used++;
            double p = plain.solve(inst, SearchBudget.UNLIMITED).objective() / opt;
            var imp = improved.solve(inst, SearchBudget.UNLIMITED);
            double i = imp.objective() / opt;
            plainSum += p;
            plainMin = Math.min(plainMin, p);
            impSum += i;
            impMin = Math.min(impMin, i);
            certSum += imp.certifiedRatio();
            if (i >= 1 - 1e-9) {
                equal++;
            }
        }
        return String.format(
                "| %d | %.4f | %.4f | %.4f | %.4f | %.1f%% | %.4f |%n",
                used,
                plainSum / used,
                plainMin,
                impSum / used,
                impMin,
                100.0 * equal / used,
                certSum / used);
    }

    static long pct(long[] xs, int p) {
        if (xs.length == 0) {
            return 0;
        }
        long[] s = xs.clone();
        Arrays.sort(s);
        int idx = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, idx))];
    }
}
