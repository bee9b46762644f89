package org.edgellm.scheduler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A working assignment of request indices to nodes (one variant and one batch per node), with the
 * counters of the search that produced it. Solvers build it; {@link #toSchedule} freezes it into a
 * {@link Schedule} with timelines.
 */
public final class Assignment {
    final Instance instance;
    final Variant[] variant;
    final int[][] batch;
    long nodesVisited;
    long feasibilityChecks;

    public Assignment(Instance instance) {
        this.instance = instance;
        int nodes = instance.nodes().size();
        variant = new Variant[nodes];
        batch = new int[nodes][];
        Arrays.fill(batch, new int[0]);
    }

    public Assignment copy() {
        Assignment a = new Assignment(instance);
        System.arraycopy(variant, 0, a.variant, 0, variant.length);
        System.arraycopy(batch, 0, a.batch, 0, batch.length);
        a.nodesVisited = nodesVisited;
        a.feasibilityChecks = feasibilityChecks;
        return a;
    }

    public void set(int node, Variant v, int[] members) {
        variant[node] = members.length == 0 ? null : v;
        batch[node] = members.clone();
    }

    public int[] batch(int node) {
        return batch[node];
    }

    public Variant variant(int node) {
        return variant[node];
    }

    public void count(NodeSolution s) {
        nodesVisited += s.nodesVisited();
        feasibilityChecks += s.feasibilityChecks();
    }

    public void count(long nodes, long checks) {
        nodesVisited += nodes;
        feasibilityChecks += checks;
    }

    /** Per request index: whether some node holds it. */
    public boolean[] assigned() {
        boolean[] a = new boolean[instance.requests().size()];
        for (int[] b : batch) {
            for (int i : b) {
                a[i] = true;
            }
        }
        return a;
    }

    /** Total profit under the instance's objective. */
    public double value(double[] profit) {
        double v = 0;
        for (int[] b : batch) {
            for (int i : b) {
                v += profit[i];
            }
        }
        return v;
    }

    public double value() {
        return value(instance.profits());
    }

    public Schedule toSchedule(
            String algorithm, long solveMicros, Double upperBound, boolean provenOptimal) {
        List<ScheduledBatch> out = new ArrayList<>();
        for (int j = 0; j < batch.length; j++) {
            if (batch[j].length == 0) {
                continue;
            }
            EdgeNode node = instance.nodes().get(j);
            Feasibility f = new Feasibility(instance, node, variant[j]);
            BatchEvaluation e = f.evaluate(batch[j], batch[j].length);
            if (!e.feasible()) {
                throw new IllegalStateException(
                        algorithm + " produced an infeasible batch on " + node.id() + ": " + e);
            }
            List<String> ids = new ArrayList<>();
            for (int i : batch[j]) {
                ids.add(instance.requests().get(i).id());
            }
            out.add(new ScheduledBatch(node.id(), variant[j].name(), ids, e.timeline()));
        }
        boolean[] assigned = assigned();
        List<String> unassigned = new ArrayList<>();
        for (int i = 0; i < assigned.length; i++) {
            if (!assigned[i]) {
                unassigned.add(instance.requests().get(i).id());
            }
        }
        return new Schedule(
                value(),
                out,
                unassigned,
                new SolveStats(
                        algorithm,
                        nodesVisited,
                        feasibilityChecks,
                        solveMicros,
                        upperBound,
                        provenOptimal));
    }
}
