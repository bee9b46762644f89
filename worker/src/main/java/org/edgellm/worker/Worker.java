package org.edgellm.worker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.EventCodec;
import org.edgellm.events.NodeTelemetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge GPU worker of one node. It reads the decision topic with {@code read_committed}, takes
 * the batches for its node in order, runs them on its backend and reports back:
 *
 * <ul>
 *   <li>one {@link Completion} per request, produced in a Kafka transaction together with the
 *       consumed offsets (consume-process-produce exactly once);
 *   <li>{@link NodeTelemetry} heartbeats: healthy, busy-until (the expected end of the batch it
 *       runs, or now when idle), the measured slowdown (measured over predicted compute time,
 *       smoothed), which the job folds into its predictions, and finished-through (the slot end of
 *       the last decision whose completions are committed), by which the job tells finished batches
 *       from lost ones.
 * </ul>
 *
 * A decision id it finished is recorded on disk before the transaction commits: after a crash it
 * resumes from the committed offsets and skips what it already ran, and a decision delivered twice
 * (the job's at-least-once mode) runs once.
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    /** Settings of one worker; {@code capabilities} go with every heartbeat, or null for none. */
    public record Settings(
            String bootstrapServers,
            String nodeId,
            String domainId,
            String decisionsTopic,
            String completionsTopic,
            String telemetryTopic,
            Path stateDir,
            long heartbeatMs,
            Map<String, String> kafka,
            org.edgellm.events.NodeCapabilities capabilities) {}

    private final Settings s;
    private final Backend backend;
    private final FinishedLog finished;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile double busyUntil;

    /** Slot end of the last decision finished (decisions of a node arrive in slot order). */
    private volatile long finishedThrough;

    private volatile double slowdown = 1.0;
    private volatile long batches;

    public Worker(Settings s, Backend backend) throws java.io.IOException {
        this.s = s;
        this.backend = backend;
        this.finished = new FinishedLog(s.stateDir().resolve("finished-" + s.nodeId() + ".log"));
    }

    Properties common() {
        Properties p = new Properties();
        p.put("bootstrap.servers", s.bootstrapServers());
        p.putAll(s.kafka());
        return p;
    }

    public void stop() {
        running.set(false);
    }

    public long batches() {
        return batches;
    }

    /** Runs until {@link #stop()}. */
    public void run() throws Exception {
        Properties cp = common();
        cp.put("group.id", "worker-" + s.nodeId());
        cp.put("isolation.level", "read_committed");
        cp.put("enable.auto.commit", "false");
        cp.put("auto.offset.reset", "earliest");
        cp.put("max.poll.records", "20");
        // static membership: a worker restarted after a crash takes its partitions back at once
        // instead of waiting for the dead member's session to time out (45 s by default); the
        // user's settings win
        cp.putIfAbsent("group.instance.id", "worker-" + s.nodeId());
        cp.putIfAbsent("session.timeout.ms", "10000");
        cp.put("key.deserializer", ByteArrayDeserializer.class.getName());
        cp.put("value.deserializer", ByteArrayDeserializer.class.getName());
        Properties pp = common();
        pp.put("transactional.id", "worker-" + s.nodeId());
        pp.put("key.serializer", ByteArraySerializer.class.getName());
        pp.put("value.serializer", ByteArraySerializer.class.getName());
        Properties hp = common();
        hp.put("key.serializer", ByteArraySerializer.class.getName());
        hp.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp);
                KafkaProducer<byte[], byte[]> heartbeats = new KafkaProducer<>(hp)) {
            producer.initTransactions();
            consumer.subscribe(List.of(s.decisionsTopic()));
            Thread beat = new Thread(() -> heartbeat(heartbeats), "heartbeat-" + s.nodeId());
            beat.setDaemon(true);
            beat.start();
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (!running.get()) {
                        break;
                    }
                    handle(r, consumer, producer);
                }
            }
        }
    }

    private void handle(
            ConsumerRecord<byte[], byte[]> r,
            KafkaConsumer<byte[], byte[]> consumer,
            KafkaProducer<byte[], byte[]> producer)
            throws Exception {
        String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
        BatchDecision d = null;
        if (key.equals(s.nodeId())) {
            try {
                d = EventCodec.decodeDecision(r.value(), 16 << 20);
            } catch (EventCodec.DecodeException | RuntimeException e) {
                LOG.warn(
                        "undecodable decision at {}-{}@{}: {}",
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        e.getMessage());
            }
        }
        producer.beginTransaction();
        if (d != null
                && d.getNodeId().equals(s.nodeId())
                && !finished.contains(d.getDecisionId())) {
            // the expected end of this batch: from its planned start (or now, if late), for its
            // predicted time rescaled from the slowdown the job assumed to the one measured here
            double predicted = d.getComputeEndMs() - d.getComputeStartMs();
            busyUntil =
                    Math.max(System.currentTimeMillis(), d.getComputeStartMs())
                            + predicted
                                    * Math.max(0.01, slowdown)
                                    / Math.max(0.01, d.getAssumedSlowdown());
            List<Completion> done = backend.run(d);
            busyUntil = Double.NEGATIVE_INFINITY; // idle until the next one
            for (Completion c : done) {
                producer.send(
                        new ProducerRecord<>(
                                s.completionsTopic(),
                                c.getRequestId().getBytes(StandardCharsets.UTF_8),
                                EventCodec.encode(c)));
                // the GPU's own slowdown: measured over nominal (the prediction without the
                // slowdown
                // the job assumed); reporting measured / predicted instead would undo the
                // correction
                double ratio =
                        c.getMeasuredComputeMs()
                                / Math.max(1e-9, c.getPredictedComputeMs())
                                * d.getAssumedSlowdown();
                slowdown = 0.5 * slowdown + 0.5 * ratio; // smoothed
            }
            finished.add(d.getDecisionId());
            batches++;
        }

        producer.sendOffsetsToTransaction(
                Map.of(
                        new TopicPartition(r.topic(), r.partition()),
                        new OffsetAndMetadata(r.offset() + 1)),
                consumer.groupMetadata());
        producer.commitTransaction();
        if (d != null && d.getNodeId().equals(s.nodeId())) {
            // run now or before a restart, and its completions committed: finished
            finishedThrough = Math.max(finishedThrough, d.getSlotEnd().toEpochMilli());
        }
    }

    private void heartbeat(KafkaProducer<byte[], byte[]> p) {
        while (running.get()) {
            long now = System.currentTimeMillis();
            NodeTelemetry t =
                    NodeTelemetry.newBuilder()
                            .setNodeId(s.nodeId())
                            .setDomainId(s.domainId())
                            .setTime(Instant.ofEpochMilli(now))
                            // the expected end of the batch it runs (in the past when late),
                            // or now when idle
                            .setBusyUntil(
                                    Instant.ofEpochMilli((long) (busyUntil > 0 ? busyUntil : now)))
                            .setHealthy(true)
                            .setSlowdown(Math.max(0.01, slowdown))
                            .setFinishedThrough(Instant.ofEpochMilli(finishedThrough))
                            .setCapabilities(s.capabilities())
                            .build();
            p.send(
                    new ProducerRecord<>(
                            s.telemetryTopic(),
                            s.nodeId().getBytes(StandardCharsets.UTF_8),
                            EventCodec.encode(t)));
            try {
                Thread.sleep(s.heartbeatMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() throws java.io.IOException {
        stop();
        finished.close();
    }
}
