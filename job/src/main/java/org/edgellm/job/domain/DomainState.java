package org.edgellm.job.domain;

import java.util.SortedMap;
import org.edgellm.job.NodeRuntime;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.UserChannels;

/**
 * The state of one domain as the domain logic sees it. Objects read from it are copies or live
 * objects depending on the implementation (Flink's RocksDB backend copies, its heap backend and the
 * simulator do not): a caller that changes one stores it back.
 */
public interface DomainState {

    /** The pending queue, empty when none is stored. */
    PendingQueue pending();

    void storePending(PendingQueue q);

    boolean knowsId(String requestId);

    /** Remembers a request id (to refuse it again) with its deadline (to forget it later). */
    void rememberId(String requestId, double deadline);

    /**
     * Remembers the id with its deadline unless it is known already: whether it was new (a known id
     * is left as it was). The same as {@link #knowsId} then {@link #rememberId}; a state that can
     * do both with one lookup overrides it (every request of every slot comes here).
     */
    default boolean rememberIfNew(String requestId, double deadline) {
        if (knowsId(requestId)) {
            return false;
        }
        rememberId(requestId, deadline);
        return true;
    }

    /**
     * {@link #rememberIfNew} for the first n ids in order (an id repeated in the list is new at
     * most once, at its first place): whether each was new. A state that keeps ids in groups
     * overrides it to read and write each group once for all of them (every slot's requests come
     * here).
     */
    default boolean[] rememberAllIfNew(String[] ids, double[] deadlines, int n) {
        boolean[] fresh = new boolean[n];
        for (int k = 0; k < n; k++) {
            fresh[k] = rememberIfNew(ids[k], deadlines[k]);
        }
        return fresh;
    }

    /** Forgets the ids whose deadline lies before the horizon. */
    void forgetIdsBefore(double horizon);

    /** The user's latest channels, or null. */
    UserChannels channels(String userId);

    void storeChannels(String userId, UserChannels u);

    /** Forgets the users whose newest channel measurement lies before the horizon. */
    void forgetChannelsBefore(long horizon);

    /** Whether it remembers neither ids nor channels. */
    boolean remembersNothing();

    /**
     * The latest event time of the domain's requests and channel states applied so far
     * (Long.MIN_VALUE for none): how far the domain's other inputs have come, to tell workers that
     * are gone from a telemetry stream that lags.
     */
    long inputsSeen();

    void storeInputsSeen(long time);

    /** Whether any node of the domain is known (without reading them). */
    boolean hasNodes();

    /** Every node of the domain by id, in id order. */
    SortedMap<String, NodeRuntime> nodes();

    /** One node, or null. */
    NodeRuntime node(String nodeId);

    void storeNode(String nodeId, NodeRuntime n);
}
