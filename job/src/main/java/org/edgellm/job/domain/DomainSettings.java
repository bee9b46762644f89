package org.edgellm.job.domain;

import java.io.Serializable;

/**
 * The settings the domain logic reads (a plain copy of the job's flags; see {@code JobConfig}).
 *
 * @param slotMs slot length
 * @param outOfOrdernessMs watermark delay, added to t0
 * @param commitDelayMs when decisions become visible after the slot closes, added to t0
 * @param wallClockPlanning live runs: a slot that closes late is planned from the wall clock
 * @param restartGraceMs live runs: after a (re)start nothing is reported UNFINISHED for this long
 * @param maxChannelAgeMs older channel state is not used
 * @param heartbeatTimeoutMs a node heard of before and silent this long gets nothing
 * @param lookaheadMs a node is offered only while its busy-until is within this of the slot end
 * @param maxPending pending requests per domain; beyond, SHED
 * @param maxCandidates requests offered to one slot's solver (earliest deadlines); under the rate
 *     policies the window can grow beyond it with the queue ({@link #window})
 * @param candidateShare under the rate policies, the window grows to this share of the domain's
 *     pending requests when that is more than maxCandidates (0: a fixed window)
 * @param candidateCap the largest window the growth reaches
 * @param policy how a slot's batches are chosen: {@code per-slot} (the most requests now), {@code
 *     throughput-rate} (the most requests per second of GPU time among cut-offs by output length)
 *     {@code padding-rate} (cut-offs by output and by prompt length) or {@code load-price}
 *     (padding-rate's schedules, chosen by the requests served minus those made unservable, less a
 *     price of node time rising with the load); {@link SlotPlanner}
 * @param urgencyTieBreak under load-price, small queues: the urgency tie-break of {@link
 *     UrgencyTieBreak}
 * @param fastestVariant under load-price: each chosen batch runs on its node's variant where it
 *     ends first ({@link FastestVariant})
 * @param scheduler the algorithm's name
 * @param budgetNodes node budget of every OT call (0: none)
 * @param budgetMicros time budget of each solve of a slot (0: none)
 * @param offerUnheardNodes offer work to nodes never heard from (deployments without heartbeats)
 * @param staggerSlots each domain's slots end at its own phase ({@link Slots#staggeredPhase})
 *     instead of every domain's at multiples of slotMs
 * @param admissionEveryMs how often, in event time, admission judges the requests near their
 *     deadline (every pending request ten times less often); 0: every slot ({@link Admission})
 */
public record DomainSettings(
        long slotMs,
        long outOfOrdernessMs,
        long commitDelayMs,
        boolean wallClockPlanning,
        long restartGraceMs,
        long maxChannelAgeMs,
        long heartbeatTimeoutMs,
        long lookaheadMs,
        int maxPending,
        int maxCandidates,
        double candidateShare,
        int candidateCap,
        String policy,
        boolean urgencyTieBreak,
        boolean fastestVariant,
        String scheduler,
        long budgetNodes,
        long budgetMicros,
        boolean offerUnheardNodes,
        boolean staggerSlots,
        long admissionEveryMs)
        implements Serializable {

    /**
     * The candidates one slot offers its solver when the domain holds {@code pending} requests:
     * max-candidates, or under the rate policies (every policy but the paper's per-slot) the given
     * share of the pending requests when that is more, at most the cap. An overloaded domain's
     * earliest deadlines are mostly requests about to expire; a wider window lets the solver reach
     * the cheaper requests behind them (docs/policies.md, "The window grows with the queue").
     */
    public int window(int pending) {
        if (!grows()) {
            return maxCandidates;
        }
        long share = (long) Math.ceil(candidateShare * pending);
        return (int) Math.max(maxCandidates, Math.min(candidateCap, share));
    }

    /** The largest {@link #window} any queue can give: what one slot's batches can hold at most. */
    public int largestWindow() {
        return grows() ? Math.max(maxCandidates, candidateCap) : maxCandidates;
    }

    private boolean grows() {
        return candidateShare > 0 && !policy.equals(RatePolicies.PER_SLOT);
    }

    /** Where the domain's slot ends lie within the slot: 0 unless slots are staggered. */
    public long slotPhaseMs(String domain) {
        return staggerSlots ? Slots.staggeredPhase(domain, slotMs) : 0;
    }

    /** The end of the domain's slot that time t falls in. */
    public long slotEndAfter(String domain, long t) {
        return Slots.slotEndAfter(t, slotMs, slotPhaseMs(domain));
    }

    /**
     * The decision instant of the domain's next slot, for the slot ending at slotEnd decided at t0:
     * the earliest a later slot can start. A slot later, except after a slot off the domain's phase
     * (state restored from aligned slots, or the stagger just switched on), when it comes sooner.
     */
    public double nextT0(String domain, long slotEnd, double t0) {
        return t0 + (slotEndAfter(domain, slotEnd) - slotEnd);
    }
}
