package org.edgellm.job.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.RequestEvent;
import org.edgellm.scheduler.BruteForce;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.NodeSolution;
import org.edgellm.scheduler.Objective;
import org.edgellm.scheduler.OptimalTreeSearch;
import org.edgellm.scheduler.Request;
import org.edgellm.scheduler.Schedule;
import org.edgellm.scheduler.ScheduledBatch;
import org.edgellm.scheduler.SearchBudget;
import org.edgellm.scheduler.SolveStats;
import org.edgellm.scheduler.bench.RandomInstances;
import org.edgellm.scheduler.bench.RandomInstances.Spec;
import org.junit.jupiter.api.Test;

class UrgencyTieBreakTest {

    @Test
    void theRaiseIsAtMostOnePerCentAndGrowsAsTheDeadlineComes() {
        double t0 = 1_000_000;
        assertEquals(1.01, UrgencyTieBreak.factor(t0 + 1, t0), 1e-12);
        assertEquals(1.01, UrgencyTieBreak.factor(t0 + 5000, t0), 1e-12);
        assertEquals(1.005, UrgencyTieBreak.factor(t0 + 10_000, t0), 1e-12);
        assertEquals(1.001, UrgencyTieBreak.factor(t0 + 50_000, t0), 1e-12);
        double before = UrgencyTieBreak.factor(t0 + 1e9, t0);
        assertTrue(before > 1.0);
        for (double left = 1e9; left >= 1; left /= 1.7) {
            double f = UrgencyTieBreak.factor(t0 + left, t0);
            assertTrue(f >= before && f <= 1.01, "time left " + left + ": " + f);
            before = f;
        }
    }

    @Test
    void aFullShortQueueRaisesLessThanOneRequest() {
        // the whole point: the raises of every candidate a gated slot can hold stay below one
        // request, so a schedule serving fewer requests never outweighs one serving more
        assertTrue(UrgencyTieBreak.MAX_QUEUED * UrgencyTieBreak.MAX_RAISE < 1.0);
    }

    @Test
    void onlyUnderLoadPriceWithTheRequestsObjectiveAndAShortQueue() {
        DomainFixtures.Settings s = DomainFixtures.settings();
        s.policy = RatePolicies.LOAD_PRICE;
        s.urgencyTieBreak = true;
        DomainSettings on = s.build();
        assertTrue(UrgencyTieBreak.applies(on, Objective.REQUESTS, 0));
        assertTrue(UrgencyTieBreak.applies(on, Objective.REQUESTS, 32));
        assertFalse(UrgencyTieBreak.applies(on, Objective.REQUESTS, 33));
        assertFalse(UrgencyTieBreak.applies(on, Objective.TOKENS, 5));
        for (String other : DomainFixtures.POLICIES_BUT_LOAD_PRICE) {
            s.policy = other;
            assertFalse(UrgencyTieBreak.applies(s.build(), Objective.REQUESTS, 5), other);
        }
        s.policy = RatePolicies.LOAD_PRICE;
        s.urgencyTieBreak = false;
        assertFalse(UrgencyTieBreak.applies(s.build(), Objective.REQUESTS, 5));
    }

    @Test
    void urgencyMustTellTheCandidatesApart() {
        double t0 = 10_000;
        // one latency budget, arrivals spread over the slot: 14.0-15.0 s to the deadlines
        assertFalse(UrgencyTieBreak.tellsApart(queue(t0, 14_000, 14_500, 14_990), t0, 64));
        // 14 s against 10 s: apart (1.4 >= 1.25); 12 s against 10 s: not (1.2)
        assertTrue(UrgencyTieBreak.tellsApart(queue(t0, 10_000, 14_000), t0, 64));
        assertFalse(UrgencyTieBreak.tellsApart(queue(t0, 10_000, 12_000), t0, 64));
        assertTrue(UrgencyTieBreak.tellsApart(queue(t0, 10_000, 12_500), t0, 64));
        // at most 5 s left: every raise is the largest, so 1 s and 5 s are alike
        assertFalse(UrgencyTieBreak.tellsApart(queue(t0, 1_000, 5_000), t0, 64));
        assertTrue(UrgencyTieBreak.tellsApart(queue(t0, 1_000, 6_250), t0, 64));
        // one candidate breaks no tie; expired requests are not candidates
        assertFalse(UrgencyTieBreak.tellsApart(queue(t0, 30_000), t0, 64));
        assertFalse(UrgencyTieBreak.tellsApart(queue(t0, -500, 0, 30_000), t0, 64));
        assertTrue(UrgencyTieBreak.tellsApart(queue(t0, -500, 10_000, 30_000), t0, 64));
        // only the first limit candidates count: those the slot's solves draw from
        assertFalse(UrgencyTieBreak.tellsApart(queue(t0, -1, 10_000, 10_100, 30_000), t0, 2));
        assertTrue(UrgencyTieBreak.tellsApart(queue(t0, -1, 10_000, 10_100, 30_000), t0, 3));
    }

    /** A queue of requests with the given times from t0 to their deadlines, in that order. */
    private static PendingQueue queue(double t0, double... left) {
        PendingQueue q = new PendingQueue();
        for (int i = 0; i < left.length; i++) {
            RequestEvent r = DomainFixtures.req("r" + i, "u" + i, "d1", 0, 10, 10, 1, 1.0);
            r.deadline = t0 + left[i];
            q.add(r);
        }
        return q;
    }

    /**
     * Against brute force, on random single-node instances with unit weights: with the raised
     * weights OT serves exactly as many requests as the most any feasible batch serves (the
     * tie-break never costs a request), it finds brute force's optimum of the raised weights, and
     * its batch is at least as urgent (sum of the raises) as the unraised optimum's. Some instances
     * must have a strictly more urgent answer, or the test did not meet a tie.
     */
    @Test
    void neverServesFewerAndBreaksTiesTowardsTheUrgent() {
        int moreUrgent = 0;
        int instances = 0;
        for (long seed = 1; instances < 300; seed++) {
            Random rnd = new Random(seed);
            Spec spec = RandomInstances.randomSpec(rnd, 6 + rnd.nextInt(8), 1);
            Instance raw = RandomInstances.generate(rnd, spec);
            double t0 = raw.t0();
            List<Request> unit = new ArrayList<>();
            for (Request r : raw.requests()) {
                if (r.deadline() > t0) {
                    unit.add(r.withWeight(1.0));
                }
            }
            if (unit.size() < 2) {
                continue;
            }
            instances++;
            Instance inst =
                    new Instance(
                            t0,
                            Objective.REQUESTS,
                            raw.computeModel(),
                            raw.bitsPerToken(),
                            raw.model(),
                            raw.nodes(),
                            unit);
            EdgeNode node = inst.nodes().get(0);
            int[] all = new int[unit.size()];
            double[] ones = new double[unit.size()];
            double[] raised = new double[unit.size()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
                ones[i] = 1.0;
                raised[i] = UrgencyTieBreak.factor(unit.get(i).deadline(), t0);
            }
            NodeSolution most = BruteForce.solve(inst, node, all, ones);
            NodeSolution bestRaised = BruteForce.solve(inst, node, all, raised);
            NodeSolution ot =
                    OptimalTreeSearch.solve(inst, node, all, raised, SearchBudget.UNLIMITED);
            String where = "seed " + seed + " (" + spec + ")";
            assertEquals(most.batch().length, ot.batch().length, where);
            assertEquals(bestRaised.value(), ot.value(), 1e-9 * Math.max(1, ot.value()), where);
            double urgencyOt = ot.value() - ot.batch().length;
            double urgencyPlain = sum(raised, most.batch()) - most.batch().length;
            assertTrue(urgencyOt >= urgencyPlain - 1e-12, where);
            if (urgencyOt > urgencyPlain + 1e-9) {
                moreUrgent++;
            }
        }
        assertTrue(moreUrgent > 0, "no instance with a tie between batches of as many requests");
    }

    /**
     * A slot reports its objective in the requests' own weights: the raised objective and bound of
     * the solver become the decided weights and the bound rounded down (whole weights), and a
     * schedule is proven only when it reaches that bound.
     */
    @Test
    void theSlotReportsTheOwnWeightsNotTheRaisedOnes() {
        Map<String, RequestEvent> candidates = new LinkedHashMap<>();
        for (String id : List.of("a", "b", "c", "d")) {
            candidates.put(id, DomainFixtures.req(id, "u-" + id, "d1", 0, 10, 10, 9000, 1.0));
        }
        Schedule raised =
                schedule(List.of(List.of("a", "b"), List.of("c")), 3.021, 3.021, true, "d");
        Schedule own = UrgencyTieBreak.inOwnWeights(raised, candidates);
        assertEquals(3.0, own.objective(), 0.0);
        assertEquals(3.0, own.stats().upperBound(), 0.0);
        assertTrue(own.stats().provenOptimal());
        assertEquals(raised.batches(), own.batches());
        assertEquals(List.of("d"), own.unassigned());

        // a budget stopped the search below its bound: not proven, the bound still rounded down
        Schedule cut =
                UrgencyTieBreak.inOwnWeights(
                        schedule(List.of(List.of("a")), 1.01, 3.5, false, "b", "c", "d"),
                        candidates);
        assertEquals(1.0, cut.objective(), 0.0);
        assertEquals(3.0, cut.stats().upperBound(), 0.0);
        assertFalse(cut.stats().provenOptimal());

        // weights that are not whole: the bound is kept as it is, and the objective below it is
        // not proven even though the solver proved the raised one
        candidates.get("a").weight = 1.5;
        Schedule half =
                UrgencyTieBreak.inOwnWeights(
                        schedule(List.of(List.of("a", "b"), List.of("c")), 3.535, 3.535, true, "d"),
                        candidates);
        assertEquals(3.5, half.objective(), 0.0);
        assertEquals(3.535, half.stats().upperBound(), 0.0);
        assertFalse(half.stats().provenOptimal());
    }

    private static Schedule schedule(
            List<List<String>> batches,
            double objective,
            double bound,
            boolean proven,
            String... unassigned) {
        List<ScheduledBatch> bs = new ArrayList<>();
        for (List<String> b : batches) {
            bs.add(new ScheduledBatch("n", "fp16", b, null));
        }
        return new Schedule(
                objective,
                bs,
                List.of(unassigned),
                new SolveStats("ot-gah", 5, 7, 11, bound, proven));
    }

    private static double sum(double[] profit, int[] batch) {
        double s = 0;
        for (int i : batch) {
            s += profit[i];
        }
        return s;
    }
}
