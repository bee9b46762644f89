package org.edgellm.scheduler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * GAH: the local-ratio generalized-assignment heuristic (spec section 4; Cohen, Katzir and Raz
 * 2006) with OT as the exact single-node solver, a 1/2-approximation.
 *
 * <p>Plain mode visits the nodes in instance order. Improved mode (the default, {@code ot-gah})
 * also tries the reversed order, the orders by KV-cache room and by downlink band, and a few seeded
 * shuffles, keeps the best, then repairs it: each node is re-solved exactly over its own batch plus
 * the unassigned requests, and each pair of nodes is re-filled from their two batches plus the
 * unassigned requests in both orders; a change is kept only when it raises the total. Every
 * candidate answer contains plain GAH's, so the result is never below the 1/2 guarantee.
 *
 * <p>Every answer carries a proven upper bound: the least of the sum over nodes of each node's
 * single-node optimum (or OT's proven bound under a budget) and the total profit of the requests
 * that some node can serve alone.
 */
public final class GeneralizedAssignment implements Scheduler {

    private final boolean improved;
    private final int shuffles;

    public GeneralizedAssignment(boolean improved) {
        this(improved, 4);
    }

    public GeneralizedAssignment(boolean improved, int shuffles) {
        this.improved = improved;
        this.shuffles = shuffles;
    }

    @Override
    public String name() {
        return improved ? "ot-gah" : "gah";
    }

    /** The feasibility test of every (node, variant) of an instance, built once per slot. */
    static java.util.IdentityHashMap<EdgeNode, Feasibility[]> feasibilityTests(Instance instance) {
        java.util.IdentityHashMap<EdgeNode, Feasibility[]> cache =
                new java.util.IdentityHashMap<>();
        for (EdgeNode node : instance.nodes()) {
            Feasibility[] tests = new Feasibility[node.variants().size()];
            for (int q = 0; q < tests.length; q++) {
                tests[q] = new Feasibility(instance, node, node.variants().get(q));
            }
            cache.put(node, tests);
        }
        return cache;
    }

    /** OT with the given feasibility tests. */
    static NodeSolver cachedOt(java.util.IdentityHashMap<EdgeNode, Feasibility[]> tests) {
        return (inst, node, cand, prof, b) ->
                OptimalTreeSearch.solve(tests.get(node), cand, prof, b);
    }

    @Override
    public Schedule solve(Instance instance, SearchBudget budget) {
        long t = System.nanoTime();
        double[] profit = instance.profits();
        int nodes = instance.nodes().size();
        Assignment counters = new Assignment(instance);
        double[] nodeBound = new double[nodes];
        // --budget-micros is the whole slot's: the first pass gets an equal share per node, the
        // bound and the improvements run on what is left and stop when it is spent
        long deadline = budget.maxMicros() > 0 ? t + budget.maxMicros() * 1000L : 0;
        java.util.IdentityHashMap<EdgeNode, Feasibility[]> tests = feasibilityTests(instance);
        NodeSolver cached = cachedOt(tests);
        NodeSolver ot =
                deadline == 0
                        ? cached
                        : (inst, node, cand, prof, b) -> {
                            long left = (deadline - System.nanoTime()) / 1000;
                            return cached.solve(
                                    inst,
                                    node,
                                    cand,
                                    prof,
                                    new SearchBudget(
                                            b.maxNodes(),
                                            Math.max(1, Math.min(left, b.maxMicros()))));
                        };
        SearchBudget share =
                deadline == 0
                        ? budget
                        : new SearchBudget(
                                budget.maxNodes(), Math.max(1, budget.maxMicros() / nodes));
        Assignment best = run(ot, instance, identity(nodes), profit, share, counters, nodeBound);
        double servable = servableProfit(instance, profit, tests);
        double upper;
        if (best.value(profit) >= servable - OptimalTreeSearch.tolerance(servable)) {
            upper = servable; // everything that can be served is: nothing to improve
        } else {
            upper = upperBound(ot, instance, profit, budget, counters, nodeBound, servable);
            if (improved
                    && nodes > 1
                    && best.value(profit) < upper - OptimalTreeSearch.tolerance(upper)
                    && (deadline == 0 || System.nanoTime() < deadline)) {
                for (int[] order : orders(instance)) {
                    if (deadline != 0 && System.nanoTime() >= deadline) {
                        break;
                    }
                    Assignment a = run(ot, instance, order, profit, budget, counters, null);
                    if (a.value(profit) > best.value(profit) + 1e-9) {
                        best = a;
                    }
                }
                if (deadline == 0 || System.nanoTime() < deadline) {
                    best = repair(ot, instance, best, profit, budget, counters);
                }
            }
        }
        double value = best.value(profit);
        best.nodesVisited = counters.nodesVisited;
        best.feasibilityChecks = counters.feasibilityChecks;
        boolean proven = value >= upper - OptimalTreeSearch.tolerance(upper);
        return best.toSchedule(name(), (System.nanoTime() - t) / 1000, upper, proven);
    }

    /**
     * One pass of local-ratio GAH in the given node order. When {@code firstBound} is given, the
     * proven bound of the first node's search over all requests is stored at its index.
     */
    static Assignment run(
            NodeSolver solver,
            Instance instance,
            int[] order,
            double[] profit,
            SearchBudget budget,
            Assignment counters,
            double[] firstBound) {
        int n = instance.requests().size();
        Assignment a = new Assignment(instance);
        int[] holder = new int[n];
        Arrays.fill(holder, -1);
        double[] residual = new double[n];
        int[] cand = new int[n];
        for (int step = 0; step < order.length; step++) {
            int j = order[step];
            int c = 0;
            for (int i = 0; i < n; i++) {
                // node-independent profits: r_ij = p_i - p_{i,h(i)}
                residual[i] = holder[i] < 0 ? profit[i] : profit[i] - profit[i];
                if (residual[i] > 0) {
                    cand[c++] = i;
                }
            }
            NodeSolution s =
                    solver.solve(
                            instance,
                            instance.nodes().get(j),
                            Arrays.copyOf(cand, c),
                            residual,
                            budget);
            counters.count(s);
            if (firstBound != null && step == 0 && c == n) {
                firstBound[j] = s.upperBound();
            }
            for (int i : s.batch()) {
                if (holder[i] >= 0) {
                    int h = holder[i];
                    a.set(h, a.variant(h), without(a.batch(h), i));
                }
                holder[i] = j;
            }
            a.set(j, s.variant(), s.batch());
        }
        return a;
    }

    private static int[] without(int[] b, int x) {
        int[] out = new int[b.length - 1];
        int k = 0;
        for (int i : b) {
            if (i != x) {
                out[k++] = i;
            }
        }
        return out;
    }

    static int[] identity(int n) {
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        return o;
    }

    private List<int[]> orders(Instance instance) {
        int nodes = instance.nodes().size();
        List<int[]> out = new ArrayList<>();
        int[] rev = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            rev[i] = nodes - 1 - i;
        }
        out.add(rev);
        double[] room = new double[nodes];
        double[] band = new double[nodes];
        for (int j = 0; j < nodes; j++) {
            EdgeNode nd = instance.nodes().get(j);
            double w = 0;
            for (Variant v : nd.variants()) {
                w += instance.model().weightBytes(v);
            }
            room[j] = nd.memoryBytes() - nd.reserveBytes() - w;
            band[j] = nd.downlinkHz();
        }
        out.add(sortedBy(room, true));
        out.add(sortedBy(room, false));
        out.add(sortedBy(band, true));
        Random rnd = new Random(nodes * 31L + instance.requests().size());
        for (int k = 0; k < shuffles; k++) {
            int[] o = identity(nodes);
            for (int i = nodes - 1; i > 0; i--) {
                int r = rnd.nextInt(i + 1);
                int tmp = o[i];
                o[i] = o[r];
                o[r] = tmp;
            }
            out.add(o);
        }
        List<int[]> distinct = new ArrayList<>();
        for (int[] o : out) {
            boolean seen = Arrays.equals(o, identity(nodes));
            for (int[] d : distinct) {
                seen |= Arrays.equals(d, o);
            }
            if (!seen) {
                distinct.add(o);
            }
        }
        return distinct;
    }

    private static int[] sortedBy(double[] key, boolean descending) {
        Integer[] o = new Integer[key.length];
        for (int i = 0; i < o.length; i++) {
            o[i] = i;
        }
        Arrays.sort(
                o,
                (a, b) ->
                        descending
                                ? Double.compare(key[b], key[a])
                                : Double.compare(key[a], key[b]));
        int[] out = new int[o.length];
        for (int i = 0; i < o.length; i++) {
            out[i] = o[i];
        }
        return out;
    }

    /** Local search: re-solve single nodes and pairs of nodes; keep strict improvements. */
    static Assignment repair(
            NodeSolver ot,
            Instance instance,
            Assignment start,
            double[] profit,
            SearchBudget budget,
            Assignment counters) {
        Assignment a = start.copy();
        int nodes = instance.nodes().size();
        for (int round = 0; round < 4; round++) {
            boolean changed = false;
            for (int j = 0; j < nodes; j++) {
                int[] pool = union(a.batch(j), unassigned(a));
                double before = sum(a.batch(j), profit);
                NodeSolution s = ot.solve(instance, instance.nodes().get(j), pool, profit, budget);
                counters.count(s);
                if (s.value() > before + 1e-9) {
                    a.set(j, s.variant(), s.batch());
                    changed = true;
                }
            }
            for (int j = 0; j < nodes; j++) {
                for (int k = j + 1; k < nodes; k++) {
                    int[] pool = union(union(a.batch(j), a.batch(k)), unassigned(a));
                    double before = sum(a.batch(j), profit) + sum(a.batch(k), profit);
                    for (int[] pair : new int[][] {{j, k}, {k, j}}) {
                        NodeSolution first =
                                OptimalTreeSearch.solve(
                                        instance,
                                        instance.nodes().get(pair[0]),
                                        pool,
                                        profit,
                                        budget);
                        int[] rest = minus(pool, first.batch());
                        NodeSolution second =
                                OptimalTreeSearch.solve(
                                        instance,
                                        instance.nodes().get(pair[1]),
                                        rest,
                                        profit,
                                        budget);
                        counters.count(first);
                        counters.count(second);
                        if (first.value() + second.value() > before + 1e-9) {
                            a.set(pair[0], first.variant(), first.batch());
                            a.set(pair[1], second.variant(), second.batch());
                            before = first.value() + second.value();
                            changed = true;
                        }
                    }
                }
            }
            if (!changed) {
                break;
            }
        }
        return a;
    }

    private static double sum(int[] b, double[] profit) {
        double s = 0;
        for (int i : b) {
            s += profit[i];
        }
        return s;
    }

    private static int[] unassigned(Assignment a) {
        boolean[] as = a.assigned();
        int c = 0;
        int[] out = new int[as.length];
        for (int i = 0; i < as.length; i++) {
            if (!as[i]) {
                out[c++] = i;
            }
        }
        return Arrays.copyOf(out, c);
    }

    private static int[] union(int[] x, int[] y) {
        int[] out = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, out, x.length, y.length);
        return out;
    }

    private static int[] minus(int[] pool, int[] taken) {
        int[] out = new int[pool.length];
        int c = 0;
        outer:
        for (int i : pool) {
            for (int t : taken) {
                if (t == i) {
                    continue outer;
                }
            }
            out[c++] = i;
        }
        return Arrays.copyOf(out, c);
    }

    /**
     * min(sum over nodes of a proven bound on that node's optimum over all requests, total profit
     * of the requests some node can serve alone).
     */
    static double upperBound(
            NodeSolver ot,
            Instance instance,
            double[] profit,
            SearchBudget budget,
            Assignment counters,
            double[] known,
            double servable) {
        int nodes = instance.nodes().size();
        int n = instance.requests().size();
        int[] all = identity(n);
        double total = 0;
        for (int j = 0; j < nodes && total < servable; j++) {
            double b = known != null && known[j] > 0 ? known[j] : Double.NaN;
            if (Double.isNaN(b)) {
                NodeSolution s = ot.solve(instance, instance.nodes().get(j), all, profit, budget);
                counters.count(s);
                b = s.upperBound();
            }
            total += b;
        }
        return Math.min(total, servable);
    }

    /** Total profit of the requests that some node can serve alone. */
    static double servableProfit(
            Instance instance,
            double[] profit,
            java.util.IdentityHashMap<EdgeNode, Feasibility[]> tests) {
        int n = instance.requests().size();
        boolean[] servableAlone = new boolean[n];
        int[] one = new int[1];
        for (EdgeNode node : instance.nodes()) {
            for (Feasibility f : tests.get(node)) {
                for (int i = 0; i < n; i++) {
                    one[0] = i;
                    if (!servableAlone[i] && f.eligible(i) && f.feasible(one, 1)) {
                        servableAlone[i] = true;
                    }
                }
            }
        }
        double servable = 0;
        for (int i = 0; i < n; i++) {
            if (servableAlone[i]) {
                servable += profit[i];
            }
        }
        return servable;
    }
}
