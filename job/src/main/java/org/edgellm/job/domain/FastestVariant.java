package org.edgellm.job.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.edgellm.scheduler.BatchEvaluation;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Feasibility;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.Request;
import org.edgellm.scheduler.Schedule;
import org.edgellm.scheduler.ScheduledBatch;
import org.edgellm.scheduler.Variant;

/**
 * Under load-price, runs each batch of the slot's chosen schedule on the resident variant of its
 * node where it ends first, among those on which it stays feasible (C1-C5, each member's perplexity
 * tolerance included). The requests and the node stay the same, so the slot serves exactly what it
 * would; the node only frees sooner for the next slot.
 *
 * <p>The solver does not do this itself: it looks for the most requests, and among variants that
 * serve as many it keeps the first one searched, the one with the largest root bound, which is
 * usually the most accurate and slowest. Measured on the Azure hour and the three other shapes in
 * docs/policies.md. The paper's per-slot OT-GAH and the baselines (the other policies) are left as
 * they are.
 */
final class FastestVariant {
    private FastestVariant() {}

    /** Whether the slot's batches move: the flag is on and the policy is load-price. */
    static boolean applies(DomainSettings settings) {
        return settings.fastestVariant() && settings.policy().equals(RatePolicies.LOAD_PRICE);
    }

    /**
     * The schedule with each batch on the variant of its node where its compute ends first (the
     * batch's own variant on ties), its timeline evaluated there; the same schedule when no batch
     * moves. Nothing is built for batches on nodes with one variant.
     *
     * @param candidates the slot's candidates (every request of the schedule's batches among them)
     * @param offered the nodes offered to the slot
     * @param instanceOf the slot's instance (decision instant, offered nodes) over the given
     *     requests
     */
    static Schedule move(
            Schedule schedule,
            List<Request> candidates,
            List<EdgeNode> offered,
            Function<List<Request>, Instance> instanceOf) {
        Map<String, EdgeNode> nodes = new HashMap<>();
        for (EdgeNode n : offered) {
            if (n.variants().size() > 1) {
                nodes.put(n.id(), n);
            }
        }
        Map<String, Request> views = null;
        List<ScheduledBatch> out = new ArrayList<>(schedule.batches().size());
        boolean moved = false;
        for (ScheduledBatch b : schedule.batches()) {
            EdgeNode node = nodes.get(b.node());
            ScheduledBatch best = b;
            if (node != null) {
                if (views == null) {
                    views = new HashMap<>();
                    for (Request r : candidates) {
                        views.put(r.id(), r);
                    }
                }
                best = fastest(b, node, views, instanceOf);
            }
            moved |= best != b;
            out.add(best);
        }
        return moved
                ? new Schedule(schedule.objective(), out, schedule.unassigned(), schedule.stats())
                : schedule;
    }

    private static ScheduledBatch fastest(
            ScheduledBatch b,
            EdgeNode node,
            Map<String, Request> views,
            Function<List<Request>, Instance> instanceOf) {
        List<Request> members = new ArrayList<>(b.requests().size());
        for (String id : b.requests()) {
            members.add(views.get(id));
        }
        Instance instance = instanceOf.apply(members);
        int[] all = new int[members.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        ScheduledBatch best = b;
        double bestEnd = b.timeline().computeEndMs();
        for (Variant v : node.variants()) {
            if (v.name().equals(b.variant())) {
                continue;
            }
            BatchEvaluation e = new Feasibility(instance, node, v).evaluate(all, all.length);
            if (e.feasible() && e.timeline().computeEndMs() < bestEnd) {
                bestEnd = e.timeline().computeEndMs();
                best = new ScheduledBatch(b.node(), v.name(), b.requests(), e.timeline());
            }
        }
        return best;
    }
}
