package org.edgellm.job.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.edgellm.job.InputEvent;
import org.edgellm.job.NodeRuntime;
import org.edgellm.job.NodeSpec;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.Topology;
import org.edgellm.scheduler.Algorithms;
import org.edgellm.scheduler.Schedule;
import org.edgellm.scheduler.Scheduler;

/**
 * The scheduler of coordination domains: what happens when a slot of one domain closes. The caller
 * buffers each domain's events by the slot they fall in ({@link Slots#slotOf}) and calls {@link
 * #closeSlot} when the slot's end has passed, with that slot's events and the domain's state. At
 * the slot end T:
 *
 * <ol>
 *   <li>the slot's events are applied in a fixed order ({@link SlotEvents});
 *   <li>watched batches that will not finish (refused by their worker, lease ended, or overdue) are
 *       re-dispatched or reported UNFINISHED ({@link NodeLiveness});
 *   <li>the slot is planned at t0 = T + out-of-orderness + commit delay (live: not before the wall
 *       clock plus the commit delay) ({@link SlotPlanner});
 *   <li>what no later slot could serve is rejected ({@link Admission}), then the queue is bounded
 *       ({@link Shedding});
 *   <li>a report is made when the scheduler ran or something was rejected; old ids and silent
 *       users' channels are forgotten every ten seconds ({@link Retention}).
 * </ol>
 *
 * The domain wants to run again at the next slot while requests are pending or batches are watched;
 * otherwise, while it still remembers ids or channels, at its next cleaning. Nothing here throws on
 * bad data. One instance serves any number of domains (all of its state is in the {@link
 * DomainState} passed in); it reads the wall clock only through the injected clock, and only in
 * live runs.
 */
public final class DomainScheduler {
    private final Topology topology;
    private final DomainSettings settings;
    private final LongSupplier clock;
    private final NodeLiveness liveness;
    private final SlotPlanner planner;
    private final Admission admission;

    /**
     * @param clock the wall clock (epoch ms); read only when planning from the wall clock or within
     *     a restart grace (live runs)
     */
    public DomainScheduler(Topology topology, DomainSettings settings, LongSupplier clock) {
        this(topology, settings, clock, algorithm(settings.scheduler()));
    }

    /** With a given algorithm (tests: a failing or slow one). */
    DomainScheduler(
            Topology topology, DomainSettings settings, LongSupplier clock, Scheduler scheduler) {
        this.topology = topology;
        this.settings = settings;
        this.clock = clock;
        this.liveness =
                new NodeLiveness(
                        settings.heartbeatTimeoutMs(),
                        new RestartGrace(clock, settings.restartGraceMs()));
        this.planner = new SlotPlanner(topology, settings, scheduler);
        this.admission = new Admission(topology, settings);
    }

    private static Scheduler algorithm(String name) {
        Scheduler s = Algorithms.byName(name, 1, 8);
        if (s == null) {
            throw new IllegalArgumentException("--scheduler: unknown algorithm (got " + name + ")");
        }
        return s;
    }

    public DomainSettings settings() {
        return settings;
    }

    /** A request that failed validation: its final rejection, at once. */
    public Rejected invalid(InputEvent e) {
        return new Rejected(
                e.requestId, e.userId, e.domainId, e.time, RejectReason.INVALID, e.error);
    }

    /** Closes the slot ending at slotEnd of one domain while inputs go on. */
    public SlotOutcome closeSlot(
            String domain, long slotEnd, List<InputEvent> due, DomainState state) {
        return closeSlot(domain, slotEnd, due, state, false);
    }

    /**
     * Closes the slot ending at slotEnd of one domain.
     *
     * @param due the events of the slots up to slotEnd not applied yet, in any order
     * @param inputEnded every input has ended (the watermark is at the end of time): no heartbeat
     *     can come any more, so a node's silence is not a lagging telemetry stream
     */
    public SlotOutcome closeSlot(
            String domain,
            long slotEnd,
            List<InputEvent> due,
            DomainState state,
            boolean inputEnded) {
        List<Rejected> rejected = new ArrayList<>();
        ensureNodes(domain, state);
        PendingQueue q = state.pending();
        SlotEvents.apply(slotEnd, due, state, q, topology, rejected);
        NodeLiveness.Result live = liveness.check(domain, slotEnd, state, q, inputEnded, rejected);
        boolean watching = live.watching();
        if (q.size == 0) {
            state.storePending(q);
            SlotSummary report =
                    rejected.isEmpty()
                            ? null
                            : report(domain, slotEnd, 0, 0, rejected, 0, null, false);
            Retention.maybeClean(
                    slotEnd, domain, settings.slotMs(), settings.maxChannelAgeMs(), state);
            return new SlotOutcome(
                    List.of(),
                    rejected,
                    report,
                    wakeUp(slotEnd, domain, false, watching, state),
                    0,
                    false,
                    Double.NaN,
                    live.redispatched());
        }
        double t0 = slotEnd + settings.outOfOrdernessMs() + settings.commitDelayMs();
        if (settings.wallClockPlanning()) {
            t0 = Math.max(t0, clock.getAsLong() + settings.commitDelayMs());
        }
        Map<String, NodeRuntime> nodes = state.nodes();
        List<String> ids = new ArrayList<>(nodes.keySet());
        List<NodeRuntime> runtimes = new ArrayList<>(nodes.values());
        SlotPlanner.Plan plan = planner.plan(domain, slotEnd, t0, ids, runtimes, q, state);
        admission.rejectUnservable(domain, slotEnd, t0, runtimes, q, state, rejected);
        Shedding.shed(domain, slotEnd, q, settings.maxPending(), rejected);
        state.storePending(q);
        Schedule s = plan.schedule();
        SlotSummary report =
                s != null || plan.fallback() || !rejected.isEmpty()
                        ? report(
                                domain,
                                slotEnd,
                                plan.considered(),
                                plan.assigned(),
                                rejected,
                                plan.nodesOffered(),
                                s,
                                plan.fallback())
                        : null;
        Retention.maybeClean(slotEnd, domain, settings.slotMs(), settings.maxChannelAgeMs(), state);
        return new SlotOutcome(
                plan.decisions(),
                rejected,
                report,
                wakeUp(slotEnd, domain, q.size > 0, watching || plan.watching(), state),
                q.size,
                s != null,
                s == null ? Double.NaN : s.certifiedRatio(),
                live.redispatched());
    }

    /**
     * The next wake-up: the next slot while requests are pending or batches are watched; otherwise,
     * while ids or channels are remembered, the next cleaning, so that a quiet domain's state still
     * empties; otherwise none (events bring their own slots).
     */
    private long wakeUp(
            long slotEnd, String domain, boolean pending, boolean watching, DomainState state) {
        // the next slot end of the domain's phase after slotEnd: slotEnd + slotMs, except after a
        // timer of another phase (state restored from a release with aligned slots, or the
        // stagger switched on), which moves the domain to its own phase
        long phase = settings.slotPhaseMs(domain);
        if (pending || watching) {
            return Slots.slotEndAfter(slotEnd, settings.slotMs(), phase);
        } else if (!state.remembersNothing()) {
            return Retention.nextClean(slotEnd, domain, settings.slotMs(), phase);
        }
        return SlotOutcome.NONE;
    }

    private void ensureNodes(String domain, DomainState state) {
        if (!state.hasNodes()) {
            List<NodeSpec> specs = topology.domains.get(domain);
            if (specs != null) {
                for (NodeSpec s : specs) {
                    state.storeNode(s.id, NodeRuntime.of(s));
                }
            }
        }
    }

    private static SlotSummary report(
            String domain,
            long slotEnd,
            int considered,
            int assigned,
            List<Rejected> rejected,
            int nodesOffered,
            Schedule s,
            boolean fallback) {
        Map<String, Integer> rej = new TreeMap<>();
        for (Rejected r : rejected) {
            rej.merge(r.reason().name(), 1, Integer::sum);
        }
        double ub =
                s == null
                        ? 0
                        : s.stats().upperBound() == null ? s.objective() : s.stats().upperBound();
        return new SlotSummary(
                domain,
                slotEnd,
                considered,
                assigned,
                rej,
                nodesOffered,
                s == null ? 0 : s.objective(),
                ub,
                s == null ? 0 : s.stats().solveMicros(),
                s == null ? 0 : s.stats().nodesVisited(),
                s == null ? 0 : s.stats().feasibilityChecks(),
                s == null || s.stats().provenOptimal(),
                fallback);
    }
}
