package org.edgellm.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
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
 *   <li>apply the slot's events (requests join the pending set, duplicates are INVALID; the latest
 *       channel per user and node is kept; telemetry updates capabilities, health, slowdown and
 *       busy time);
 *   <li>plan at t0 = T + out-of-orderness + commit delay: the nodes that are healthy, not silent
 *       and whose predicted busy time lies within the look-ahead; the pending requests (earliest
 *       deadlines first, at most max-candidates) with fresh channels; run the scheduler with its
 *       budget; emit one {@link BatchDecision} per used node and advance its busy time;
 *   <li>reject what no later slot could serve (checked optimistically: alone, on any known node,
 *       healthy or not since a node that is down may return before the deadline, idle from the next
 *       slot on, with its freshest channel; a request whose only suitable nodes lack a channel
 *       waits for one until its deadline): EXPIRED, ACCURACY_UNSATISFIABLE, TOO_LARGE, NO_CHANNEL,
 *       DEADLINE_UNREACHABLE; shed beyond max-pending (latest deadline first); the rest stays
 *       pending for the next slot;
 *   <li>emit a {@link SlotReport}; clear silent users' channels and old request ids.
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

    private final Topology topology;
    private final JobConfig config;

    private transient MapState<Long, List<InputEvent>> buffer;
    private transient MapState<String, RequestEvent> pending;
    private transient MapState<String, Double> decided;
    private transient MapState<String, ChannelEvent> channels;
    private transient MapState<String, NodeRuntime> nodes;
    private transient Scheduler scheduler;
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
        buffer =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "slot-buffer",
                                        Types.LONG,
                                        Types.LIST(Types.POJO(InputEvent.class))));
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "pending", Types.STRING, Types.POJO(RequestEvent.class)));
        decided =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>("decided", Types.STRING, Types.DOUBLE));
        channels =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "channels", Types.STRING, Types.POJO(ChannelEvent.class)));
        nodes =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "nodes", Types.STRING, Types.POJO(NodeRuntime.class)));
        scheduler = Algorithms.byName(config.scheduler, 1, 8);
        budget = new SearchBudget(config.budgetNodes, config.budgetMicros);
        var group = getRuntimeContext().getMetricGroup();
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
        int n = 0;
        for (String ignored : pending.keys()) {
            n++;
        }
        return n;
    }

    /** Buffered events of the current key not yet applied (for tests and diagnostics). */
    int bufferedCount() throws Exception {
        int n = 0;
        for (List<InputEvent> l : buffer.values()) {
            n += l.size();
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
        long wm = ctx.timerService().currentWatermark();
        long slot = slotEndAfter(e.time, config.slotMs);
        if (slot <= wm) {
            slot = slotEndAfter(wm, config.slotMs); // late: joins the next slot
        }
        List<InputEvent> list = buffer.get(slot);
        if (list == null) {
            list = new ArrayList<>();
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
        applyBuffered(slotEnd, ctx, rejectedNow);

        double t0 = slotEnd + config.outOfOrdernessMs + config.commitDelay();
        // pending requests, earliest deadline first
        List<RequestEvent> all = new ArrayList<>();
        for (RequestEvent r : pending.values()) {
            all.add(r);
        }
        all.sort(
                Comparator.comparingDouble((RequestEvent r) -> r.deadline)
                        .thenComparing(r -> r.requestId));
        if (all.isEmpty()) {
            pendingGauge = 0;
            maybeClean(slotEnd);
            return;
        }
        // nodes offered in this slot
        List<String> nodeIds = new ArrayList<>();
        List<EdgeNode> offered = new ArrayList<>();
        Map<String, NodeRuntime> runtimes = new LinkedHashMap<>();
        for (Map.Entry<String, NodeRuntime> en : nodes.entries()) {
            runtimes.put(en.getKey(), en.getValue());
        }
        List<String> sortedIds = new ArrayList<>(runtimes.keySet());
        sortedIds.sort(null);
        for (String id : sortedIds) {
            NodeRuntime n = runtimes.get(id);
            if (n.offered(slotEnd, config.heartbeatTimeoutMs, config.lookahead())) {
                nodeIds.add(id);
                offered.add(n.spec.toEdgeNode(n.busyUntil, n.slowdown));
            }
        }
        List<RequestEvent> candidates = all.subList(0, Math.min(all.size(), config.maxCandidates));
        long freshSince = slotEnd - config.maxChannelAgeMs;
        List<Request> requests = new ArrayList<>();
        for (RequestEvent r : candidates) {
            if (r.deadline <= t0) {
                continue; // handled below as expired
            }
            requests.add(toRequest(r, nodeIds, freshSince));
        }
        Schedule schedule = null;
        if (!offered.isEmpty() && !requests.isEmpty()) {
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
        Map<String, RequestEvent> byId = new HashMap<>();
        for (RequestEvent r : candidates) {
            byId.put(r.requestId, r);
        }
        int assigned = 0;
        if (schedule != null) {
            solveMicros.update(schedule.stats().solveMicros());
            double ratio = schedule.certifiedRatio();
            ratioGauge = Double.isNaN(ratio) ? -1 : ratio;
            for (ScheduledBatch b : schedule.batches()) {
                out.collect(
                        decision(
                                domain,
                                slotEnd,
                                b,
                                byId,
                                Double.isNaN(ratio) ? -1 : ratio,
                                config.scheduler));
                NodeRuntime n = runtimes.get(b.node());
                n.busyUntil = b.timeline().computeEndMs();
                n.lastDecisionT0 = t0;
                nodes.put(b.node(), n);
                for (String id : b.requests()) {
                    RequestEvent r = byId.get(id);
                    pending.remove(id);
                    decided.put(id, r.deadline);
                    assigned++;
                }
            }
            assignedCounter.inc(assigned);
        }
        int remaining = rejectUnservable(ctx, domain, slotEnd, t0, runtimes, rejectedNow);
        remaining = shed(ctx, domain, slotEnd, remaining, rejectedNow);
        pendingGauge = remaining;
        ctx.output(
                REPORTS,
                report(
                        domain,
                        slotEnd,
                        candidates.size(),
                        assigned,
                        rejectedNow,
                        offered.size(),
                        schedule));
        if (remaining > 0) {
            ctx.timerService().registerEventTimeTimer(slotEnd + config.slotMs);
        }
        maybeClean(slotEnd);
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

    private void applyBuffered(long slotEnd, Context ctx, Map<RejectionReason, Integer> rejectedNow)
            throws Exception {
        List<Long> due = new ArrayList<>();
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
        for (InputEvent e : events) {
            switch (e.kind) {
                case InputEvent.REQUEST -> {
                    RequestEvent r = e.request;
                    if (pending.contains(r.requestId) || decided.contains(r.requestId)) {
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
                        pending.put(r.requestId, r);
                    }
                }
                case InputEvent.CHANNEL -> {
                    ChannelEvent c = e.channel;
                    String key = c.userId + '\u0001' + c.nodeId;
                    ChannelEvent old = channels.get(key);
                    if (old == null || old.measuredAt <= c.measuredAt) {
                        channels.put(key, c);
                    }
                }
                case InputEvent.TELEMETRY -> applyTelemetry(e.telemetry);
                default -> {}
            }
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
        if (t.busyUntil != Long.MIN_VALUE) {
            // a heartbeat sent after the worker could see our last decision corrects the
            // prediction;
            // an older one can only push it later
            n.busyUntil =
                    t.time >= n.lastDecisionT0 ? t.busyUntil : Math.max(n.busyUntil, t.busyUntil);
        }
        nodes.put(t.nodeId, n);
    }

    private Request toRequest(RequestEvent r, List<String> nodeIds, long freshSince)
            throws Exception {
        Map<String, Channel> ch = new LinkedHashMap<>();
        for (String node : nodeIds) {
            ChannelEvent c = channels.get(r.userId + '\u0001' + node);
            if (c != null && c.measuredAt >= freshSince) {
                ch.put(node, new Channel(c.uplinkSpectralEfficiency, c.downlinkSpectralEfficiency));
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

    /**
     * Rejects the pending requests that no later slot could serve; returns how many stay pending.
     */
    private int rejectUnservable(
            Context ctx,
            String domain,
            long slotEnd,
            double t0,
            Map<String, NodeRuntime> runtimes,
            Map<RejectionReason, Integer> rejectedNow)
            throws Exception {
        List<RequestEvent> left = new ArrayList<>();
        for (RequestEvent r : pending.values()) {
            left.add(r);
        }
        left.sort(Comparator.comparing(r -> r.requestId));
        double next = t0 + config.slotMs; // the earliest a later slot can start
        // every known node counts, healthy or not: one that is down may be back before the deadline
        List<String> knownIds = new ArrayList<>();
        List<EdgeNode> idle = new ArrayList<>();
        for (Map.Entry<String, NodeRuntime> en : runtimes.entrySet()) {
            knownIds.add(en.getKey());
            idle.add(en.getValue().spec.toEdgeNode(next, en.getValue().slowdown));
        }
        long freshSince = slotEnd - config.maxChannelAgeMs;
        List<Request> reqs = new ArrayList<>();
        for (RequestEvent r : left) {
            reqs.add(toRequest(r, knownIds, freshSince));
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
        for (EdgeNode n : idle) {
            for (Variant v : n.variants()) {
                tests.add(new Feasibility(optimistic, n, v));
            }
        }
        List<Feasibility> known = tests;
        int remaining = 0;
        int[] one = new int[1];
        for (int i = 0; i < left.size(); i++) {
            RequestEvent r = left.get(i);
            one[0] = i;
            boolean accurate = false;
            boolean fits = false;
            boolean channel = false;
            boolean servable = false;
            // judged on every known node for accuracy and size, on healthy ones for the rest
            for (Feasibility f : known) {
                if (f.accurate(i)) {
                    accurate = true;
                    if (f.memoryFits(1, r.promptTokens, r.maxOutputTokens)) {
                        fits = true;
                    }
                }
            }
            boolean waitingForChannel = false;
            for (Feasibility f : tests) {
                if (!f.accurate(i) || !f.memoryFits(1, r.promptTokens, r.maxOutputTokens)) {
                    continue;
                }
                if (f.hasChannel(i)) {
                    channel = true;
                    if (f.feasible(one, 1)) {
                        servable = true;
                        break;
                    }
                } else {
                    waitingForChannel = true;
                }
            }
            RejectionReason reason = null;
            String detail = null;
            if (servable) {
                reason = null;
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
                reason = null; // a channel to a suitable node may still come
            } else if (!channel) {
                reason = RejectionReason.NO_CHANNEL;
                detail = "no fresh channel to a suitable healthy node before the deadline";
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
            if (reason != null) {
                pending.remove(r.requestId);
                decided.put(r.requestId, r.deadline);
                reject(ctx, r.requestId, r.userId, domain, slotEnd, reason, detail);
                count(rejectedNow, reason);
            } else {
                remaining++;
            }
        }
        return remaining;
    }

    private int shed(
            Context ctx,
            String domain,
            long slotEnd,
            int remaining,
            Map<RejectionReason, Integer> rejectedNow)
            throws Exception {
        if (remaining <= config.maxPending) {
            return remaining;
        }
        List<RequestEvent> left = new ArrayList<>();
        for (RequestEvent r : pending.values()) {
            left.add(r);
        }
        // latest deadline shed first; the earliest deadlines are kept
        left.sort(
                Comparator.comparingDouble((RequestEvent r) -> -r.deadline)
                        .thenComparing(r -> r.requestId));
        int drop = remaining - config.maxPending;
        for (int k = 0; k < drop; k++) {
            RequestEvent r = left.get(k);
            pending.remove(r.requestId);
            decided.put(r.requestId, r.deadline);
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
        return config.maxPending;
    }

    private void maybeClean(long slotEnd) throws Exception {
        if (Math.floorMod(slotEnd / config.slotMs, 50) != 0) {
            return;
        }
        long channelHorizon = slotEnd - 10 * config.maxChannelAgeMs;
        for (Iterator<Map.Entry<String, ChannelEvent>> it = channels.iterator(); it.hasNext(); ) {
            if (it.next().getValue().measuredAt < channelHorizon) {
                it.remove();
            }
        }
        double idHorizon = slotEnd - 600_000.0;
        for (Iterator<Map.Entry<String, Double>> it = decided.iterator(); it.hasNext(); ) {
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
        Map<String, Integer> rej = new java.util.TreeMap<>();
        rejected.forEach((k, v) -> rej.put(k.name(), v));
        double ub =
                s == null || s.stats().upperBound() == null
                        ? (s == null ? 0 : s.objective())
                        : s.stats().upperBound();
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
