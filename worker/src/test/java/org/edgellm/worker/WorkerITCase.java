package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.EventCodec;
import org.edgellm.events.NodeTelemetry;
import org.edgellm.job.testing.EmbeddedKafkaExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A worker against a real broker: its batches only, each once, across a restart; heartbeats. */
class WorkerITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @BeforeAll
    static void start() throws Exception {
        KAFKA.broker().createTopics(2, "decisions");
        KAFKA.broker().createTopics(1, "completions", "telemetry");
    }

    @TempDir Path state;

    static ProducerRecord<byte[], byte[]> rec(BatchDecision d) {
        return new ProducerRecord<>(
                "decisions", d.getNodeId().getBytes(StandardCharsets.UTF_8), EventCodec.encode(d));
    }

    static BatchDecision decision(String id, String node, long start, int requests) {
        BatchDecision base =
                SimulatedBackendTest.decision(start, start + 200, new double[requests]);
        BatchDecision.Builder b = BatchDecision.newBuilder(base).setDecisionId(id).setNodeId(node);
        for (int i = 0; i < requests; i++) {
            b.getRequests()
                    .set(
                            i,
                            org.edgellm.events.DecidedRequest.newBuilder(b.getRequests().get(i))
                                    .setRequestId(id + "#r" + i)
                                    .setDeadlineMs(start + 10_000)
                                    .build());
        }
        return b.build();
    }

    Worker worker(double slowdown) throws Exception {
        return new Worker(
                new Worker.Settings(
                        KAFKA.broker().bootstrapServers(),
                        "n1",
                        "d",
                        "decisions",
                        "completions",
                        "telemetry",
                        state,
                        100,
                        Map.of(),
                        null),
                new SimulatedBackend(
                        slowdown,
                        0,
                        1,
                        new SimulatedBackend.VirtualClock(System.currentTimeMillis())));
    }

    static Thread runInBackground(Worker w) {
        return runInBackground(w, "worker");
    }

    static Thread runInBackground(Worker w, String name) {
        Thread t =
                new Thread(
                        () -> {
                            try {
                                w.run();
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        },
                        name);
        t.start();
        return t;
    }

    /** Every completion committed so far. */
    List<Completion> committedCompletions() {
        List<Completion> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.broker().readAll("completions", true)) {
            try {
                out.add(Completion.fromByteBuffer(ByteBuffer.wrap(r.value())));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    /**
     * Waits until n1's consumer group has committed every decision on the topic: the worker commits
     * each record's offset in the transaction of that record's completions, so from then on nothing
     * it read can still add a completion.
     */
    static void untilEveryDecisionHandled() throws Exception {
        Poll.until(
                "n1 handled every decision",
                Duration.ofSeconds(60),
                () -> KAFKA.broker().consumedToEnd("worker-n1", "decisions"));
    }

    @Test
    void runsItsOwnBatchesOnceAcrossDuplicatesAndARestart() throws Exception {
        long now = System.currentTimeMillis();
        BatchDecision a = decision("d/1/n1", "n1", now, 2);
        BatchDecision other = decision("d/1/n2", "n2", now, 3);
        BatchDecision b = decision("d/2/n1", "n1", now + 100, 1);
        KAFKA.broker()
                .send(
                        "decisions",
                        List.of(rec(a), rec(other), rec(b), rec(a))); // a twice (at-least-once)
        Worker w = worker(1.5);
        Thread t = runInBackground(w);
        untilEveryDecisionHandled(); // the duplicate of a included
        // heartbeats report the measured slowdown (none is sent while a commit is in flight, so
        // wait for one after the batches rather than count on the worker's lifetime)
        Poll.until(
                "a heartbeat with the measured slowdown",
                Duration.ofSeconds(60),
                () -> heartbeats().stream().anyMatch(h -> h.getSlowdown() > 1.05));
        w.stop();
        t.join();
        w.close();
        assertEquals(2, w.batches(), "a ran once, b once, n2's batch not at all");
        List<Completion> first = committedCompletions();
        Map<String, Integer> times = new HashMap<>();
        first.forEach(c -> times.merge(c.getRequestId(), 1, Integer::sum));
        assertEquals(
                Map.of("d/1/n1#r0", 1, "d/1/n1#r1", 1, "d/2/n1#r0", 1),
                times,
                "n1's requests once each, none of n2's");
        first.forEach(
                c -> assertEquals(1.5, c.getMeasuredComputeMs() / c.getPredictedComputeMs(), 1e-9));

        // restart: an old decision delivered again and a new one
        BatchDecision c = decision("d/3/n1", "n1", now + 200, 1);
        KAFKA.broker().send("decisions", List.of(rec(b), rec(c)));
        Worker again = worker(1.5);
        Thread t2 = runInBackground(again);
        untilEveryDecisionHandled();
        again.stop();
        t2.join();
        again.close();
        assertEquals(1, again.batches(), "only the new batch ran");
        List<Completion> all = committedCompletions();
        Map<String, Integer> after = new HashMap<>();
        all.forEach(x -> after.merge(x.getRequestId(), 1, Integer::sum));
        assertEquals(4, all.size(), "the restarted worker ran only the new batch: " + after);
        assertEquals(1, after.get("d/3/n1#r0"));
        assertEquals(1, after.get("d/2/n1#r0"));

        List<NodeTelemetry> beats = heartbeats();
        assertTrue(beats.size() >= 2, "heartbeats of both runs: " + beats.size());
        assertTrue(beats.stream().allMatch(h -> h.getNodeId().equals("n1") && h.getHealthy()));
        // every heartbeat, the periodic ones and those inside a batch's transaction, is keyed by
        // the node's domain: all nodes of a domain share one partition, which the job reads in
        // order (NodeLiveness settles a silent node's lease only after another node's later one)
        List<ConsumerRecord<byte[], byte[]>> raw = KAFKA.broker().readAll("telemetry", true);
        assertEquals(beats.size(), raw.size());
        for (ConsumerRecord<byte[], byte[]> r : raw) {
            assertEquals("d", new String(r.key(), StandardCharsets.UTF_8), "key of " + r);
        }
    }

    /** The heartbeats on the telemetry topic so far. */
    static List<NodeTelemetry> heartbeats() {
        return WorkerTesting.heartbeats(KAFKA.broker(), "telemetry");
    }
}
