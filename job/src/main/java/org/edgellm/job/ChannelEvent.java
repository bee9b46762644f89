package org.edgellm.job;

/** A validated channel measurement (a Flink POJO). */
public class ChannelEvent {
    public String userId;
    public String domainId;
    public String nodeId;
    public long measuredAt;
    public double uplinkSpectralEfficiency;
    public double downlinkSpectralEfficiency;

    public ChannelEvent() {}
}
