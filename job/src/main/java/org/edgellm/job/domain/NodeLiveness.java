package org.edgellm.job.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.edgellm.job.NodeRuntime;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.UserChannels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles the watched batches of a domain's nodes that will not finish, so that none of their
 * requests is silently lost. A batch is settled when:
 *
 * <ul>
 *   <li>its worker refused it (its lease ended before the worker could run or commit it): at once;
 *   <li>it has a lease (decisions since schema v3) and its node was heard after the lease without
 *       reporting it finished: at once, since a worker sends no heartbeat while a commit is in
 *       flight and starts none after the lease, so that heartbeat proves it will never commit it;
 *   <li>it has a lease, its node was not heard since the lease, the lease ended more than a
 *       heartbeat timeout ago and another node of the domain was heard after that (unless the
 *       inputs ended or the domain's workers are gone, below): its worker can no longer commit it,
 *       and had it committed within the lease, the heartbeat it sends inside that transaction would
 *       have come first (workers key heartbeats by domain: one partition, read in order);
 *   <li>it has no lease (decisions made before leases) and it is overdue ({@link
 *       NodeRuntime#overdue}).
 * </ul>
 *
 * A settled batch's requests are <b>re-dispatched</b> (queued again, to be decided anew on any
 * node) when their deadline is still ahead, the batch had a lease (its worker will never run it, so
 * the request cannot complete twice) and a node of the domain that is heard and available has a
 * channel to its user; otherwise they are rejected UNFINISHED with the decision and the node named.
 * Crashed nodes (silent past the heartbeat timeout) are already out of planning; a node that is
 * heard but lets a batch run out is stalled and offered nothing until it reports progress. While no
 * node of the domain was heard since a silent one, the telemetry stream may lag and its batches
 * wait, unless the inputs have ended or the domain's requests and channels went on for two
 * heartbeat timeouts past its last heartbeat (its workers are gone). In live exactly-once runs, a
 * node not heard since its lease is not judged within the restart grace, nor while the slots close
 * more than that grace behind the wall clock (a backlog after a broker outage, in which the
 * requests can be read ahead of the heartbeats that would show the batch finished).
 */
final class NodeLiveness {
    private static final Logger LOG = LoggerFactory.getLogger(NodeLiveness.class);

    private final long heartbeatTimeoutMs;
    private final RestartGrace grace;

    /** The settled batches' log lines: the first of each second in full, the others summed. */
    private final SettledBatchLog settledLog = new SettledBatchLog();

    /** What a check did: whether batches are still watched, and how many requests went back. */
    record Result(boolean watching, int redispatched) {}

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
     * Settles the batches of the domain's nodes that will not finish (storing the nodes it
     * changes): re-dispatched requests go into q, the others into rejected.
     */
    Result check(
            String domain,
            long slotEnd,
            DomainState state,
            PendingQueue q,
            boolean inputEnded,
            List<Rejected> rejected) {
        boolean tracking = false;
        int redispatched = 0;
        SortedMap<String, NodeRuntime> nodes = state.nodes();
        long heardLatest = Long.MIN_VALUE; // read once, at the first node walked
        boolean heardRead = false;
        for (Map.Entry<String, NodeRuntime> en : nodes.entrySet()) {
            NodeRuntime n = en.getValue();
            if (n.outstanding.isEmpty()) {
                continue;
            }
            if (settlesNothing(n, slotEnd)) {
                tracking = true; // every batch may still finish: the walk would say so too
                continue;
            }
            if (!heardRead) {
                heardLatest = heardLatest(nodes);
                heardRead = true;
            }
            Result r =
                    walk(
                            domain,
                            en.getKey(),
                            n,
                            slotEnd,
                            state,
                            nodes,
                            heardLatest,
                            q,
                            inputEnded,
                            rejected);
            tracking |= r.watching();
            redispatched += r.redispatched();
        }
        return new Result(tracking, redispatched);
    }

    /** The domain's most recent heartbeat, any node (walks settle batches, never heartbeats). */
    static long heardLatest(Map<String, NodeRuntime> nodes) {
        long heard = Long.MIN_VALUE;
        for (NodeRuntime m : nodes.values()) {
            heard = Math.max(heard, m.lastHeartbeat);
        }
        return heard;
    }

    /**
     * Applies the rules of the class to each watched batch of one node of the domain's nodes
     * (storing the node when it changes), heardLatest being {@link #heardLatest} of them: whether
     * batches of it are still watched, and how many requests went back.
     */
    Result walk(
            String domain,
            String node,
            NodeRuntime n,
            long slotEnd,
            DomainState state,
            SortedMap<String, NodeRuntime> nodes,
            long heardLatest,
            PendingQueue q,
            boolean inputEnded,
            List<Rejected> rejected) {
        boolean tracking = false;
        int redispatched = 0;
        boolean changed = false;
        boolean silent = n.silent(slotEnd, heartbeatTimeoutMs);
        // a silent node whose domain nobody was heard from since: the telemetry stream may lag
        // (a broker outage, a partition catching up), not this node; wait for it
        boolean quietDomain = silent && !inputEnded && !workersGone(state, heardLatest);
        boolean mayLag = quietDomain && heardLatest - n.lastHeartbeat <= heartbeatTimeoutMs;
        boolean overdue = n.overdue(slotEnd, heartbeatTimeoutMs);
        int next = 0; // where the next batch's lease is likely to be
        for (NodeRuntime.Outstanding o : List.copyOf(n.outstanding)) {
            int li = n.leaseIndex(o.decisionId, next);
            NodeRuntime.Lease l = li < 0 ? null : n.leases.get(li);
            next = li < 0 ? next : li + 1;
            String why;
            if (l != null && l.refused) {
                why = "refused by its worker: the lease ended before it could run it";
            } else if (l != null && n.lastHeartbeat > l.untilMs) {
                // heard after the lease without finishing it: its worker never will (it sends
                // no heartbeat while a commit is in flight and starts none after the lease),
                // whatever the watermark, the grace or the other nodes say
                why =
                        "lease ended "
                                + Instant.ofEpochMilli((long) l.untilMs)
                                + " unfinished (heard at "
                                + Instant.ofEpochMilli(n.lastHeartbeat)
                                + ", finished nothing after "
                                + Instant.ofEpochMilli(n.finishedThrough)
                                + ")";
                n.stalled |= !silent;
            } else if (grace.inGrace()
                    || grace.behind(slotEnd)
                    || mayLag
                    || (l != null
                            && quietDomain
                            && heardLatest <= l.untilMs + heartbeatTimeoutMs)) {
                // not heard since the lease: it may be committing, or its heartbeats may lag.
                // The last condition: a silent node's leased batch waits until another node of
                // the domain is heard after the lease plus a timeout. The workers key their
                // heartbeats by domain, so such a heartbeat comes after, on the same partition,
                // any heartbeat the silent node committed within its lease with the batch's
                // completions: reading it proves the batch did not finish, however far behind
                // the job reads that partition and whatever the watermark of the others.
                tracking = true;
                continue;
            } else if (l != null && slotEnd > l.untilMs + heartbeatTimeoutMs) {
                why =
                        "lease ended "
                                + Instant.ofEpochMilli((long) l.untilMs)
                                + " unfinished ("
                                + (silent
                                        ? "silent since " + Instant.ofEpochMilli(n.lastHeartbeat)
                                        : "finished nothing after "
                                                + Instant.ofEpochMilli(n.finishedThrough))
                                + ")";
                n.stalled |= !silent;
            } else if (l == null && overdue) {
                why =
                        silent
                                ? "silent since " + Instant.ofEpochMilli(n.lastHeartbeat)
                                : "stalled: finished nothing after "
                                        + Instant.ofEpochMilli(n.finishedThrough);
                n.stalled |= !silent;
            } else {
                tracking = true; // may still finish in time
                continue;
            }
            redispatched +=
                    settle(
                            domain,
                            node,
                            slotEnd,
                            o,
                            l,
                            takers(nodes, slotEnd),
                            why,
                            q,
                            state,
                            rejected);
            n.unwatch(o);
            next = li < 0 ? next : li; // its lease is gone: the next one moved down
            changed = true;
        }
        if (changed) {
            if (n.outstanding.isEmpty()) {
                n.busyUntil = Math.min(n.busyUntil, slotEnd);
            }
            state.storeNode(node, n);
        }
        return new Result(tracking, redispatched);
    }

    /**
     * Whether no batch of the node can be settled at this slot, whatever the restart grace and the
     * domain's other nodes say: it is not overdue (which settles only batches without a lease), and
     * every lease is neither refused, nor heard past, nor a timeout past its end (the three ways a
     * leased batch is settled). Reads no decision id, so that a slot of a domain whose batches run
     * as planned costs a pass over numbers, not a lookup of each batch's lease by its id (those
     * lookups were 4.6 % of the coordinator's CPU samples at 40,000 requests/s, and the whole check
     * 11.5 %; 8.3 % with this, docs/bench-job.md). NaN ends fail the test, so such a node gets the
     * full walk.
     */
    boolean settlesNothing(NodeRuntime n, long slotEnd) {
        if (n.overdue(slotEnd, heartbeatTimeoutMs)) {
            return false;
        }
        for (NodeRuntime.Lease l : n.leases) {
            if (l.refused
                    || !(n.lastHeartbeat <= l.untilMs)
                    || !(slotEnd <= l.untilMs + heartbeatTimeoutMs)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The nodes of the domain that could take re-dispatched requests now: heard, healthy, not
     * stalled and not silent (a refusing node may take them itself).
     */
    private List<String> takers(SortedMap<String, NodeRuntime> nodes, long slotEnd) {
        List<String> ids = new java.util.ArrayList<>();
        for (Map.Entry<String, NodeRuntime> e : nodes.entrySet()) {
            NodeRuntime n = e.getValue();
            if (n.heard && n.available(slotEnd, heartbeatTimeoutMs)) {
                ids.add(e.getKey());
            }
        }
        return ids;
    }

    /** Whether the user has measured a channel to one of the nodes. */
    private static boolean reaches(DomainState state, String userId, List<String> takers) {
        UserChannels u = userId == null ? null : state.channels(userId);
        if (u != null) {
            for (String m : takers) {
                if (u.indexOf(m) >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Re-dispatches (when the lease l is given and the deadline is ahead) or reports the requests
     * of one settled batch; returns the re-dispatched.
     */
    private int settle(
            String domain,
            String node,
            long slotEnd,
            NodeRuntime.Outstanding o,
            NodeRuntime.Lease l,
            List<String> takers,
            String why,
            PendingQueue q,
            DomainState state,
            List<Rejected> rejected) {
        int again = 0;
        for (int i = 0; i < o.requestIds.size(); i++) {
            RequestEvent r = l == null ? null : request(l, o.requestIds.get(i));
            String whyNot =
                    r == null
                            ? ""
                            : r.deadline <= slotEnd
                                    ? "; its deadline has passed"
                                    : !reaches(state, r.userId, takers)
                                            ? "; no other live node of the domain reaches its user"
                                            : null;
            if (whyNot == null) {
                q.add(r);
                again++;
            } else {
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
                                        + node
                                        + ", which did not finish it ("
                                        + why
                                        + ")"
                                        + whyNot));
            }
        }
        String line =
                settledLog.line(
                        slotEnd,
                        o.decisionId + " of node " + node + " (" + why + ")",
                        again,
                        o.requestIds.size() - again);
        if (line != null) {
            LOG.warn(line);
        }
        return again;
    }

    private static RequestEvent request(NodeRuntime.Lease l, String requestId) {
        for (RequestEvent r : l.requests) {
            if (r.requestId.equals(requestId)) {
                return r;
            }
        }
        return null;
    }
}
