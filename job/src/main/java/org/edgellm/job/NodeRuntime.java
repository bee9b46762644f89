package org.edgellm.job;

/** What the coordinator knows of one node at run time (a Flink POJO in keyed state). */
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

    public NodeRuntime() {}

    public static NodeRuntime of(NodeSpec spec) {
        NodeRuntime n = new NodeRuntime();
        n.spec = spec;
        return n;
    }

    /** Offered in the slot ending at slotEnd? */
    public boolean offered(long slotEnd, long heartbeatTimeoutMs, long lookaheadMs) {
        return available(slotEnd, heartbeatTimeoutMs) && busyUntil <= slotEnd + lookaheadMs;
    }

    /** Healthy and not silent. */
    public boolean available(long slotEnd, long heartbeatTimeoutMs) {
        return healthy && (!heard || lastHeartbeat >= slotEnd - heartbeatTimeoutMs);
    }
}
