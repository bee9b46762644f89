package org.edgellm.job;

import java.util.Arrays;

/**
 * The latest channel measurement of one user to each node it reported (a Flink POJO, kept in keyed
 * state by {@link UserChannelsSerializer}: a field added here goes there too, with a new version).
 */
public class UserChannels {
    public String[] nodes = new String[0];
    public long[] measuredAt = new long[0];
    public double[] uplink = new double[0];
    public double[] downlink = new double[0];

    public UserChannels() {}

    public int indexOf(String node) {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i].equals(node)) {
                return i;
            }
        }
        return -1;
    }

    /** Keeps the measurement if it is not older than the one held. */
    public void update(ChannelEvent c) {
        int i = indexOf(c.nodeId);
        if (i < 0) {
            i = nodes.length;
            nodes = Arrays.copyOf(nodes, i + 1);
            measuredAt = Arrays.copyOf(measuredAt, i + 1);
            uplink = Arrays.copyOf(uplink, i + 1);
            downlink = Arrays.copyOf(downlink, i + 1);
            nodes[i] = c.nodeId;
            measuredAt[i] = Long.MIN_VALUE;
        }
        if (c.measuredAt >= measuredAt[i]) {
            measuredAt[i] = c.measuredAt;
            uplink[i] = c.uplinkSpectralEfficiency;
            downlink[i] = c.downlinkSpectralEfficiency;
        }
    }

    /** The newest measurement time over all nodes. */
    public long newest() {
        long t = Long.MIN_VALUE;
        for (long x : measuredAt) {
            t = Math.max(t, x);
        }
        return t;
    }
}
