package org.edgellm.worker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.DecidedRequest;
import org.edgellm.events.EventCodec;
import org.edgellm.job.testing.EmbeddedKafka;

/** Helpers of the worker's crash and dead-letter tests (no sleeps: conditions are polled). */
final class WorkerTesting {
    private WorkerTesting() {}

    /** A decision of {@code node} with {@code requests} requests {@code id#r0...}. */
    static BatchDecision decision(String id, String node, long slotEnd, int requests) {
        List<DecidedRequest> rs = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            rs.add(
                    DecidedRequest.newBuilder()
                            .setRequestId(id + "#r" + i)
                            .setUserId("u")
                            .setArrivalTime(Instant.ofEpochMilli(slotEnd - 100))
                            .setDeadlineMs(slotEnd + 10_000)
                            .setPromptTokens(300)
                            .setMaxOutputTokens(100)
                            .setMaxPplIncrease(1)
                            .setPredictedFinishMs(slotEnd + 250)
                            .setUplinkShareHz(1)
                            .setDownlinkShareHz(1)
                            .build());
        }
        return BatchDecision.newBuilder()
                .setDecisionId(id)
                .setDomainId("d")
                .setSlotEnd(Instant.ofEpochMilli(slotEnd))
                .setNodeId(node)
                .setVariant("fp16")
                .setAlgorithm("ot-gah")
                .setUplinkMs(5)
                .setComputeStartMs(slotEnd)
                .setComputeEndMs(slotEnd + 200)
                .setCertifiedRatio(1)
                .setRequests(rs)
                .build();
    }

    /** The decision as the job writes it: keyed by its node. */
    static ProducerRecord<byte[], byte[]> record(String topic, BatchDecision d) {
        return record(topic, d.getNodeId(), EventCodec.encode(d));
    }

    static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    }

    /** Sends the records in order; returns where each landed. */
    static List<RecordMetadata> send(EmbeddedKafka kafka, List<ProducerRecord<byte[], byte[]>> rs)
            throws Exception {
        List<RecordMetadata> out = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> p = kafka.producer()) {
            for (ProducerRecord<byte[], byte[]> r : rs) {
                out.add(p.send(r).get());
            }
        }
        return out;
    }

    /** The heartbeats on a telemetry topic so far (read_committed). */
    static List<org.edgellm.events.NodeTelemetry> heartbeats(EmbeddedKafka kafka, String topic) {
        List<org.edgellm.events.NodeTelemetry> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : committed(kafka, topic)) {
            try {
                out.add(
                        org.edgellm.events.NodeTelemetry.fromByteBuffer(
                                ByteBuffer.wrap(r.value())));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    static Worker.Settings settings(
            EmbeddedKafka kafka, String node, String topicPrefix, Path state) {
        return new Worker.Settings(
                kafka.bootstrapServers(),
                node,
                "d",
                topicPrefix + "decisions",
                topicPrefix + "completions",
                topicPrefix + "telemetry",
                state,
                100,
                Map.of(),
                null,
                topicPrefix + "dead-letters");
    }

    /**
     * A backend whose completions say which run made them ({@code outputTokens} is the run's
     * number, from 1): a batch published from the log carries its first run's number.
     */
    static final class RecordingBackend implements Backend {
        final Map<String, Integer> runs = new HashMap<>();
        final Map<String, List<Completion>> firstRun = new HashMap<>();
        private int n;

        @Override
        public synchronized List<Completion> run(BatchDecision d) {
            n++;
            runs.merge(d.getDecisionId(), 1, Integer::sum);
            List<Completion> out = new ArrayList<>();
            for (DecidedRequest r : d.getRequests()) {
                out.add(
                        Completion.newBuilder()
                                .setRequestId(r.getRequestId())
                                .setDecisionId(d.getDecisionId())
                                .setNodeId(d.getNodeId())
                                .setVariant(d.getVariant())
                                .setStartMs(d.getComputeStartMs())
                                .setFirstTokenMs(d.getComputeStartMs() + 50)
                                .setFinishMs(d.getComputeEndMs())
                                .setOutputTokens(n)
                                .setPredictedComputeMs(200)
                                .setMeasuredComputeMs(200)
                                .setDeadlineMet(true)
                                .build());
            }
            firstRun.putIfAbsent(d.getDecisionId(), out);
            return out;
        }

        synchronized int runs(String decisionId) {
            return runs.getOrDefault(decisionId, 0);
        }
    }

    /** A worker's run in a thread; what it threw, if anything. */
    static final class Running {
        final Worker worker;
        final Thread thread;
        final AtomicReference<Throwable> thrown = new AtomicReference<>();

        Running(Worker worker, String name) {
            this.worker = worker;
            this.thread =
                    new Thread(
                            () -> {
                                try {
                                    worker.run();
                                } catch (Throwable e) {
                                    thrown.set(e);
                                }
                            },
                            name);
            thread.start();
        }

        /** Waits for the run to end by itself (a crash); fails after the deadline. */
        Throwable awaitEnd(Duration deadline) throws InterruptedException {
            thread.join(deadline.toMillis());
            if (thread.isAlive()) {
                throw new AssertionError(thread.getName() + " still running after " + deadline);
            }
            return thrown.get();
        }

        /** Stops the worker, waits for its run to end, closes it; rethrows what the run threw. */
        void stopAndClose() throws Exception {
            worker.stop();
            awaitEnd(Duration.ofSeconds(60));
            worker.close();
            if (thrown.get() != null) {
                throw new AssertionError("the worker failed", thrown.get());
            }
        }
    }

    /** A condition that may throw. */
    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} until it holds; fails with {@code what} after the deadline. */
    static void await(String what, Duration deadline, Condition condition) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + deadline + ": " + what);
            }
            Thread.sleep(50);
        }
    }

    /**
     * Everything committed on a topic now: reads with {@code read_committed} from the beginning up
     * to the last stable offset of each partition (what an open transaction holds is not read).
     */
    static List<ConsumerRecord<byte[], byte[]>> committed(EmbeddedKafka kafka, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = kafka.consumer(true)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo p : c.partitionsFor(topic)) {
                tps.add(new TopicPartition(topic, p.partition()));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps); // the LSO under read_committed
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("cannot read " + topic + " to " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** The committed completions of a topic. */
    static List<Completion> completions(EmbeddedKafka kafka, String topic) {
        List<Completion> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : committed(kafka, topic)) {
            try {
                out.add(Completion.fromByteBuffer(ByteBuffer.wrap(r.value())));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    /**
     * Whether the group has committed past every one of these records (read with {@code
     * require_stable}: offsets of an open transaction are not reported before it ends).
     */
    static boolean consumedPast(EmbeddedKafka kafka, String group, List<RecordMetadata> records)
            throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(
                                    group,
                                    new ListConsumerGroupOffsetsOptions().requireStable(true))
                            .partitionsToOffsetAndMetadata()
                            .get();
            for (RecordMetadata m : records) {
                OffsetAndMetadata o = offsets.get(new TopicPartition(m.topic(), m.partition()));
                if (o == null || o.offset() <= m.offset()) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Whether some committed completion satisfies {@code p}. */
    static boolean anyCompletion(EmbeddedKafka kafka, String topic, Predicate<Completion> p) {
        return completions(kafka, topic).stream().anyMatch(p);
    }
}
