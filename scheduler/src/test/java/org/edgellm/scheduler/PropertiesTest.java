package org.edgellm.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.statistics.Statistics;
import org.edgellm.scheduler.bench.RandomInstances;
import org.edgellm.scheduler.bench.RandomInstances.Spec;

/** Properties of the model and the algorithms on seeded random instances of every profile. */
class PropertiesTest {

    static Instance single(long seed, int n) {
        Random rnd = new Random(seed);
        return RandomInstances.generate(rnd, RandomInstances.randomSpec(rnd, n, 1));
    }

    static int[] all(Instance inst) {
        int[] a = new int[inst.requests().size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        return a;
    }

    /** Removing any member of a feasible batch keeps it feasible (spec section 2). */
    @Property(tries = 400)
    void feasibilityIsDownwardClosed(
            @ForAll long seed, @ForAll @IntRange(min = 2, max = 14) int n) {
        Instance inst = single(seed, n);
        EdgeNode node = inst.nodes().get(0);
        Random rnd = new Random(seed);
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            // a random maximal feasible batch in a random order
            int[] order = all(inst);
            for (int i = order.length - 1; i > 0; i--) {
                int r = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[r];
                order[r] = t;
            }
            int[] batch = new int[n];
            int count = 0;
            for (int i : order) {
                batch[count] = i;
                if (f.feasible(batch, count + 1)) {
                    count++;
                }
            }
            assertTrue(f.feasible(batch, count));
            for (int drop = 0; drop < count; drop++) {
                int[] smaller = new int[count - 1];
                for (int k = 0, c = 0; k < count; k++) {
                    if (k != drop) {
                        smaller[c++] = batch[k];
                    }
                }
                assertTrue(f.feasible(smaller, smaller.length), "subset of a feasible batch");
                assertTrue(f.evaluate(smaller, smaller.length).feasible());
            }
        }
    }

    /** The closed-form compute time equals the per-step loop, in both compute models. */
    @Property(tries = 1000)
    void closedFormDecodeEqualsLoop(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 64) int b,
            @ForAll @IntRange(min = 1, max = 8000) int s,
            @ForAll @IntRange(min = 1, max = 2000) int n) {
        Instance inst = single(seed, 1);
        EdgeNode node = inst.nodes().get(0);
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            double closed = f.computeMs(b, s, n);
            double loop = f.computeMsByLoop(b, s, n);
            assertEquals(loop, closed, 1e-9 * loop, "b=" + b + " s=" + s + " n=" + n);
        }
    }

    /** Adding one request incrementally gives the same verdict as the full test. */
    @Property(tries = 300)
    void incrementalEqualsFull(@ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int n) {
        Instance inst = single(seed, n);
        EdgeNode node = inst.nodes().get(0);
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            Feasibility.BatchState cur = new Feasibility.BatchState();
            Feasibility.BatchState next = new Feasibility.BatchState();
            cur.clear();
            int[] members = new int[n];
            int count = 0;
            for (int i = 0; i < n; i++) {
                if (!f.eligible(i)) {
                    continue;
                }
                members[count] = i;
                boolean full = f.feasible(members, count + 1);
                boolean inc = f.tryAdd(cur, i, members, next);
                assertEquals(full, inc, "request " + i + " after " + count);
                if (inc) {
                    count++;
                    Feasibility.BatchState t = cur;
                    cur = next;
                    next = t;
                }
            }
        }
    }

    /**
     * The incremental test as OT's long lists use it, with compute times from a (small, so
     * colliding) compute cache and the band's early rejection from the parent's need, gives the
     * full test's verdict on every step of random insertion orders; half the instances have the
     * band profile, where most rejections are the band's.
     */
    @Property(tries = 300)
    void incrementalWithTheCacheEqualsFull(
            @ForAll long seed, @ForAll @IntRange(min = 2, max = 40) int n) {
        Random rnd = new Random(seed);
        Spec base = RandomInstances.randomSpec(rnd, n, 1);
        Spec spec =
                new Spec(
                        base.requests(),
                        base.nodes(),
                        base.tight(),
                        base.objective(),
                        base.computeModel(),
                        base.model(),
                        rnd.nextBoolean() ? "band" : base.profile());
        Instance inst = RandomInstances.generate(rnd, spec);
        EdgeNode node = inst.nodes().get(0);
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            ComputeCache cache = new ComputeCache(f, 4);
            for (int round = 0; round < 4; round++) {
                Feasibility.BatchState cur = new Feasibility.BatchState();
                Feasibility.BatchState next = new Feasibility.BatchState();
                Feasibility.BatchState plain = new Feasibility.BatchState();
                cur.clear();
                int[] members = new int[n];
                int count = 0;
                int[] order = all(inst);
                for (int i = n - 1; i > 0; i--) {
                    int j = rnd.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                for (int i : order) {
                    if (!f.eligible(i)) {
                        continue;
                    }
                    members[count] = i;
                    boolean full = f.feasible(members, count + 1);
                    boolean inc = f.tryAdd(cur, i, members, next, cache);
                    assertEquals(full, inc, "request " + i + " after " + count);
                    assertEquals(full, f.tryAdd(cur, i, members, plain), "without the cache");
                    if (inc) {
                        assertEquals(plain.computeEnd, next.computeEnd, "the end, bit for bit");
                        assertEquals(plain.downlinkNeed, next.downlinkNeed, "the need");
                        count++;
                        Feasibility.BatchState t = cur;
                        cur = next;
                        next = t;
                    }
                }
            }
        }
    }

    /**
     * OT finds the brute-force optimum (all profiles, both objectives, both compute models), and it
     * prunes: it tests only batches that extend a feasible batch by one request, each at most once.
     * Brute force tests every subset, so wherever some subset is not one request more than a
     * feasible batch, OT must make strictly fewer tests.
     */
    @Property(tries = 2500)
    void otEqualsBruteForceAndPrunes(
            @ForAll long seed, @ForAll @IntRange(min = 1, max = 12) int n) {
        Instance inst = single(seed, n);
        EdgeNode node = inst.nodes().get(0);
        NodeSolution ot = OptimalTreeSearch.solve(inst, node, SearchBudget.UNLIMITED);
        NodeSolution bf = BruteForce.solve(inst, node, all(inst), inst.profits());
        assertEquals(bf.value(), ot.value(), 1e-9 * Math.max(1, bf.value()));
        assertTrue(ot.provenOptimal());
        if (ot.batch().length > 0) {
            Feasibility f = new Feasibility(inst, node, ot.variant());
            assertTrue(f.feasible(ot.batch(), ot.batch().length));
        }
        long extensions = extensionsOfFeasibleBatches(inst, node);
        assertTrue(
                ot.feasibilityChecks() <= extensions,
                "OT made "
                        + ot.feasibilityChecks()
                        + " tests; only "
                        + extensions
                        + " batches extend a feasible one by one request");
        // where extensions < brute force's tests, the bound above makes OT's count strictly
        // smaller: most instances must be of that kind, or this property would test little
        boolean mustPrune = extensions < bf.feasibilityChecks();
        Statistics.label("pruning must happen").collect(mustPrune);
        Statistics.label("pruning must happen")
                .coverage(c -> c.check(true).percentage(p -> p > 30));
    }

    /**
     * Brute force over all subsets, independent of OT: per resident variant, the non-empty sets of
     * eligible requests (C1, C5) that are one request more than a feasible batch (the empty batch
     * included, so every single request counts). The set-enumeration tree reaches each set at most
     * once and extends only feasible batches, so this bounds OT's feasibility tests.
     */
    static long extensionsOfFeasibleBatches(Instance inst, EdgeNode node) {
        long total = 0;
        for (Variant v : node.variants()) {
            Feasibility f = new Feasibility(inst, node, v);
            int[] eligible =
                    java.util.stream.IntStream.range(0, inst.requests().size())
                            .filter(f::eligible)
                            .toArray();
            int m = eligible.length;
            boolean[] feasible = new boolean[1 << m];
            feasible[0] = true;
            int[] members = new int[m];
            for (int mask = 1; mask < 1 << m; mask++) {
                int c = 0;
                for (int k = 0; k < m; k++) {
                    if ((mask >> k & 1) != 0) {
                        members[c++] = eligible[k];
                    }
                }
                feasible[mask] = f.feasible(members, c);
            }
            for (int mask = 1; mask < 1 << m; mask++) {
                for (int k = 0; k < m; k++) {
                    if ((mask >> k & 1) != 0 && feasible[mask & ~(1 << k)]) {
                        total++;
                        break;
                    }
                }
            }
        }
        return total;
    }

    /**
     * With a budget OT stays sound: a feasible batch, a bound at least the optimum. And the budget
     * bounds the search of the call: it stops once it has visited {@code nodes} tree nodes, and a
     * node's children are checked before the next test, so at most one node's children (one per
     * candidate) and one more root come on top.
     */
    @Property(tries = 300)
    void anytimeOtIsSoundAndStaysWithinItsNodeBudget(
            @ForAll long seed,
            @ForAll @IntRange(min = 5, max = 14) int n,
            @ForAll @LongRange(min = 1, max = 30) long nodes) {
        Instance inst = single(seed, n);
        EdgeNode node = inst.nodes().get(0);
        NodeSolution full = OptimalTreeSearch.solve(inst, node, SearchBudget.UNLIMITED);
        double opt = full.value();
        NodeSolution b = OptimalTreeSearch.solve(inst, node, SearchBudget.nodes(nodes));
        assertTrue(
                b.nodesVisited() <= nodes + n,
                b.nodesVisited() + " nodes visited on a budget of " + nodes + " with " + n);
        boolean binds = full.nodesVisited() > nodes + n;
        Statistics.label("the budget binds").collect(binds);
        Statistics.label("the budget binds").coverage(c -> c.check(true).percentage(p -> p > 15));
        assertTrue(b.value() <= opt + 1e-9);
        assertTrue(b.upperBound() >= opt - 1e-9 * Math.max(1, opt), "bound " + b.upperBound());
        if (b.provenOptimal()) {
            assertEquals(opt, b.value(), 1e-9 * Math.max(1, opt));
        }
        if (b.batch().length > 0) {
            assertTrue(
                    new Feasibility(inst, node, b.variant()).feasible(b.batch(), b.batch().length));
        }
    }

    /**
     * GAH (plain and improved) is feasible, assigns each request at most once, reaches half of the
     * exhaustive optimum, and its certified bound is at least the optimum.
     */
    @Property(tries = 150)
    void gahIsFeasibleDisjointAndHalfApproximate(
            @ForAll long seed,
            @ForAll @IntRange(min = 4, max = 11) int n,
            @ForAll @IntRange(min = 2, max = 4) int nodes) {
        Random rnd = new Random(seed);
        Spec base = RandomInstances.randomSpec(rnd, n, nodes);
        Spec spec =
                new Spec(
                        n,
                        nodes,
                        rnd.nextBoolean() ? 0.8 : 1.0,
                        base.objective(),
                        base.computeModel(),
                        base.model(),
                        base.profile());
        Instance inst = RandomInstances.generate(rnd, spec);
        double opt = new ExhaustiveOptimum().solve(inst, SearchBudget.UNLIMITED).objective();
        for (Scheduler s :
                new Scheduler[] {
                    new GeneralizedAssignment(false), new GeneralizedAssignment(true)
                }) {
            Schedule out = s.solve(inst, SearchBudget.UNLIMITED);
            checkSchedule(inst, out);
            assertTrue(out.objective() >= opt / 2 - 1e-9, s.name() + " below half");
            assertTrue(out.objective() <= opt + 1e-9 * Math.max(1, opt));
            assertTrue(out.stats().upperBound() >= opt - 1e-6 * Math.max(1, opt));
        }
    }

    /** Every baseline answers with feasible, disjoint batches. */
    @Property(tries = 100)
    void baselinesAreFeasible(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 12) int n,
            @ForAll @IntRange(min = 1, max = 3) int nodes) {
        Random rnd = new Random(seed);
        Instance inst = RandomInstances.generate(rnd, RandomInstances.randomSpec(rnd, n, nodes));
        double opt = new ExhaustiveOptimum().solve(inst, SearchBudget.UNLIMITED).objective();
        for (String name : Algorithms.NAMES) {
            Schedule out = Algorithms.byName(name, seed, 8).solve(inst, SearchBudget.UNLIMITED);
            checkSchedule(inst, out);
            assertTrue(out.objective() <= opt + 1e-9 * Math.max(1, opt), name + " above optimum");
            if (name.equals("exact") || (nodes == 1 && name.equals("ot-gah"))) {
                assertEquals(opt, out.objective(), 1e-9 * Math.max(1, opt), name);
            }
        }
    }

    static void checkSchedule(Instance inst, Schedule out) {
        Set<String> seen = new HashSet<>();
        Set<String> usedNodes = new HashSet<>();
        double total = 0;
        var idx = inst.requestIndex();
        for (ScheduledBatch b : out.batches()) {
            assertTrue(usedNodes.add(b.node()), "one batch per node");
            EdgeNode node =
                    inst.nodes().stream().filter(x -> x.id().equals(b.node())).findFirst().get();
            Variant v =
                    node.variants().stream()
                            .filter(x -> x.name().equals(b.variant()))
                            .findFirst()
                            .get();
            int[] members = b.requests().stream().mapToInt(idx::get).toArray();
            for (String id : b.requests()) {
                assertTrue(seen.add(id), "request " + id + " assigned twice");
            }
            assertTrue(
                    new Feasibility(inst, node, v).evaluate(members, members.length).feasible(),
                    "batch " + Arrays.toString(members) + " on " + b.node());
            for (int i : members) {
                total += inst.profit(inst.requests().get(i));
            }
        }
        assertEquals(total, out.objective(), 1e-9 * Math.max(1, total));
        assertEquals(inst.requests().size(), seen.size() + out.unassigned().size());
    }
}
