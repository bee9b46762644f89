package org.edgellm.job.domain;

import org.edgellm.scheduler.Objective;

/**
 * The urgency tie-break of load-price: while a domain's queue is short, each candidate's weight in
 * the slot's solves is raised by at most one per cent, more the closer its deadline, so that among
 * schedules serving as many requests the solver keeps the more urgent ones and leaves those with
 * slack for a later slot.
 *
 * <p>It only breaks ties. With the requests objective and unit weights, a slot's candidates are at
 * most the queue, at most {@link #MAX_QUEUED}, so their raises add up to at most {@code 0.01 * 32 =
 * 0.32}: less than one request, and a schedule serving fewer requests can never outweigh one
 * serving more. With weights, a set of requests outweighs another only if its weight is at least
 * 1/1.01 of the other's. It is off with the tokens objective (a one per cent raise of a request's
 * tokens can outweigh whole tokens elsewhere) and off under the other policies, whose measured
 * figures it would change without being measured with them.
 *
 * <p>It is off on long queues: there the choice among load-price's schedules is driven by the price
 * of node time and the raises measured nothing (speedups 4 and 8 on the Azure hour decided the same
 * with and without; a gate at 64 instead of 32 lost on one seed at speedup 8). See
 * docs/policies.md.
 */
final class UrgencyTieBreak {
    private UrgencyTieBreak() {}

    /** The longest queue (pending requests of the domain at the slot) with the tie-break on. */
    static final int MAX_QUEUED = 32;

    /** The largest raise of a weight. */
    static final double MAX_RAISE = 0.01;

    /** A request this close to its deadline, or closer, gets the largest raise. */
    static final double URGENT_MS = 5000;

    /** Whether this slot's solves raise the weights. */
    static boolean applies(DomainSettings settings, Objective objective, int queued) {
        return settings.urgencyTieBreak()
                && settings.policy().equals(RatePolicies.LOAD_PRICE)
                && objective == Objective.REQUESTS
                && queued <= MAX_QUEUED;
    }

    /**
     * The factor of a request's weight at decision instant t0: 1 plus {@link #MAX_RAISE} times
     * min(1, {@link #URGENT_MS} / time to the deadline). The deadline lies after t0 (later ones are
     * not candidates).
     */
    static double factor(double deadline, double t0) {
        return 1 + MAX_RAISE * Math.min(1.0, URGENT_MS / (deadline - t0));
    }
}
