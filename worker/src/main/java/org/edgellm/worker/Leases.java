package org.edgellm.worker;

import java.io.IOException;
import java.util.List;
import java.util.function.LongSupplier;
import org.edgellm.events.BatchDecision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease bookkeeping of one {@link Worker}: whether a decision's lease is over by the worker's
 * clock, the durable record of a refusal in the worker's {@link FinishedLog}, and the list of
 * recent refusals its heartbeats repeat (docs/reliability.md section 10).
 *
 * <p>What a refusal does beyond that (finished-through passing the decision, the refusal counted)
 * stays with the worker, which does it after {@link #refuse}, so the list already names the refusal
 * when a heartbeat shows finished-through past it.
 */
final class Leases {
    /** Logs under the worker's name, as before this class was split from it. */
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    /** How long a refusal is repeated in the heartbeats (the job settles it long before). */
    static final long REFUSED_REPORTED_MS = 10 * 60_000;

    /** The most refusals one heartbeat carries (the job accepts up to 1000). */
    static final int MAX_REFUSED = 256;

    private final FinishedLog finished;
    private final LongSupplier clock;

    /**
     * The refused decisions the heartbeats repeat (newest first): written before finished-through
     * moves past a later batch, so a heartbeat that shows the move shows the refusal too.
     */
    private volatile List<String> recent = List.of();

    /** Leases judged by {@code clock} (epoch ms); refusals recorded in {@code finished}. */
    Leases(FinishedLog finished, LongSupplier clock) {
        this.finished = finished;
        this.clock = clock;
    }

    /**
     * Whether the decision's lease has ended by this worker's clock: then it must neither start it
     * nor commit its completions. A decision without a lease (before schema v3) never ends.
     */
    boolean over(BatchDecision d) {
        return d.getLeaseUntil() != null && clock.getAsLong() > d.getLeaseUntil().toEpochMilli();
    }

    /**
     * Records the refusal durably (a later copy of the decision is skipped), then names it in
     * {@link #recent}; {@code when} says at which check, for the log.
     */
    void refuse(BatchDecision d, String when) throws IOException {
        LOG.warn(
                "decision {}: its lease ended at {}, {}; refused (the job re-dispatches or reports"
                        + " its {} requests)",
                d.getDecisionId(),
                d.getLeaseUntil(),
                when,
                d.getRequests().size());
        finished.markRefused(d.getDecisionId(), d.getSlotEnd().toEpochMilli());
        reload();
    }

    /**
     * Reads the refusals of the last {@link #REFUSED_REPORTED_MS} from the log (at most {@link
     * #MAX_REFUSED}, newest first): at start, and after each refusal.
     */
    void reload() {
        recent = finished.refusedSince(clock.getAsLong() - REFUSED_REPORTED_MS, MAX_REFUSED);
    }

    /** The refusals the heartbeats repeat, newest first. */
    List<String> recent() {
        return recent;
    }
}
