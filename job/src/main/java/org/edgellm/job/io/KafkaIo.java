package org.edgellm.job.io;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.DeadLetter;
import org.edgellm.events.EventCodec;
import org.edgellm.events.OutputEncoder;
import org.edgellm.events.Rejection;
import org.edgellm.events.SlotReport;
import org.edgellm.job.EventValidator;
import org.edgellm.job.InputEvent;
import org.edgellm.job.JobConfig;
import org.edgellm.job.SchedulerPipeline;
import org.edgellm.job.Topology;

/** Kafka sources and sinks of the live job, configured from {@link JobConfig}. */
public final class KafkaIo {

    private KafkaIo() {}

    public static SchedulerPipeline.Sources sources(JobConfig c, Topology topology) {
        return sources(c, topology, d -> d);
    }

    /**
     * The live sources, each record deserializer passed through {@code wrap} (benchmarks count what
     * the sources emit this way).
     */
    public static SchedulerPipeline.Sources sources(
            JobConfig c,
            Topology topology,
            UnaryOperator<KafkaRecordDeserializationSchema<InputEvent>> wrap) {
        EventValidator v = new EventValidator(topology, c);
        return new SchedulerPipeline.Sources(
                source(c, c.requestsTopic, wrap, v, EventValidator.Stream.REQUESTS),
                source(c, c.channelsTopic, wrap, v, EventValidator.Stream.CHANNELS),
                source(c, c.telemetryTopic, wrap, v, EventValidator.Stream.TELEMETRY));
    }

    /** A fetch returns once this many bytes are there, or after {@link #FETCH_MAX_WAIT_MS}. */
    static final int FETCH_MIN_BYTES = 16 * 1024;

    static final int FETCH_MAX_WAIT_MS = 20;

    /**
     * The sources' consumer settings: the deployment's ({@code --kafka-properties}, {@code
     * --kafka.NAME}) with {@code read_committed} and a fetch size above the largest record, and,
     * unless the deployment sets them, fetches batched: at most {@link #FETCH_MAX_WAIT_MS} ms of
     * waiting for {@link #FETCH_MIN_BYTES} bytes. Kafka's defaults (1 byte) answer each fetch as
     * soon as one record is there, so at a few thousand events/s nearly every record travels alone
     * and the fetch requests cost the broker and the job more CPU than the records
     * (docs/bench-job.md: at 1,000 domains and 1,000 requests/s the job fell behind in three runs
     * of three with them, and kept up in three of three with these, at 20 ms more latency where the
     * rate is low).
     */
    public static Properties sourceProperties(JobConfig c) {
        Properties p = c.kafkaProperties();
        p.setProperty("isolation.level", "read_committed");
        p.setProperty(
                "max.partition.fetch.bytes",
                Integer.toString(Math.max(c.maxMessageBytes * 2, 1 << 20)));
        p.putIfAbsent("fetch.min.bytes", Integer.toString(FETCH_MIN_BYTES));
        p.putIfAbsent("fetch.max.wait.ms", Integer.toString(FETCH_MAX_WAIT_MS));
        return p;
    }

    static KafkaSource<InputEvent> source(
            JobConfig c,
            String topic,
            UnaryOperator<KafkaRecordDeserializationSchema<InputEvent>> wrap,
            EventValidator v,
            EventValidator.Stream stream) {
        OffsetsInitializer start =
                switch (c.startingOffsets) {
                    case "earliest" -> OffsetsInitializer.earliest();
                    case "latest" -> OffsetsInitializer.latest();
                    default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                };
        return KafkaSource.<InputEvent>builder()
                .setBootstrapServers(c.bootstrapServers)
                .setTopics(topic)
                .setGroupId(c.groupId)
                .setStartingOffsets(start)
                .setProperties(sourceProperties(c))
                .setDeserializer(
                        wrap.apply(new KafkaInputDeserializer(v, stream, c.maxClockSkewMs)))
                .build();
    }

    public static SchedulerPipeline.Sinks sinks(JobConfig c) {
        return new SchedulerPipeline.Sinks(
                sink(c, c.decisionsTopic, "decisions", (BatchDecision d) -> d.getNodeId()),
                sink(c, c.rejectionsTopic, "rejections", (Rejection r) -> r.getRequestId()),
                sink(c, c.reportsTopic, "reports", (SlotReport r) -> r.getDomainId()),
                sink(c, c.deadLetterTopic, "dead-letters", (DeadLetter d) -> d.getSource()));
    }

    /** Extracts a record's Kafka key. */
    @FunctionalInterface
    public interface KeyOf<T> extends java.io.Serializable {
        String key(T value);
    }

    /** The record key as UTF-8. */
    static final class KeySchema<T> implements SerializationSchema<T> {
        private static final long serialVersionUID = 1L;
        private final KeyOf<T> keyOf;

        KeySchema(KeyOf<T> keyOf) {
            this.keyOf = keyOf;
        }

        @Override
        public byte[] serialize(T element) {
            String k = keyOf.key(element);
            return k == null ? null : k.getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * The value in Avro single-object encoding; decisions and slot reports, the most frequent
     * outputs, by the hand-written {@link OutputEncoder} (the same bytes), one per sink writer.
     */
    static final class ValueSchema<T extends SpecificRecordBase> implements SerializationSchema<T> {
        private static final long serialVersionUID = 1L;
        private transient OutputEncoder encoder;

        @Override
        public byte[] serialize(T element) {
            if (element instanceof BatchDecision d) {
                return encoder().decision(d);
            } else if (element instanceof SlotReport r) {
                return encoder().report(r);
            }
            return EventCodec.encode(element);
        }

        private OutputEncoder encoder() {
            if (encoder == null) {
                encoder = new OutputEncoder();
            }
            return encoder;
        }
    }

    static <T extends SpecificRecordBase> KafkaSink<T> sink(
            JobConfig c, String topic, String name, KeyOf<T> keyOf) {
        Properties p = c.kafkaProperties();
        p.setProperty("transaction.timeout.ms", Long.toString(c.transactionTimeoutMs));
        SerializationSchema<T> key = new KeySchema<>(keyOf);
        SerializationSchema<T> value = new ValueSchema<>();
        return KafkaSink.<T>builder()
                .setBootstrapServers(c.bootstrapServers)
                .setKafkaProducerConfig(p)
                .setRecordSerializer(
                        KafkaRecordSerializationSchema.<T>builder()
                                .setTopic(topic)
                                .setKeySerializationSchema(key)
                                .setValueSerializationSchema(value)
                                .build())
                .setDeliveryGuarantee(
                        c.exactlyOnce
                                ? DeliveryGuarantee.EXACTLY_ONCE
                                : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(c.transactionalIdPrefix + "-" + name)
                .build();
    }
}
