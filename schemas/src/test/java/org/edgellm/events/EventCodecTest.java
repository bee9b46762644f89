package org.edgellm.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    static InferenceRequest request() {
        return InferenceRequest.newBuilder()
                .setRequestId("r1")
                .setUserId("u1")
                .setDomainId("d1")
                .setArrivalTime(java.time.Instant.ofEpochMilli(1_700_000_000_000L))
                .setPromptTokens(100)
                .setMaxOutputTokens(50)
                .setLatencyBudgetMs(5000.0)
                .setMaxPplIncrease(0.5)
                .setServiceClass("chat")
                .build();
    }

    @Test
    void roundTripsEveryInputEvent() throws Exception {
        InferenceRequest r = request();
        assertEquals(r, EventCodec.decodeRequest(EventCodec.encode(r), 1 << 20));
        ChannelState c =
                ChannelState.newBuilder()
                        .setUserId("u1")
                        .setDomainId("d1")
                        .setNodeId("n1")
                        .setMeasuredAt(java.time.Instant.ofEpochMilli(5))
                        .setUplinkSpectralEfficiency(2.5)
                        .setDownlinkSpectralEfficiency(4.0)
                        .build();
        assertEquals(c, EventCodec.decodeChannel(EventCodec.encode(c), 1 << 20));
        byte[] bytes = EventCodec.encode(c);
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
    }

    /** An earlier version of a schema, from schemas/history. */
    Schema history(String file) throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/schemas/history/" + file)) {
            return new Schema.Parser().parse(in);
        }
    }

    /** A record in single-object encoding with the given (earlier) schema. */
    static byte[] encode(Schema schema, GenericRecord r) throws Exception {
        ByteBuffer buf =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(r);
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        return bytes;
    }

    /** Data written with the previous schema version (v1, no promptText) stays readable. */
    @Test
    void requestWrittenWithV1SchemaIsReadByTheCurrentOne() throws Exception {
        Schema v1 = history("InferenceRequest-v1.avsc");
        GenericRecord old = new GenericData.Record(v1);
        old.put("requestId", "old-1");
        old.put("userId", "u9");
        old.put("domainId", "d2");
        old.put("arrivalTime", 1234L);
        old.put("promptTokens", 7);
        old.put("maxOutputTokens", 8);
        old.put("latencyBudgetMs", null);
        old.put("deadline", 9999L);
        old.put("maxPplIncrease", 0.1);
        old.put("weight", 2.0);
        old.put("uplinkBytes", null);
        old.put("serviceClass", null);
        byte[] bytes = encode(v1, old);
        InferenceRequest now = EventCodec.decodeRequest(bytes, 1 << 20);
        assertEquals("old-1", now.getRequestId());
        assertEquals(7, now.getPromptTokens());
        assertEquals(9999L, now.getDeadline().toEpochMilli());
        assertEquals(2.0, now.getWeight());
        assertNull(now.getPromptText(), "the field added in v2 takes its default");
        assertTrue(
                !Arrays.equals(
                        Arrays.copyOfRange(bytes, 2, 10),
                        Arrays.copyOfRange(EventCodec.encode(request()), 2, 10)),
                "v1 and v2 have different fingerprints");
    }

    /** A decision written with v1 (no assumedSlowdown) is read with the default 1.0. */
    @Test
    void decisionWrittenWithV1SchemaIsReadByTheCurrentOne() throws Exception {
        Schema v1 = history("BatchDecision-v1.avsc");
        GenericRecord old = new GenericData.Record(v1);
        old.put("decisionId", "d/1/n");
        old.put("domainId", "d");
        old.put("slotEnd", 100L);
        old.put("nodeId", "n");
        old.put("variant", "fp16");
        old.put("algorithm", "ot-gah");
        old.put("uplinkMs", 1.0);
        old.put("computeStartMs", 2.0);
        old.put("computeEndMs", 3.0);
        old.put("certifiedRatio", 1.0);
        old.put("requests", new GenericData.Array<>(0, v1.getField("requests").schema()));
        byte[] bytes = encode(v1, old);
        BatchDecision now = EventCodec.decodeDecision(bytes, 1 << 20);
        assertEquals("d/1/n", now.getDecisionId());
        assertEquals(1.0, now.getAssumedSlowdown());
    }

    /** A slot report written with v1 (no fallback) is read with the default false. */
    @Test
    void slotReportWrittenWithV1SchemaIsReadByTheCurrentOne() throws Exception {
        Schema v1 = history("SlotReport-v1.avsc");
        GenericRecord old = new GenericData.Record(v1);
        old.put("domainId", "d");
        old.put("slotEnd", 100L);
        old.put("pending", 3);
        old.put("assigned", 2);
        old.put("rejected", java.util.Map.of("SHED", 1));
        old.put("nodesOffered", 1);
        old.put("objective", 2.0);
        old.put("upperBound", 2.5);
        old.put("solveMicros", 10L);
        old.put("nodesVisited", 7L);
        old.put("feasibilityChecks", 9L);
        old.put("provenOptimal", true);
        SlotReport now = EventCodec.decodeReport(encode(v1, old), 1 << 20);
        assertEquals(2, now.getAssigned());
        assertEquals(1, now.getRejected().get("SHED"));
        assertFalse(now.getFallback(), "the field added in v2 takes its default");
    }

    /** A heartbeat written with v1 (no finishedThrough) is read with the default null. */
    @Test
    void telemetryWrittenWithV1SchemaIsReadByTheCurrentOne() throws Exception {
        Schema v1 = history("NodeTelemetry-v1.avsc");
        GenericRecord old = new GenericData.Record(v1);
        old.put("nodeId", "n");
        old.put("domainId", "d");
        old.put("time", 100L);
        old.put("capabilities", null);
        old.put("busyUntil", 200L);
        old.put("healthy", true);
        old.put("slowdown", 1.5);
        byte[] bytes = encode(v1, old);
        NodeTelemetry now = EventCodec.decodeTelemetry(bytes, 1 << 20);
        assertEquals(1.5, now.getSlowdown());
        assertEquals(200L, now.getBusyUntil().toEpochMilli());
        assertNull(now.getFinishedThrough(), "the field added in v2 takes its default");
    }

    /** A decision written with v2 (no lease) is read with no lease; a v3 lease survives. */
    @Test
    void decisionWrittenWithV2SchemaIsReadWithoutALease() throws Exception {
        Schema v2 = history("BatchDecision-v2.avsc");
        GenericRecord old = new GenericData.Record(v2);
        old.put("decisionId", "d/1/n");
        old.put("domainId", "d");
        old.put("slotEnd", 100L);
        old.put("nodeId", "n");
        old.put("variant", "fp16");
        old.put("algorithm", "ot-gah");
        old.put("uplinkMs", 1.0);
        old.put("computeStartMs", 2.0);
        old.put("computeEndMs", 3.0);
        old.put("certifiedRatio", 1.0);
        old.put("assumedSlowdown", 1.25);
        old.put("requests", new GenericData.Array<>(0, v2.getField("requests").schema()));
        BatchDecision now = EventCodec.decodeDecision(encode(v2, old), 1 << 20);
        assertEquals(1.25, now.getAssumedSlowdown());
        assertNull(now.getLeaseUntil(), "the field added in v3 takes its default");

        now.setLeaseUntil(java.time.Instant.ofEpochMilli(7000));
        assertEquals(
                7000L,
                EventCodec.decodeDecision(EventCodec.encode(now), 1 << 20)
                        .getLeaseUntil()
                        .toEpochMilli());
    }

    /** A heartbeat written with v2 (no refused list) is read with an empty one. */
    @Test
    void telemetryWrittenWithV2SchemaIsReadWithNothingRefused() throws Exception {
        Schema v2 = history("NodeTelemetry-v2.avsc");
        GenericRecord old = new GenericData.Record(v2);
        old.put("nodeId", "n");
        old.put("domainId", "d");
        old.put("time", 100L);
        old.put("capabilities", null);
        old.put("busyUntil", 200L);
        old.put("healthy", true);
        old.put("slowdown", 1.0);
        old.put("finishedThrough", 90L);
        NodeTelemetry now = EventCodec.decodeTelemetry(encode(v2, old), 1 << 20);
        assertEquals(90L, now.getFinishedThrough().toEpochMilli());
        assertEquals(List.of(), now.getRefused(), "the field added in v3 takes its default");
    }

    /**
     * Rejections: v1 data is read by the current schema, and a v1 reader (a consumer not yet
     * upgraded) reads the new reason UNFINISHED as the enum's default OTHER instead of failing.
     */
    @Test
    void rejectionsStayReadableBothWays() throws Exception {
        Schema v1 = history("Rejection-v1.avsc");
        GenericRecord old = new GenericData.Record(v1);
        old.put("requestId", "r1");
        old.put("userId", null);
        old.put("domainId", "d");
        old.put("time", 100L);
        old.put("reason", new GenericData.EnumSymbol(v1.getField("reason").schema(), "EXPIRED"));
        old.put("detail", "x");
        byte[] bytes = encode(v1, old);
        assertEquals(
                RejectionReason.EXPIRED, EventCodec.decodeRejection(bytes, 1 << 20).getReason());

        Rejection now =
                Rejection.newBuilder()
                        .setRequestId("r2")
                        .setDomainId("d")
                        .setTime(java.time.Instant.ofEpochMilli(5))
                        .setReason(RejectionReason.UNFINISHED)
                        .setDetail("node lost")
                        .build();
        org.apache.avro.message.BinaryMessageDecoder<GenericRecord> oldReader =
                new org.apache.avro.message.BinaryMessageDecoder<>(GenericData.get(), v1);
        oldReader.addSchema(Rejection.getClassSchema());
        GenericRecord seenByV1 = oldReader.decode(EventCodec.encode(now));
        assertEquals("r2", seenByV1.get("requestId").toString());
        assertEquals("OTHER", seenByV1.get("reason").toString());
    }

    @Test
    void refusesGarbageTruncatedOversizedAndForeignRecordsWithAReason() {
        Random rnd = new Random(1);
        byte[] garbage = new byte[64];
        rnd.nextBytes(garbage);
        var e =
                assertThrows(
                        EventCodec.DecodeException.class,
                        () -> EventCodec.decodeRequest(garbage, 1 << 20));
        assertTrue(e.getMessage().contains("single-object"), e.getMessage());
        byte[] good = EventCodec.encode(request());
        for (int len : List.of(0, 5, 10, 12, good.length - 3)) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThrows(
                    EventCodec.DecodeException.class,
                    () -> EventCodec.decodeRequest(cut, 1 << 20),
                    "len " + len);
        }
        var big =
                assertThrows(
                        EventCodec.DecodeException.class, () -> EventCodec.decodeRequest(good, 10));
        assertTrue(big.getMessage().contains("exceed"));
        // a channel state is not a request: unknown fingerprint for the request reader
        byte[] channel =
                EventCodec.encode(
                        ChannelState.newBuilder()
                                .setUserId("u")
                                .setDomainId("d")
                                .setNodeId("n")
                                .setMeasuredAt(java.time.Instant.EPOCH)
                                .setUplinkSpectralEfficiency(1)
                                .setDownlinkSpectralEfficiency(1)
                                .build());
        var foreign =
                assertThrows(
                        EventCodec.DecodeException.class,
                        () -> EventCodec.decodeRequest(channel, 1 << 20));
        assertTrue(foreign.getMessage().contains("unknown schema"), foreign.getMessage());
        assertThrows(EventCodec.DecodeException.class, () -> EventCodec.decodeRequest(null, 10));
    }

    /**
     * A record whose first string claims a length beyond what Avro reads (found by the job's
     * mutation property test): Avro throws UnsupportedOperationException, which must come out as a
     * DecodeException like every other corrupt record, so that no caller (the job's validator, the
     * worker's decision reader) sees a raw runtime exception.
     */
    @Test
    void aStringLongerThanAvroReadsIsACorruptRecord() {
        byte[] good = EventCodec.encode(request());
        byte[] bad = Arrays.copyOf(good, 10 + 10);
        long zigzag = 3_000_000_000L << 1; // requestId's length, 3e9 bytes
        int k = 10;
        while ((zigzag & ~0x7FL) != 0) {
            bad[k++] = (byte) ((zigzag & 0x7F) | 0x80);
            zigzag >>>= 7;
        }
        bad[k++] = (byte) zigzag;
        byte[] record = Arrays.copyOf(bad, k);
        var e =
                assertThrows(
                        EventCodec.DecodeException.class,
                        () -> EventCodec.decodeRequest(record, 1 << 20));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    }
}
