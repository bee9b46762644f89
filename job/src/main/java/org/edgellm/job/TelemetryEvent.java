package org.edgellm.job;

/** A validated node heartbeat (a Flink POJO). */
public class TelemetryEvent {
    public String nodeId;
    public String domainId;
    public long time;

    /** Capabilities when the heartbeat carries them, else null. */
    public NodeSpec capabilities;

    /** Reported busy-until (epoch ms), or Long.MIN_VALUE when not reported. */
    public long busyUntil = Long.MIN_VALUE;

    /** Slot end of the last batch the node finished, or Long.MIN_VALUE when not reported. */
    public long finishedThrough = Long.MIN_VALUE;

    /**
     * Ids of decisions the node's worker refused because their lease ended before it could run or
     * commit them (null: none reported).
     */
    public String[] refused;

    public boolean healthy = true;
    public double slowdown = 1.0;

    public TelemetryEvent() {}
}
