package org.edgellm.scheduler;

import java.util.List;

/** The algorithms of {@code solve --algorithm}, by name. */
public final class Algorithms {

    /** Every name {@link #byName} accepts. */
    public static final List<String> NAMES =
            List.of(
                    "ot-gah",
                    "gah",
                    "brute-force",
                    "exact",
                    "static",
                    "fcfs",
                    "edf",
                    "smallest-kv",
                    "random",
                    "best-channel",
                    "round-robin");

    private Algorithms() {}

    /**
     * The scheduler of a name, or null when unknown.
     *
     * @param seed seed of {@code random}
     * @param staticBatch K of {@code static}
     */
    public static Scheduler byName(String name, long seed, int staticBatch) {
        return switch (name) {
            case "ot-gah" -> new GeneralizedAssignment(true);
            case "gah" -> new GeneralizedAssignment(false);
            case "brute-force" -> new BruteForceGah();
            case "exact" -> new Exact();
            case "static" -> new GreedyBaseline(GreedyBaseline.Kind.STATIC, staticBatch, seed);
            case "fcfs" -> new GreedyBaseline(GreedyBaseline.Kind.FCFS, staticBatch, seed);
            case "edf" -> new GreedyBaseline(GreedyBaseline.Kind.EDF, staticBatch, seed);
            case "smallest-kv" ->
                    new GreedyBaseline(GreedyBaseline.Kind.SMALLEST_KV, staticBatch, seed);
            case "random" -> new GreedyBaseline(GreedyBaseline.Kind.RANDOM, staticBatch, seed);
            case "best-channel" -> new AssociationBaseline(true);
            case "round-robin" -> new AssociationBaseline(false);
            default -> null;
        };
    }

    /** Brute force per node (the paper's reference), inside plain GAH on several nodes. */
    static final class BruteForceGah implements Scheduler {
        @Override
        public String name() {
            return "brute-force";
        }

        @Override
        public Schedule solve(Instance instance, SearchBudget budget) {
            long t = System.nanoTime();
            Assignment counters = new Assignment(instance);
            Assignment a =
                    GeneralizedAssignment.run(
                            (inst, node, cand, profit, b) ->
                                    BruteForce.solve(inst, node, cand, profit),
                            instance,
                            GeneralizedAssignment.identity(instance.nodes().size()),
                            instance.profits(),
                            budget,
                            counters,
                            null);
            a.count(counters.nodesVisited, counters.feasibilityChecks);
            boolean single = instance.nodes().size() == 1;
            return a.toSchedule(
                    name(), (System.nanoTime() - t) / 1000, single ? a.value() : null, single);
        }
    }

    /** The exact optimum: OT to proven optimality on one node, exhaustion on several. */
    static final class Exact implements Scheduler {
        @Override
        public String name() {
            return "exact";
        }

        @Override
        public Schedule solve(Instance instance, SearchBudget budget) {
            if (instance.nodes().size() > 1) {
                return new ExhaustiveOptimum().solve(instance, budget);
            }
            long t = System.nanoTime();
            NodeSolution s =
                    OptimalTreeSearch.solve(
                            instance, instance.nodes().get(0), SearchBudget.UNLIMITED);
            Assignment a = new Assignment(instance);
            a.count(s);
            a.set(0, s.variant(), s.batch());
            return a.toSchedule(name(), (System.nanoTime() - t) / 1000, s.upperBound(), true);
        }
    }
}
