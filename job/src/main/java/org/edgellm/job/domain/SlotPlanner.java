package org.edgellm.job.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgellm.job.NodeRuntime;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.Topology;
import org.edgellm.scheduler.Algorithms;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.Request;
import org.edgellm.scheduler.Schedule;
import org.edgellm.scheduler.ScheduledBatch;
import org.edgellm.scheduler.Scheduler;
import org.edgellm.scheduler.SearchBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans one slot of one domain at t0: offers the nodes that were heard from (or every topology
 * node, with offer-unheard-nodes), are healthy, not silent, not stalled and whose predicted busy
 * time lies within the look-ahead, and the pending requests with the earliest deadlines still ahead
 * of t0 (at most the window of {@link DomainSettings#window}) with their fresh channels (and, under
 * {@link UrgencyTieBreak}, their weights raised by urgency); runs the scheduler with its budget;
 * turns each batch into a {@link Decision}, advances the node's busy time, watches the batch when
 * the node reports progress, and takes the decided requests out of the queue.
 */
final class SlotPlanner {
    private static final Logger LOG = LoggerFactory.getLogger(SlotPlanner.class);

    private final Topology topology;
    private final DomainSettings settings;
    private final Scheduler scheduler;
    private final Scheduler fallback = Algorithms.byName("fcfs", 1, 8);
    private final SearchBudget budget;
    private final RatePolicies policies;

    SlotPlanner(Topology topology, DomainSettings settings, Scheduler scheduler) {
        this.topology = topology;
        this.settings = settings;
        this.scheduler = scheduler;
        this.budget = new SearchBudget(settings.budgetNodes(), settings.budgetMicros());
        this.policies = new RatePolicies(settings);
    }

    /**
     * What a slot's planning did.
     *
     * @param schedule the scheduler's answer, or null when it did not run (or failed)
     * @param considered candidates offered
     * @param nodesOffered nodes offered
     * @param watching whether a decided batch is now watched until finished
     * @param fallback whether the configured algorithm failed and FCFS decided the slot
     */
    record Plan(
            Schedule schedule,
            int considered,
            int nodesOffered,
            List<Decision> decisions,
            int assigned,
            boolean watching,
            boolean fallback) {}

    Plan plan(
            String domain,
            long slotEnd,
            double t0,
            List<String> ids,
            List<NodeRuntime> runtimes,
            PendingQueue q,
            DomainState state) {
        List<String> offeredIds = new ArrayList<>();
        List<EdgeNode> offered = new ArrayList<>();
        for (int k = 0; k < ids.size(); k++) {
            NodeRuntime n = runtimes.get(k);
            if (n.offered(
                    slotEnd,
                    settings.heartbeatTimeoutMs(),
                    settings.lookaheadMs(),
                    settings.offerUnheardNodes())) {
                offeredIds.add(ids.get(k));
                offered.add(n.spec.toEdgeNode(n.busyUntil, n.slowdown));
            }
        }
        if (offered.isEmpty()) {
            return new Plan(null, 0, 0, List.of(), 0, false, false);
        }
        long freshSince = slotEnd - settings.maxChannelAgeMs();
        Map<String, RequestEvent> byId = new HashMap<>();
        List<Request> requests = new ArrayList<>();
        List<Request> wide = new ArrayList<>();
        int max = settings.window(q.size);
        boolean wideDraw =
                settings.policy().equals(RatePolicies.PADDING_RATE)
                        || settings.policy().equals(RatePolicies.LOAD_PRICE);
        int wideMax = wideDraw ? max * RatePolicies.WIDE : max;
        boolean urgency =
                UrgencyTieBreak.applies(settings, topology.objective, q.size)
                        && UrgencyTieBreak.tellsApart(q, t0, wideMax);
        for (int i = 0; i < q.size && wide.size() < wideMax; i++) {
            RequestEvent r = q.get(i);
            if (r.deadline > t0) {
                Request v = RequestView.of(r, offeredIds, freshSince, state);
                if (urgency) {
                    v = v.withWeight(v.weight() * UrgencyTieBreak.factor(r.deadline, t0));
                }
                wide.add(v);
                if (requests.size() < max) {
                    requests.add(v);
                }
                byId.put(r.requestId, r);
            }
        }
        if (requests.isEmpty()) {
            return new Plan(null, 0, offered.size(), List.of(), 0, false, false);
        }
        Instance instance = instance(t0, offered, requests);
        Schedule schedule = solve(scheduler, domain, slotEnd, instance);
        if (schedule != null && !settings.policy().equals(RatePolicies.PER_SLOT)) {
            schedule =
                    policies.choose(
                            schedule,
                            wide,
                            offered,
                            t0,
                            q,
                            ids.size(),
                            sub -> solve(scheduler, domain, slotEnd, instance(t0, offered, sub)),
                            () ->
                                    ServableAlone.ofViews(
                                            topology,
                                            settings.nextT0(domain, slotEnd, t0),
                                            offered,
                                            wide),
                            max);
        }
        boolean fellBack = false;
        if (schedule == null) {
            // never drop a slot: the simplest safe algorithm decides it instead
            fellBack = true;
            schedule = solve(fallback, domain, slotEnd, instance);
        }
        if (schedule == null) {
            return new Plan(null, requests.size(), offered.size(), List.of(), 0, false, true);
        }
        if (urgency) {
            schedule = UrgencyTieBreak.inOwnWeights(schedule, byId);
        }
        if (FastestVariant.applies(settings)) {
            schedule =
                    FastestVariant.move(schedule, wide, offered, rs -> instance(t0, offered, rs));
        }
        double ratio = schedule.certifiedRatio();
        double shownRatio = Double.isNaN(ratio) ? -1 : ratio;
        List<Decision> decisions = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        boolean watching = false;
        for (ScheduledBatch b : schedule.batches()) {
            NodeRuntime n = runtimes.get(ids.indexOf(b.node()));
            Decision d =
                    decision(
                            domain,
                            slotEnd,
                            b,
                            byId,
                            shownRatio,
                            n.slowdown > 0 ? n.slowdown : 1.0,
                            fellBack ? fallback.name() : settings.scheduler(),
                            n.tracksProgress);
            decisions.add(d);
            if (n.tracksProgress) {
                n.outstanding.add(outstanding(d));
                n.leases.add(lease(d));
                watching = true; // watched from the next slot on
            }
            n.busyUntil = b.timeline().computeEndMs();
            n.lastDecisionT0 = t0;
            state.storeNode(b.node(), n);
            taken.addAll(b.requests());
        }
        if (!taken.isEmpty()) {
            boolean[] drop = new boolean[q.size];
            for (int i = 0; i < q.size; i++) {
                drop[i] = taken.contains(q.get(i).requestId);
            }
            q.removeFlagged(drop);
        }
        return new Plan(
                schedule,
                requests.size(),
                offered.size(),
                decisions,
                taken.size(),
                watching,
                fellBack);
    }

    /** The slot's problem: these requests on these nodes from t0, under the topology's model. */
    private Instance instance(double t0, List<EdgeNode> offered, List<Request> requests) {
        return new Instance(
                t0,
                topology.objective,
                topology.computeModel,
                topology.bitsPerToken,
                topology.model(),
                offered,
                requests);
    }

    private Schedule solve(Scheduler s, String domain, long slotEnd, Instance instance) {
        try {
            return s.solve(instance, budget);
        } catch (RuntimeException ex) {
            LOG.error(
                    "scheduler {} failed on domain {} slot {}{}",
                    s.name(),
                    domain,
                    slotEnd,
                    s == fallback ? "; no decision this slot" : "; FCFS decides it instead",
                    ex);
            return null;
        }
    }

    private Decision decision(
            String domain,
            long slotEnd,
            ScheduledBatch b,
            Map<String, RequestEvent> byId,
            double ratio,
            double slowdown,
            String algorithm,
            boolean leased) {
        List<Decision.Decided> rs = new ArrayList<>(b.requests().size());
        for (String id : b.requests()) {
            rs.add(
                    new Decision.Decided(
                            byId.get(id),
                            b.timeline().finishMs().get(id),
                            b.timeline().uplinkShareHz().get(id),
                            b.timeline().downlinkShareHz().get(id)));
        }
        return new Decision(
                domain + "/" + slotEnd + "/" + b.node(),
                domain,
                slotEnd,
                b.node(),
                b.variant(),
                algorithm,
                b.timeline().uplinkMs(),
                b.timeline().computeStartMs(),
                b.timeline().computeEndMs(),
                ratio,
                slowdown,
                leased
                        ? leaseUntil(
                                b.timeline().computeStartMs(),
                                b.timeline().computeEndMs(),
                                settings.heartbeatTimeoutMs())
                        : Double.NaN,
                List.copyOf(rs));
    }

    /**
     * A batch's lease: its predicted end plus the grace after which an unfinished batch is overdue
     * (its predicted compute time or the heartbeat timeout, whichever is longer), to the next whole
     * millisecond (the decision carries milliseconds).
     */
    static double leaseUntil(double computeStartMs, double computeEndMs, long heartbeatTimeoutMs) {
        return Math.ceil(
                computeEndMs + Math.max(heartbeatTimeoutMs, computeEndMs - computeStartMs));
    }

    private static NodeRuntime.Lease lease(Decision d) {
        NodeRuntime.Lease l = new NodeRuntime.Lease();
        l.decisionId = d.decisionId();
        l.untilMs = d.leaseUntilMs();
        for (Decision.Decided r : d.requests()) {
            l.requests.add(r.request());
        }
        return l;
    }

    private static NodeRuntime.Outstanding outstanding(Decision d) {
        NodeRuntime.Outstanding o = new NodeRuntime.Outstanding();
        o.decisionId = d.decisionId();
        o.slotEnd = d.slotEnd();
        o.computeStartMs = d.computeStartMs();
        o.computeEndMs = d.computeEndMs();
        for (Decision.Decided r : d.requests()) {
            o.requestIds.add(r.request().requestId);
            o.userIds.add(r.request().userId);
        }
        return o;
    }
}
