package org.edgellm.scheduler;

import java.util.Arrays;

/**
 * The exact optimum of a whole slot by exhaustion, for small instances: for every node, the best
 * profit of every feasible request set (any variant; enumerated depth first, which is complete by
 * downward closure), then a dynamic program over nodes and the set of still-free requests, which
 * visits every submask of every free set (3^N per node).
 */
public final class ExhaustiveOptimum implements Scheduler {

    /** Largest instance accepted. */
    public static final int MAX_REQUESTS = 18;

    @Override
    public String name() {
        return "exact";
    }

    @Override
    public Schedule solve(Instance instance, SearchBudget budget) {
        long t = System.nanoTime();
        int n = instance.requests().size();
        if (n > MAX_REQUESTS) {
            throw new IllegalArgumentException(
                    "exact: at most " + MAX_REQUESTS + " requests, got " + n);
        }
        double[] profit = instance.profits();
        int nodes = instance.nodes().size();
        int full = 1 << n;
        double[][] fam = new double[nodes][];
        byte[][] famVariant = new byte[nodes][];
        long[] checks = new long[1];
        for (int j = 0; j < nodes; j++) {
            fam[j] = new double[full];
            famVariant[j] = new byte[full];
            Arrays.fill(fam[j], -1);
            fam[j][0] = 0;
            EdgeNode node = instance.nodes().get(j);
            for (int q = 0; q < node.variants().size(); q++) {
                Feasibility f = new Feasibility(instance, node, node.variants().get(q));
                enumerate(
                        f, (byte) q, profit, fam[j], famVariant[j], new int[n], 0, 0, 0, 0, checks);
            }
        }
        // best[j][free] = optimum over nodes j.. with requests in free
        double[][] best = new double[nodes + 1][full];
        int[][] choice = new int[nodes][full];
        for (int j = nodes - 1; j >= 0; j--) {
            double[] f = fam[j];
            double[] next = best[j + 1];
            for (int free = 0; free < full; free++) {
                double b = next[free];
                int pick = 0;
                for (int sub = free; sub > 0; sub = (sub - 1) & free) {
                    double v = f[sub];
                    if (v > 0) {
                        double total = v + next[free & ~sub];
                        if (total > b) {
                            b = total;
                            pick = sub;
                        }
                    }
                }
                best[j][free] = b;
                choice[j][free] = pick;
            }
        }
        Assignment a = new Assignment(instance);
        int free = full - 1;
        for (int j = 0; j < nodes; j++) {
            int pick = choice[j][free];
            if (pick != 0) {
                int[] members = new int[Integer.bitCount(pick)];
                int c = 0;
                for (int i = 0; i < n; i++) {
                    if ((pick >> i & 1) != 0) {
                        members[c++] = i;
                    }
                }
                a.set(j, instance.nodes().get(j).variants().get(famVariant[j][pick]), members);
                free &= ~pick;
            }
        }
        a.count(0, checks[0]);
        double value = a.value(profit);
        return a.toSchedule(name(), (System.nanoTime() - t) / 1000, value, true);
    }

    private static void enumerate(
            Feasibility f,
            byte q,
            double[] profit,
            double[] fam,
            byte[] famVariant,
            int[] members,
            int count,
            int from,
            int mask,
            double value,
            long[] checks) {
        int n = members.length;
        for (int i = from; i < n; i++) {
            if (!f.eligible(i)) {
                continue;
            }
            members[count] = i;
            checks[0]++;
            if (f.feasible(members, count + 1)) {
                int m = mask | (1 << i);
                double v = value + profit[i];
                if (v > fam[m]) {
                    fam[m] = v;
                    famVariant[m] = q;
                }
                enumerate(f, q, profit, fam, famVariant, members, count + 1, i + 1, m, v, checks);
            }
        }
    }
}
