package org.edgellm.job.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.edgellm.scheduler.Algorithms;
import org.edgellm.scheduler.BatchEvaluation;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Feasibility;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.Request;
import org.edgellm.scheduler.Schedule;
import org.edgellm.scheduler.ScheduledBatch;
import org.edgellm.scheduler.Scheduler;
import org.edgellm.scheduler.SearchBudget;
import org.edgellm.scheduler.Variant;
import org.edgellm.scheduler.bench.RandomInstances;
import org.junit.jupiter.api.Test;

class FastestVariantTest {

    /**
     * OT-GAH's schedules of 300 random instances (one to three nodes, most with two or three
     * resident variants), moved: the same requests on the same nodes, the objective and the
     * unassigned requests unchanged, each batch feasible on its new variant, ending no later than
     * on the solver's, and no feasible variant of its node ending earlier. The batch's own variant,
     * evaluated over the batch alone, gives the solver's timeline (the move compares like with
     * like). Some batches must move, or the test saw nothing.
     */
    @Test
    void everyBatchRunsOnTheFeasibleVariantWhereItEndsFirst() {
        Scheduler otGah = Algorithms.byName("ot-gah", 1, 4);
        int batches = 0;
        int moved = 0;
        for (long seed = 1; seed <= 300; seed++) {
            Random rnd = new Random(seed);
            RandomInstances.Spec spec =
                    RandomInstances.randomSpec(rnd, 6 + rnd.nextInt(18), 1 + rnd.nextInt(3));
            Instance inst = RandomInstances.generate(rnd, spec);
            Schedule s = otGah.solve(inst, SearchBudget.UNLIMITED);
            Map<String, Request> views = new HashMap<>();
            for (Request r : inst.requests()) {
                views.put(r.id(), r);
            }
            Function<List<Request>, Instance> of =
                    rs ->
                            new Instance(
                                    inst.t0(),
                                    inst.objective(),
                                    inst.computeModel(),
                                    inst.bitsPerToken(),
                                    inst.model(),
                                    inst.nodes(),
                                    rs);
            Schedule m = FastestVariant.move(s, inst.requests(), inst.nodes(), of);
            String where = "seed " + seed + " (" + spec + ")";
            assertEquals(s.objective(), m.objective(), where);
            assertEquals(s.unassigned(), m.unassigned(), where);
            assertEquals(s.batches().size(), m.batches().size(), where);
            for (int k = 0; k < s.batches().size(); k++) {
                ScheduledBatch b = s.batches().get(k);
                ScheduledBatch mb = m.batches().get(k);
                assertEquals(b.node(), mb.node(), where);
                assertEquals(b.requests(), mb.requests(), where);
                batches++;
                List<Request> members = b.requests().stream().map(views::get).toList();
                Instance small = of.apply(members);
                EdgeNode node = node(small, b.node());
                BatchEvaluation own = evaluate(small, node, b.variant(), members.size());
                assertTrue(own.feasible(), where);
                assertEquals(
                        b.timeline().computeEndMs(), own.timeline().computeEndMs(), 1e-6, where);
                BatchEvaluation there = evaluate(small, node, mb.variant(), members.size());
                assertTrue(there.feasible(), where + ": " + there.violated());
                double end = mb.timeline().computeEndMs();
                assertEquals(there.timeline().computeEndMs(), end, 1e-9, where);
                assertTrue(end <= b.timeline().computeEndMs(), where);
                for (Variant v : node.variants()) {
                    BatchEvaluation e = evaluate(small, node, v.name(), members.size());
                    if (e.feasible()) {
                        assertTrue(e.timeline().computeEndMs() >= end, where + " " + v.name());
                    }
                }
                if (!mb.variant().equals(b.variant())) {
                    moved++;
                }
            }
        }
        assertTrue(moved > 0 && moved < batches, moved + " of " + batches + " batches moved");
    }

    @Test
    void aScheduleWithNothingToMoveIsReturnedAsItIs() {
        Random rnd = new Random(7);
        Instance inst = RandomInstances.generate(rnd, RandomInstances.randomSpec(rnd, 10, 2));
        Schedule s = new Schedule(0, List.of(), List.of(), null);
        assertSame(s, FastestVariant.move(s, List.of(), inst.nodes(), rs -> inst));
    }

    @Test
    void onlyUnderLoadPriceWithTheFlag() {
        DomainFixtures.Settings s = DomainFixtures.settings();
        s.fastestVariant = true;
        s.policy = RatePolicies.LOAD_PRICE;
        assertTrue(FastestVariant.applies(s.build()));
        for (String other : DomainFixtures.POLICIES_BUT_LOAD_PRICE) {
            s.policy = other;
            assertFalse(FastestVariant.applies(s.build()), other);
        }
        s.policy = RatePolicies.LOAD_PRICE;
        s.fastestVariant = false;
        assertFalse(FastestVariant.applies(s.build()));
    }

    private static EdgeNode node(Instance inst, String id) {
        for (EdgeNode n : inst.nodes()) {
            if (n.id().equals(id)) {
                return n;
            }
        }
        throw new AssertionError("no node " + id);
    }

    private static BatchEvaluation evaluate(Instance inst, EdgeNode node, String variant, int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (Variant v : node.variants()) {
            if (v.name().equals(variant)) {
                return new Feasibility(inst, node, v).evaluate(all, n);
            }
        }
        throw new AssertionError("no variant " + variant);
    }
}
