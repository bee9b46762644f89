package org.edgellm.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads topics ({@code read_committed}) from the beginning up to the offsets they end at when the
 * read starts: a snapshot of what was committed then, whatever arrives meanwhile. Used by {@code
 * report} and {@code audit}.
 */
final class TopicSnapshot {

    private TopicSnapshot() {}

    /** Consumer settings from {@code --bootstrap-servers} and {@code --kafka.*}. */
    static Properties consumer(Map<String, String> f, Map<String, String> kafka, String group) {
        Properties p = new Properties();
        p.put("bootstrap.servers", f.getOrDefault("bootstrap-servers", "localhost:9092"));
        p.put("group.id", group + "-" + System.nanoTime());
        p.put("isolation.level", "read_committed");
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.putAll(kafka);
        return p;
    }

    /** Hands every record up to the end offsets to {@code each}; fails after {@code timeoutMs}. */
    static void read(
            Properties p,
            List<String> topics,
            long timeoutMs,
            Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : topics) {
                c.partitionsFor(t, Duration.ofSeconds(30))
                        .forEach(i -> parts.add(new TopicPartition(t, i.partition())));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            long deadline = System.currentTimeMillis() + timeoutMs;
            while (!reached(c, end)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(
                            "could not read "
                                    + topics
                                    + " to the end offsets "
                                    + end
                                    + " within "
                                    + timeoutMs
                                    + " ms");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        each.accept(r);
                    }
                }
            }
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
