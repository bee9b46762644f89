package org.edgellm.job.domain;

import java.util.List;
import org.edgellm.job.NodeRuntime;
import org.edgellm.job.NodeSpec;
import org.edgellm.job.TelemetryEvent;

/** Folds a node's heartbeat into what the domain knows of it. */
public final class TelemetryFold {
    private TelemetryFold() {}

    /**
     * The node after the heartbeat: capabilities, health and slowdown (from the newest heartbeat),
     * progress (finished batches leave the watch list) and busy time.
     *
     * @param n the node's runtime state, or null when it is new
     * @param topologySpec the topology's description of the node, or null
     * @return the updated state, or null for a node the topology does not know (nodes join through
     *     the topology; capabilities in a heartbeat update a known node's description)
     */
    public static NodeRuntime apply(NodeRuntime n, NodeSpec topologySpec, TelemetryEvent t) {
        if (n == null) {
            if (topologySpec == null) {
                return null;
            }
            n = NodeRuntime.of(t.capabilities != null ? t.capabilities : topologySpec);
        }
        if (t.capabilities != null) {
            n.spec = t.capabilities;
        }
        if (t.time >= n.lastHeartbeat) {
            n.healthy = t.healthy;
            n.slowdown = t.slowdown;
            n.lastHeartbeat = t.time;
        }
        n.heard = true;
        if (t.refused != null) {
            // refused batches were never run: finished-through passes them, but they are not done
            // (NodeLiveness re-dispatches or reports them)
            for (String id : t.refused) {
                NodeRuntime.Lease l = n.lease(id);
                if (l != null) {
                    l.refused = true;
                }
            }
        }
        if (t.finishedThrough != Long.MIN_VALUE) {
            n.tracksProgress = true;
            if (t.finishedThrough > n.finishedThrough) {
                n.finishedThrough = t.finishedThrough;
                n.stalled = false; // progress
            }
            for (NodeRuntime.Outstanding o : List.copyOf(n.outstanding)) {
                if (o.slotEnd > n.finishedThrough) {
                    break;
                }
                NodeRuntime.Lease l = n.lease(o.decisionId);
                if (l == null || !l.refused) {
                    n.unwatch(o);
                }
            }
        }
        if (t.busyUntil != Long.MIN_VALUE) {
            foldBusy(n, t);
        }
        return n;
    }

    private static void foldBusy(NodeRuntime n, TelemetryEvent t) {
        n.reportedBusyUntil = t.busyUntil > t.time ? t.busyUntil : Double.NEGATIVE_INFINITY;
        if (t.busyUntil > t.time && t.time == n.lastHeartbeat) {
            n.stalled = false; // at work on a batch it expects to finish later: not stalled
        }
        if (n.tracksProgress) {
            // it knows which of our batches it finished: it is busy with the first unfinished one
            // (its busy-until is that batch's expected end), and the later ones are shifted by the
            // same lateness; with none unfinished it is as free as it says
            if (n.outstanding.isEmpty()) {
                n.busyUntil = t.busyUntil;
            } else {
                double late = Math.max(0, t.busyUntil - n.outstanding.get(0).computeEndMs);
                n.busyUntil = n.outstanding.get(n.outstanding.size() - 1).computeEndMs + late;
            }
        } else {
            // a heartbeat sent after the worker could see our last decision corrects the
            // prediction; an older one can only push it later
            n.busyUntil =
                    t.time >= n.lastDecisionT0 ? t.busyUntil : Math.max(n.busyUntil, t.busyUntil);
        }
    }
}
