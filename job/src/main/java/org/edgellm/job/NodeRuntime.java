package org.edgellm.job;

/**
 * What the coordinator knows of one node at run time (a Flink POJO in keyed state, written by
 * {@link NodeRuntimeSerializer}: a field added here or in its nested classes goes there too, with a
 * new version).
 */
public class NodeRuntime {
    public NodeSpec spec;

    /** Predicted end of its last batch, epoch ms. */
    public double busyUntil = Double.NEGATIVE_INFINITY;

    public boolean healthy = true;

    /** Whether telemetry was ever received: only then do missed heartbeats count. */
    public boolean heard;

    public long lastHeartbeat = Long.MIN_VALUE;
    public double slowdown = 1.0;

    /** t0 of the last decision given to it: telemetry older than that cannot know of it. */
    public double lastDecisionT0 = Double.NEGATIVE_INFINITY;

    /**
     * Whether its heartbeats say which batches it finished (finishedThrough): only then are its
     * batches tracked until finished, and reported UNFINISHED when it crashes or stalls.
     */
    public boolean tracksProgress;

    /** Slot end of the last batch it reported finished. */
    public long finishedThrough = Long.MIN_VALUE;

    /**
     * The busy-until of its latest heartbeat when it was running a batch (the batch's expected end,
     * epoch ms); minus infinity when that heartbeat said it was idle (busy-until = its time).
     */
    public double reportedBusyUntil = Double.NEGATIVE_INFINITY;

    /** Stalled: heartbeats go on but an overdue batch is not finished; nothing is offered. */
    public boolean stalled;

    /** Batches given to it and not yet reported finished, in slot order. */
    public java.util.List<Outstanding> outstanding = new java.util.ArrayList<>();

    /**
     * The leases of its watched batches (since the decision schema v3), by decision id, with the
     * requests to re-dispatch when a lease ends unfinished. Kept beside {@link #outstanding}, not
     * in it, so that state written before leases existed still restores.
     */
    public java.util.List<Lease> leases = new java.util.ArrayList<>();

    /** The lease of one watched batch (a Flink POJO). */
    public static class Lease {
        public String decisionId;

        /** After this time (epoch ms) its worker neither starts nor commits the batch. */
        public double untilMs;

        /** Its worker said it refused the batch (the lease ended first): never run. */
        public boolean refused;

        /** The batch's requests, to be queued again when the lease ends unfinished. */
        public java.util.List<RequestEvent> requests = new java.util.ArrayList<>();

        public Lease() {}
    }

    /** The lease of a watched batch, or null (none: a decision made before leases). */
    public Lease lease(String decisionId) {
        int i = leaseIndex(decisionId, 0);
        return i < 0 ? null : leases.get(i);
    }

    /**
     * The index in {@link #leases} of a watched batch's lease, or -1 (none): searched from index
     * {@code from} to the end, then from the start (from the start when {@code from} is not an
     * index). Leases are added in the order of the batches, so a caller walking {@link
     * #outstanding} in order that passes the index after the lease it found last finds the next one
     * at once, not after a scan of those before it. Decision ids are unique within a node (one
     * batch per node and slot: domain/slot end/node), so where the search starts does not change
     * which lease is found.
     */
    public int leaseIndex(String decisionId, int from) {
        int n = leases.size();
        int start = from > 0 && from < n ? from : 0;
        for (int k = 0; k < n; k++) {
            int i = start + k < n ? start + k : start + k - n;
            if (leases.get(i).decisionId.equals(decisionId)) {
                return i;
            }
        }
        return -1;
    }

    /** Stops watching a batch (finished, revoked or reported), with its lease. */
    public void unwatch(Outstanding o) {
        outstanding.remove(o);
        leases.removeIf(l -> l.decisionId.equals(o.decisionId));
    }

    /** One batch given to a node and not yet reported finished (a Flink POJO). */
    public static class Outstanding {
        public String decisionId;
        public long slotEnd;
        public double computeStartMs;
        public double computeEndMs;
        public java.util.List<String> requestIds = new java.util.ArrayList<>();
        public java.util.List<String> userIds = new java.util.ArrayList<>();

        public Outstanding() {}
    }

    public NodeRuntime() {}

    public static NodeRuntime of(NodeSpec spec) {
        NodeRuntime n = new NodeRuntime();
        n.spec = spec;
        return n;
    }

    /**
     * Offered in the slot ending at slotEnd? Only a node heard from (unless unheard nodes are
     * offered: deployments without heartbeats), available and not busy beyond the look-ahead.
     */
    public boolean offered(
            long slotEnd, long heartbeatTimeoutMs, long lookaheadMs, boolean offerUnheard) {
        return (heard || offerUnheard)
                && available(slotEnd, heartbeatTimeoutMs)
                && busyUntil <= slotEnd + lookaheadMs;
    }

    /** Healthy, not stalled and not silent. */
    public boolean available(long slotEnd, long heartbeatTimeoutMs) {
        return healthy && !stalled && !silent(slotEnd, heartbeatTimeoutMs);
    }

    /** Heard once, and no heartbeat within the timeout. */
    public boolean silent(long slotEnd, long heartbeatTimeoutMs) {
        return heard && lastHeartbeat < slotEnd - heartbeatTimeoutMs;
    }

    /**
     * Overdue: its oldest unfinished batch should have ended more than the grace ago, by our plan
     * and by the node's own latest estimate (a node that runs late but says so is not stalled; an
     * idle one that has not even started it is); the grace is the batch's predicted compute time or
     * the heartbeat timeout, whichever is longer.
     */
    public boolean overdue(long slotEnd, long heartbeatTimeoutMs) {
        if (outstanding.isEmpty()) {
            return false;
        }
        Outstanding o = outstanding.get(0);
        double grace = Math.max(heartbeatTimeoutMs, o.computeEndMs - o.computeStartMs);
        return slotEnd > Math.max(o.computeEndMs, reportedBusyUntil) + grace;
    }
}
