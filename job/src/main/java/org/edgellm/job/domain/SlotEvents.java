package org.edgellm.job.domain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.edgellm.job.ChannelEvent;
import org.edgellm.job.InputEvent;
import org.edgellm.job.NodeRuntime;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.Topology;
import org.edgellm.job.UserChannels;

/**
 * Applies the events of a closing slot in one fixed order (time, kind, id), so that the outcome
 * does not depend on how the inputs interleaved: requests join the pending queue (a repeated id is
 * rejected INVALID), the latest channel per user and node is kept, heartbeats are folded into their
 * node.
 */
final class SlotEvents {
    /**
     * Time, kind, then the event's id (request id; user, then node; node): the order among distinct
     * ids does not change the outcome, equal ids keep their arrival order. Compared field by field,
     * without building keys (this runs for every event of every slot).
     */
    static final Comparator<InputEvent> ORDER =
            (a, b) -> {
                int c = Long.compare(a.time, b.time);
                if (c != 0) {
                    return c;
                }
                c = Integer.compare(a.kind, b.kind);
                if (c != 0) {
                    return c;
                }
                return switch (a.kind) {
                    case InputEvent.REQUEST -> a.request.requestId.compareTo(b.request.requestId);
                    case InputEvent.CHANNEL -> {
                        int u = a.channel.userId.compareTo(b.channel.userId);
                        yield u != 0 ? u : a.channel.nodeId.compareTo(b.channel.nodeId);
                    }
                    case InputEvent.TELEMETRY -> a.telemetry.nodeId.compareTo(b.telemetry.nodeId);
                    default -> a.sortKey().compareTo(b.sortKey());
                };
            };

    private SlotEvents() {}

    static void apply(
            long slotEnd,
            List<InputEvent> due,
            DomainState state,
            PendingQueue q,
            Topology topology,
            List<Rejected> rejected) {
        if (due.isEmpty()) {
            return;
        }
        List<InputEvent> events = new ArrayList<>(due);
        events.sort(ORDER);
        Map<String, UserChannels> touched = new HashMap<>();
        long seen = state.inputsSeen();
        // the requests' ids, remembered all at once (in the events' order, as one by one)
        String[] ids = new String[events.size()];
        double[] deadlines = new double[events.size()];
        int requests = 0;
        for (InputEvent e : events) {
            if (e.kind == InputEvent.REQUEST) {
                ids[requests] = e.request.requestId;
                deadlines[requests++] = e.request.deadline;
            }
        }
        boolean[] fresh = state.rememberAllIfNew(ids, deadlines, requests);
        int request = 0;
        for (InputEvent e : events) {
            if (e.kind == InputEvent.REQUEST || e.kind == InputEvent.CHANNEL) {
                seen = Math.max(seen, e.time);
            }
            switch (e.kind) {
                case InputEvent.REQUEST -> {
                    RequestEvent r = e.request;
                    if (!fresh[request++]) {
                        rejected.add(
                                new Rejected(
                                        r.requestId,
                                        r.userId,
                                        r.domainId,
                                        slotEnd,
                                        RejectReason.INVALID,
                                        "requestId: duplicate request id (got "
                                                + r.requestId
                                                + ")"));
                    } else {
                        q.add(r);
                    }
                }
                case InputEvent.CHANNEL -> {
                    ChannelEvent c = e.channel;
                    UserChannels u = touched.get(c.userId);
                    if (u == null) {
                        u = state.channels(c.userId);
                        if (u == null) {
                            u = new UserChannels();
                        }
                        touched.put(c.userId, u);
                    }
                    u.update(c);
                }
                case InputEvent.TELEMETRY -> {
                    var t = e.telemetry;
                    NodeRuntime n =
                            TelemetryFold.apply(
                                    state.node(t.nodeId), topology.node(t.domainId, t.nodeId), t);
                    if (n != null) {
                        state.storeNode(t.nodeId, n);
                    }
                }
                default -> {}
            }
        }
        for (Map.Entry<String, UserChannels> en : touched.entrySet()) {
            state.storeChannels(en.getKey(), en.getValue());
        }
        if (seen != state.inputsSeen()) {
            state.storeInputsSeen(seen);
        }
    }
}
