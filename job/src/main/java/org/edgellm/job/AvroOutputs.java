package org.edgellm.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.DecidedRequest;
import org.edgellm.events.Rejection;
import org.edgellm.events.RejectionReason;
import org.edgellm.events.SlotReport;
import org.edgellm.job.domain.Decision;
import org.edgellm.job.domain.Rejected;
import org.edgellm.job.domain.SlotSummary;

/** The domain's outputs as the Avro records of the output topics. */
public final class AvroOutputs {
    private AvroOutputs() {}

    public static BatchDecision decision(Decision d) {
        List<DecidedRequest> rs = new ArrayList<>(d.requests().size());
        for (Decision.Decided x : d.requests()) {
            RequestEvent r = x.request();
            // the all-args constructor, not a builder per request: a builder copies the schema's
            // field list and checks every field (all are set here; the argument list follows the
            // schema, so a field added to it fails to compile until it is passed)
            rs.add(
                    new DecidedRequest(
                            r.requestId,
                            r.userId,
                            Instant.ofEpochMilli(r.arrivalTime),
                            r.deadline,
                            r.promptTokens,
                            r.maxOutputTokens,
                            r.maxPplIncrease,
                            x.predictedFinishMs(),
                            x.uplinkShareHz(),
                            x.downlinkShareHz(),
                            r.promptText));
        }
        BatchDecision bd =
                BatchDecision.newBuilder()
                        .setDecisionId(d.decisionId())
                        .setDomainId(d.domainId())
                        .setSlotEnd(Instant.ofEpochMilli(d.slotEnd()))
                        .setNodeId(d.nodeId())
                        .setVariant(d.variant())
                        .setAlgorithm(d.algorithm())
                        .setUplinkMs(d.uplinkMs())
                        .setComputeStartMs(d.computeStartMs())
                        .setComputeEndMs(d.computeEndMs())
                        .setCertifiedRatio(d.certifiedRatio())
                        .setRequests(rs)
                        .build();
        bd.setAssumedSlowdown(d.assumedSlowdown());
        if (!Double.isNaN(d.leaseUntilMs())) {
            bd.setLeaseUntil(Instant.ofEpochMilli((long) Math.ceil(d.leaseUntilMs())));
        }
        return bd;
    }

    public static Rejection rejection(Rejected r) {
        return Rejection.newBuilder()
                .setRequestId(r.requestId())
                .setUserId(r.userId())
                .setDomainId(r.domainId())
                .setTime(Instant.ofEpochMilli(r.time()))
                .setReason(RejectionReason.valueOf(r.reason().name()))
                .setDetail(r.detail())
                .build();
    }

    public static SlotReport report(SlotSummary s) {
        return SlotReport.newBuilder()
                .setDomainId(s.domainId())
                .setSlotEnd(Instant.ofEpochMilli(s.slotEnd()))
                .setPending(s.considered())
                .setAssigned(s.assigned())
                .setRejected(new java.util.TreeMap<>(s.rejected()))
                .setNodesOffered(s.nodesOffered())
                .setObjective(s.objective())
                .setUpperBound(s.upperBound())
                .setSolveMicros(s.solveMicros())
                .setNodesVisited(s.nodesVisited())
                .setFeasibilityChecks(s.feasibilityChecks())
                .setProvenOptimal(s.provenOptimal())
                .setFallback(s.fallback())
                .build();
    }
}
