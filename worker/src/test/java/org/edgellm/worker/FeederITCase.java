package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.edgellm.events.InferenceRequest;
import org.edgellm.job.testing.EmbeddedKafka;
import org.edgellm.job.testing.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The feeder publishes a slice of the trace, re-timed to now, at the requested pace. */
class FeederITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void publishesTheTraceRetimedAndPaced() throws Exception {
        EmbeddedKafka kafka = KAFKA.broker();
        kafka.createTopics(1, "req", "chan");
        // short budgets: channel states run until the last deadline
        java.nio.file.Path topo = java.nio.file.Files.createTempFile("topology", ".yaml");
        String yaml =
                new String(
                        org.edgellm.job.Topology.class
                                .getResourceAsStream("/topology-default.yaml")
                                .readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8);
        java.nio.file.Files.writeString(
                topo, yaml.replaceAll("latencyBudgetMs: [0-9]+", "latencyBudgetMs: 2000"));
        long before = System.currentTimeMillis();
        Feeder.Sent sent =
                Feeder.run(
                        Map.of(
                                "bootstrap-servers",
                                kafka.bootstrapServers(),
                                "requests-topic",
                                "req",
                                "channels-topic",
                                "chan",
                                "minutes",
                                "0.5",
                                "speedup",
                                "15",
                                "users",
                                "4",
                                "channel-period-ms",
                                "500",
                                "topology",
                                topo.toString()),
                        Map.of());
        long took = System.currentTimeMillis() - before;
        assertTrue(sent.requests() > 50, "half a minute of the trace: " + sent.requests());
        // channel states go on until the last deadline (40 s budgets in the default classes)
        assertTrue(
                took >= 2000 && took < 10_000, "about 2 s of requests and 2 s of budget: " + took);
        var reqs =
                kafka.readUntil(
                        "req", false, Duration.ofSeconds(20), l -> l.size() >= sent.requests());
        assertEquals(sent.requests(), reqs.size());
        long prev = 0;
        for (ConsumerRecord<byte[], byte[]> r : reqs) {
            InferenceRequest q = InferenceRequest.fromByteBuffer(ByteBuffer.wrap(r.value()));
            long t = q.getArrivalTime().toEpochMilli();
            assertTrue(t >= before && t <= before + took + 1000, "re-timed to now");
            assertEquals(t, r.timestamp(), "record time is event time");
            assertTrue(t >= prev);
            prev = t;
        }
        long first =
                InferenceRequest.fromByteBuffer(ByteBuffer.wrap(reqs.get(0).value()))
                        .getArrivalTime()
                        .toEpochMilli();
        assertTrue(
                prev - first >= 1000 && prev - first <= 2500,
                "30 s of requests at 15x span about 2 s: " + (prev - first));
        assertEquals(
                sent.channels(),
                kafka.readUntil(
                                "chan",
                                false,
                                Duration.ofSeconds(20),
                                l -> l.size() >= sent.channels())
                        .size());
    }
}
