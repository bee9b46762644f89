package org.edgellm.job;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.DeadLetter;
import org.edgellm.events.Rejection;
import org.edgellm.events.RejectionReason;
import org.edgellm.events.SlotReport;

/**
 * Builds the job's topology from sources and sinks, so that the live job (Kafka), replay (files)
 * and the tests (bounded sources, collecting sinks) run the same code:
 *
 * <pre>
 * requests  ─ validate ─┐
 * channels  ─ validate ─┼─ union ─ keyBy(domainId) ─ slot-coordinator ─┬─ decisions
 * telemetry ─ validate ─┘                                              ├─ rejections
 *   (each validate: INVALID requests to the rejections ────────────────┤
 *    and dead letters to the dead-letter sink)                         └─ slot reports
 * </pre>
 *
 * Every operator, source and sink has a stable uid and name. The input streams are typed {@link
 * InputEventTypeInfo} (a hand-written serializer at the {@code keyBy}), and object reuse is on: no
 * operator of the job keeps or changes a record it has passed on, and the coordinator only keeps
 * records that arrive over the network (fresh objects).
 */
public final class SchedulerPipeline {

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));
    static final OutputTag<Rejection> INVALID_REQUESTS =
            new OutputTag<>("invalid-requests", new AvroTypeInfo<>(Rejection.class));

    /** The three inputs; telemetry may be null (replay without workers). */
    public record Sources(
            Source<InputEvent, ?, ?> requests,
            Source<InputEvent, ?, ?> channels,
            Source<InputEvent, ?, ?> telemetry) {}

    /** The four outputs. */
    public record Sinks(
            Sink<BatchDecision> decisions,
            Sink<Rejection> rejections,
            Sink<SlotReport> reports,
            Sink<DeadLetter> deadLetters) {}

    private SchedulerPipeline() {}

    public static WatermarkStrategy<InputEvent> watermarks(JobConfig config) {
        long ooo = config.outOfOrdernessMs;
        long slotMs = config.slotMs;
        // aligned slots: a watermark that crosses a slot end leaves at once
        // (SlotBoundaryWatermarks)
        WatermarkStrategy<InputEvent> w =
                (config.staggerSlots()
                                ? WatermarkStrategy.<InputEvent>forBoundedOutOfOrderness(
                                        Duration.ofMillis(ooo))
                                : WatermarkStrategy.<InputEvent>forGenerator(
                                        ctx -> new SlotBoundaryWatermarks(ooo, slotMs)))
                        .withTimestampAssigner(
                                (e, ts) -> e.kind >= InputEvent.INVALID ? Long.MIN_VALUE : e.time);
        if (config.idlenessMs > 0) {
            w = w.withIdleness(Duration.ofMillis(config.idlenessMs));
        }
        long drift = config.sourceDrift();
        if (drift > 0) {
            // the three sources share one alignment group: a topic read faster than the others
            // (the channel states ran 40 % ahead of the requests in the benchmark's runs that fell
            // behind) pauses instead of filling the coordinators' state (docs/bench-job.md)
            w =
                    w.withWatermarkAlignment(
                            ALIGNMENT_GROUP,
                            Duration.ofMillis(drift),
                            Duration.ofMillis(ALIGNMENT_UPDATE_MS));
        }
        return w;
    }

    /** The watermark alignment group of the input sources. */
    static final String ALIGNMENT_GROUP = "inputs";

    /** How often the sources' coordinators renew the watermark each source may reach. */
    static final long ALIGNMENT_UPDATE_MS = 200;

    /** The job's output streams, for callers that want to observe them too. */
    public record Outputs(
            DataStream<BatchDecision> decisions,
            DataStream<Rejection> rejections,
            DataStream<SlotReport> reports,
            DataStream<DeadLetter> deadLetters) {}

    public static Outputs build(
            StreamExecutionEnvironment env,
            Sources sources,
            Sinks sinks,
            JobConfig config,
            Topology topology) {
        WatermarkStrategy<InputEvent> wm = watermarks(config);
        // no operator keeps or changes an object it passes on: chained operators hand their
        // records over without a defensive copy (a copy of every input event and every output)
        env.getConfig().enableObjectReuse();
        // each source is validated in an operator chained to it, so that events cross the network
        // once, at the keyBy
        SingleOutputStreamOperator<InputEvent> requests =
                env.fromSource(
                                sources.requests(),
                                wm,
                                "requests-source",
                                InputEventTypeInfo.INSTANCE)
                        .uid("requests-source")
                        .process(new Split())
                        .returns(InputEventTypeInfo.INSTANCE)
                        .uid("validate-requests")
                        .name("validate-requests");
        SingleOutputStreamOperator<InputEvent> channels =
                env.fromSource(
                                sources.channels(),
                                wm,
                                "channels-source",
                                InputEventTypeInfo.INSTANCE)
                        .uid("channels-source")
                        .process(new Split())
                        .returns(InputEventTypeInfo.INSTANCE)
                        .uid("validate-channels")
                        .name("validate-channels");
        DataStream<InputEvent> valid = requests.union(channels);
        DataStream<DeadLetter> dead =
                requests.getSideOutput(DEAD_LETTERS).union(channels.getSideOutput(DEAD_LETTERS));
        DataStream<Rejection> invalidRequests =
                requests.getSideOutput(INVALID_REQUESTS)
                        .union(channels.getSideOutput(INVALID_REQUESTS));
        if (sources.telemetry() != null) {
            SingleOutputStreamOperator<InputEvent> telemetry =
                    env.fromSource(
                                    sources.telemetry(),
                                    wm,
                                    "telemetry-source",
                                    InputEventTypeInfo.INSTANCE)
                            .uid("telemetry-source")
                            .process(new Split())
                            .returns(InputEventTypeInfo.INSTANCE)
                            .uid("validate-telemetry")
                            .name("validate-telemetry");
            valid = valid.union(telemetry);
            dead = dead.union(telemetry.getSideOutput(DEAD_LETTERS));
            invalidRequests = invalidRequests.union(telemetry.getSideOutput(INVALID_REQUESTS));
        }
        SingleOutputStreamOperator<BatchDecision> decisions =
                valid.keyBy(e -> e.domainId)
                        .process(new SlotCoordinator(topology, config))
                        .returns(new AvroTypeInfo<>(BatchDecision.class))
                        .uid("slot-coordinator")
                        .name("slot-coordinator");
        decisions.sinkTo(sinks.decisions()).uid("decisions-sink").name("decisions-sink");
        DataStream<Rejection> rejections =
                decisions.getSideOutput(SlotCoordinator.REJECTIONS).union(invalidRequests);
        rejections.sinkTo(sinks.rejections()).uid("rejections-sink").name("rejections-sink");
        DataStream<SlotReport> reports = decisions.getSideOutput(SlotCoordinator.REPORTS);
        reports.sinkTo(sinks.reports()).uid("reports-sink").name("reports-sink");
        dead.sinkTo(sinks.deadLetters()).uid("dead-letters-sink").name("dead-letters-sink");
        return new Outputs(decisions, rejections, reports, dead);
    }

    /**
     * Routes undecodable input to the dead letters and invalid requests to the rejections. Metrics
     * (on each validate operator): {@code requestsReceived} (requests that decoded, valid or not),
     * {@code deadLetters}, and {@code rejected} with {@code reason} INVALID (the coordinator's
     * counter of the other reasons).
     */
    static final class Split extends ProcessFunction<InputEvent, InputEvent> {
        private static final long serialVersionUID = 1L;

        private transient Counter requestsReceived;
        private transient Counter deadLetters;
        private transient Counter invalid;

        @Override
        public void open(OpenContext ctx) {
            MetricGroup group = getRuntimeContext().getMetricGroup();
            requestsReceived = group.counter("requestsReceived");
            deadLetters = group.counter("deadLetters");
            invalid = SlotCoordinator.rejectedCounter(group, RejectionReason.INVALID.name());
        }

        @Override
        public void processElement(InputEvent e, Context ctx, Collector<InputEvent> out) {
            if (e.kind == InputEvent.INVALID) {
                ctx.output(DEAD_LETTERS, deadLetter(e));
                deadLetters.inc();
            } else if (e.kind == InputEvent.INVALID_REQUEST) {
                ctx.output(INVALID_REQUESTS, invalidRequest(e));
                requestsReceived.inc();
                invalid.inc();
            } else {
                if (e.kind == InputEvent.REQUEST) {
                    requestsReceived.inc();
                }
                out.collect(e);
            }
        }
    }

    /** The dead letter of an undecodable or invalid input. */
    public static DeadLetter deadLetter(InputEvent e) {
        return DeadLetter.newBuilder()
                .setSource(e.source == null ? "" : e.source)
                .setPartition(e.partition)
                .setOffset(e.offset)
                .setTime(Instant.ofEpochMilli(Math.max(0, e.time)))
                .setError(e.error)
                .setPayload(ByteBuffer.wrap(e.payload == null ? new byte[0] : e.payload))
                .build();
    }

    /** The INVALID rejection of a request with invalid fields. */
    public static Rejection invalidRequest(InputEvent e) {
        return Rejection.newBuilder()
                .setRequestId(e.requestId)
                .setUserId(e.userId)
                .setDomainId(e.domainId)
                .setTime(Instant.ofEpochMilli(Math.max(0, e.time)))
                .setReason(RejectionReason.INVALID)
                .setDetail(e.error)
                .build();
    }
}
