package org.edgellm.job.domain;

import java.util.Map;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.RequestEvent;
import org.edgellm.scheduler.Objective;
import org.edgellm.scheduler.Schedule;
import org.edgellm.scheduler.ScheduledBatch;
import org.edgellm.scheduler.SolveStats;

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
 * <p>On by default ({@code --urgency-tie-break=false} turns it off). It costs search: the solver
 * must prove the most urgent of the batches with the most requests, not just the most requests.
 * Over the Azure hour at 1x that is about a third more OT nodes. It is skipped where urgency cannot
 * tell the candidates apart ({@link #tellsApart}): on the Kafka benchmark's queues of requests with
 * one 15-s budget the raises cost a quarter more solver CPU without it, and the gate takes that
 * away (docs/policies.md; whether 25,000 requests/s over 1,000 domains keeps up on the project's
 * 2-core machine varied from run to run with the flag on, off and gated).
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

    /**
     * The tie-break is skipped when every candidate's time to its deadline (floored at {@link
     * #URGENT_MS}) is within this factor of every other's.
     */
    static final double MIN_SPREAD = 1.25;

    /** Whether this slot's solves may raise the weights (see also {@link #tellsApart}). */
    static boolean applies(DomainSettings settings, Objective objective, int queued) {
        return settings.urgencyTieBreak()
                && settings.policy().equals(RatePolicies.LOAD_PRICE)
                && objective == Objective.REQUESTS
                && queued <= MAX_QUEUED;
    }

    /**
     * Whether urgency tells the slot's candidates apart: among the first {@code limit} requests of
     * the queue whose deadline lies after t0 (the requests the slot's solves draw from), with each
     * one's time to its deadline floored at {@link #URGENT_MS} (below it every raise is the
     * largest), the longest is at least {@link #MIN_SPREAD} times the shortest. When it is not, the
     * raises would differ by less than a fifth of the largest and would only order requests of one
     * latency budget by the instant they arrived (the Kafka benchmark's requests all have 15 s),
     * while they cost the solver its whole-number bounds and its dominance between requests (an
     * earlier deadline would weigh more): the slot is solved with the own weights instead.
     */
    static boolean tellsApart(PendingQueue q, double t0, int limit) {
        double shortest = Double.POSITIVE_INFINITY;
        double longest = 0;
        int seen = 0;
        for (int i = 0; i < q.size && seen < limit; i++) {
            double left = q.get(i).deadline - t0;
            if (left > 0) {
                left = Math.max(left, URGENT_MS);
                shortest = Math.min(shortest, left);
                longest = Math.max(longest, left);
                seen++;
            }
        }
        return seen > 1 && longest >= MIN_SPREAD * shortest;
    }

    /**
     * The factor of a request's weight at decision instant t0: 1 plus {@link #MAX_RAISE} times
     * min(1, {@link #URGENT_MS} / time to the deadline). The deadline lies after t0 (later ones are
     * not candidates).
     */
    static double factor(double deadline, double t0) {
        return 1 + MAX_RAISE * Math.min(1.0, URGENT_MS / (deadline - t0));
    }

    /**
     * A schedule solved with raised weights, restated in the requests' own weights (what the slot
     * reports): the objective is the sum of the decided requests' own weights. The solver's bound,
     * on the raised weights, also bounds the own ones (never larger); when every candidate's own
     * weight is whole, so is the own optimum, and the bound is rounded down. The schedule counts as
     * proven optimal only when the solver proved it and its objective reaches that bound.
     */
    static Schedule inOwnWeights(Schedule s, Map<String, RequestEvent> candidates) {
        double objective = 0;
        for (ScheduledBatch b : s.batches()) {
            for (String id : b.requests()) {
                objective += candidates.get(id).weight;
            }
        }
        SolveStats st = s.stats();
        Double bound = st.upperBound();
        if (bound != null && wholeWeights(candidates)) {
            bound = Math.floor(bound + 1e-9);
        }
        boolean proven = st.provenOptimal() && bound != null && objective >= bound - 1e-9;
        return new Schedule(
                objective,
                s.batches(),
                s.unassigned(),
                new SolveStats(
                        st.algorithm(),
                        st.nodesVisited(),
                        st.feasibilityChecks(),
                        st.solveMicros(),
                        bound,
                        proven));
    }

    private static boolean wholeWeights(Map<String, RequestEvent> candidates) {
        for (RequestEvent r : candidates.values()) {
            if (r.weight != Math.rint(r.weight)) {
                return false;
            }
        }
        return true;
    }
}
