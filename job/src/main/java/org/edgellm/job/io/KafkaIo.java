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
        Properties p = c.kafkaProperties();
        p.setProperty("isolation.level", "read_committed");
        p.setProperty(
                "max.partition.fetch.bytes",
                Integer.toString(Math.max(c.maxMessageBytes * 2, 1 << 20)));
        return KafkaSource.<InputEvent>builder()
                .setBootstrapServers(c.bootstrapServers)
                .setTopics(topic)
                .setGroupId(c.groupId)
                .setStartingOffsets(start)
                .setProperties(p)
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

    /** The value in Avro single-object encoding. */
    static final class ValueSchema<T extends SpecificRecordBase> implements SerializationSchema<T> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(T element) {
            return EventCodec.encode(element);
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
