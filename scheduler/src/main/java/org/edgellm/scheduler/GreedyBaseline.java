package org.edgellm.scheduler;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;

/**
 * Greedy baselines with the same feasibility test (spec section 4). On several nodes each fills the
 * nodes in turn (instance order) from the requests still free. On each node every resident variant
 * is tried and the best batch is kept.
 *
 * <ul>
 *   <li>{@code static}: the first K requests in arrival order that the node can serve at all (a
 *       channel and the accuracy), shrunk from the tail until feasible; K defaults to 8.
 *   <li>{@code fcfs}: arrival order, add a request whenever the batch stays feasible.
 *   <li>{@code edf}: the same in deadline order.
 *   <li>{@code smallest-kv}: the same in order of padded KV length (prompt + output tokens).
 *   <li>{@code random}: the same in a seeded random order.
 * </ul>
 */
public final class GreedyBaseline implements Scheduler {

    /** The request orders. */
    public enum Kind {
        STATIC("static"),
        FCFS("fcfs"),
        EDF("edf"),
        SMALLEST_KV("smallest-kv"),
        RANDOM("random");

        final String wire;

        Kind(String wire) {
            this.wire = wire;
        }
    }

    private final Kind kind;
    private final int staticBatch;
    private final long seed;

    public GreedyBaseline(Kind kind, int staticBatch, long seed) {
        this.kind = kind;
        this.staticBatch = staticBatch;
        this.seed = seed;
    }

    @Override
    public String name() {
        return kind.wire;
    }

    @Override
    public Schedule solve(Instance instance, SearchBudget budget) {
        long t = System.nanoTime();
        double[] profit = instance.profits();
        int n = instance.requests().size();
        int[] order = order(instance);
        boolean[] taken = new boolean[n];
        Assignment a = new Assignment(instance);
        int[] members = new int[n];
        int[] bestMembers = new int[n];
        Feasibility.BatchState[] st = {new Feasibility.BatchState(), new Feasibility.BatchState()};
        for (int j = 0; j < instance.nodes().size(); j++) {
            EdgeNode node = instance.nodes().get(j);
            double best = 0;
            int bestCount = 0;
            Variant bestVariant = null;
            for (Variant v : node.variants()) {
                Feasibility f = new Feasibility(instance, node, v);
                int count = 0;
                if (kind == Kind.STATIC) {
                    for (int i : order) {
                        if (count < staticBatch && !taken[i] && f.eligible(i)) {
                            members[count++] = i;
                        }
                    }
                    while (count > 0) {
                        a.feasibilityChecks++;
                        if (f.feasible(members, count)) {
                            break;
                        }
                        count--;
                    }
                } else {
                    st[0].clear();
                    for (int i : order) {
                        if (taken[i] || !f.eligible(i)) {
                            continue;
                        }
                        a.feasibilityChecks++;
                        if (f.tryAdd(st[0], i, members, st[1])) {
                            members[count++] = i;
                            Feasibility.BatchState tmp = st[0];
                            st[0] = st[1];
                            st[1] = tmp;
                        }
                    }
                }
                double value = 0;
                for (int k = 0; k < count; k++) {
                    value += profit[members[k]];
                }
                if (value > best) {
                    best = value;
                    bestCount = count;
                    bestVariant = v;
                    System.arraycopy(members, 0, bestMembers, 0, count);
                }
            }
            int[] batch = Arrays.copyOf(bestMembers, bestCount);
            for (int i : batch) {
                taken[i] = true;
            }
            a.set(j, bestVariant, batch);
        }
        return a.toSchedule(name(), (System.nanoTime() - t) / 1000, null, false);
    }

    private int[] order(Instance instance) {
        int n = instance.requests().size();
        Integer[] o = new Integer[n];
        for (int i = 0; i < n; i++) {
            o[i] = i;
        }
        Comparator<Integer> byArrival =
                Comparator.comparingDouble(i -> instance.requests().get(i).arrival());
        switch (kind) {
            case STATIC, FCFS -> Arrays.sort(o, byArrival.thenComparing(i -> i));
            case EDF ->
                    Arrays.sort(
                            o,
                            Comparator.<Integer>comparingDouble(
                                            i -> instance.requests().get(i).deadline())
                                    .thenComparing(byArrival)
                                    .thenComparing(i -> i));
            case SMALLEST_KV ->
                    Arrays.sort(
                            o,
                            Comparator.<Integer>comparingInt(
                                            i ->
                                                    instance.requests().get(i).promptTokens()
                                                            + instance.requests()
                                                                    .get(i)
                                                                    .maxOutputTokens())
                                    .thenComparing(byArrival)
                                    .thenComparing(i -> i));
            case RANDOM -> {
                Random rnd = new Random(seed);
                for (int i = n - 1; i > 0; i--) {
                    int r = rnd.nextInt(i + 1);
                    Integer tmp = o[i];
                    o[i] = o[r];
                    o[r] = tmp;
                }
            }
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = o[i];
        }
        return out;
    }
}
