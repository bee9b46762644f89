package org.edgellm.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The hand-written encoder against Avro's own writer ({@link EventCodec#encode}). */
class OutputEncoderTest {

    private static final String[] ALPHABETS = {
        "abcdefghijklmnopqrstuvwxyz0123456789-/_.",
        "éàüß€漢字", // two- and three-byte UTF-8
        "\uD83D\uDE00\uD83C\uDF0D", // surrogate pairs: four-byte UTF-8
        "\uD800\uDFFF\uDC00", // unpaired surrogates: Java's encoder writes '?' for them
        "\u0000\u007F\u0080\u07FF\u0800\uFFFF"
    };

    private static String string(Random rnd, int maxLen) {
        int len = rnd.nextInt(maxLen + 1);
        String alphabet = ALPHABETS[rnd.nextInt(4) == 0 ? rnd.nextInt(ALPHABETS.length) : 0];
        StringBuilder b = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static double number(Random rnd) {
        switch (rnd.nextInt(10)) {
            case 0:
                return Double.NaN;
            case 1:
                return Double.longBitsToDouble(0x7ff0_0000_0000_0001L + rnd.nextInt(1000)); // NaNs
            case 2:
                return rnd.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            case 3:
                return -0.0;
            case 4:
                return Double.longBitsToDouble(rnd.nextLong());
            default:
                return (rnd.nextDouble() - 0.3) * Math.pow(10, rnd.nextInt(16));
        }
    }

    private static long time(Random rnd) {
        switch (rnd.nextInt(6)) {
            case 0:
                return rnd.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
            case 1:
                return -rnd.nextInt(1 << 20);
            case 2:
                return rnd.nextLong();
            default:
                return 1_796_000_000_000L + rnd.nextInt(1 << 30);
        }
    }

    private static int count(Random rnd) {
        switch (rnd.nextInt(6)) {
            case 0:
                return rnd.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE;
            case 1:
                return rnd.nextInt();
            default:
                return rnd.nextInt(1 << (1 + rnd.nextInt(20)));
        }
    }

    static BatchDecision decision(Random rnd) {
        int n = rnd.nextInt(8) == 0 ? rnd.nextInt(300) : rnd.nextInt(12);
        List<DecidedRequest> rs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rs.add(
                    new DecidedRequest(
                            string(rnd, 40),
                            string(rnd, 20),
                            Instant.ofEpochMilli(time(rnd)),
                            number(rnd),
                            count(rnd),
                            count(rnd),
                            number(rnd),
                            number(rnd),
                            number(rnd),
                            number(rnd),
                            rnd.nextInt(3) == 0
                                    ? null
                                    : string(rnd, rnd.nextInt(10) == 0 ? 5000 : 30)));
        }
        BatchDecision d =
                BatchDecision.newBuilder()
                        .setDecisionId(string(rnd, 60))
                        .setDomainId(string(rnd, 20))
                        .setSlotEnd(Instant.ofEpochMilli(time(rnd)))
                        .setNodeId(string(rnd, 20))
                        .setVariant(string(rnd, 10))
                        .setAlgorithm(string(rnd, 10))
                        .setUplinkMs(number(rnd))
                        .setComputeStartMs(number(rnd))
                        .setComputeEndMs(number(rnd))
                        .setCertifiedRatio(number(rnd))
                        .setRequests(rs)
                        .build();
        d.setAssumedSlowdown(number(rnd));
        if (rnd.nextBoolean()) {
            d.setLeaseUntil(Instant.ofEpochMilli(time(rnd)));
        }
        return d;
    }

    @Test
    void writesAvrosBytesForRandomDecisions() throws Exception {
        Random rnd = new Random(20261203);
        OutputEncoder encoder = new OutputEncoder(); // reused: its buffer grows and is reused
        int nonAscii = 0;
        int withLease = 0;
        int large = 0;
        for (int i = 0; i < 3000; i++) {
            BatchDecision d = decision(rnd);
            byte[] avro = EventCodec.encode(d);
            byte[] ours = encoder.decision(d);
            assertArrayEquals(avro, ours, "decision " + i + ": " + d);
            // decodes to a record Avro writes the same (Avro's equals fails on NaN fields)
            assertArrayEquals(
                    ours, EventCodec.encode(EventCodec.decodeDecision(ours, Integer.MAX_VALUE)));
            nonAscii += d.toString().chars().anyMatch(c -> c >= 0x80) ? 1 : 0;
            withLease += d.getLeaseUntil() != null ? 1 : 0;
            large += ours.length > 1024 ? 1 : 0;
        }
        // the generator reached the cases the encoder treats apart
        assertEquals(
                true, nonAscii > 100 && withLease > 1000 && large > 100, nonAscii + " " + large);
    }

    static SlotReport report(Random rnd) {
        Map<String, Integer> rejected = new TreeMap<>();
        int reasons = rnd.nextInt(3) == 0 ? rnd.nextInt(8) : 0;
        for (int i = 0; i < reasons; i++) {
            rejected.put(string(rnd, 12), count(rnd));
        }
        return SlotReport.newBuilder()
                .setDomainId(string(rnd, 20))
                .setSlotEnd(Instant.ofEpochMilli(time(rnd)))
                .setPending(count(rnd))
                .setAssigned(count(rnd))
                .setRejected(rejected)
                .setNodesOffered(count(rnd))
                .setObjective(number(rnd))
                .setUpperBound(number(rnd))
                .setSolveMicros(time(rnd))
                .setNodesVisited(time(rnd))
                .setFeasibilityChecks(time(rnd))
                .setProvenOptimal(rnd.nextBoolean())
                .setFallback(rnd.nextBoolean())
                .build();
    }

    @Test
    void writesAvrosBytesForRandomReports() throws Exception {
        Random rnd = new Random(3);
        OutputEncoder encoder = new OutputEncoder();
        int withRejections = 0;
        for (int i = 0; i < 3000; i++) {
            SlotReport r = report(rnd);
            byte[] ours = encoder.report(r);
            assertArrayEquals(EventCodec.encode(r), ours, "report " + i + ": " + r);
            SlotReport back = EventCodec.decodeReport(ours, Integer.MAX_VALUE);
            // it decodes, up to its last fields (re-encoding it would not give the same bytes:
            // Avro decodes the map into a HashMap, and unpaired surrogates into '?')
            assertEquals(r.getFeasibilityChecks(), back.getFeasibilityChecks());
            assertEquals(r.getProvenOptimal(), back.getProvenOptimal());
            assertEquals(r.getFallback(), back.getFallback());
            withRejections += r.getRejected().isEmpty() ? 0 : 1;
        }
        assertEquals(true, withRejections > 500, "reports with rejections: " + withRejections);
    }

    @Test
    void decisionsAndReportsInTurnReuseOneBuffer() {
        Random rnd = new Random(9);
        OutputEncoder encoder = new OutputEncoder();
        for (int i = 0; i < 200; i++) {
            if (rnd.nextBoolean()) {
                BatchDecision d = decision(rnd);
                assertArrayEquals(EventCodec.encode(d), encoder.decision(d));
            } else {
                SlotReport r = report(rnd);
                assertArrayEquals(EventCodec.encode(r), encoder.report(r));
            }
        }
    }

    @Test
    void anEmptyBatchAndAnEmptyStringAreWrittenAsAvroWritesThem() {
        BatchDecision d = decision(new Random(7));
        d.setRequests(List.of());
        d.setDecisionId("");
        assertArrayEquals(EventCodec.encode(d), new OutputEncoder().decision(d));
    }

    @Test
    void aNullWhereTheSchemaAllowsNoneIsRefusedAsAvroRefusesIt() {
        BatchDecision d = decision(new Random(8));
        d.setNodeId(null);
        assertThrows(NullPointerException.class, () -> EventCodec.encode(d));
        assertThrows(NullPointerException.class, () -> new OutputEncoder().decision(d));
    }
}
