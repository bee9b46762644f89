package org.edgellm.job.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.edgellm.job.NodeRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the nodes whose oldest batch not reported finished is overdue (see {@link
 * NodeRuntime#overdue}): crashed ones (silent past the heartbeat timeout, which already keeps them
 * out of planning) and stalled ones (heartbeats go on, nothing finishes). Every request of their
 * unfinished batches is rejected UNFINISHED, so that none is silently lost. A stalled node is
 * offered nothing until it reports progress; a silent one until it is heard again. While no node of
 * the domain was heard since the silent one, the telemetry stream may lag and the batch waits,
 * unless the inputs have ended or the domain's requests and channels went on for two heartbeat
 * timeouts past its last heartbeat (its workers are gone). Within a restart grace (live
 * exactly-once) nothing is reported.
 */
final class NodeLiveness {
    private static final Logger LOG = LoggerFactory.getLogger(NodeLiveness.class);

    private final long heartbeatTimeoutMs;
    private final RestartGrace grace;

    NodeLiveness(long heartbeatTimeoutMs, RestartGrace grace) {
        this.heartbeatTimeoutMs = heartbeatTimeoutMs;
        this.grace = grace;
    }

    /**
     * The domain's requests and channel states went on, in event time, for two heartbeat timeouts
     * past the last heartbeat of any of its nodes: its workers are gone (a one-node domain whose
     * node died, a whole site down), not the telemetry stream, whose heartbeats would be in the
     * same slots. Event time only, so a replay judges the same.
     */
    private boolean workersGone(DomainState state, long heardLatest) {
        long seen = state.inputsSeen();
        return seen != Long.MIN_VALUE && seen - heardLatest > 2 * heartbeatTimeoutMs;
    }

    /**
     * Reports the overdue batches of the domain's nodes (storing the nodes it changes).
     *
     * @return whether some node still has batches to watch
     */
    boolean check(
            String domain,
            long slotEnd,
            DomainState state,
            boolean inputEnded,
            List<Rejected> rejected) {
        boolean tracking = false;
        SortedMap<String, NodeRuntime> nodes = state.nodes();
        long heardLatest = Long.MIN_VALUE; // the domain's most recent heartbeat, any node
        for (NodeRuntime n : nodes.values()) {
            heardLatest = Math.max(heardLatest, n.lastHeartbeat);
        }
        for (Map.Entry<String, NodeRuntime> en : nodes.entrySet()) {
            NodeRuntime n = en.getValue();
            if (n.outstanding.isEmpty()) {
                continue;
            }
            if (!n.overdue(slotEnd, heartbeatTimeoutMs) || grace.inGrace()) {
                tracking = true; // a silent node may still come back in time
                continue;
            }
            boolean silent = n.silent(slotEnd, heartbeatTimeoutMs);
            if (silent
                    && !inputEnded
                    && heardLatest - n.lastHeartbeat <= heartbeatTimeoutMs
                    && !workersGone(state, heardLatest)) {
                // no node of the domain was heard since: the telemetry stream may lag (a broker
                // outage, a partition still catching up), not this node; wait for it (unless the
                // inputs ended, or the domain's other inputs went on without any heartbeat)
                tracking = true;
                continue;
            }
            String why =
                    silent
                            ? "silent since " + Instant.ofEpochMilli(n.lastHeartbeat)
                            : "stalled: finished nothing after "
                                    + Instant.ofEpochMilli(n.finishedThrough);
            for (NodeRuntime.Outstanding o : n.outstanding) {
                for (int i = 0; i < o.requestIds.size(); i++) {
                    rejected.add(
                            new Rejected(
                                    o.requestIds.get(i),
                                    o.userIds.get(i),
                                    domain,
                                    slotEnd,
                                    RejectReason.UNFINISHED,
                                    "decided in "
                                            + o.decisionId
                                            + " on node "
                                            + en.getKey()
                                            + ", which did not report it finished ("
                                            + why
                                            + ")"));
                }
            }
            LOG.warn(
                    "node {} of domain {} {}: {} batches reported UNFINISHED",
                    en.getKey(),
                    domain,
                    why,
                    n.outstanding.size());
            n.outstanding.clear();
            n.stalled = !silent;
            n.busyUntil = Math.min(n.busyUntil, slotEnd);
            state.storeNode(en.getKey(), n);
        }
        return tracking;
    }
}
