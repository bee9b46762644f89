package org.edgellm.job.domain;

import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.edgellm.job.NodeRuntime;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.UserChannels;

/** A domain's state in plain maps: the simulator's and the tests'. */
public final class MemoryDomainState implements DomainState {
    private PendingQueue pending = new PendingQueue();
    private final Map<String, Double> known = new HashMap<>();
    private final Map<String, UserChannels> channels = new HashMap<>();
    private final TreeMap<String, NodeRuntime> nodes = new TreeMap<>();
    private long inputsSeen = Long.MIN_VALUE;

    @Override
    public PendingQueue pending() {
        return pending;
    }

    @Override
    public void storePending(PendingQueue q) {
        pending = q;
    }

    @Override
    public boolean knowsId(String requestId) {
        return known.containsKey(requestId);
    }

    @Override
    public void rememberId(String requestId, double deadline) {
        known.put(requestId, deadline);
    }

    @Override
    public void forgetIdsBefore(double horizon) {
        known.values().removeIf(d -> d < horizon);
    }

    @Override
    public UserChannels channels(String userId) {
        return channels.get(userId);
    }

    @Override
    public void storeChannels(String userId, UserChannels u) {
        channels.put(userId, u);
    }

    @Override
    public void forgetChannelsBefore(long horizon) {
        channels.values().removeIf(u -> u.newest() < horizon);
    }

    @Override
    public boolean remembersNothing() {
        return known.isEmpty() && channels.isEmpty();
    }

    @Override
    public long inputsSeen() {
        return inputsSeen;
    }

    @Override
    public void storeInputsSeen(long time) {
        inputsSeen = time;
    }

    @Override
    public boolean hasNodes() {
        return !nodes.isEmpty();
    }

    @Override
    public SortedMap<String, NodeRuntime> nodes() {
        return new TreeMap<>(nodes);
    }

    @Override
    public NodeRuntime node(String nodeId) {
        return nodes.get(nodeId);
    }

    @Override
    public void storeNode(String nodeId, NodeRuntime n) {
        nodes.put(nodeId, n);
    }

    /** Remembered ids (for tests and diagnostics). */
    public int knownIds() {
        return known.size();
    }

    /** Users with channel state (for tests and diagnostics). */
    public int channelUsers() {
        return channels.size();
    }
}
