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
    static final Comparator<InputEvent> ORDER =
            Comparator.comparingLong((InputEvent e) -> e.time)
                    .thenComparingInt(e -> e.kind)
                    .thenComparing(InputEvent::sortKey);

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
        for (InputEvent e : events) {
            if (e.kind == InputEvent.REQUEST || e.kind == InputEvent.CHANNEL) {
                seen = Math.max(seen, e.time);
            }
            switch (e.kind) {
                case InputEvent.REQUEST -> {
                    RequestEvent r = e.request;
                    if (state.knowsId(r.requestId)) {
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
                        state.rememberId(r.requestId, r.deadline);
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
