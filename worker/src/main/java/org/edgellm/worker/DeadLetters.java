package org.edgellm.worker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.DeadLetter;
import org.edgellm.events.EventCodec;

/**
 * Which records of the decision topic a {@link Worker} takes as its decisions and which it reports
 * as dead letters, and the dead-letter record itself.
 *
 * <p>A record keyed by this node is either a decision for this node or a dead letter: undecodable,
 * or a decision naming another node. A record keyed otherwise is not this node's and is neither
 * (its offset is still committed). The worker sends the dead letter in the transaction that commits
 * the record's offset, so nothing read is dropped silently.
 */
final class DeadLetters {

    /** The largest raw payload kept in a dead letter (the rest is cut off). */
    static final int PAYLOAD_BYTES = 256 << 10;

    /** The largest error message kept in a dead letter. */
    static final int ERROR_CHARS = 4096;

    /** The largest decision decoded (larger ones are dead letters). */
    static final int MAX_DECISION_BYTES = 16 << 20;

    private DeadLetters() {}

    /**
     * A record of the decision topic as this node reads it: {@code decision} when it is a decision
     * for this node, {@code error} when it is a dead letter, neither when it is keyed by another
     * node (or by none).
     */
    record Read(BatchDecision decision, String error) {}

    /** Reads a record of the decision topic as node {@code nodeId}. */
    static Read read(ConsumerRecord<byte[], byte[]> r, String nodeId) {
        String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
        BatchDecision d = null;
        String error = null;
        if (key.equals(nodeId)) {
            try {
                d = EventCodec.decodeDecision(r.value(), MAX_DECISION_BYTES);
                if (!nodeId.equals(d.getNodeId())) {
                    error =
                            "BatchDecision "
                                    + d.getDecisionId()
                                    + " keyed by node "
                                    + nodeId
                                    + " is for node "
                                    + d.getNodeId();
                    d = null;
                }
            } catch (EventCodec.DecodeException | RuntimeException e) {
                error = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
            }
        }
        return new Read(d, error);
    }

    /**
     * The dead-letter record of a record read, for {@code topic}: keyed by the topic the record was
     * read from.
     */
    static ProducerRecord<byte[], byte[]> record(
            String topic, ConsumerRecord<byte[], byte[]> r, String nodeId, String error) {
        return new ProducerRecord<>(
                topic,
                r.topic().getBytes(StandardCharsets.UTF_8),
                EventCodec.encode(deadLetter(r, nodeId, error)));
    }

    /**
     * The dead letter of a record keyed by this node that is no decision for it: where it was read,
     * its timestamp (now when it has none), the error prefixed by the node (cut to {@link
     * #ERROR_CHARS}) and its raw value (cut to {@link #PAYLOAD_BYTES}; empty for none).
     */
    static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> r, String nodeId, String error) {
        byte[] v = r.value() == null ? new byte[0] : r.value();
        String why = "worker " + nodeId + ": " + error;
        if (why.length() > ERROR_CHARS) {
            why = why.substring(0, ERROR_CHARS);
        }
        return DeadLetter.newBuilder()
                .setSource(r.topic())
                .setPartition(r.partition())
                .setOffset(r.offset())
                .setTime(
                        Instant.ofEpochMilli(
                                r.timestamp() > 0 ? r.timestamp() : System.currentTimeMillis()))
                .setError(why)
                .setPayload(
                        ByteBuffer.wrap(
                                v.length <= PAYLOAD_BYTES ? v : Arrays.copyOf(v, PAYLOAD_BYTES)))
                .build();
    }
}
