package org.edgellm.job.domain;

import java.util.List;
import org.edgellm.job.RequestEvent;

/**
 * One batch given to one node in one slot.
 *
 * @param decisionId {@code domain/slotEnd/node}
 * @param certifiedRatio the slot's certified ratio (objective over its upper bound), -1 if unknown
 * @param assumedSlowdown the node's slowdown the plan assumed
 * @param leaseUntilMs the batch's lease (epoch ms): its worker neither starts nor commits it later;
 *     NaN for none (a node that does not report progress, whose batches are not watched)
 */
public record Decision(
        String decisionId,
        String domainId,
        long slotEnd,
        String nodeId,
        String variant,
        String algorithm,
        double uplinkMs,
        double computeStartMs,
        double computeEndMs,
        double certifiedRatio,
        double assumedSlowdown,
        double leaseUntilMs,
        List<Decided> requests) {

    /** A request of the batch with its predicted finish and its shares of the radio band. */
    public record Decided(
            RequestEvent request,
            double predictedFinishMs,
            double uplinkShareHz,
            double downlinkShareHz) {}
}
