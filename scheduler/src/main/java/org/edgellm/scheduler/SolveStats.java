package org.edgellm.scheduler;

/**
 * What a solver did.
 *
 * @param algorithm algorithm name as given to {@code solve --algorithm}
 * @param nodesVisited search-tree nodes visited (0 for greedy baselines)
 * @param feasibilityChecks batch feasibility tests made
 * @param solveMicros wall-clock solve time
 * @param upperBound a proven upper bound on the optimum, or null when the algorithm gives none
 * @param provenOptimal whether the objective is proven optimal
 */
public record SolveStats(
        String algorithm,
        long nodesVisited,
        long feasibilityChecks,
        long solveMicros,
        Double upperBound,
        boolean provenOptimal) {}
