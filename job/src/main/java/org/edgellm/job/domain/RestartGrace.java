package org.edgellm.job.domain;

import java.util.function.LongSupplier;

/**
 * Live exactly-once runs only: the end of the restart grace (wall clock). After the coordinator
 * (re)starts, no batch is reported UNFINISHED for this long, while the heartbeats that arrived
 * during the outage are replayed; nor while the slots close further than the grace behind the wall
 * clock ({@link #behind}). Off (and the clock never read) when the grace is zero, as in
 * at-least-once runs and replays, which decide from event time alone.
 */
public final class RestartGrace {
    private final LongSupplier clock;
    private final long graceMs;
    private final long reportLossAfter;

    public RestartGrace(LongSupplier clock, long restartGraceMs) {
        this.clock = clock;
        this.graceMs = restartGraceMs;
        this.reportLossAfter = restartGraceMs > 0 ? clock.getAsLong() + restartGraceMs : 0;
    }

    /**
     * Whether a slot ending at slotEnd closes more than the grace behind the wall clock: the job is
     * working off a backlog (after a broker outage or a restart), in which one input's partitions
     * can be read ahead of another's, so silence proves nothing yet. Never in runs without grace.
     */
    public boolean behind(long slotEnd) {
        return graceMs > 0 && clock.getAsLong() - slotEnd > graceMs;
    }

    /** Within the grace after a (re)start: no loss is reported yet. */
    public boolean inGrace() {
        return graceMs > 0 && clock.getAsLong() < reportLossAfter;
    }
}
