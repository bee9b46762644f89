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
                assertFalse(with.localSearch.skipHopelessDrops, "off below 64");
                assertFalse(with.localSearch.directDrops, "off below 64");
            }
            with.localSearch.skipHopelessDrops = true;
            with.localSearch.directDrops = true;
            without.localSearch.skipHopelessDrops = false;
            without.localSearch.directDrops = false;
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
     * batch is sound; so is the set-up's incumbent (greedy and local searches, with the savings on)
     * by the independent feasibility test. A batch without a dropped member that forgot the uploads
     * after it made that incumbent infeasible on some of these lists.
     */
    @Test
    void fixedLongListsKeepTheOptimumAndASoundIncumbent() {
        int improved = 0;
        for (int seed = 0; seed < 30; seed++) {
            Instance inst = OtCaseGreedyTest.refmodel(new Random(2000 + seed), 100);
            EdgeNode node = inst.nodes().get(0);
            double[] profit = inst.profits();
            Feasibility f = new Feasibility(inst, node, node.variants().get(0));
            OtSearch with = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            OtSearch without = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            without.foundSearches = 0;
            without.localSearch.skipHopelessDrops = false;
            without.localSearch.directDrops = false;
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

            OtSearch greedy = OptimalTreeSearch.searchFor(f, PropertiesTest.all(inst), profit);
            greedy.localSearch.skipHopelessDrops = true; // the savings on, whatever the count
            greedy.localSearch.directDrops = true;
            greedy.greedyOnce();
            assertTrue(greedy.bestBatch.length > 0, "an incumbent, seed " + seed);
            assertSound(f, profit, greedy);
        }
        assertTrue(improved > 0, "fewer nodes on some list");
    }

    /**
     * The one-pass drop the local search relies on: {@link Feasibility#extend} from the state of a
     * feasible batch's first r members, over the members after the dropped r-th, reaches the state
     * that adding them one by one with tryAdd reaches, field for field and bit for bit, whenever
     * every one of those adds succeeds.
     */
    @Property(tries = 100)
    void aDropInOnePassIsTheOneByOneState(
            @ForAll long seed, @ForAll @IntRange(min = 20, max = 110) int n) {
        Instance inst = OtCaseGreedyTest.instance(seed, n);
        EdgeNode node = inst.nodes().get(0);
        int drops = 0;
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            // a feasible batch: every request that fits, in a shuffled order
            int[] order = PropertiesTest.all(inst).clone();
            Random rnd = new Random(seed);
            for (int i = order.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            int[] members = new int[order.length];
            Feasibility.BatchState[] prefix = new Feasibility.BatchState[order.length + 1];
            prefix[0] = new Feasibility.BatchState();
            prefix[0].clear();
            int size = 0;
            for (int x : order) {
                Feasibility.BatchState next = new Feasibility.BatchState();
                if (f.tryAdd(prefix[size], x, members, next)) {
                    members[size++] = x;
                    prefix[size] = next;
                }
            }
            for (int r = 0; r + 1 < size; r++) {
                int[] without = new int[size - 1];
                System.arraycopy(members, 0, without, 0, r);
                System.arraycopy(members, r + 1, without, r, size - 1 - r);
                Feasibility.BatchState cur = new Feasibility.BatchState();
                cur.copyFrom(prefix[r]);
                boolean ok = true;
                for (int q = r; q < size - 1 && ok; q++) {
                    Feasibility.BatchState next = new Feasibility.BatchState();
                    ok = f.tryAdd(cur, without[q], without, next);
                    cur = next;
                }
                if (!ok) {
                    continue; // extend promises the state only when every add succeeds
                }
                Feasibility.BatchState direct = new Feasibility.BatchState();
                assertTrue(f.extend(prefix[r], without, r, size - 1, direct, null), "drop " + r);
                String at = "seed " + seed + " drop " + r;
                assertEquals(cur.size, direct.size, at);
                assertEquals(cur.maxPrompt, direct.maxPrompt, at);
                assertEquals(cur.maxOutput, direct.maxOutput, at);
                assertEquals(cur.uplinkMs, direct.uplinkMs, at);
                assertEquals(cur.minDeadline, direct.minDeadline, at);
                assertEquals(cur.computeEnd, direct.computeEnd, at);
                assertEquals(cur.downlinkNeed, direct.downlinkNeed, at);
                drops++;
            }
        }
        Statistics.label("drops compared").collect(drops > 0);
        Statistics.label("drops compared").coverage(c -> c.check(true).percentage(p -> p > 50));
    }
}
