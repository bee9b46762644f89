package org.edgellm.job;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Rejection;
import org.edgellm.events.SlotReport;
import org.edgellm.job.domain.Decision;
import org.edgellm.job.domain.DomainScheduler;
import org.edgellm.job.domain.DomainSettings;
import org.edgellm.job.domain.RejectReason;
import org.edgellm.job.domain.Rejected;
import org.edgellm.job.domain.SlotOutcome;
import org.edgellm.job.domain.Slots;

/**
 * The Flink shell of the domain scheduler ({@link DomainScheduler}, which holds all the domain
 * logic), keyed by coordination domain. It only holds state and timers:
 *
 * <ul>
 *   <li>{@link #processElement}: an invalid request is rejected at once; any other event is
 *       buffered under the slot it falls in (a late one under the next slot to close) and that
 *       slot's timer is registered;
 *   <li>{@link #onTimer}: when the watermark passes a slot end, the buffered events of the slots up
 *       to it are handed to {@link DomainScheduler#closeSlot} with the domain's keyed state ({@link
 *       FlinkDomainState}); its decisions, rejections and report are emitted, and its next wake-up
 *       becomes a timer.
 * </ul>
 *
 * State (names and classes unchanged since 0.1.0, so savepoints restore; the values' serializers
 * are hand-written now, and state written with the POJO serializers of earlier releases migrates on
 * restore: {@link CoordinatorState}): {@code slot-buffer}, {@code pending}, {@code known-ids},
 * {@code channels}, {@code nodes}; since 0.2 also {@code inputs-seen} (empty when restored from an
 * older savepoint); later {@code known-id-hashes} (24 bytes per id), and since December 2026 {@code
 * known-id-hashes-12} (12 bytes per id), which holds the remembered ids: the two older id states
 * are read once per domain after a restore of state that has them, moved into it, and then stay
 * empty. Metrics of the subtask (docs/metrics.md): counters {@code assigned}, {@code rejected} by
 * {@code reason}, {@code schedulerFallbacks}, {@code slotsSolved}, {@code slotsProvenOptimal} and
 * {@code lateEvents}; the histograms {@code solveMicros}, {@code candidatesOffered} and (live runs)
 * {@code decisionLatencyMs}; gauges over the subtask's domains ({@link DomainGauges}).
 */
public class SlotCoordinator extends KeyedProcessFunction<String, InputEvent, BatchDecision> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<Rejection> REJECTIONS =
            new OutputTag<>("rejections", new AvroTypeInfo<>(Rejection.class));
    public static final OutputTag<SlotReport> REPORTS =
            new OutputTag<>("slot-reports", new AvroTypeInfo<>(SlotReport.class));

    private final Topology topology;
    private final JobConfig config;

    /** The serializers of the state values: hand-written, or POJO in the restore tests. */
    private final CoordinatorState stateTypes;

    private transient MapState<Long, List<InputEvent>> buffer;
    private transient ValueState<PendingQueue> queue;
    private transient MapState<String, Double> known;
    private transient MapState<String, UserChannels> channels;
    private transient FlinkDomainState state;
    private transient DomainScheduler domain;
    private transient DomainSettings settings;

    private transient Histogram solveMicros;
    private transient Histogram candidatesOffered;
    private transient Counter assignedCounter;
    private transient Counter fallbackCounter;
    private transient Counter redispatchedCounter;

    /**
     * The wall clock, read in this one place: by the domain scheduler only where live runs plan
     * from it (never in at-least-once or replays), and by the decision-latency metric, which
     * decides nothing.
     */
    private transient LongSupplier clock;

    private transient Counter solvedCounter;
    private transient Counter provenOptimalCounter;
    private transient Counter lateCounter;
    private transient Histogram decisionLatencyMs;
    private transient EnumMap<RejectReason, Counter> rejectedCounters;
    private transient DomainGauges gauges;

    public SlotCoordinator(Topology topology, JobConfig config) {
        this(topology, config, CoordinatorState.HAND_WRITTEN);
    }

    /**
     * With the given serializers of the state values: {@link CoordinatorState#POJO} writes state as
     * the releases before the hand-written serializers did (the restore tests use it).
     */
    SlotCoordinator(Topology topology, JobConfig config, CoordinatorState stateTypes) {
        this.topology = topology;
        this.config = config;
        this.stateTypes = stateTypes;
    }

    @Override
    public void open(OpenContext ctx) {
        var rc = getRuntimeContext();
        buffer = rc.getMapState(stateTypes.slotBuffer());
        queue = rc.getState(stateTypes.pending());
        known = rc.getMapState(new MapStateDescriptor<>("known-ids", Types.STRING, Types.DOUBLE));
        channels = rc.getMapState(stateTypes.channels());
        state =
                new FlinkDomainState(
                        queue,
                        known,
                        // until December 2026: 24 bytes per id, read once per domain, then empty
                        rc.getMapState(
                                new MapStateDescriptor<>(
                                        "known-id-hashes",
                                        Types.LONG,
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO)),
                        rc.getMapState(stateTypes.idBuckets()),
                        channels,
                        rc.getMapState(stateTypes.nodes()),
                        // since 0.2: absent in older savepoints, it starts empty there
                        rc.getState(new ValueStateDescriptor<>("inputs-seen", Types.LONG)));
        clock = System::currentTimeMillis;
        settings = config.domainSettings();
        domain = new DomainScheduler(topology, settings, clock);
        var group = rc.getMetricGroup();
        solveMicros = group.histogram("solveMicros", new DescriptiveStatisticsHistogram(1000));
        candidatesOffered =
                group.histogram("candidatesOffered", new DescriptiveStatisticsHistogram(1000));
        assignedCounter = group.counter("assigned");
        fallbackCounter = group.counter("schedulerFallbacks");
        redispatchedCounter = group.counter("redispatched");
        rejectedCounters = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) {
            rejectedCounters.put(r, rejectedCounter(group, r.name()));
        }
        solvedCounter = group.counter("slotsSolved");
        provenOptimalCounter = group.counter("slotsProvenOptimal");
        lateCounter = group.counter("lateEvents");
        decisionLatencyMs =
                group.histogram("decisionLatencyMs", new DescriptiveStatisticsHistogram(1000));
        gauges = new DomainGauges(config.metricsDomains);
        gauges.register(group);
    }

    @Override
    public void processElement(InputEvent e, Context ctx, Collector<BatchDecision> out)
            throws Exception {
        if (e.kind == InputEvent.INVALID_REQUEST) {
            reject(ctx, domain.invalid(e));
            return;
        }
        long phase = settings.slotPhaseMs(ctx.getCurrentKey());
        long slot =
                Slots.slotOf(e.time, ctx.timerService().currentWatermark(), config.slotMs, phase);
        if (slot != Slots.slotEndAfter(e.time, config.slotMs, phase)) {
            lateCounter.inc(); // its own slot had closed: it joins the next one to close
        }
        Long key = slot; // boxed once for the lookup and the store
        List<InputEvent> list = buffer.get(key);
        if (list == null) {
            list = new ArrayList<>(16);
            // the slot's first event: its timer (a buffered slot already has one, registered
            // with its first event and snapshotted with the buffer)
            ctx.timerService().registerEventTimeTimer(slot);
        }
        list.add(e);
        buffer.put(key, list);
    }

    @Override
    public void onTimer(long slotEnd, OnTimerContext ctx, Collector<BatchDecision> out)
            throws Exception {
        String key = ctx.getCurrentKey();
        boolean inputEnded = ctx.timerService().currentWatermark() == Long.MAX_VALUE;
        state.useKey(key);
        SlotOutcome o = domain.closeSlot(key, slotEnd, takeDue(slotEnd), state, inputEnded);
        for (Decision d : o.decisions()) {
            out.collect(AvroOutputs.decision(d));
            assignedCounter.inc(d.requests().size());
        }
        if (config.live && !o.decisions().isEmpty()) {
            // from the moment the slot could close (its end plus the out-of-orderness) to now
            decisionLatencyMs.update(clock.getAsLong() - (slotEnd + config.outOfOrdernessMs));
        }
        for (Rejected r : o.rejections()) {
            reject(ctx, r);
        }
        if (o.report() != null) {
            ctx.output(REPORTS, AvroOutputs.report(o.report()));
            if (o.report().fallback()) {
                fallbackCounter.inc();
            }
        }
        redispatchedCounter.inc(o.redispatched());
        if (o.solved()) {
            solveMicros.update(o.report().solveMicros());
            candidatesOffered.update(o.report().considered());
            solvedCounter.inc();
            if (o.report().provenOptimal()) {
                provenOptimalCounter.inc();
            }
        }
        gauges.update(key, o.pending(), o.solved(), o.certifiedRatio());
        if (o.nextWakeUp() != SlotOutcome.NONE) {
            ctx.timerService().registerEventTimeTimer(o.nextWakeUp());
        }
    }

    /**
     * Removes and returns the buffered events of the slots up to slotEnd: those of slotEnd itself.
     * Every key of the buffer has a timer at that key, registered with it in {@link
     * #processElement} (a key is always after the watermark then, see {@link Slots#slotOf}), and
     * buffer and timers are snapshotted together; timers fire in time order, so when the timer of
     * slotEnd fires, every earlier key has had its own timer and been taken. This used to scan
     * every key of the domain's buffer at each timer: with a watermark seconds behind, hundreds of
     * future slots per domain, scanned at each of them (a fifth of the coordinator's CPU in the
     * profile of docs/bench-job.md, growing with the lag it caused).
     */
    private List<InputEvent> takeDue(long slotEnd) throws Exception {
        List<InputEvent> events = buffer.get(slotEnd);
        if (events == null) {
            return new ArrayList<>();
        }
        buffer.remove(slotEnd);
        return events;
    }

    private void reject(Context ctx, Rejected r) {
        ctx.output(REJECTIONS, AvroOutputs.rejection(r));
        rejectedCounters.get(r.reason()).inc();
    }

    /**
     * The counter of rejections for one reason: {@code rejected} in the key-value group {@code
     * reason}, which Flink's Prometheus reporter exports as {@code
     * ..._reason_rejected{reason="..."}}.
     */
    static Counter rejectedCounter(org.apache.flink.metrics.MetricGroup group, String reason) {
        return group.addGroup("reason", reason).counter("rejected");
    }

    // ---- diagnostics of the current key, for tests ---------------------------------------------

    int pendingCount() throws Exception {
        PendingQueue q = queue.value();
        return q == null ? 0 : q.size;
    }

    /** Pending requests of the current key that arrived at or before t. */
    int pendingArrivedBy(long t) throws Exception {
        PendingQueue q = queue.value();
        int n = 0;
        for (int i = 0; q != null && i < q.size; i++) {
            if (q.get(i).arrivalTime <= t) {
                n++;
            }
        }
        return n;
    }

    int bufferedCount() throws Exception {
        int n = 0;
        for (List<InputEvent> l : buffer.values()) {
            n += l.size();
        }
        return n;
    }

    int knownIdCount() throws Exception {
        return count(known.keys());
    }

    int channelUserCount() throws Exception {
        return count(channels.keys());
    }

    int outstandingCount() {
        int n = 0;
        for (NodeRuntime r : state.nodes().values()) {
            n += r.outstanding.size();
        }
        return n;
    }

    private static int count(Iterable<?> it) {
        int n = 0;
        for (Object ignored : it) {
            n++;
        }
        return n;
    }
}
