package org.edgellm.scheduler;

import java.util.List;

/**
 * A slot decision: at most one batch per node, disjoint, each feasible.
 *
 * @param objective total profit
 * @param batches the non-empty batches
 * @param unassigned ids of the requests in no batch, in instance order
 * @param stats what the solver did
 */
public record Schedule(
        double objective, List<ScheduledBatch> batches, List<String> unassigned, SolveStats stats) {
    public Schedule {
        batches = List.copyOf(batches);
        unassigned = List.copyOf(unassigned);
    }

    /** objective / upperBound, or NaN when there is no bound; 1 when the bound is 0. */
    public double certifiedRatio() {
        Double ub = stats.upperBound();
        if (ub == null) {
            return Double.NaN;
        }
        return ub <= 0 ? 1.0 : Math.min(1.0, objective / ub);
    }
}
