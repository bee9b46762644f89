package org.edgellm.job.domain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.edgellm.job.NodeRuntime;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.Topology;
import org.edgellm.scheduler.EdgeNode;

/**
 * Rejects the pending requests that no later slot could serve, with the reason. The test is
 * optimistic: the request alone, on any known node (healthy or not, since a node that is down may
 * return before the deadline), idle from the next slot on, with its freshest channel. In order:
 * ACCURACY_UNSATISFIABLE (no resident variant within its tolerance), TOO_LARGE (its KV cache fits
 * on no node within its accuracy), NO_CHANNEL (no fresh channel to a suitable node, and none can
 * come before the deadline), EXPIRED (its deadline is before this slot's t0) or
 * DEADLINE_UNREACHABLE (it would miss its deadline even so). A request whose only suitable nodes
 * lack a channel waits for one until its deadline. The test is {@link ServableAlone}'s.
 *
 * <p>The requests within {@link #NEAR_DEADLINE_MS} of their deadline are judged once every {@code
 * --admission-every-ms} of event time (default a second; every slot when slots are that long or
 * longer, or with 0), every pending request once every ten of those (staggered by domain), so a
 * rejection may come later than it could (up to a second near the deadline), never earlier. Shorter
 * slots do not judge more often by default: a request that waits was judged in each of its last 30
 * slots of 100 ms, a job that has fallen behind has its whole backlog waiting, and at 1,000 domains
 * that work kept such a job from ever catching up (docs/bench-job.md).
 */
public final class Admission {
    /** Requests closer than this to their deadline are judged at every check (not only sweeps). */
    public static final double NEAR_DEADLINE_MS = 3000;

    private final Topology topology;
    private final DomainSettings settings;

    Admission(Topology topology, DomainSettings settings) {
        this.topology = topology;
        this.settings = settings;
    }

    /**
     * Every how many slots the requests near their deadline are judged: as many as make about
     * {@code everyMs} (slots of 100 ms and the default of 1,000 ms: every tenth), at least every
     * slot (slots of a second or longer, or 0). The full sweep comes every ten times that.
     */
    static long checkEverySlots(long everyMs, long slotMs) {
        return Math.max(1, Math.round((double) everyMs / slotMs));
    }

    /** The verdict on one request: its reason and detail, or null when it may still be served. */
    record Verdict(RejectReason reason, String detail) {}

    /** Removes and rejects the pending requests that no later slot could serve. */
    void rejectUnservable(
            String domain,
            long slotEnd,
            double t0,
            List<NodeRuntime> runtimes,
            PendingQueue q,
            DomainState state,
            List<Rejected> rejected) {
        // once a second of event time for the requests near their deadline, every ten seconds for
        // all; staggered by domain so that domains do not all sweep in the same slot
        long slot = slotEnd / settings.slotMs() + domain.hashCode();
        long nearEvery = checkEverySlots(settings.admissionEveryMs(), settings.slotMs());
        if (Math.floorMod(slot, nearEvery) != 0) {
            return;
        }
        double next = settings.nextT0(domain, slotEnd, t0); // the earliest a later slot can start
        boolean full = Math.floorMod(slot, 10 * nearEvery) == 0;
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
        long freshSince = slotEnd - settings.maxChannelAgeMs();
        List<RequestEvent> head = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            head.add(q.get(i));
        }
        List<Verdict> verdicts = judge(t0, next, runtimes, head, state, freshSince);
        boolean[] drop = null;
        for (int i = 0; i < n; i++) {
            Verdict v = verdicts.get(i);
            if (v != null) {
                RequestEvent r = q.get(i);
                if (drop == null) {
                    drop = new boolean[n]; // the flags of the head judged
                }
                drop[i] = true;
                rejected.add(
                        new Rejected(r.requestId, r.userId, domain, slotEnd, v.reason, v.detail));
            }
        }
        if (drop != null) {
            q.removeFlagged(drop);
        }
    }

    /**
     * The verdict on each request (null: it may still be served), judged alone on every node idle
     * from {@code next}, with its user's channels fresh since {@code freshSince}.
     */
    List<Verdict> judge(
            double t0,
            double next,
            List<NodeRuntime> runtimes,
            List<RequestEvent> requests,
            DomainState state,
            long freshSince) {
        List<EdgeNode> idle = new ArrayList<>(runtimes.size());
        for (NodeRuntime r : runtimes) {
            idle.add(r.spec.toEdgeNode(next, r.slowdown));
        }
        ServableAlone alone =
                ServableAlone.ofPending(topology, next, idle, requests, state, freshSince);
        double[] busy = new double[idle.size()];
        Arrays.fill(busy, next);
        List<Verdict> out = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            out.add(
                    alone.servable(i, busy)
                            ? null
                            : verdict(
                                    requests.get(i),
                                    t0,
                                    next,
                                    alone.accurate(i),
                                    alone.fits(i),
                                    alone.hasChannel(i),
                                    alone.waitsForChannel(i)));
        }
        return out;
    }

    private static Verdict verdict(
            RequestEvent r,
            double t0,
            double next,
            boolean accurate,
            boolean fits,
            boolean channel,
            boolean waitingForChannel) {
        if (!accurate) {
            return new Verdict(
                    RejectReason.ACCURACY_UNSATISFIABLE,
                    "no resident variant within maxPplIncrease " + r.maxPplIncrease);
        } else if (!fits) {
            return new Verdict(
                    RejectReason.TOO_LARGE,
                    "KV cache of "
                            + r.promptTokens
                            + "+"
                            + r.maxOutputTokens
                            + " tokens fits on no node within its accuracy");
        } else if (waitingForChannel && next < r.deadline) {
            return null; // a channel to a suitable node may still come
        } else if (!channel) {
            return new Verdict(
                    RejectReason.NO_CHANNEL,
                    "no fresh channel to a suitable node before the deadline");
        }
        return new Verdict(
                r.deadline <= t0 ? RejectReason.EXPIRED : RejectReason.DEADLINE_UNREACHABLE,
                "alone on an idle node from "
                        + (long) next
                        + " it would still miss its deadline "
                        + (long) r.deadline);
    }
}
