package org.edgellm.job.domain;

import java.util.function.LongSupplier;

/**
 * Live runs only: when the last telemetry record and the last other record arrived (wall clock),
 * and the end of the restart grace. It tells a telemetry stream that lags (wait) from workers that
 * are gone (report their batches). One per coordinator instance; off when the grace is zero.
 */
public final class FeedWatch {
    private final LongSupplier clock;
    private final long graceMs;
    private final long reportLossAfter;
    private long telemetryArrived;
    private long otherArrived;

    public FeedWatch(LongSupplier clock, long restartGraceMs) {
        this.clock = clock;
        this.graceMs = restartGraceMs;
        long now = restartGraceMs > 0 ? clock.getAsLong() : 0; // off: the clock is never read
        this.reportLossAfter = restartGraceMs > 0 ? now + restartGraceMs : 0;
        this.telemetryArrived = now;
        this.otherArrived = now;
    }

    /** Notes the arrival of a record (telemetry or other). */
    public void arrived(boolean telemetry) {
        if (graceMs <= 0) {
            return;
        }
        if (telemetry) {
            telemetryArrived = clock.getAsLong();
        } else {
            otherArrived = clock.getAsLong();
        }
    }

    /** Within the grace after a (re)start: no loss is reported yet. */
    public boolean inGrace() {
        return graceMs > 0 && clock.getAsLong() < reportLossAfter;
    }

    /**
     * No telemetry record arrived for the heartbeat timeout plus the grace while other records kept
     * arriving: the broker works, the workers are gone.
     */
    public boolean allWorkersGone(long heartbeatTimeoutMs) {
        if (graceMs <= 0) {
            return false;
        }
        long now = clock.getAsLong();
        return now - telemetryArrived > heartbeatTimeoutMs + graceMs
                && now - otherArrived <= heartbeatTimeoutMs;
    }
}
