package org.edgellm.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.DecidedRequest;
import org.edgellm.events.Rejection;
import org.edgellm.events.RejectionReason;
import org.edgellm.events.SlotReport;
import org.edgellm.scheduler.Algorithms;
import org.edgellm.scheduler.Channel;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Feasibility;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.Request;
import org.edgellm.scheduler.Schedule;
import org.edgellm.scheduler.ScheduledBatch;
import org.edgellm.scheduler.Scheduler;
import org.edgellm.scheduler.SearchBudget;
import org.edgellm.scheduler.Variant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One slot scheduler per coordination domain (the key). Events are buffered by the slot they fall
 * in and applied only when the watermark passes that slot's end, in a deterministic order, so the
 * outcome does not depend on how the three inputs interleave. At each slot end T:
 *
 * <ol>
 *   <li>apply the slot's events (requests join the pending queue, a repeated id is INVALID; the
 *       latest channel per user and node is kept; telemetry updates capabilities, health, slowdown
 *       and busy time);
 *   <li>plan at t0 = T + out-of-orderness + commit delay: the nodes that are healthy, not silent
 *       and whose predicted busy time lies within the look-ahead; the pending requests with the
 *       earliest deadlines (at most max-candidates) with their fresh channels; run the scheduler
 *       with its budget; emit one {@link BatchDecision} per used node and advance its busy time;
 *   <li>reject what no later slot could serve (checked optimistically: alone, on any known node,
 *       healthy or not since a node that is down may return before the deadline, idle from the next
 *       slot on, with its freshest channel; a request whose only suitable nodes lack a channel
 *       waits for one until its deadline): EXPIRED, ACCURACY_UNSATISFIABLE, TOO_LARGE, NO_CHANNEL,
 *       DEADLINE_UNREACHABLE. Every tenth slot checks all pending requests, the others only those
 *       within {@link #NEAR_DEADLINE_MS} of their deadline, so a rejection may come up to a second
 *       later than it could, never earlier. Beyond max-pending the latest deadlines are shed;
 *   <li>emit a {@link SlotReport} when the scheduler ran or something was rejected; clear silent
 *       users' channels and old request ids.
 * </ol>
 *
 * Late events (their slot already closed) join the next slot. Nothing here throws on bad data.
 */
public class SlotCoordinator extends KeyedProcessFunction<String, InputEvent, BatchDecision> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SlotCoordinator.class);

    public static final OutputTag<Rejection> REJECTIONS =
            new OutputTag<>("rejections", new AvroTypeInfo<>(Rejection.class));
    public static final OutputTag<SlotReport> REPORTS =
            new OutputTag<>("slot-reports", new AvroTypeInfo<>(SlotReport.class));

    /** Requests closer than this to their deadline are checked for rejection every slot. */
    static final double NEAR_DEADLINE_MS = 3000;

    private final Topology topology;
    private final JobConfig config;

    private transient MapState<Long, List<InputEvent>> buffer;
    private transient ValueState<PendingQueue> queue;
    private transient MapState<String, Double> known;
    private transient MapState<String, UserChannels> channels;
    private transient MapState<String, NodeRuntime> nodes;
    private transient Scheduler scheduler;
    private transient long reportLossAfter;

    /** Wall-clock arrival of the latest telemetry record, and of the latest other record. */
    private transient long telemetryArrived;

    private transient long otherArrived;
    private transient SearchBudget budget;

    private transient Histogram solveMicros;
    private transient Counter assignedCounter;
    private transient Map<RejectionReason, Counter> rejectedCounters;
    private transient long pendingGauge;
    private transient double ratioGauge;

    public SlotCoordinator(Topology topology, JobConfig config) {
        this.topology = topology;
        this.config = config;
    }

    @Override
    public void open(OpenContext ctx) {
        var rc = getRuntimeContext();
        buffer =
                rc.getMapState(
                        new MapStateDescriptor<>(
                                "slot-buffer",
                                Types.LONG,
                                Types.LIST(Types.POJO(InputEvent.class))));
        queue = rc.getState(new ValueStateDescriptor<>("pending", Types.POJO(PendingQueue.class)));
        known = rc.getMapState(new MapStateDescriptor<>("known-ids", Types.STRING, Types.DOUBLE));
        channels =
                rc.getMapState(
                        new MapStateDescriptor<>(
                                "channels", Types.STRING, Types.POJO(UserChannels.class)));
        nodes =
                rc.getMapState(
                        new MapStateDescriptor<>(
                                "nodes", Types.STRING, Types.POJO(NodeRuntime.class)));
        scheduler = Algorithms.byName(config.scheduler, 1, 8);
        reportLossAfter =
                config.restartGraceMs > 0 ? System.currentTimeMillis() + config.restartGraceMs : 0;
        telemetryArrived = System.currentTimeMillis();
        otherArrived = telemetryArrived;
        budget = new SearchBudget(config.budgetNodes, config.budgetMicros);
        var group = rc.getMetricGroup();
        solveMicros = group.histogram("solveMicros", new DescriptiveStatisticsHistogram(1000));
        assignedCounter = group.counter("assigned");
        rejectedCounters = new EnumMap<>(RejectionReason.class);
        for (RejectionReason r : RejectionReason.values()) {
            rejectedCounters.put(r, group.addGroup("rejected").counter(r.name()));
        }
        group.gauge("pending", () -> pendingGauge);
        group.gauge("certifiedRatio", () -> ratioGauge);
    }

    /** Pending requests of the current key (for tests and diagnostics). */
    int pendingCount() throws Exception {
        PendingQueue q = queue.value();
        return q == null ? 0 : q.size;
    }

    /** Buffered events of the current key not yet applied (for tests and diagnostics). */
    int bufferedCount() throws Exception {
        int n = 0;
        for (List<InputEvent> l : buffer.values()) {
            n += l.size();
        }
        return n;
    }

    /** Remembered request ids of the current key (for tests and diagnostics). */
    int knownIdCount() throws Exception {
        int n = 0;
        for (String ignored : known.keys()) {
            n++;
        }
        return n;
    }

    /** Users with channel state of the current key (for tests and diagnostics). */
    int channelUserCount() throws Exception {
        int n = 0;
        for (String ignored : channels.keys()) {
            n++;
        }
        return n;
    }

    /** Batches not reported finished, over the current key's nodes (for tests and diagnostics). */
    int outstandingCount() throws Exception {
        int n = 0;
        for (NodeRuntime r : nodes.values()) {
            n += r.outstanding.size();
        }
        return n;
    }

    static long slotEndAfter(long t, long slotMs) {
        return Math.floorDiv(t, slotMs) * slotMs + slotMs;
    }

    @Override
    public void processElement(InputEvent e, Context ctx, Collector<BatchDecision> out)
            throws Exception {
        if (e.kind == InputEvent.INVALID_REQUEST) {
            reject(
                    ctx,
                    e.requestId,
                    e.userId,
                    e.domainId,
                    e.time,
                    RejectionReason.INVALID,
                    e.error);
            return;
        }
        if (config.restartGraceMs > 0) {
            if (e.kind == InputEvent.TELEMETRY) {
                telemetryArrived = System.currentTimeMillis();
            } else {
                otherArrived = System.currentTimeMillis();
            }
        }
        long wm = ctx.timerService().currentWatermark();
        long slot = slotEndAfter(e.time, config.slotMs);
        if (slot <= wm) {
            slot = slotEndAfter(wm, config.slotMs); // late: joins the next slot
        }
        List<InputEvent> list = buffer.get(slot);
        if (list == null) {
            list = new ArrayList<>(4);
        }
        list.add(e);
        buffer.put(slot, list);
        ctx.timerService().registerEventTimeTimer(slot);
    }

    @Override
    public void onTimer(long slotEnd, OnTimerContext ctx, Collector<BatchDecision> out)
            throws Exception {
        String domain = ctx.getCurrentKey();
        EnumMap<RejectionReason, Integer> rejectedNow = new EnumMap<>(RejectionReason.class);
        ensureNodes(domain);
        PendingQueue q = queue.value();
        if (q == null) {
            q = new PendingQueue();
        }
        applyBuffered(slotEnd, ctx, q, rejectedNow);
        boolean tracking = checkNodes(ctx, domain, slotEnd, rejectedNow);
        if (q.size == 0) {
            pendingGauge = 0;
            queue.update(q);
            if (!rejectedNow.isEmpty()) {
                ctx.output(REPORTS, report(domain, slotEnd, 0, 0, rejectedNow, 0, null));
            }
            maybeClean(slotEnd, domain);
            wakeUp(ctx, slotEnd, domain, false, tracking);
            return;
        }
        double t0 = slotEnd + config.outOfOrdernessMs + config.commitDelay();
        if (config.wallClock) {
            t0 = Math.max(t0, System.currentTimeMillis() + config.commitDelay());
        }
        List<String> ids = new ArrayList<>();
        List<NodeRuntime> runtimes = new ArrayList<>();
        for (Map.Entry<String, NodeRuntime> en : nodes.entries()) {
            ids.add(en.getKey());
        }
        ids.sort(null);
        for (String id : ids) {
            runtimes.add(nodes.get(id));
        }
        List<String> offeredIds = new ArrayList<>();
        List<EdgeNode> offered = new ArrayList<>();
        for (int k = 0; k < ids.size(); k++) {
            NodeRuntime n = runtimes.get(k);
            if (n.offered(slotEnd, config.heartbeatTimeoutMs, config.lookahead())) {
                offeredIds.add(ids.get(k));
                offered.add(n.spec.toEdgeNode(n.busyUntil, n.slowdown));
            }
        }
        long freshSince = slotEnd - config.maxChannelAgeMs;
        Schedule schedule = null;
        int considered = 0;
        Map<String, RequestEvent> byId = new HashMap<>();
        if (!offered.isEmpty()) {
            List<Request> requests = new ArrayList<>();
            for (int i = 0; i < q.size && requests.size() < config.maxCandidates; i++) {
                RequestEvent r = q.get(i);
                if (r.deadline > t0) {
                    requests.add(toRequest(r, offeredIds, freshSince));
                    byId.put(r.requestId, r);
                }
            }
            considered = requests.size();
            if (!requests.isEmpty()) {
                Instance instance =
                        new Instance(
                                t0,
                                topology.objective,
                                topology.computeModel,
                                topology.bitsPerToken,
                                topology.model(),
                                offered,
                                requests);
                try {
                    schedule = scheduler.solve(instance, budget);
                } catch (RuntimeException ex) {
                    LOG.error(
                            "scheduler failed on domain {} slot {}; no decision this slot",
                            domain,
                            slotEnd,
                            ex);
                }
            }
        }
        int assigned = 0;
        if (schedule != null) {
            solveMicros.update(schedule.stats().solveMicros());
            double ratio = schedule.certifiedRatio();
            ratioGauge = Double.isNaN(ratio) ? -1 : ratio;
            java.util.Set<String> taken = new java.util.HashSet<>();
            for (ScheduledBatch b : schedule.batches()) {
                NodeRuntime n = runtimes.get(ids.indexOf(b.node()));
                BatchDecision bd =
                        decision(
                                domain,
                                slotEnd,
                                b,
                                byId,
                                Double.isNaN(ratio) ? -1 : ratio,
                                config.scheduler);
                bd.setAssumedSlowdown(n.slowdown > 0 ? n.slowdown : 1.0);
                out.collect(bd);
                if (n.tracksProgress) {
                    n.outstanding.add(outstanding(bd));
                    tracking = true; // watched from the next slot on
                }
                n.busyUntil = b.timeline().computeEndMs();
                n.lastDecisionT0 = t0;
                nodes.put(b.node(), n);
                taken.addAll(b.requests());
                assigned += b.requests().size();
            }
            if (!taken.isEmpty()) {
                boolean[] drop = new boolean[q.size];
                for (int i = 0; i < q.size; i++) {
                    drop[i] = taken.contains(q.get(i).requestId);
                }
                q.removeFlagged(drop);
            }
            assignedCounter.inc(assigned);
        }
        rejectUnservable(ctx, domain, slotEnd, t0, ids, runtimes, q, rejectedNow);
        shed(ctx, domain, slotEnd, q, rejectedNow);
        pendingGauge = q.size;
        queue.update(q);
        if (schedule != null || !rejectedNow.isEmpty()) {
            // a report for every slot in which the scheduler ran or something was rejected
            ctx.output(
                    REPORTS,
                    report(
                            domain,
                            slotEnd,
                            considered,
                            assigned,
                            rejectedNow,
                            offered.size(),
                            schedule));
        }
        maybeClean(slotEnd, domain);
        wakeUp(ctx, slotEnd, domain, q.size > 0, tracking);
    }

    /**
     * The next timer of the domain: the next slot while requests are pending or batches are
     * watched; otherwise, while it still remembers ids or channels, its next cleaning, so that a
     * quiet domain's state still empties; otherwise none (events register their own slots).
     */
    private void wakeUp(Context ctx, long slotEnd, String domain, boolean pending, boolean tracking)
            throws Exception {
        if (pending || tracking) {
            ctx.timerService().registerEventTimeTimer(slotEnd + config.slotMs);
        } else if (!(known.isEmpty() && channels.isEmpty())) {
            ctx.timerService().registerEventTimeTimer(nextClean(slotEnd, domain));
        }
    }

    /**
     * Live only: no telemetry record arrived for the heartbeat timeout plus the restart grace (wall
     * clock) while requests or channel states kept arriving: the broker works, the workers are
     * gone.
     */
    private boolean allWorkersGone() {
        if (config.restartGraceMs <= 0) {
            return false;
        }
        long now = System.currentTimeMillis();
        return now - telemetryArrived > config.heartbeatTimeoutMs + config.restartGraceMs
                && now - otherArrived <= config.heartbeatTimeoutMs;
    }

    private static NodeRuntime.Outstanding outstanding(BatchDecision d) {
        NodeRuntime.Outstanding o = new NodeRuntime.Outstanding();
        o.decisionId = d.getDecisionId();
        o.slotEnd = d.getSlotEnd().toEpochMilli();
        o.computeStartMs = d.getComputeStartMs();
        o.computeEndMs = d.getComputeEndMs();
        for (DecidedRequest r : d.getRequests()) {
            o.requestIds.add(r.getRequestId());
            o.userIds.add(r.getUserId());
        }
        return o;
    }

    /**
     * Finds the nodes whose oldest batch not reported finished is overdue (see {@link
     * NodeRuntime#overdue}): crashed ones (silent past the heartbeat timeout, which already keeps
     * them out of planning) and stalled ones (heartbeats go on, nothing finishes). Every request of
     * their unfinished batches is reported UNFINISHED, so that none is silently lost. A stalled
     * node is offered nothing until it reports progress; a silent one until it is heard again.
     *
     * @return whether some node still has batches to watch
     */
    private boolean checkNodes(
            Context ctx, String domain, long slotEnd, Map<RejectionReason, Integer> rejectedNow)
            throws Exception {
        boolean tracking = false;
        Map<String, NodeRuntime> changed = null;
        long heardLatest = Long.MIN_VALUE; // the domain's most recent heartbeat, any node
        for (NodeRuntime n : nodes.values()) {
            heardLatest = Math.max(heardLatest, n.lastHeartbeat);
        }
        for (Map.Entry<String, NodeRuntime> en : nodes.entries()) {
            NodeRuntime n = en.getValue();
            if (n.outstanding.isEmpty()) {
                continue;
            }
            if (!n.overdue(slotEnd, config.heartbeatTimeoutMs)
                    || (reportLossAfter > 0 && System.currentTimeMillis() < reportLossAfter)) {
                tracking = true; // a silent node may still come back in time
                continue;
            }
            boolean silent = n.silent(slotEnd, config.heartbeatTimeoutMs);
            if (silent
                    && heardLatest - n.lastHeartbeat <= config.heartbeatTimeoutMs
                    && !allWorkersGone()) {
                // no node of the domain was heard since: the telemetry stream lags (a broker
                // outage, a partition still catching up), not this node; wait for it
                tracking = true;
                continue;
            }
            String why =
                    silent
                            ? "silent since " + Instant.ofEpochMilli(n.lastHeartbeat)
                            : "stalled: finished nothing after "
                                    + Instant.ofEpochMilli(n.finishedThrough);
            for (NodeRuntime.Outstanding o : n.outstanding) {
                for (int i = 0; i < o.requestIds.size(); i++) {
                    reject(
                            ctx,
                            o.requestIds.get(i),
                            o.userIds.get(i),
                            domain,
                            slotEnd,
                            RejectionReason.UNFINISHED,
                            "decided in "
                                    + o.decisionId
                                    + " on node "
                                    + en.getKey()
                                    + ", which did not report it finished ("
                                    + why
                                    + ")");
                    count(rejectedNow, RejectionReason.UNFINISHED);
                }
            }
            LOG.warn(
                    "node {} of domain {} {}: {} batches reported UNFINISHED",
                    en.getKey(),
                    domain,
                    why,
                    n.outstanding.size());
            n.outstanding.clear();
            n.stalled = !silent;
            n.busyUntil = Math.min(n.busyUntil, slotEnd);
            if (changed == null) {
                changed = new HashMap<>(2);
            }
            changed.put(en.getKey(), n);
        }
        if (changed != null) {
            nodes.putAll(changed);
        }
        return tracking;
    }

    private void ensureNodes(String domain) throws Exception {
        if (nodes.isEmpty()) {
            List<NodeSpec> specs = topology.domains.get(domain);
            if (specs != null) {
                for (NodeSpec s : specs) {
                    nodes.put(s.id, NodeRuntime.of(s));
                }
            }
        }
    }

    private void applyBuffered(
            long slotEnd, Context ctx, PendingQueue q, Map<RejectionReason, Integer> rejectedNow)
            throws Exception {
        List<Long> due = new ArrayList<>(2);
        for (Long k : buffer.keys()) {
            if (k <= slotEnd) {
                due.add(k);
            }
        }
        if (due.isEmpty()) {
            return;
        }
        List<InputEvent> events = new ArrayList<>();
        for (Long k : due) {
            events.addAll(buffer.get(k));
            buffer.remove(k);
        }
        events.sort(
                Comparator.comparingLong((InputEvent e) -> e.time)
                        .thenComparingInt(e -> e.kind)
                        .thenComparing(InputEvent::sortKey));
        Map<String, UserChannels> touched = new HashMap<>();
        for (InputEvent e : events) {
            switch (e.kind) {
                case InputEvent.REQUEST -> {
                    RequestEvent r = e.request;
                    if (known.contains(r.requestId)) {
                        reject(
                                ctx,
                                r.requestId,
                                r.userId,
                                r.domainId,
                                slotEnd,
                                RejectionReason.INVALID,
                                "requestId: duplicate request id (got " + r.requestId + ")");
                        count(rejectedNow, RejectionReason.INVALID);
                    } else {
                        known.put(r.requestId, r.deadline);
                        q.add(r);
                    }
                }
                case InputEvent.CHANNEL -> {
                    ChannelEvent c = e.channel;
                    UserChannels u = touched.get(c.userId);
                    if (u == null) {
                        u = channels.get(c.userId);
                        if (u == null) {
                            u = new UserChannels();
                        }
                        touched.put(c.userId, u);
                    }
                    u.update(c);
                }
                case InputEvent.TELEMETRY -> applyTelemetry(e.telemetry);
                default -> {}
            }
        }
        for (Map.Entry<String, UserChannels> en : touched.entrySet()) {
            channels.put(en.getKey(), en.getValue());
        }
    }

    private void applyTelemetry(TelemetryEvent t) throws Exception {
        NodeRuntime n = nodes.get(t.nodeId);
        if (n == null) {
            NodeSpec spec =
                    t.capabilities != null ? t.capabilities : topology.node(t.domainId, t.nodeId);
            if (spec == null) {
                return;
            }
            n = NodeRuntime.of(spec);
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
        if (t.finishedThrough != Long.MIN_VALUE) {
            n.tracksProgress = true;
            if (t.finishedThrough > n.finishedThrough) {
                n.finishedThrough = t.finishedThrough;
                n.stalled = false; // progress
            }
            while (!n.outstanding.isEmpty() && n.outstanding.get(0).slotEnd <= n.finishedThrough) {
                n.outstanding.remove(0);
            }
        }
        if (t.busyUntil != Long.MIN_VALUE) {
            n.reportedBusyUntil = t.busyUntil > t.time ? t.busyUntil : Double.NEGATIVE_INFINITY;
            if (t.busyUntil > t.time && t.time == n.lastHeartbeat) {
                n.stalled = false; // at work on a batch it expects to finish later: not stalled
            }
            if (n.tracksProgress) {
                // it knows which of our batches it finished: it is busy with the first unfinished
                // one (its busy-until is that batch's expected end), and the later ones are
                // shifted by the same lateness; with none unfinished it is as free as it says
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
                        t.time >= n.lastDecisionT0
                                ? t.busyUntil
                                : Math.max(n.busyUntil, t.busyUntil);
            }
        }
        nodes.put(t.nodeId, n);
    }

    private Request toRequest(RequestEvent r, List<String> nodeIds, long freshSince)
            throws Exception {
        Map<String, Channel> ch = new HashMap<>();
        UserChannels u = channels.get(r.userId);
        if (u != null) {
            for (String node : nodeIds) {
                int i = u.indexOf(node);
                if (i >= 0 && u.measuredAt[i] >= freshSince) {
                    ch.put(node, new Channel(u.uplink[i], u.downlink[i]));
                }
            }
        }
        return new Request(
                r.requestId,
                r.arrivalTime,
                r.promptTokens,
                r.maxOutputTokens,
                r.deadline,
                r.maxPplIncrease,
                r.weight,
                r.uplinkBytes < 0 ? Double.NaN : r.uplinkBytes,
                ch);
    }

    /** Rejects the pending requests that no later slot could serve. */
    private void rejectUnservable(
            Context ctx,
            String domain,
            long slotEnd,
            double t0,
            List<String> ids,
            List<NodeRuntime> runtimes,
            PendingQueue q,
            Map<RejectionReason, Integer> rejectedNow)
            throws Exception {
        double next = t0 + config.slotMs; // the earliest a later slot can start
        // staggered by domain so that domains do not all sweep in the same slot
        boolean full = Math.floorMod(slotEnd / config.slotMs + domain.hashCode(), 10) == 0;
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
        // every known node counts, healthy or not: one that is down may be back in time
        List<EdgeNode> idle = new ArrayList<>();
        for (NodeRuntime r : runtimes) {
            idle.add(r.spec.toEdgeNode(next, r.slowdown));
        }
        long freshSince = slotEnd - config.maxChannelAgeMs;
        List<Request> reqs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            reqs.add(toRequest(q.get(i), ids, freshSince));
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
        boolean[] drop = new boolean[q.size];
        boolean any = false;
        int[] one = new int[1];
        for (int i = 0; i < n; i++) {
            RequestEvent r = q.get(i);
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
                if (!f.memoryFits(1, r.promptTokens, r.maxOutputTokens)) {
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
            RejectionReason reason = null;
            String detail = null;
            if (servable) {
                continue;
            } else if (!accurate) {
                reason = RejectionReason.ACCURACY_UNSATISFIABLE;
                detail = "no resident variant within maxPplIncrease " + r.maxPplIncrease;
            } else if (!fits) {
                reason = RejectionReason.TOO_LARGE;
                detail =
                        "KV cache of "
                                + r.promptTokens
                                + "+"
                                + r.maxOutputTokens
                                + " tokens fits on no node within its accuracy";
            } else if (waitingForChannel && next < r.deadline) {
                continue; // a channel to a suitable node may still come
            } else if (!channel) {
                reason = RejectionReason.NO_CHANNEL;
                detail = "no fresh channel to a suitable node before the deadline";
            } else {
                reason =
                        r.deadline <= t0
                                ? RejectionReason.EXPIRED
                                : RejectionReason.DEADLINE_UNREACHABLE;
                detail =
                        "alone on an idle node from "
                                + (long) next
                                + " it would still miss its deadline "
                                + (long) r.deadline;
            }
            drop[i] = true;
            any = true;
            reject(ctx, r.requestId, r.userId, domain, slotEnd, reason, detail);
            count(rejectedNow, reason);
        }
        if (any) {
            q.removeFlagged(drop);
        }
    }

    private void shed(
            Context ctx,
            String domain,
            long slotEnd,
            PendingQueue q,
            Map<RejectionReason, Integer> rejectedNow) {
        while (q.size > config.maxPending) {
            // the latest deadline first: the earliest deadlines are kept
            RequestEvent r = q.removeLast();
            reject(
                    ctx,
                    r.requestId,
                    r.userId,
                    domain,
                    slotEnd,
                    RejectionReason.SHED,
                    "pending requests of the domain exceed max-pending " + config.maxPending);
            count(rejectedNow, RejectionReason.SHED);
        }
    }

    /**
     * Where slotEnd lies in the domain's cleaning minute: a domain cleans in the slot where this is
     * below one slot, staggered by domain so that domains do not all clean in the same slot.
     */
    private static long cleanPhase(long slotEnd, String domain) {
        return Math.floorMod(slotEnd + domain.hashCode() * 7919L, 60_000L);
    }

    /** The slot end of the domain's next cleaning after slotEnd. */
    long nextClean(long slotEnd, String domain) {
        return slotEndAfter(slotEnd + 60_000L - cleanPhase(slotEnd, domain) - 1, config.slotMs);
    }

    /** Once a minute of event time: drop silent users' channels and ids long past deadline. */
    private void maybeClean(long slotEnd, String domain) throws Exception {
        if (cleanPhase(slotEnd, domain) >= config.slotMs) {
            return;
        }
        long channelHorizon = slotEnd - 10 * config.maxChannelAgeMs;
        for (Iterator<Map.Entry<String, UserChannels>> it = channels.iterator(); it.hasNext(); ) {
            if (it.next().getValue().newest() < channelHorizon) {
                it.remove();
            }
        }
        double idHorizon = slotEnd - 60_000.0; // a repeated id after its deadline + 1 min is new
        for (Iterator<Map.Entry<String, Double>> it = known.iterator(); it.hasNext(); ) {
            if (it.next().getValue() < idHorizon) {
                it.remove();
            }
        }
    }

    private void reject(
            Context ctx,
            String id,
            String user,
            String domain,
            long time,
            RejectionReason reason,
            String detail) {
        ctx.output(
                REJECTIONS,
                Rejection.newBuilder()
                        .setRequestId(id)
                        .setUserId(user)
                        .setDomainId(domain)
                        .setTime(Instant.ofEpochMilli(time))
                        .setReason(reason)
                        .setDetail(detail)
                        .build());
        if (rejectedCounters != null) {
            rejectedCounters.get(reason).inc();
        }
    }

    private static void count(Map<RejectionReason, Integer> m, RejectionReason r) {
        m.merge(r, 1, Integer::sum);
    }

    static BatchDecision decision(
            String domain,
            long slotEnd,
            ScheduledBatch b,
            Map<String, RequestEvent> byId,
            double ratio,
            String algorithm) {
        List<DecidedRequest> rs = new ArrayList<>();
        for (String id : b.requests()) {
            RequestEvent r = byId.get(id);
            rs.add(
                    DecidedRequest.newBuilder()
                            .setRequestId(id)
                            .setUserId(r.userId)
                            .setArrivalTime(Instant.ofEpochMilli(r.arrivalTime))
                            .setDeadlineMs(r.deadline)
                            .setPromptTokens(r.promptTokens)
                            .setMaxOutputTokens(r.maxOutputTokens)
                            .setMaxPplIncrease(r.maxPplIncrease)
                            .setPredictedFinishMs(b.timeline().finishMs().get(id))
                            .setUplinkShareHz(b.timeline().uplinkShareHz().get(id))
                            .setDownlinkShareHz(b.timeline().downlinkShareHz().get(id))
                            .setPromptText(r.promptText)
                            .build());
        }
        return BatchDecision.newBuilder()
                .setDecisionId(domain + "/" + slotEnd + "/" + b.node())
                .setDomainId(domain)
                .setSlotEnd(Instant.ofEpochMilli(slotEnd))
                .setNodeId(b.node())
                .setVariant(b.variant())
                .setAlgorithm(algorithm)
                .setUplinkMs(b.timeline().uplinkMs())
                .setComputeStartMs(b.timeline().computeStartMs())
                .setComputeEndMs(b.timeline().computeEndMs())
                .setCertifiedRatio(ratio)
                .setRequests(rs)
                .build();
    }

    private SlotReport report(
            String domain,
            long slotEnd,
            int considered,
            int assigned,
            Map<RejectionReason, Integer> rejected,
            int nodesOffered,
            Schedule s) {
        Map<String, Integer> rej = new TreeMap<>();
        rejected.forEach((k, v) -> rej.put(k.name(), v));
        double ub =
                s == null
                        ? 0
                        : s.stats().upperBound() == null ? s.objective() : s.stats().upperBound();
        return SlotReport.newBuilder()
                .setDomainId(domain)
                .setSlotEnd(Instant.ofEpochMilli(slotEnd))
                .setPending(considered)
                .setAssigned(assigned)
                .setRejected(rej)
                .setNodesOffered(nodesOffered)
                .setObjective(s == null ? 0 : s.objective())
                .setUpperBound(ub)
                .setSolveMicros(s == null ? 0 : s.stats().solveMicros())
                .setNodesVisited(s == null ? 0 : s.stats().nodesVisited())
                .setFeasibilityChecks(s == null ? 0 : s.stats().feasibilityChecks())
                .setProvenOptimal(s == null || s.stats().provenOptimal())
                .build();
    }
}
