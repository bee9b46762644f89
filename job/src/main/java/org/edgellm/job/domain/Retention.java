package org.edgellm.job.domain;

/**
 * Forgets what a domain no longer needs, every {@value #PERIOD_MS} ms of event time: the channels
 * of users silent for ten channel ages, and request ids {@value #ID_GRACE_MS} ms past their
 * deadline. Domains clean in different slots (staggered by a hash of their id).
 *
 * <p>Why ids may go so soon after their deadline: the ids are remembered to refuse a repeated
 * request (rejected {@code INVALID}, "duplicate request id"). A repeat of a forgotten id carries
 * the same deadline, which lies in the past by then, so it can never be decided: admission rejects
 * it ({@code EXPIRED}, or an earlier reason of {@link Admission}) instead. Either way the repeat
 * gets one rejection and nothing runs twice; only the reason differs. Until 1 December 2026 ids
 * were kept a minute past their deadline and cleaned once a minute (90 s past the deadline on
 * average): at 15,000 requests/s with 15-s budgets that was about 1.6 million ids, most of the
 * keyed state each checkpoint copies and writes (docs/bench-job.md). Until 3 December 2026 they
 * were kept 10 s past it and cleaned every 10 s (15 s past on average, 60 % of a checkpoint at the
 * benchmark's 15-s budgets); now 1 s and every 2 s (2 s past on average): exactly-once checkpoints
 * at 15,000 requests/s went from 9.0 to 6.6 MB and the decision p99 from 314 to 208 ms in a
 * back-to-back pair (docs/bench-job.md). The second of grace covers the deadline's rounding up to
 * whole seconds in the remembered ids ({@code KnownIdBuckets}) with room to spare; nothing else
 * needs it, since a repeat is judged by its own, past, deadline.
 */
public final class Retention {
    static final long PERIOD_MS = 2_000L;

    /** How long past its deadline an id is still remembered (at least; until the next cleaning). */
    static final long ID_GRACE_MS = 1_000L;

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
        state.forgetIdsBefore(slotEnd - (double) ID_GRACE_MS);
    }
}
