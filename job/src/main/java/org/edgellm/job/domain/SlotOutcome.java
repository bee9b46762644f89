package org.edgellm.job.domain;

import java.util.List;

/**
 * Everything one closed slot of one domain produced.
 *
 * @param decisions batches, one per used node
 * @param rejections final rejections, in the order they were made
 * @param report the slot report, or null when the scheduler did not run and nothing was rejected
 * @param nextWakeUp the slot end at which the domain needs to run again without new events, or
 *     {@link Long#MIN_VALUE} for none
 * @param pending requests still pending after the slot
 * @param solved whether the scheduler ran and answered (its figures are in the report)
 * @param certifiedRatio the scheduler's certified ratio when it answered (NaN when unknown)
 * @param redispatched requests of batches that will not finish put back in the queue this slot
 */
public record SlotOutcome(
        List<Decision> decisions,
        List<Rejected> rejections,
        SlotSummary report,
        long nextWakeUp,
        int pending,
        boolean solved,
        double certifiedRatio,
        int redispatched) {

    public static final long NONE = Long.MIN_VALUE;
}
