package org.edgellm.scheduler;

import java.util.Set;

/**
 * The full verdict on one batch: every violated constraint, each judged on its own (C3 and C4 only
 * when every member has a channel, C4 only when no deadline is missed), and the timeline when it
 * can be computed.
 *
 * @param violated the violated constraints; empty iff feasible
 * @param timeline the timeline, or null when a member lacks a channel to the node
 */
public record BatchEvaluation(Set<Constraint> violated, Timeline timeline) {

    public BatchEvaluation {
        violated = Set.copyOf(violated);
    }

    public boolean feasible() {
        return violated.isEmpty();
    }
}
