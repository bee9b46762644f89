package org.edgellm.bench;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.edgellm.job.InputEvent;

/**
 * What the job's sources emit, counted where they emit it, by kind (the MiniCluster of {@link
 * KafkaJobBenchmark} runs in the bench's JVM, so the counters are plain static ones), and how many
 * source readers have opened.
 */
final class SourceCounters {
    static final AtomicLong REQUESTS = new AtomicLong();
    static final AtomicLong CHANNELS = new AtomicLong();
    static final AtomicLong TELEMETRY = new AtomicLong();
    static final AtomicLong INVALID = new AtomicLong();
    static final AtomicLong OPENED = new AtomicLong();

    private SourceCounters() {}

    /** All counters back to 0, before a run. */
    static void reset() {
        for (AtomicLong c : List.of(REQUESTS, CHANNELS, TELEMETRY, INVALID, OPENED)) {
            c.set(0);
        }
    }

    /** Counts what a source's deserializer emits, by kind, then passes it on. */
    static final class Counting implements KafkaRecordDeserializationSchema<InputEvent> {
        private static final long serialVersionUID = 1L;
        private final KafkaRecordDeserializationSchema<InputEvent> inner;

        Counting(KafkaRecordDeserializationSchema<InputEvent> inner) {
            this.inner = inner;
        }

        @Override
        public void open(DeserializationSchema.InitializationContext context) throws Exception {
            inner.open(context);
            OPENED.incrementAndGet();
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<InputEvent> out)
                throws IOException {
            inner.deserialize(
                    record,
                    new Collector<>() {
                        @Override
                        public void collect(InputEvent e) {
                            switch (e.kind) {
                                case InputEvent.REQUEST -> REQUESTS.incrementAndGet();
                                case InputEvent.CHANNEL -> CHANNELS.incrementAndGet();
                                case InputEvent.TELEMETRY -> TELEMETRY.incrementAndGet();
                                default -> INVALID.incrementAndGet();
                            }
                            out.collect(e);
                        }

                        @Override
                        public void close() {}
                    });
        }

        @Override
        public TypeInformation<InputEvent> getProducedType() {
            return inner.getProducedType();
        }
    }
}
