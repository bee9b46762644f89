package org.edgellm.scheduler;

import static org.edgellm.scheduler.OtOracles.assertSound;
import static org.edgellm.scheduler.OtOracles.plain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * The ninth round's local search: on lists of 64 or more candidates it skips the drops whose refill
 * cannot beat the dropped member, computes the batch without a member in one pass and stops a
 * refill that cannot lift the batch (the same batches with fewer checks); and the box path hands
 * the first batches the search finds to it (the search keeps the optimum).
 */
class OtLocalSearchTest {

    /**
     * The set-up's incumbent (greedy, box and case greedy, local searches) with the savings is the
     * batch without them, request for request, with no more checks (fewer in a share of the tries);
     * below 64 candidates the savings are off.
     */
    @Property(tries = 100)
    void theSavingsKeepTheLocalSearchsBatches(
            @ForAll long seed, @ForAll @IntRange(min = 40, max = 110) int n) {
        Instance inst = OtCaseGreedyTest.instance(seed, n);
        EdgeNode node = inst.nodes().get(0);
        double[] profit = inst.profits();
        boolean fewer = false;
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            OtSearch with = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            OtSearch without = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            if (with.req.length < OtSearch.BOX_MIN) {
                assertFalse(with.incumbent.skipHopelessDrops, "off below 64");
                assertFalse(with.incumbent.directDrops, "off below 64");
            }
            with.incumbent.skipHopelessDrops = true;
            with.incumbent.directDrops = true;
            without.incumbent.skipHopelessDrops = false;
            without.incumbent.directDrops = false;
            with.greedyOnce();
            without.greedyOnce();
            assertArrayEquals(without.bestBatch, with.bestBatch, "the same batch");
            assertEquals(without.bestValue, with.bestValue, 0.0, "the same value");
            assertTrue(
                    with.counters.checks <= without.counters.checks,
                    with.counters.checks + " checks against " + without.counters.checks);
            fewer |= with.counters.checks < without.counters.checks;
            assertSound(f, profit, with);
        }
        Statistics.label("fewer checks").collect(fewer);
        Statistics.label("fewer checks").coverage(c -> c.check(true).percentage(p -> p > 0));
    }

    /**
     * With the box path forced on short lists, the search whose found batches get the local search
     * finds the plain search's optimum, and its batch is feasible and worth its value.
     */
    @Property(tries = 80)
    void foundBatchesImprovedKeepTheOptimum(
            @ForAll long seed, @ForAll @IntRange(min = 32, max = 52) int n) {
        Instance inst = OtCaseGreedyTest.instance(seed, n);
        EdgeNode node = inst.nodes().get(0);
        double[] profit = inst.profits();
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            OtSearch oracle = plain(f, inst, profit);
            oracle.run(0);
            for (int found : new int[] {OtSearch.FOUND_SEARCHES, 1000}) {
                OtSearch s = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
                s.boxMin = 0;
                s.foundSearches = found;
                s.run(0);
                assertEquals(
                        oracle.bestValue,
                        s.bestValue,
                        1e-9 * Math.max(1, oracle.bestValue),
                        "the optimum");
                assertSound(f, profit, s);
            }
        }
    }

    /**
     * On 30 fixed refmodel-style lists of 100 requests: the full search (box path) finds the same
     * optimum with the local search of found batches and the savings as without either, and its
     * batch is sound. The batch without a dropped member that forgets the uploads after it
     * (brokenDrops) yields an infeasible incumbent on some of them.
     */
    @Test
    void fixedLongListsKeepTheOptimumAndABrokenDropShows() {
        int infeasible = 0;
        int improved = 0;
        for (int seed = 0; seed < 30; seed++) {
            Instance inst = OtCaseGreedyTest.refmodel(new Random(2000 + seed), 100);
            EdgeNode node = inst.nodes().get(0);
            double[] profit = inst.profits();
            Feasibility f = new Feasibility(inst, node, node.variants().get(0));
            OtSearch with = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            OtSearch without = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            without.foundSearches = 0;
            without.incumbent.skipHopelessDrops = false;
            without.incumbent.directDrops = false;
            with.run(0);
            without.run(0);
            assertEquals(
                    without.bestValue,
                    with.bestValue,
                    1e-9 * Math.max(1, without.bestValue),
                    "the optimum, seed " + seed);
            assertSound(f, profit, with);
            if (with.counters.nodes < without.counters.nodes) {
                improved++;
            }

            OtSearch broken = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            broken.incumbent.brokenDrops = true;
            broken.greedyOnce();
            int[] b = broken.bestBatch;
            if (b.length > 0 && !f.feasible(b, b.length)) {
                infeasible++;
            }
        }
        assertTrue(infeasible > 0, "the broken drop yields an infeasible batch");
        assertTrue(improved > 0, "fewer nodes on some list");
    }
}
