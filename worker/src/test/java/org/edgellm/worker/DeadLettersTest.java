package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.DeadLetter;
import org.edgellm.events.EventCodec;
import org.junit.jupiter.api.Test;

/** Which records of the decision topic are dead letters, and what a dead letter carries. */
class DeadLettersTest {

    static final String TOPIC = "decisions";

    /** A record read at partition 3, offset 41, stamped {@code timestamp}. */
    static ConsumerRecord<byte[], byte[]> read(String key, byte[] value, long timestamp) {
        return new ConsumerRecord<>(
                TOPIC,
                3,
                41,
                timestamp,
                TimestampType.CREATE_TIME,
                -1,
                value == null ? -1 : value.length,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value,
                new RecordHeaders(),
                Optional.empty());
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void aDecisionForThisNodeIsTakenAndNoDeadLetter() {
        BatchDecision d = WorkerTesting.decision("d/1/n1", "n1", 5_000, 2);
        DeadLetters.Read r = DeadLetters.read(read("n1", EventCodec.encode(d), 7), "n1");
        assertEquals(d, r.decision());
        assertNull(r.error());
    }

    @Test
    void aRecordKeyedByAnotherNodeOrByNoneIsNeither() {
        byte[] garbage = {1, 2, 3};
        for (String key : new String[] {"n2", "", null}) {
            DeadLetters.Read r = DeadLetters.read(read(key, garbage, 7), "n1");
            assertNull(r.decision(), "key " + key);
            assertNull(r.error(), "key " + key);
        }
    }

    @Test
    void anUndecodableRecordIsADeadLetterCarryingWhereItWasReadAndItsBytes() {
        byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
        DeadLetters.Read r = DeadLetters.read(read("n1", garbage, 1_700_000_000_123L), "n1");
        assertNull(r.decision());
        assertTrue(r.error().contains("not Avro single-object encoded"), r.error());

        DeadLetter dl = DeadLetters.deadLetter(read("n1", garbage, 1_700_000_000_123L), "n1", "x");
        assertEquals(TOPIC, dl.getSource());
        assertEquals(3, dl.getPartition());
        assertEquals(41, dl.getOffset());
        assertEquals(1_700_000_000_123L, dl.getTime().toEpochMilli());
        assertEquals("worker n1: x", dl.getError());
        assertArrayEquals(garbage, bytes(dl.getPayload()));
    }

    @Test
    void aRecordWithNoValueKeyedByThisNodeIsADeadLetterWithAnEmptyPayload() {
        DeadLetters.Read r = DeadLetters.read(read("n1", null, 7), "n1");
        assertNull(r.decision());
        assertNotNull(r.error());
        DeadLetter dl = DeadLetters.deadLetter(read("n1", null, 7), "n1", r.error());
        assertEquals(0, dl.getPayload().remaining());
        assertEquals("worker n1: " + r.error(), dl.getError());
    }

    @Test
    void aDecisionForAnotherNodeKeyedByThisOneIsADeadLetterNamingBothNodes() {
        BatchDecision d = WorkerTesting.decision("d/2/n2", "n2", 5_000, 1);
        DeadLetters.Read r = DeadLetters.read(read("n1", EventCodec.encode(d), 7), "n1");
        assertNull(r.decision());
        assertEquals("BatchDecision d/2/n2 keyed by node n1 is for node n2", r.error());
    }

    @Test
    void thePayloadAndTheErrorAreCutToTheirLimits() {
        byte[] big = new byte[DeadLetters.PAYLOAD_BYTES + 1000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        String error = "e".repeat(2 * DeadLetters.ERROR_CHARS);
        DeadLetter dl = DeadLetters.deadLetter(read("n1", big, 7), "n1", error);
        assertArrayEquals(Arrays.copyOf(big, 256 * 1024), bytes(dl.getPayload()));
        assertEquals(4096, dl.getError().length());
        assertEquals(("worker n1: " + error).substring(0, 4096), dl.getError());

        // exactly at the limits: nothing cut
        byte[] atLimit = Arrays.copyOf(big, 256 * 1024);
        String fits = "e".repeat(4096 - "worker n1: ".length());
        DeadLetter whole = DeadLetters.deadLetter(read("n1", atLimit, 7), "n1", fits);
        assertArrayEquals(atLimit, bytes(whole.getPayload()));
        assertEquals("worker n1: " + fits, whole.getError());
    }

    @Test
    void aRecordWithoutTimestampIsStampedWhenTheDeadLetterIsBuilt() {
        long before = System.currentTimeMillis();
        DeadLetter dl = DeadLetters.deadLetter(read("n1", new byte[] {9}, -1), "n1", "x");
        long after = System.currentTimeMillis();
        long t = dl.getTime().toEpochMilli();
        assertTrue(before <= t && t <= after, before + " <= " + t + " <= " + after);
    }

    @Test
    void theRecordGoesToTheGivenTopicKeyedByTheSourceTopic() throws Exception {
        byte[] garbage = {4, 5, 6};
        ProducerRecord<byte[], byte[]> out =
                DeadLetters.record("dead", read("n1", garbage, 99), "n1", "boom");
        assertEquals("dead", out.topic());
        assertEquals(TOPIC, new String(out.key(), StandardCharsets.UTF_8));
        assertNull(out.partition());
        DeadLetter dl = DeadLetter.fromByteBuffer(ByteBuffer.wrap(out.value()));
        assertEquals(DeadLetters.deadLetter(read("n1", garbage, 99), "n1", "boom"), dl);
        assertEquals("worker n1: boom", dl.getError());
        assertEquals(99, dl.getTime().toEpochMilli());
    }
}
