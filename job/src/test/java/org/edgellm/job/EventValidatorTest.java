package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.apache.flink.util.ParameterTool;
import org.edgellm.events.ChannelState;
import org.edgellm.events.EventCodec;
import org.edgellm.events.InferenceRequest;
import org.edgellm.events.NodeTelemetry;
import org.junit.jupiter.api.Test;

/** Decoding and validation: every bad input ends as a dead letter or an INVALID request, named. */
class EventValidatorTest {

    static final Topology TOPOLOGY = Topology.parse(TestTopologies.twoDomains(), "test");
    static final EventValidator V =
            new EventValidator(TOPOLOGY, JobConfig.from(ParameterTool.fromMap(Map.of())));

    static InferenceRequest.Builder request() {
        return InferenceRequest.newBuilder()
                .setRequestId("r1")
                .setUserId("u1")
                .setDomainId("d1")
                .setArrivalTime(Instant.ofEpochMilli(1_000_000))
                .setPromptTokens(100)
                .setMaxOutputTokens(20);
    }

    static ChannelState.Builder channel() {
        return ChannelState.newBuilder()
                .setUserId("u1")
                .setDomainId("d1")
                .setNodeId("d1-a")
                .setMeasuredAt(Instant.ofEpochMilli(1_000_000))
                .setUplinkSpectralEfficiency(2)
                .setDownlinkSpectralEfficiency(3);
    }

    static InputEvent decode(EventValidator.Stream s, byte[] b) {
        return V.decode(s, b, "t", 0, 7, 1_000_000);
    }

    @Test
    void aValidRequestTakesItsServiceClassDefaults() {
        InputEvent e = decode(EventValidator.Stream.REQUESTS, EventCodec.encode(request().build()));
        assertEquals(InputEvent.REQUEST, e.kind);
        assertEquals(1_000_000 + 20_000.0, e.request.deadline);
        assertEquals(0.5, e.request.maxPplIncrease);
        assertEquals("standard", e.request.serviceClass);
    }

    @Test
    void invalidRequestFieldsAreNamedWithTheirValue() {
        Object[][] cases = {
            {request().setPromptTokens(0), "promptTokens", "0"},
            {request().setMaxOutputTokens(-3), "maxOutputTokens", "-3"},
            {request().setPromptTokens(50_000_000), "promptTokens", "50000000"},
            {request().setDomainId("mars"), "domainId", "mars"},
            {request().setDeadline(Instant.ofEpochMilli(999_999)), "deadline", "999999"},
            {request().setLatencyBudgetMs(Double.NaN), "latencyBudgetMs", "NaN"},
            {request().setMaxPplIncrease(-1.0), "maxPplIncrease", "-1.0"},
            {request().setWeight(Double.POSITIVE_INFINITY), "weight", "Infinity"},
            {request().setUplinkBytes(-5L), "uplinkBytes", "-5"},
            {request().setServiceClass("gold"), "serviceClass", "gold"},
            {request().setUserId(""), "userId", ""},
        };
        for (Object[] c : cases) {
            InputEvent e =
                    decode(
                            EventValidator.Stream.REQUESTS,
                            EventCodec.encode(((InferenceRequest.Builder) c[0]).build()));
            assertEquals(InputEvent.INVALID_REQUEST, e.kind, (String) c[1]);
            assertTrue(e.error.startsWith((String) c[1]), e.error);
            assertTrue(e.error.contains((String) c[2]), e.error);
            assertEquals("r1", e.requestId);
        }
    }

    @Test
    void invalidChannelsAndTelemetryBecomeDeadLettersWithTheirBytes() {
        Object[][] cases = {
            {channel().setUplinkSpectralEfficiency(Double.NaN), "uplinkSpectralEfficiency"},
            {
                channel().setDownlinkSpectralEfficiency(Double.POSITIVE_INFINITY),
                "downlinkSpectralEfficiency"
            },
            {channel().setDownlinkSpectralEfficiency(0), "downlinkSpectralEfficiency"},
            {channel().setNodeId("nowhere"), "nodeId"},
            {channel().setDomainId("mars"), "domainId"},
        };
        for (Object[] c : cases) {
            byte[] bytes = EventCodec.encode(((ChannelState.Builder) c[0]).build());
            InputEvent e = decode(EventValidator.Stream.CHANNELS, bytes);
            assertEquals(InputEvent.INVALID, e.kind);
            assertTrue(e.error.contains((String) c[1]), e.error);
            assertEquals(bytes.length, e.payload.length);
            assertEquals(7, e.offset);
        }
        NodeTelemetry t =
                NodeTelemetry.newBuilder()
                        .setNodeId("ghost")
                        .setDomainId("d1")
                        .setTime(Instant.ofEpochMilli(5))
                        .build();
        InputEvent e = decode(EventValidator.Stream.TELEMETRY, EventCodec.encode(t));
        assertEquals(InputEvent.INVALID, e.kind);
        assertTrue(e.error.contains("ghost"));
        InputEvent slow =
                decode(
                        EventValidator.Stream.TELEMETRY,
                        EventCodec.encode(
                                NodeTelemetry.newBuilder(t)
                                        .setNodeId("d1-a")
                                        .setSlowdown(Double.NaN)
                                        .build()));
        assertEquals(InputEvent.INVALID, slow.kind);
        assertTrue(slow.error.contains("slowdown"));
    }

    @Test
    void garbageUnknownSchemasAndWrongTopicsAreDeadLetters() {
        byte[] garbage = new byte[100];
        new Random(3).nextBytes(garbage);
        for (EventValidator.Stream s : EventValidator.Stream.values()) {
            InputEvent e = decode(s, garbage);
            assertEquals(InputEvent.INVALID, e.kind);
            assertNotNull(e.error);
        }
        InputEvent wrong =
                decode(EventValidator.Stream.REQUESTS, EventCodec.encode(channel().build()));
        assertEquals(InputEvent.INVALID, wrong.kind);
        assertTrue(wrong.error.contains("unknown schema"), wrong.error);
        InputEvent empty = decode(EventValidator.Stream.CHANNELS, new byte[0]);
        assertEquals(InputEvent.INVALID, empty.kind);
        InputEvent none = decode(EventValidator.Stream.CHANNELS, null);
        assertEquals(InputEvent.INVALID, none.kind);
    }

    /** Thousands of mutated records: the decoder never throws and every outcome is classified. */
    @Property(tries = 3000)
    void mutatedRecordsNeverEscapeTheValidator(@ForAll long seed) {
        Random rnd = new Random(seed);
        byte[] base =
                rnd.nextBoolean()
                        ? EventCodec.encode(
                                request().setLatencyBudgetMs(5000.0).setUplinkBytes(300L).build())
                        : EventCodec.encode(channel().build());
        byte[] b;
        switch (rnd.nextInt(4)) {
            case 0 -> { // flip bytes after the header
                b = base.clone();
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                    int i = 10 + rnd.nextInt(b.length - 10);
                    b[i] = (byte) rnd.nextInt(256);
                }
            }
            case 1 -> b = java.util.Arrays.copyOf(base, rnd.nextInt(base.length)); // truncate
            case 2 -> { // extend with junk
                b = java.util.Arrays.copyOf(base, base.length + 1 + rnd.nextInt(64));
                for (int i = base.length; i < b.length; i++) {
                    b[i] = (byte) rnd.nextInt(256);
                }
            }
            default -> { // corrupt the header or fingerprint
                b = base.clone();
                b[rnd.nextInt(10)] ^= (byte) (1 + rnd.nextInt(255));
            }
        }
        for (EventValidator.Stream s : EventValidator.Stream.values()) {
            InputEvent e = decode(s, b);
            assertNotNull(e);
            assertTrue(e.kind >= InputEvent.REQUEST && e.kind <= InputEvent.INVALID_REQUEST);
            if (e.kind == InputEvent.INVALID || e.kind == InputEvent.INVALID_REQUEST) {
                assertNotNull(e.error);
            }
            if (e.kind == InputEvent.REQUEST) {
                assertTrue(e.request.promptTokens >= 1 && e.request.maxOutputTokens >= 1);
                assertTrue(e.request.deadline > e.request.arrivalTime);
            }
            if (e.kind == InputEvent.CHANNEL) {
                assertTrue(
                        e.channel.uplinkSpectralEfficiency > 0
                                && e.channel.downlinkSpectralEfficiency <= 64);
            }
        }
    }

    @Test
    void topologyErrorsNameTheFieldAndValue() {
        String bad = TestTopologies.twoDomains().replaceFirst("efficiency: 0.5", "efficiency: 1.5");
        var e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class, () -> Topology.parse(bad, "t.yaml"));
        assertTrue(
                e.getMessage().contains("efficiency") && e.getMessage().contains("1.5"),
                e.getMessage());
        var f =
                org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                JobConfig.from(
                                        ParameterTool.fromArgs(new String[] {"--slot-ms", "abc"})));
        assertTrue(f.getMessage().contains("--slot-ms") && f.getMessage().contains("abc"));
        var g =
                org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                JobConfig.from(
                                        ParameterTool.fromArgs(
                                                new String[] {"--scheduler", "magic"})));
        assertTrue(g.getMessage().contains("magic"));
    }
}
