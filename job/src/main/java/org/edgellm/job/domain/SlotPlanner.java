package org.edgellm.job.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
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
 * of t0 (at most max-candidates) with their fresh channels; runs the scheduler with its budget;
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

    SlotPlanner(Topology topology, DomainSettings settings, Scheduler scheduler) {
        this.topology = topology;
        this.settings = settings;
        this.scheduler = scheduler;
        this.budget = new SearchBudget(settings.budgetNodes(), settings.budgetMicros());
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
        int max = settings.maxCandidates();
        boolean wideDraw =
                settings.policy().equals(PADDING_RATE) || settings.policy().equals(LOAD_PRICE);
        int wideMax = wideDraw ? max * WIDE : max;
        for (int i = 0; i < q.size && wide.size() < wideMax; i++) {
            RequestEvent r = q.get(i);
            if (r.deadline > t0) {
                Request v = RequestView.of(r, offeredIds, freshSince, state);
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
        if (schedule != null && !settings.policy().equals(PER_SLOT)) {
            schedule =
                    byRate(
                            schedule,
                            wide,
                            offered,
                            t0,
                            domain,
                            slotEnd,
                            q,
                            ids.size(),
                            () ->
                                    ServableAlone.ofViews(
                                            topology, t0 + settings.slotMs(), offered, wide));
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

    /** The paper's policy: the batches with the most requests in this slot. */
    static final String PER_SLOT = "per-slot";

    /** The policy that weighs the GPU time a slot's batches take (cut-offs by output length). */
    static final String THROUGHPUT_RATE = "throughput-rate";

    /**
     * The throughput-rate policy with cut-offs by prompt length as well (prefill pads every request
     * to the longest prompt of its batch as decode pads to the longest output), its subsets drawn
     * from {@link #WIDE} times the window.
     */
    static final String PADDING_RATE = "padding-rate";

    /**
     * padding-rate's schedules, chosen by the requests each serves minus the requests it kills,
     * less a price of the node time it takes that rises with the load (see {@link #byPrice}).
     */
    static final String LOAD_PRICE = "load-price";

    /** The cut-offs of the rate policies: quantiles of the candidates' lengths. */
    private static final double[] CUTOFFS = {0.75, 0.5, 0.25};

    /**
     * Under padding-rate, the cut-offs draw from this many times max-candidates earliest deadlines
     * (each subset still at most max-candidates): the cheap requests just behind the window.
     */
    static final int WIDE = 2;

    /**
     * The rate policies: static batches pad every request to the longest output (and prompt) of its
     * batch, so one long request can hold a node for many slots. Besides the schedule over every
     * candidate, they solve over the candidates whose output is at most the 75th, 50th and 25th
     * percentile of theirs (and, under padding-rate and load-price, whose prompt is).
     * Throughput-rate and padding-rate keep the schedule with the most requests per millisecond of
     * compute time (the first of equal ones: the full set wins ties); load-price chooses by {@link
     * #byPrice}. Under padding-rate and load-price, {@code requests} are the {@link #WIDE} times
     * wider window: the quantiles are of them, and each subset keeps its max-candidates earliest
     * deadlines. Every schedule comes from the same solver, so each stays feasible under C1-C5.
     */
    private Schedule byRate(
            Schedule full,
            List<Request> requests,
            List<EdgeNode> offered,
            double t0,
            String domain,
            long slotEnd,
            PendingQueue q,
            int domainNodes,
            Supplier<ServableAlone> alone) {
        if (requests.size() < 2) {
            return full;
        }
        List<Schedule> options = new ArrayList<>();
        options.add(full);
        addCutoffs(options, requests, Request::maxOutputTokens, offered, t0, domain, slotEnd);
        if (!settings.policy().equals(THROUGHPUT_RATE)) {
            addCutoffs(options, requests, Request::promptTokens, offered, t0, domain, slotEnd);
        }
        if (settings.policy().equals(LOAD_PRICE)) {
            return options.get(
                    byPrice(
                            options,
                            requests,
                            offered,
                            alone.get(),
                            arrivalsPerMs(q, t0, settings.slotMs()),
                            domainNodes));
        }
        Schedule best = full;
        double bestRate = rate(full);
        for (Schedule s : options) {
            if (rate(s) > bestRate) {
                best = s;
                bestRate = rate(s);
            }
        }
        return best;
    }

    /**
     * The load-price choice among a slot's schedules (the full one first). Each schedule is worth
     * the requests it serves minus the requests it kills: the candidates it leaves pending that one
     * offered node could serve alone at the next slot if nothing were decided now, but not after
     * this schedule's batches (their deadlines cannot wait for the nodes it occupies). From that
     * worth it pays for its compute time at a price per millisecond of {@code u * r}: r is the best
     * worth per millisecond of compute time among the schedules, u the load, the recent arrivals
     * per millisecond times the full schedule's compute milliseconds per request it serves, over
     * the domain's nodes, at most 1. Under light load (u near 0) the schedule that serves the most
     * and kills the fewest wins, as the paper's per-slot choice would; at full load (u = 1) the one
     * with the best worth per millisecond of node time, as padding-rate's. The first of equal
     * scores wins (the full set). Returns the index of the chosen schedule. "Servable alone" is
     * {@link ServableAlone}'s test, built once per slot over the wide window.
     */
    private int byPrice(
            List<Schedule> options,
            List<Request> requests,
            List<EdgeNode> offered,
            ServableAlone alone,
            double arrivalsPerMs,
            int domainNodes) {
        int count = requests.size();
        double[] busyNow = new double[offered.size()];
        for (int k = 0; k < busyNow.length; k++) {
            busyNow[k] = offered.get(k).busyUntil();
        }
        boolean[] servableNow = new boolean[count];
        for (int i = 0; i < count; i++) {
            servableNow[i] = alone.servable(i, busyNow);
        }
        int m = options.size();
        double[] ms = new double[m];
        int[] worth = new int[m];
        int fullServed = 0;
        double[] busyAfter = new double[busyNow.length];
        for (int k = 0; k < m; k++) {
            Schedule s = options.get(k);
            Set<String> served = new HashSet<>();
            for (ScheduledBatch b : s.batches()) {
                served.addAll(b.requests());
                ms[k] += b.timeline().computeEndMs() - b.timeline().computeStartMs();
            }
            // the nodes' busy times after this schedule's batches
            boolean changed = false;
            for (int j = 0; j < busyNow.length; j++) {
                double busy = busyNow[j];
                String id = offered.get(j).id();
                for (ScheduledBatch b : s.batches()) {
                    if (b.node().equals(id)) {
                        busy = Math.max(busy, b.timeline().computeEndMs());
                    }
                }
                busyAfter[j] = busy;
                changed |= busy != busyNow[j];
            }
            int kills = 0;
            for (int i = 0; changed && i < count; i++) {
                // only what was servable and is left pending can be killed
                if (servableNow[i]
                        && !served.contains(requests.get(i).id())
                        && !alone.servable(i, busyAfter)) {
                    kills++;
                }
            }
            worth[k] = served.size() - kills;
            if (k == 0) {
                fullServed = served.size();
            }
        }
        double msPerRequest = fullServed > 0 ? ms[0] / fullServed : 0;
        double load = Math.min(1.0, arrivalsPerMs * msPerRequest / Math.max(1, domainNodes));
        double bestRate = 0;
        for (int k = 0; k < m; k++) {
            if (ms[k] > 0) {
                bestRate = Math.max(bestRate, worth[k] / ms[k]);
            }
        }
        double price = load * bestRate;
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < m; k++) {
            double score = worth[k] - price * ms[k];
            if (score > bestScore + SCORE_TOLERANCE) {
                best = k;
                bestScore = score;
            }
        }
        return best;
    }

    /** Scores closer than this count as equal (the earlier schedule wins). */
    private static final double SCORE_TOLERANCE = 1e-9;

    /**
     * The recent arrival rate of a domain: its pending requests that arrived within the two slots
     * before t0, per millisecond (those already decided in the slot before are not counted: an
     * estimate from below, without state beyond the queue).
     */
    static double arrivalsPerMs(PendingQueue q, double t0, long slotMs) {
        int recent = 0;
        for (int i = 0; i < q.size; i++) {
            if (q.get(i).arrivalTime > t0 - 2 * slotMs) {
                recent++;
            }
        }
        return recent / (2.0 * slotMs);
    }

    /**
     * Adds to {@code options} the solves over the candidates whose {@code length} is at most each
     * cut-off's quantile of theirs (each subset at most max-candidates, its earliest deadlines;
     * none that equals the one before or every candidate).
     */
    private void addCutoffs(
            List<Schedule> options,
            List<Request> requests,
            java.util.function.ToIntFunction<Request> length,
            List<EdgeNode> offered,
            double t0,
            String domain,
            long slotEnd) {
        int[] lengths = requests.stream().mapToInt(length).sorted().toArray();
        int lastLimit = Integer.MAX_VALUE;
        for (double q : CUTOFFS) {
            int limit = lengths[(int) Math.floor(q * (lengths.length - 1))];
            if (limit >= lastLimit) {
                continue; // the same subset as the cut-off before
            }
            lastLimit = limit;
            List<Request> sub = new ArrayList<>();
            for (Request r : requests) {
                if (length.applyAsInt(r) <= limit && sub.size() < settings.maxCandidates()) {
                    sub.add(r);
                }
            }
            if (sub.isEmpty() || sub.size() == requests.size()) {
                continue;
            }
            Schedule s = solve(scheduler, domain, slotEnd, instance(t0, offered, sub));
            if (s != null) {
                options.add(s);
            }
        }
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

    /** Requests per millisecond of compute time over a schedule's batches (0 for none). */
    static double rate(Schedule s) {
        double ms = 0;
        int n = 0;
        for (ScheduledBatch b : s.batches()) {
            ms += b.timeline().computeEndMs() - b.timeline().computeStartMs();
            n += b.requests().size();
        }
        return ms <= 0 ? 0 : n / ms;
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
