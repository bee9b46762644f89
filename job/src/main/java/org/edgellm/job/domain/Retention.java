package org.edgellm.job.domain;

/**
 * Forgets what a domain no longer needs, once a minute of event time: the channels of users silent
 * for ten channel ages, and request ids a minute past their deadline (a repeated id after that is a
 * new request). Domains clean in different slots (staggered by a hash of their id).
 */
public final class Retention {
    static final long PERIOD_MS = 60_000L;

    private Retention() {}

    /** Where slotEnd lies in the domain's cleaning minute: it cleans where this is below a slot. */
    static long cleanPhase(long slotEnd, String domain) {
        return Math.floorMod(slotEnd + domain.hashCode() * 7919L, PERIOD_MS);
    }

    /** The slot end (of phase phaseMs) of the domain's next cleaning after slotEnd. */
    public static long nextClean(long slotEnd, String domain, long slotMs, long phaseMs) {
        return Slots.slotEndAfter(
                slotEnd + PERIOD_MS - cleanPhase(slotEnd, domain) - 1, slotMs, phaseMs);
    }

    /** Cleans when slotEnd is the domain's cleaning slot. */
    static void maybeClean(
            long slotEnd, String domain, long slotMs, long maxChannelAgeMs, DomainState state) {
        if (cleanPhase(slotEnd, domain) >= slotMs) {
            return;
        }
        state.forgetChannelsBefore(slotEnd - 10 * maxChannelAgeMs);
        state.forgetIdsBefore(slotEnd - 60_000.0);
    }
}
