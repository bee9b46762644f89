package org.edgellm.scheduler;

import static org.edgellm.scheduler.OtOracles.assertSound;
import static org.edgellm.scheduler.OtOracles.plain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import org.edgellm.scheduler.bench.RandomInstances;
import org.junit.jupiter.api.Test;

/**
 * The case greedy of {@link OtIncumbent} (greedy batches over a grid of padding limits, each with a
 * deadline floor estimated for its case): its incumbent is a real feasible batch, no worse than the
 * greedy without it, and the search started from it keeps the optimum.
 */
class OtCaseGreedyTest {

    /** A single-node instance: every profile, or refmodel-style (four profiles) half the time. */
    static Instance instance(long seed, int n) {
        Random rnd = new Random(seed);
        if (rnd.nextBoolean()) {
            return RandomInstances.generate(rnd, RandomInstances.randomSpec(rnd, n, 1));
        }
        return refmodel(rnd, n);
    }

    /** A refmodel-style single-node instance (the bench's large table draws these). */
    static Instance refmodel(Random rnd, int n) {
        String[] profiles = {"balanced", "memory", "band", "deadline"};
        return RandomInstances.generate(
                rnd,
                new RandomInstances.Spec(
                        n,
                        1,
                        1.0,
                        rnd.nextBoolean() ? Objective.REQUESTS : Objective.TOKENS,
                        rnd.nextBoolean() ? ComputeModel.ROOFLINE : ComputeModel.FLOPS,
                        rnd.nextBoolean() ? RandomInstances.SMALL_1B : RandomInstances.LLAMA2_7B,
                        profiles[rnd.nextInt(profiles.length)]));
    }

    /**
     * With the case greedy the set-up's incumbent (local search included) is feasible from scratch,
     * holds no request twice, is worth its value and no less than without the case greedy (it
     * replaces the incumbent only when better); better in a share of the tries. On lists of up to
     * 48 the full search from it finds the plain search's optimum.
     */
    @Property(tries = 120)
    void theCaseGreedyKeepsItsBatchFeasibleAndTheOptimum(
            @ForAll long seed,
            @ForAll @IntRange(min = OptimalTreeSearch.GREEDY_MIN, max = 80) int n) {
        Instance inst = instance(seed, n);
        EdgeNode node = inst.nodes().get(0);
        double[] profit = inst.profits();
        boolean better = false;
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            OtSearch with = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            OtSearch without = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            OtSearch byDefault = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            with.incumbent.caseMin = 0; // forced on below the box path's 64
            without.incumbent.useCases = false;
            with.greedyOnce();
            without.greedyOnce();
            byDefault.greedyOnce();
            if (byDefault.req.length < OtSearch.BOX_MIN) {
                // by default the case greedy leaves lists below 64 alone (the job's lists)
                assertArrayEquals(without.bestBatch, byDefault.bestBatch, "short lists unchanged");
                assertEquals(without.counters.checks, byDefault.counters.checks, "checks");
            }
            assertSound(f, profit, with);
            double tol = 1e-9 * Math.max(1, with.bestValue);
            assertTrue(
                    with.bestValue >= without.bestValue - tol,
                    with.bestValue + " below the greedy's " + without.bestValue);
            better |= with.bestValue > without.bestValue + tol;
            if (n <= 48) {
                OtSearch oracle = plain(f, inst, profit);
                oracle.run(0);
                OtSearch full = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
                full.incumbent.caseMin = 0;
                full.run(0);
                assertEquals(
                        oracle.bestValue,
                        full.bestValue,
                        1e-9 * Math.max(1, oracle.bestValue),
                        "the optimum");
                assertSound(f, profit, full);
            }
        }
        Statistics.label("the case greedy improves the incumbent").collect(better);
        Statistics.label("the case greedy improves the incumbent")
                .coverage(c -> c.check(true).percentage(p -> p > 0));
    }

    /**
     * On 40 fixed refmodel-style lists of 100 requests: the solve with the case greedy (box path,
     * full search) finds the optimum of the solve without it, proven, and its batch is feasible. A
     * case greedy that takes one rejected candidate without its check (caseUnchecked) yields an
     * infeasible incumbent on some of them, which the feasibility check above would catch; and the
     * case greedy without the deadline floor finds lower incumbents in all (the floor is what makes
     * it work).
     */
    @Test
    void fixedLongListsKeepTheOptimumAndBreakagesShow() {
        int infeasible = 0;
        double withFloor = 0;
        double withoutFloor = 0;
        for (int seed = 0; seed < 40; seed++) {
            Instance inst = refmodel(new Random(1000 + seed), 100);
            EdgeNode node = inst.nodes().get(0);
            double[] profit = inst.profits();
            Variant v = node.variants().get(0);
            Feasibility f = new Feasibility(inst, node, v);
            OtSearch with = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            OtSearch without = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            with.incumbent.caseMin = 0;
            without.incumbent.useCases = false;
            with.run(0);
            without.run(0);
            assertEquals(
                    without.bestValue,
                    with.bestValue,
                    1e-9 * Math.max(1, without.bestValue),
                    "the optimum, seed " + seed);
            assertSound(f, profit, with);

            OtSearch broken = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            broken.incumbent.caseUnchecked = true;
            broken.incumbent.caseMin = 0;
            broken.incumbent.useLocalSearch = false;
            broken.greedyOnce();
            int[] b = broken.bestBatch;
            if (b.length > 0 && !f.feasible(b, b.length)) {
                infeasible++;
            }
            for (boolean floor : new boolean[] {true, false}) {
                OtSearch g = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
                g.incumbent.useLocalSearch = false;
                g.incumbent.caseWithoutFloor = !floor;
                g.incumbent.caseMin = 0;
                g.greedyOnce();
                if (floor) {
                    withFloor += g.bestValue;
                } else {
                    withoutFloor += g.bestValue;
                }
            }
        }
        assertTrue(infeasible > 0, "the unchecked case greedy yields an infeasible batch");
        assertTrue(
                withFloor > withoutFloor,
                "the deadline floor: " + withFloor + " against " + withoutFloor);
    }
}
