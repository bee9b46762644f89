package org.edgellm.worker;

import static org.edgellm.worker.WorkerTesting.await;
import static org.edgellm.worker.WorkerTesting.committed;
import static org.edgellm.worker.WorkerTesting.completions;
import static org.edgellm.worker.WorkerTesting.decision;
import static org.edgellm.worker.WorkerTesting.record;
import static org.edgellm.worker.WorkerTesting.send;
import static org.edgellm.worker.WorkerTesting.settings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.DeadLetter;
import org.edgellm.events.EventCodec;
import org.edgellm.job.testing.EmbeddedKafkaExtension;
import org.edgellm.worker.WorkerTesting.RecordingBackend;
import org.edgellm.worker.WorkerTesting.Running;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records keyed by the worker's node that are no decision for it are reported as dead letters
 * (committed with their offset), and the worker goes on with the next valid decision.
 */
class WorkerDeadLetterITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path state;

    @Test
    void anUndecodableDecisionBecomesADeadLetterAndTheNextOneRuns() throws Exception {
        String prefix = "dl-";
        String decisions = prefix + "decisions";
        KAFKA.broker().createTopics(3, decisions);
        KAFKA.broker()
                .createTopics(
                        1, prefix + "completions", prefix + "telemetry", prefix + "dead-letters");
        long t0 = 1_700_000_000_000L;
        byte[] garbage = "not a decision".getBytes(StandardCharsets.UTF_8);
        byte[] truncated = EventCodec.encode(decision("d/0/n1", "n1", t0, 1));
        truncated = java.util.Arrays.copyOf(truncated, truncated.length / 2);
        BatchDecision forOther = decision("d/1/n2", "n2", t0 + 1000, 1);
        BatchDecision valid = decision("d/2/n1", "n1", t0 + 2000, 2);
        List<RecordMetadata> at =
                send(
                        KAFKA.broker(),
                        List.of(
                                record(decisions, "n1", garbage),
                                record(decisions, "n1", truncated),
                                // keyed by n1 but naming n2: nobody would run it
                                record(decisions, "n1", EventCodec.encode(forOther)),
                                // another node's garbage: not n1's to report
                                record(decisions, "n2", garbage),
                                record(decisions, valid)));
        RecordingBackend backend = new RecordingBackend();
        Worker w = new Worker(settings(KAFKA.broker(), "n1", prefix, state), backend);
        Running r = new Running(w, "worker-dl");
        await(
                "the worker committed its offsets past every record",
                Duration.ofSeconds(60),
                () -> WorkerTesting.consumedPast(KAFKA.broker(), "worker-n1", at));
        r.stopAndClose();

        List<DeadLetter> dead = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> c :
                committed(KAFKA.broker(), prefix + "dead-letters")) {
            dead.add(DeadLetter.fromByteBuffer(ByteBuffer.wrap(c.value())));
            assertEquals(decisions, new String(c.key(), StandardCharsets.UTF_8), "keyed by topic");
        }
        dead.sort(Comparator.comparingLong(DeadLetter::getOffset));
        assertEquals(3, dead.size(), "one dead letter each, n2's record not reported: " + dead);
        for (int i = 0; i < 3; i++) {
            DeadLetter d = dead.get(i);
            assertEquals(decisions, d.getSource());
            assertEquals(at.get(i).partition(), d.getPartition());
            assertEquals(at.get(i).offset(), d.getOffset());
            assertTrue(d.getError().startsWith("worker n1: "), d.getError());
        }
        assertTrue(dead.get(0).getError().contains("not Avro single-object encoded"));
        assertArrayEquals(garbage, bytes(dead.get(0).getPayload()));
        assertTrue(dead.get(1).getError().contains("corrupt or truncated"), dead.get(1).getError());
        assertArrayEquals(truncated, bytes(dead.get(1).getPayload()));
        assertTrue(dead.get(2).getError().contains("is for node n2"), dead.get(2).getError());
        assertEquals(3, w.deadLetters());

        assertEquals(
                List.of(valid.getDecisionId() + "#r0", valid.getDecisionId() + "#r1"),
                completions(KAFKA.broker(), prefix + "completions").stream()
                        .map(Completion::getRequestId)
                        .sorted()
                        .toList());
        assertEquals(1, backend.runs(valid.getDecisionId()));
        assertEquals(0, backend.runs(forOther.getDecisionId()));
        assertEquals(1, w.batches());
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
