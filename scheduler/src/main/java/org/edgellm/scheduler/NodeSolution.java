package org.edgellm.scheduler;

/**
 * The answer of a single-node solver: the chosen variant and batch (request indices of the
 * instance), its profit and the search statistics.
 *
 * @param variant chosen variant, or null when the batch is empty
 * @param batch request indices, in the order the search added them
 * @param value total profit of the batch under the profits the solver was given
 * @param upperBound a proven upper bound on the optimum
 * @param provenOptimal whether {@code value} is proven to be the optimum
 * @param nodesVisited search-tree nodes visited
 * @param feasibilityChecks batch feasibility tests made
 * @param boundEvaluations upper-bound evaluations made (not feasibility checks)
 */
public record NodeSolution(
        Variant variant,
        int[] batch,
        double value,
        double upperBound,
        boolean provenOptimal,
        long nodesVisited,
        long feasibilityChecks,
        long boundEvaluations) {}
