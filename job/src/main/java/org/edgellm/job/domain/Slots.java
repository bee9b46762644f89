package org.edgellm.job.domain;

/** Slot arithmetic shared by the job and the simulator. */
public final class Slots {
    private Slots() {}

    /** The end of the slot that time t falls in (slots are [end - slotMs, end)). */
    public static long slotEndAfter(long t, long slotMs) {
        return Math.floorDiv(t, slotMs) * slotMs + slotMs;
    }

    /**
     * The slot an event joins: its own, or, when that slot already closed (the watermark passed its
     * end), the next slot to close.
     */
    public static long slotOf(long eventTime, long watermark, long slotMs) {
        long slot = slotEndAfter(eventTime, slotMs);
        return slot <= watermark ? slotEndAfter(watermark, slotMs) : slot;
    }
}
