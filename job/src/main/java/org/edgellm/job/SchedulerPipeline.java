package org.edgellm.job;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
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
 * requests ─┐
 * channels ─┼─ union ─ validate ─┬─ keyBy(domainId) ─ slot-coordinator ─┬─ decisions
 * telemetry ┘                    │                                      ├─ rejections
 *                                ├─ INVALID requests ───────────────────┤
 *                                └─ dead letters                        └─ slot reports
 * </pre>
 *
 * Every operator, source and sink has a stable uid and name.
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
        WatermarkStrategy<InputEvent> w =
                WatermarkStrategy.<InputEvent>forBoundedOutOfOrderness(
                                Duration.ofMillis(config.outOfOrdernessMs))
                        .withTimestampAssigner(
                                (e, ts) -> e.kind >= InputEvent.INVALID ? Long.MIN_VALUE : e.time);
        return config.idlenessMs > 0 ? w.withIdleness(Duration.ofMillis(config.idlenessMs)) : w;
    }

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
        DataStream<InputEvent> in =
                env.fromSource(sources.requests(), wm, "requests-source").uid("requests-source");
        DataStream<InputEvent> channels =
                env.fromSource(sources.channels(), wm, "channels-source").uid("channels-source");
        in = in.union(channels);
        if (sources.telemetry() != null) {
            in =
                    in.union(
                            env.fromSource(sources.telemetry(), wm, "telemetry-source")
                                    .uid("telemetry-source"));
        }
        SingleOutputStreamOperator<InputEvent> valid =
                in.process(new Split()).uid("validate").name("validate");
        SingleOutputStreamOperator<BatchDecision> decisions =
                valid.keyBy(e -> e.domainId)
                        .process(new SlotCoordinator(topology, config))
                        .returns(new AvroTypeInfo<>(BatchDecision.class))
                        .uid("slot-coordinator")
                        .name("slot-coordinator");
        decisions.sinkTo(sinks.decisions()).uid("decisions-sink").name("decisions-sink");
        DataStream<Rejection> rejections =
                decisions
                        .getSideOutput(SlotCoordinator.REJECTIONS)
                        .union(valid.getSideOutput(INVALID_REQUESTS));
        rejections.sinkTo(sinks.rejections()).uid("rejections-sink").name("rejections-sink");
        DataStream<SlotReport> reports = decisions.getSideOutput(SlotCoordinator.REPORTS);
        reports.sinkTo(sinks.reports()).uid("reports-sink").name("reports-sink");
        DataStream<DeadLetter> dead = valid.getSideOutput(DEAD_LETTERS);
        dead.sinkTo(sinks.deadLetters()).uid("dead-letters-sink").name("dead-letters-sink");
        return new Outputs(decisions, rejections, reports, dead);
    }

    /** Routes undecodable input to the dead letters and invalid requests to the rejections. */
    static final class Split extends ProcessFunction<InputEvent, InputEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(InputEvent e, Context ctx, Collector<InputEvent> out) {
            if (e.kind == InputEvent.INVALID) {
                ctx.output(
                        DEAD_LETTERS,
                        DeadLetter.newBuilder()
                                .setSource(e.source == null ? "" : e.source)
                                .setPartition(e.partition)
                                .setOffset(e.offset)
                                .setTime(Instant.ofEpochMilli(Math.max(0, e.time)))
                                .setError(e.error)
                                .setPayload(
                                        ByteBuffer.wrap(
                                                e.payload == null ? new byte[0] : e.payload))
                                .build());
            } else if (e.kind == InputEvent.INVALID_REQUEST) {
                ctx.output(
                        INVALID_REQUESTS,
                        Rejection.newBuilder()
                                .setRequestId(e.requestId)
                                .setUserId(e.userId)
                                .setDomainId(e.domainId)
                                .setTime(Instant.ofEpochMilli(Math.max(0, e.time)))
                                .setReason(RejectionReason.INVALID)
                                .setDetail(e.error)
                                .build());
            } else {
                out.collect(e);
            }
        }
    }
}
