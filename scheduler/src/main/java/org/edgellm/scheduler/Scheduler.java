package org.edgellm.scheduler;

/** A slot scheduler: turns one instance into a decision. Implementations are stateless. */
public interface Scheduler {

    /** The name used by {@code solve --algorithm}. */
    String name();

    /** Solves one slot; {@code budget} limits each tree search the algorithm runs. */
    Schedule solve(Instance instance, SearchBudget budget);
}
