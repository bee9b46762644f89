package org.edgellm.job.domain;

/**
 * Slot arithmetic shared by the job and the simulator. A domain's slots are [end - slotMs, end)
 * with ends at {@code k * slotMs + phase}: phase 0 aligns every domain's slots (the default, and
 * the only layout before --slot-stagger), {@link #staggeredPhase} spreads the domains' slot ends
 * over the slot so that a task's domains do not all close at the same watermark (see {@code
 * --slot-stagger}).
 */
public final class Slots {
    private Slots() {}

    /** The end of the aligned slot that time t falls in (phase 0). */
    public static long slotEndAfter(long t, long slotMs) {
        return Math.floorDiv(t, slotMs) * slotMs + slotMs;
    }

    /**
     * The end of the slot that time t falls in, for slots ending at {@code k * slotMs + phaseMs}
     * ({@code 0 <= phaseMs < slotMs}): the first such end after t.
     */
    public static long slotEndAfter(long t, long slotMs, long phaseMs) {
        return Math.floorDiv(t - phaseMs, slotMs) * slotMs + slotMs + phaseMs;
    }

    /**
     * The slot an event joins: its own, or, when that slot already closed (the watermark passed its
     * end), the next slot to close (aligned slots).
     */
    public static long slotOf(long eventTime, long watermark, long slotMs) {
        return slotOf(eventTime, watermark, slotMs, 0);
    }

    /** As {@link #slotOf(long, long, long)} for slots of phase phaseMs. */
    public static long slotOf(long eventTime, long watermark, long slotMs, long phaseMs) {
        long slot = slotEndAfter(eventTime, slotMs, phaseMs);
        return slot <= watermark ? slotEndAfter(watermark, slotMs, phaseMs) : slot;
    }

    /**
     * A domain's phase when slots are staggered: a hash of its id spread over [0, slotMs). It
     * depends on the id and the slot length only, so the job, its restarts, replays and the
     * simulator agree on it.
     */
    public static long staggeredPhase(String domain, long slotMs) {
        long h = domain.hashCode() * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return Math.floorMod(h, slotMs);
    }
}
