package org.edgellm.job.domain;

import java.util.ArrayList;
import java.util.List;
import org.edgellm.job.NodeRuntime;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.Topology;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Feasibility;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.Request;
import org.edgellm.scheduler.Variant;

/**
 * Rejects the pending requests that no later slot could serve, with the reason. The test is
 * optimistic: the request alone, on any known node (healthy or not, since a node that is down may
 * return before the deadline), idle from the next slot on, with its freshest channel. In order:
 * ACCURACY_UNSATISFIABLE (no resident variant within its tolerance), TOO_LARGE (its KV cache fits
 * on no node within its accuracy), NO_CHANNEL (no fresh channel to a suitable node, and none can
 * come before the deadline), EXPIRED (its deadline is before this slot's t0) or
 * DEADLINE_UNREACHABLE (it would miss its deadline even so). A request whose only suitable nodes
 * lack a channel waits for one until its deadline.
 *
 * <p>Every tenth slot (staggered by domain) checks every pending request, the others only those
 * within {@link #NEAR_DEADLINE_MS} of their deadline, so a rejection may come up to a second later
 * than it could, never earlier.
 */
public final class Admission {
    /** Requests closer than this to their deadline are checked every slot. */
    public static final double NEAR_DEADLINE_MS = 3000;

    private final Topology topology;
    private final long slotMs;
    private final long maxChannelAgeMs;

    Admission(Topology topology, long slotMs, long maxChannelAgeMs) {
        this.topology = topology;
        this.slotMs = slotMs;
        this.maxChannelAgeMs = maxChannelAgeMs;
    }

    /** The verdict on one request: its reason and detail, or null when it may still be served. */
    record Verdict(RejectReason reason, String detail) {}

    /** Removes and rejects the pending requests that no later slot could serve. */
    void rejectUnservable(
            String domain,
            long slotEnd,
            double t0,
            List<String> ids,
            List<NodeRuntime> runtimes,
            PendingQueue q,
            DomainState state,
            List<Rejected> rejected) {
        double next = t0 + slotMs; // the earliest a later slot can start
        // staggered by domain so that domains do not all sweep in the same slot
        boolean full = Math.floorMod(slotEnd / slotMs + domain.hashCode(), 10) == 0;
        int n = 0;
        if (full) {
            n = q.size;
        } else {
            while (n < q.size && q.get(n).deadline - next < NEAR_DEADLINE_MS) {
                n++; // the queue is sorted by deadline: only its head is near
            }
        }
        if (n == 0) {
            return;
        }
        long freshSince = slotEnd - maxChannelAgeMs;
        List<Request> reqs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            reqs.add(RequestView.of(q.get(i), ids, freshSince, state));
        }
        List<Verdict> verdicts = judge(t0, next, runtimes, reqs);
        boolean[] drop = new boolean[q.size];
        boolean any = false;
        for (int i = 0; i < n; i++) {
            Verdict v = verdicts.get(i);
            if (v != null) {
                RequestEvent r = q.get(i);
                drop[i] = true;
                any = true;
                rejected.add(
                        new Rejected(r.requestId, r.userId, domain, slotEnd, v.reason, v.detail));
            }
        }
        if (any) {
            q.removeFlagged(drop);
        }
    }

    /**
     * The verdict on each request (null: it may still be served), judged alone on every node idle
     * from {@code next}.
     */
    List<Verdict> judge(double t0, double next, List<NodeRuntime> runtimes, List<Request> reqs) {
        List<EdgeNode> idle = new ArrayList<>();
        for (NodeRuntime r : runtimes) {
            idle.add(r.spec.toEdgeNode(next, r.slowdown));
        }
        Instance optimistic =
                new Instance(
                        next,
                        topology.objective,
                        topology.computeModel,
                        topology.bitsPerToken,
                        topology.model(),
                        idle,
                        reqs);
        List<Feasibility> tests = new ArrayList<>();
        for (EdgeNode e : idle) {
            for (Variant v : e.variants()) {
                tests.add(new Feasibility(optimistic, e, v));
            }
        }
        List<Verdict> out = new ArrayList<>(reqs.size());
        int[] one = new int[1];
        for (int i = 0; i < reqs.size(); i++) {
            Request r = reqs.get(i);
            one[0] = i;
            boolean accurate = false;
            boolean fits = false;
            boolean channel = false;
            boolean servable = false;
            boolean waitingForChannel = false;
            for (Feasibility f : tests) {
                if (!f.accurate(i)) {
                    continue;
                }
                accurate = true;
                if (!f.memoryFits(1, r.promptTokens(), r.maxOutputTokens())) {
                    continue;
                }
                fits = true;
                if (f.hasChannel(i)) {
                    channel = true;
                    if (!servable && f.feasible(one, 1)) {
                        servable = true;
                    }
                } else {
                    waitingForChannel = true;
                }
            }
            out.add(verdict(r, t0, next, accurate, fits, channel, servable, waitingForChannel));
        }
        return out;
    }

    private static Verdict verdict(
            Request r,
            double t0,
            double next,
            boolean accurate,
            boolean fits,
            boolean channel,
            boolean servable,
            boolean waitingForChannel) {
        if (servable) {
            return null;
        } else if (!accurate) {
            return new Verdict(
                    RejectReason.ACCURACY_UNSATISFIABLE,
                    "no resident variant within maxPplIncrease " + r.maxPplIncrease());
        } else if (!fits) {
            return new Verdict(
                    RejectReason.TOO_LARGE,
                    "KV cache of "
                            + r.promptTokens()
                            + "+"
                            + r.maxOutputTokens()
                            + " tokens fits on no node within its accuracy");
        } else if (waitingForChannel && next < r.deadline()) {
            return null; // a channel to a suitable node may still come
        } else if (!channel) {
            return new Verdict(
                    RejectReason.NO_CHANNEL,
                    "no fresh channel to a suitable node before the deadline");
        }
        return new Verdict(
                r.deadline() <= t0 ? RejectReason.EXPIRED : RejectReason.DEADLINE_UNREACHABLE,
                "alone on an idle node from "
                        + (long) next
                        + " it would still miss its deadline "
                        + (long) r.deadline());
    }
}
