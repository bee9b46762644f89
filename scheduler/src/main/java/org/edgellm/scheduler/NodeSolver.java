package org.edgellm.scheduler;

/** A single-node solver: the best batch on one node among candidate requests. */
@FunctionalInterface
public interface NodeSolver {
    NodeSolution solve(
            Instance instance,
            EdgeNode node,
            int[] candidates,
            double[] profit,
            SearchBudget budget);
}
