package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import org.edgellm.events.ChannelState;
import org.edgellm.events.EventCodec;
import org.edgellm.events.InferenceRequest;
import org.edgellm.events.NodeCapabilities;
import org.edgellm.events.NodeTelemetry;
import org.edgellm.events.VariantInfo;
import org.junit.jupiter.api.Test;

/** Decoding and validation: every bad input ends as a dead letter or an INVALID request, named. */
class EventValidatorTest {

    static final Topology TOPOLOGY = Topology.parse(TestTopologies.twoDomains(), "test");
    static final EventValidator V = new EventValidator(TOPOLOGY, JobConfig.from(Map.of()));

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

    // ---- the fuzz test and its independent reading of what is valid ----------------------------

    /** 9999-12-31T23:59:59.999Z, the latest time a request may carry. */
    static final long YEAR_9999 = 253_402_300_799_999L;

    /** The test topology's nodes per domain, and its service classes (budget ms, tolerance). */
    static final Map<String, java.util.Set<String>> NODES =
            Map.of("d1", java.util.Set.of("d1-a", "d1-b"), "d2", java.util.Set.of("d2-a", "d2-b"));

    static final Map<String, double[]> CLASSES =
            Map.of("standard", new double[] {20_000, 0.5}, "strict", new double[] {20_000, 0.01});

    /** JobConfig's documented defaults: --max-prompt-tokens, --max-output-tokens, bytes. */
    static final int MAX_PROMPT = 262_144;

    static final int MAX_OUTPUT = 32_768;
    static final long MAX_UPLINK_BYTES = 64L << 20;

    static <T> T pick(Random rnd, List<T> values) {
        return values.get(rnd.nextInt(values.size()));
    }

    static List<Long> times(long... v) {
        List<Long> out = new java.util.ArrayList<>();
        for (long x : v) {
            out.add(x);
        }
        return out;
    }

    static final List<Double> EFFICIENCIES =
            List.of(
                    0.0,
                    -1.0,
                    1e-300,
                    Double.MIN_VALUE,
                    2.0,
                    7.4,
                    64.0,
                    64.000001,
                    Double.NaN,
                    Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY);
    static final List<Double> POSITIVE_OR_NOT =
            List.of(0.0, -1.0, 1e-9, 3e9, 1e13, Double.NaN, Double.POSITIVE_INFINITY, -0.0);

    /** A request with 0-3 fields replaced, each by a valid or an invalid value. */
    static InferenceRequest mutatedRequest(Random rnd) {
        InferenceRequest.Builder b =
                request()
                        .setLatencyBudgetMs(rnd.nextBoolean() ? 5000.0 : null)
                        .setUplinkBytes(300L);
        int mutations = rnd.nextInt(4);
        for (int k = 0; k < mutations; k++) {
            switch (rnd.nextInt(13)) {
                case 0 -> b.setRequestId(pick(rnd, List.of("", "r2", "x".repeat(200))));
                case 1 -> b.setUserId(pick(rnd, List.of("", "u9")));
                case 2 -> b.setDomainId(pick(rnd, List.of("d2", "mars", "", "D1")));
                case 3 ->
                        b.setArrivalTime(
                                Instant.ofEpochMilli(
                                        pick(
                                                rnd,
                                                times(
                                                        0,
                                                        -1,
                                                        5_000_000,
                                                        YEAR_9999,
                                                        YEAR_9999 + 1,
                                                        Long.MIN_VALUE / 2))));
                case 4 ->
                        b.setPromptTokens(
                                pick(
                                        rnd,
                                        List.of(
                                                0,
                                                1,
                                                -5,
                                                MAX_PROMPT,
                                                MAX_PROMPT + 1,
                                                Integer.MIN_VALUE,
                                                Integer.MAX_VALUE)));
                case 5 ->
                        b.setMaxOutputTokens(
                                pick(rnd, List.of(0, 1, -1, MAX_OUTPUT, MAX_OUTPUT + 1, 4096)));
                case 6 -> {
                    Long d =
                            pick(
                                    rnd,
                                    java.util.Arrays.asList(
                                            null,
                                            999_999L,
                                            1_000_000L,
                                            1_000_001L,
                                            5_000_001L,
                                            YEAR_9999,
                                            YEAR_9999 + 1));
                    b.setDeadline(d == null ? null : Instant.ofEpochMilli(d));
                }
                case 7 ->
                        b.setLatencyBudgetMs(
                                pick(
                                        rnd,
                                        java.util.Arrays.asList(
                                                null,
                                                0.5,
                                                1.0,
                                                5000.0,
                                                1e12 - 1,
                                                1e12,
                                                -3.0,
                                                Double.NaN,
                                                Double.POSITIVE_INFINITY)));
                case 8 ->
                        b.setMaxPplIncrease(
                                pick(
                                        rnd,
                                        java.util.Arrays.asList(
                                                null,
                                                0.0,
                                                -0.0,
                                                0.3,
                                                -1e-9,
                                                Double.NaN,
                                                Double.POSITIVE_INFINITY)));
                case 9 ->
                        b.setWeight(
                                pick(
                                        rnd,
                                        List.of(
                                                0.0,
                                                -1.0,
                                                2.5,
                                                Double.MIN_VALUE,
                                                Double.NaN,
                                                Double.POSITIVE_INFINITY)));
                case 10 ->
                        b.setUplinkBytes(
                                pick(
                                        rnd,
                                        java.util.Arrays.asList(
                                                null,
                                                -1L,
                                                0L,
                                                MAX_UPLINK_BYTES,
                                                MAX_UPLINK_BYTES + 1,
                                                Long.MIN_VALUE)));
                case 11 ->
                        b.setServiceClass(
                                pick(
                                        rnd,
                                        java.util.Arrays.asList(
                                                null, "standard", "strict", "gold", "")));
                default -> b.setPromptText(rnd.nextBoolean() ? null : "hello");
            }
        }
        return b.build();
    }

    /** Every invalid field of a request, by the rules of the schema docs and the job's flags. */
    static java.util.Set<String> invalidFields(InferenceRequest r) {
        java.util.Set<String> bad = new java.util.HashSet<>();
        if (r.getRequestId().isEmpty()) {
            bad.add("requestId");
        }
        if (r.getUserId().isEmpty()) {
            bad.add("userId");
        }
        if (!NODES.containsKey(r.getDomainId())) {
            bad.add("domainId");
        }
        long arrival = r.getArrivalTime().toEpochMilli();
        if (arrival < 0 || arrival > YEAR_9999) {
            bad.add("arrivalTime");
        }
        if (r.getPromptTokens() < 1 || r.getPromptTokens() > MAX_PROMPT) {
            bad.add("promptTokens");
        }
        if (r.getMaxOutputTokens() < 1 || r.getMaxOutputTokens() > MAX_OUTPUT) {
            bad.add("maxOutputTokens");
        }
        if (r.getDeadline() != null
                && (r.getDeadline().toEpochMilli() <= arrival
                        || r.getDeadline().toEpochMilli() > YEAR_9999)) {
            bad.add("deadline");
        }
        Double budget = r.getLatencyBudgetMs();
        if (budget != null && (budget.isNaN() || budget < 1 || budget >= 1e12)) {
            bad.add("latencyBudgetMs");
        }
        Double ppl = r.getMaxPplIncrease();
        if (ppl != null && (ppl.isNaN() || ppl < 0 || ppl.isInfinite())) {
            bad.add("maxPplIncrease");
        }
        if (Double.isNaN(r.getWeight())
                || r.getWeight() <= 0
                || r.getWeight() == Double.POSITIVE_INFINITY) {
            bad.add("weight");
        }
        Long up = r.getUplinkBytes();
        if (up != null && (up < 0 || up > MAX_UPLINK_BYTES)) {
            bad.add("uplinkBytes");
        }
        if (r.getServiceClass() != null && !CLASSES.containsKey(r.getServiceClass())) {
            bad.add("serviceClass");
        }
        return bad;
    }

    static ChannelState mutatedChannel(Random rnd) {
        ChannelState.Builder b = channel();
        int mutations = rnd.nextInt(4);
        for (int k = 0; k < mutations; k++) {
            switch (rnd.nextInt(7)) {
                case 0 -> b.setUserId(pick(rnd, List.of("", "u2")));
                case 1 -> b.setDomainId(pick(rnd, List.of("d2", "mars")));
                case 2 -> b.setNodeId(pick(rnd, List.of("d1-b", "d2-a", "nowhere", "")));
                case 3 ->
                        b.setMeasuredAt(
                                Instant.ofEpochMilli(
                                        pick(rnd, times(-1, 0, -86_400_000, YEAR_9999 + 1))));
                case 4 -> b.setUplinkSpectralEfficiency(pick(rnd, EFFICIENCIES));
                case 5 -> b.setDownlinkSpectralEfficiency(pick(rnd, EFFICIENCIES));
                default -> {
                    b.setSnrDb(rnd.nextBoolean() ? null : Double.NaN);
                    b.setCqi(rnd.nextBoolean() ? null : -7);
                }
            }
        }
        return b.build();
    }

    static boolean badEfficiency(double se) {
        return Double.isNaN(se) || se <= 0 || se > 64;
    }

    static java.util.Set<String> invalidFields(ChannelState c) {
        java.util.Set<String> bad = new java.util.HashSet<>();
        if (!NODES.containsKey(c.getDomainId())) {
            bad.add("domainId");
        } else if (!NODES.get(c.getDomainId()).contains(c.getNodeId())) {
            bad.add("nodeId");
        }
        if (c.getUserId().isEmpty()) {
            bad.add("userId");
        }
        if (badEfficiency(c.getUplinkSpectralEfficiency())) {
            bad.add("uplinkSpectralEfficiency");
        }
        if (badEfficiency(c.getDownlinkSpectralEfficiency())) {
            bad.add("downlinkSpectralEfficiency");
        }
        if (c.getMeasuredAt().toEpochMilli() < 0) {
            bad.add("measuredAt");
        }
        return bad;
    }

    static NodeCapabilities capabilities() {
        return NodeCapabilities.newBuilder()
                .setMemoryBytes(24e9)
                .setReserveBytes(1e9)
                .setMemoryBandwidth(3e11)
                .setPeakFlops16(1.21e14)
                .setPeakFlops8(2.42e14)
                .setPeakFlops4(2.42e14)
                .setEfficiency(0.5)
                .setUplinkHz(1e7)
                .setDownlinkHz(2e7)
                .setVariants(
                        new java.util.ArrayList<>(
                                List.of(
                                        new VariantInfo("w4a16", 4, 16, 16, 0.31),
                                        new VariantInfo("w8a8", 8, 8, 16, 0.05))))
                .build();
    }

    static NodeTelemetry mutatedTelemetry(Random rnd) {
        NodeTelemetry.Builder b =
                NodeTelemetry.newBuilder()
                        .setNodeId("d1-a")
                        .setDomainId("d1")
                        .setTime(Instant.ofEpochMilli(1_000_000))
                        .setBusyUntil(rnd.nextBoolean() ? null : Instant.ofEpochMilli(1_000_500))
                        .setFinishedThrough(
                                rnd.nextBoolean() ? null : Instant.ofEpochMilli(999_900))
                        .setHealthy(rnd.nextBoolean())
                        .setCapabilities(rnd.nextBoolean() ? null : capabilities());
        int mutations = rnd.nextInt(4);
        for (int k = 0; k < mutations; k++) {
            NodeCapabilities caps = b.getCapabilities();
            int which = rnd.nextInt(caps == null ? 5 : 12);
            switch (which) {
                case 0 -> b.setNodeId(pick(rnd, List.of("", "d1-b", "ghost", "d2-a")));
                case 1 -> b.setDomainId(pick(rnd, List.of("d2", "mars")));
                case 2 -> b.setTime(Instant.ofEpochMilli(pick(rnd, times(-1, 0, 5))));
                case 3 ->
                        b.setSlowdown(
                                pick(
                                        rnd,
                                        List.of(
                                                0.0,
                                                1e-9,
                                                1.5,
                                                999.999,
                                                1000.0,
                                                -1.0,
                                                Double.NaN,
                                                Double.POSITIVE_INFINITY)));
                case 4 -> b.setCapabilities(rnd.nextBoolean() ? null : capabilities());
                case 5 -> caps.setMemoryBytes(pick(rnd, POSITIVE_OR_NOT));
                case 6 -> caps.setReserveBytes(pick(rnd, POSITIVE_OR_NOT));
                case 7 -> {
                    double v = pick(rnd, POSITIVE_OR_NOT);
                    switch (rnd.nextInt(4)) {
                        case 0 -> caps.setMemoryBandwidth(v);
                        case 1 -> caps.setPeakFlops16(v);
                        case 2 -> caps.setPeakFlops8(v);
                        default -> caps.setPeakFlops4(v);
                    }
                }
                case 8 ->
                        caps.setEfficiency(
                                pick(rnd, List.of(0.0, 0.3, 1.0, 1.0000001, -0.5, Double.NaN)));
                case 9 -> {
                    double v = pick(rnd, POSITIVE_OR_NOT);
                    if (rnd.nextBoolean()) {
                        caps.setUplinkHz(v);
                    } else {
                        caps.setDownlinkHz(v);
                    }
                }
                case 10 -> caps.setVariants(new java.util.ArrayList<>());
                default -> {
                    if (caps.getVariants().isEmpty()) {
                        break;
                    }
                    VariantInfo v = caps.getVariants().get(rnd.nextInt(caps.getVariants().size()));
                    switch (rnd.nextInt(4)) {
                        case 0 -> v.setActivationBits(pick(rnd, List.of(3, 4, 8, 16, 32)));
                        case 1 -> v.setWeightBits(pick(rnd, List.of(0, 1, 32, 33)));
                        case 2 -> v.setKvBits(pick(rnd, List.of(0, 1, 32, 33)));
                        default ->
                                v.setPplIncrease(
                                        pick(
                                                rnd,
                                                List.of(
                                                        0.0,
                                                        0.2,
                                                        -1.0,
                                                        Double.NaN,
                                                        Double.POSITIVE_INFINITY)));
                    }
                }
            }
        }
        return b.build();
    }

    static boolean notPositive(double v) {
        return Double.isNaN(v) || v <= 0 || Double.isInfinite(v);
    }

    /** Invalid fields of telemetry; capability fields as paths like capabilities.variants[1]. */
    static java.util.Set<String> invalidFields(NodeTelemetry n) {
        java.util.Set<String> bad = new java.util.HashSet<>();
        if (!NODES.containsKey(n.getDomainId())) {
            bad.add("domainId");
        }
        if (n.getNodeId().isEmpty()) {
            bad.add("nodeId");
        }
        if (Double.isNaN(n.getSlowdown()) || n.getSlowdown() <= 0 || n.getSlowdown() >= 1000) {
            bad.add("slowdown");
        }
        NodeCapabilities c = n.getCapabilities();
        // nodes join through the topology: an unknown node is refused, capabilities or not
        if (NODES.containsKey(n.getDomainId())
                && !NODES.get(n.getDomainId()).contains(n.getNodeId())) {
            bad.add("nodeId");
        }
        if (c != null) {
            Map<String, Double> positive =
                    Map.of(
                            "memoryBytes", c.getMemoryBytes(),
                            "memoryBandwidth", c.getMemoryBandwidth(),
                            "peakFlops16", c.getPeakFlops16(),
                            "peakFlops8", c.getPeakFlops8(),
                            "peakFlops4", c.getPeakFlops4(),
                            "efficiency", c.getEfficiency(),
                            "uplinkHz", c.getUplinkHz(),
                            "downlinkHz", c.getDownlinkHz());
            positive.forEach(
                    (k, v) -> {
                        if (notPositive(v)) {
                            bad.add("capabilities." + k);
                        }
                    });
            if (c.getEfficiency() > 1) {
                bad.add("capabilities.efficiency");
            }
            double reserve = c.getReserveBytes();
            if (Double.isNaN(reserve) || reserve < 0 || Double.isInfinite(reserve)) {
                bad.add("capabilities.reserveBytes");
            }
            if (c.getVariants().isEmpty()) {
                bad.add("capabilities.variants");
            }
            for (int i = 0; i < c.getVariants().size(); i++) {
                VariantInfo v = c.getVariants().get(i);
                String at = "capabilities.variants[" + i + "]";
                if (!List.of(4, 8, 16).contains(v.getActivationBits())) {
                    bad.add(at + ".activationBits");
                }
                if (v.getWeightBits() < 1 || v.getWeightBits() > 32) {
                    bad.add(at + ".weightBits");
                }
                if (v.getKvBits() < 1 || v.getKvBits() > 32) {
                    bad.add(at + ".kvBits");
                }
                double ppl = v.getPplIncrease();
                if (Double.isNaN(ppl) || ppl < 0 || Double.isInfinite(ppl)) {
                    bad.add(at + ".pplIncrease");
                }
            }
        }
        if (n.getTime().toEpochMilli() < 0) {
            bad.add("time");
        }
        return bad;
    }

    /**
     * Whether the error (after its prefix) names one of the invalid fields: it starts with the
     * field's path, or with the path's parent and mentions the field ("variants[0]: weightBits and
     * kvBits must ...").
     */
    static boolean namesOneOf(String error, String prefix, java.util.Set<String> fields) {
        for (String f : fields) {
            if (error.startsWith(prefix + f + ":")) {
                return true;
            }
            int dot = f.lastIndexOf('.');
            if (dot > 0
                    && error.startsWith(prefix + f.substring(0, dot) + ":")
                    && error.contains(f.substring(dot + 1))) {
                return true;
            }
        }
        return false;
    }

    /** Byte-level damage: flipped bytes, truncation, trailing junk or a broken header. */
    static byte[] damage(byte[] base, Random rnd) {
        byte[] b;
        switch (rnd.nextInt(4)) {
            case 0 -> {
                b = base.clone();
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                    b[10 + rnd.nextInt(b.length - 10)] = (byte) rnd.nextInt(256);
                }
            }
            case 1 -> b = java.util.Arrays.copyOf(base, rnd.nextInt(base.length));
            case 2 -> {
                b = java.util.Arrays.copyOf(base, base.length + 1 + rnd.nextInt(64));
                for (int i = base.length; i < b.length; i++) {
                    b[i] = (byte) rnd.nextInt(256);
                }
            }
            default -> {
                b = base.clone();
                b[rnd.nextInt(10)] ^= (byte) (1 + rnd.nextInt(255));
            }
        }
        return b;
    }

    /**
     * Requests, channel states and telemetry with fields replaced by valid and invalid values, a
     * quarter of them also damaged byte-wise, fed to all three streams. Per stream, what the codec
     * makes of the bytes decides the expected outcome: undecodable bytes are a dead letter with the
     * codec's message and the raw bytes; a decoded record is judged by the test's own reading of
     * the rules ({@link #invalidFields}): valid records come out with every field intact (defaults
     * of the service class resolved), invalid requests as INVALID rejections and invalid channels
     * or telemetry as dead letters, with an error naming a field that is in fact invalid.
     */
    @Property(tries = 3000)
    void mutatedRecordsAreAcceptedIntactOrRejectedNamingAnInvalidField(@ForAll long seed)
            throws Exception {
        Random rnd = new Random(seed);
        org.apache.avro.specific.SpecificRecordBase record =
                switch (rnd.nextInt(3)) {
                    case 0 -> mutatedRequest(rnd);
                    case 1 -> mutatedChannel(rnd);
                    default -> mutatedTelemetry(rnd);
                };
        byte[] bytes = EventCodec.encode(record);
        boolean damaged = rnd.nextInt(4) == 0;
        if (damaged) {
            bytes = damage(bytes, rnd);
        }
        String what = record + (damaged ? " (damaged)" : "");
        EventValidator.Stream own =
                record instanceof InferenceRequest
                        ? EventValidator.Stream.REQUESTS
                        : record instanceof ChannelState
                                ? EventValidator.Stream.CHANNELS
                                : EventValidator.Stream.TELEMETRY;
        String outcome = null;
        for (EventValidator.Stream s : EventValidator.Stream.values()) {
            InputEvent e = decode(s, bytes);
            Object decoded;
            try {
                decoded =
                        switch (s) {
                            case REQUESTS -> EventCodec.decodeRequest(bytes, 1 << 20);
                            case CHANNELS -> EventCodec.decodeChannel(bytes, 1 << 20);
                            case TELEMETRY -> EventCodec.decodeTelemetry(bytes, 1 << 20);
                        };
            } catch (EventCodec.DecodeException x) {
                assertEquals(InputEvent.INVALID, e.kind, s + " " + what);
                assertEquals(x.getMessage(), e.error);
                org.junit.jupiter.api.Assertions.assertArrayEquals(bytes, e.payload);
                assertEquals(7, e.offset);
                if (s == own) {
                    outcome = "undecodable";
                }
                continue;
            }
            if (!damaged) {
                assertEquals(record.toString(), decoded.toString(), "the codec round trip");
            }
            String o =
                    decoded instanceof InferenceRequest r
                            ? checkRequest(r, e, s + " " + what)
                            : decoded instanceof ChannelState c
                                    ? checkChannel(c, e, bytes, s + " " + what)
                                    : checkTelemetry(
                                            (NodeTelemetry) decoded, e, bytes, s + " " + what);
            if (s == own) {
                outcome = o;
            }
        }
        // every kind of outcome must be common, or the property would test little of it
        Statistics.label("outcome").collect(outcome);
        Statistics.label("outcome")
                .coverage(
                        c -> {
                            for (String o :
                                    List.of(
                                            "request accepted",
                                            "request rejected",
                                            "channel accepted",
                                            "channel dead-lettered",
                                            "telemetry accepted",
                                            "telemetry dead-lettered",
                                            "undecodable")) {
                                c.check(o).percentage(p -> p > 3);
                            }
                        });
    }

    static String checkRequest(InferenceRequest r, InputEvent e, String what) {
        java.util.Set<String> bad = invalidFields(r);
        if (!bad.isEmpty()) {
            assertEquals(InputEvent.INVALID_REQUEST, e.kind, what + " invalid: " + bad);
            assertTrue(namesOneOf(e.error, "", bad), e.error + " names none of " + bad);
            assertEquals(r.getRequestId().isEmpty() ? "(no id)" : r.getRequestId(), e.requestId);
            return "request rejected";
        }
        assertEquals(InputEvent.REQUEST, e.kind, what + ": " + e.error);
        RequestEvent x = e.request;
        String cls = r.getServiceClass() == null ? "standard" : r.getServiceClass();
        long arrival = r.getArrivalTime().toEpochMilli();
        assertEquals(r.getRequestId(), x.requestId);
        assertEquals(r.getUserId(), x.userId);
        assertEquals(r.getDomainId(), x.domainId);
        assertEquals(r.getDomainId(), e.domainId);
        assertEquals(arrival, x.arrivalTime);
        assertEquals(arrival, e.time);
        assertEquals(r.getPromptTokens(), x.promptTokens);
        assertEquals(r.getMaxOutputTokens(), x.maxOutputTokens);
        double deadline =
                r.getDeadline() != null
                        ? r.getDeadline().toEpochMilli()
                        : arrival
                                + (r.getLatencyBudgetMs() != null
                                        ? r.getLatencyBudgetMs()
                                        : CLASSES.get(cls)[0]);
        assertEquals(deadline, x.deadline);
        assertEquals(
                r.getMaxPplIncrease() != null ? r.getMaxPplIncrease() : CLASSES.get(cls)[1],
                x.maxPplIncrease);
        assertEquals(r.getWeight(), x.weight);
        assertEquals(r.getUplinkBytes() == null ? -1 : r.getUplinkBytes(), x.uplinkBytes);
        assertEquals(cls, x.serviceClass);
        assertEquals(r.getPromptText(), x.promptText);
        return "request accepted";
    }

    static String checkChannel(ChannelState c, InputEvent e, byte[] bytes, String what) {
        java.util.Set<String> bad = invalidFields(c);
        if (!bad.isEmpty()) {
            assertEquals(InputEvent.INVALID, e.kind, what + " invalid: " + bad);
            assertTrue(
                    namesOneOf(e.error, "ChannelState.", bad), e.error + " names none of " + bad);
            org.junit.jupiter.api.Assertions.assertArrayEquals(bytes, e.payload);
            return "channel dead-lettered";
        }
        assertEquals(InputEvent.CHANNEL, e.kind, what + ": " + e.error);
        ChannelEvent x = e.channel;
        assertEquals(c.getUserId(), x.userId);
        assertEquals(c.getDomainId(), x.domainId);
        assertEquals(c.getNodeId(), x.nodeId);
        assertEquals(c.getMeasuredAt().toEpochMilli(), x.measuredAt);
        assertEquals(c.getMeasuredAt().toEpochMilli(), e.time);
        assertEquals(c.getUplinkSpectralEfficiency(), x.uplinkSpectralEfficiency);
        assertEquals(c.getDownlinkSpectralEfficiency(), x.downlinkSpectralEfficiency);
        return "channel accepted";
    }

    static String checkTelemetry(NodeTelemetry n, InputEvent e, byte[] bytes, String what) {
        java.util.Set<String> bad = invalidFields(n);
        if (!bad.isEmpty()) {
            assertEquals(InputEvent.INVALID, e.kind, what + " invalid: " + bad);
            assertTrue(
                    namesOneOf(e.error, "NodeTelemetry.", bad), e.error + " names none of " + bad);
            org.junit.jupiter.api.Assertions.assertArrayEquals(bytes, e.payload);
            return "telemetry dead-lettered";
        }
        assertEquals(InputEvent.TELEMETRY, e.kind, what + ": " + e.error);
        TelemetryEvent x = e.telemetry;
        assertEquals(n.getNodeId(), x.nodeId);
        assertEquals(n.getDomainId(), x.domainId);
        assertEquals(n.getTime().toEpochMilli(), x.time);
        assertEquals(n.getHealthy(), x.healthy);
        assertEquals(n.getSlowdown(), x.slowdown);
        assertEquals(
                n.getBusyUntil() == null ? Long.MIN_VALUE : n.getBusyUntil().toEpochMilli(),
                x.busyUntil);
        assertEquals(
                n.getFinishedThrough() == null
                        ? Long.MIN_VALUE
                        : n.getFinishedThrough().toEpochMilli(),
                x.finishedThrough);
        NodeCapabilities c = n.getCapabilities();
        if (c == null) {
            assertNull(x.capabilities);
            return "telemetry accepted";
        }
        NodeSpec spec = x.capabilities;
        assertEquals(n.getNodeId(), spec.id);
        double[] expected = {
            c.getMemoryBytes(), c.getReserveBytes(), c.getMemoryBandwidth(), c.getPeakFlops16(),
            c.getPeakFlops8(), c.getPeakFlops4(), c.getEfficiency(), c.getUplinkHz(),
            c.getDownlinkHz()
        };
        double[] actual = {
            spec.memoryBytes,
            spec.reserveBytes,
            spec.memoryBandwidth,
            spec.peakFlops16,
            spec.peakFlops8,
            spec.peakFlops4,
            spec.efficiency,
            spec.uplinkHz,
            spec.downlinkHz
        };
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual);
        assertEquals(c.getVariants().size(), spec.variants.length);
        for (int i = 0; i < spec.variants.length; i++) {
            VariantInfo v = c.getVariants().get(i);
            NodeSpec.VariantSpec w = spec.variants[i];
            assertEquals(v.getName(), w.name);
            assertEquals(v.getWeightBits(), w.weightBits);
            assertEquals(v.getActivationBits(), w.activationBits);
            assertEquals(v.getKvBits(), w.kvBits);
            assertEquals(v.getPplIncrease(), w.pplIncrease);
        }
        return "telemetry accepted";
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
                        () -> JobConfig.parse(new String[] {"--slot-ms", "abc"}));
        assertTrue(f.getMessage().contains("--slot-ms") && f.getMessage().contains("abc"));
        var g =
                org.junit.jupiter.api.Assertions.assertThrows(
                        IllegalArgumentException.class,
                        () -> JobConfig.parse(new String[] {"--scheduler", "magic"}));
        assertTrue(g.getMessage().contains("magic"));
    }
}
