package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The report of {@code bench.jar job} from a fixed window: every field of the JSON line, in order,
 * with values worked out by hand from the counts, and the Markdown's header and figures row.
 */
class JobBenchReportTest {

    static final KafkaJobBenchmark.Settings SETTINGS =
            new KafkaJobBenchmark.Settings(
                    200,
                    10,
                    3,
                    4,
                    0,
                    0,
                    30,
                    120,
                    0,
                    0,
                    false,
                    1,
                    KafkaJobBenchmark.Shape.SERVABLE,
                    1000,
                    2,
                    1,
                    "hashmap",
                    List.of("--policy", "ot-gah"),
                    List.of(),
                    null,
                    null,
                    null,
                    "java -jar bench/target/bench.jar job --rate 200");

    /** 2 s: 400 requests, 400 channel states, 100 heartbeats; latencies 1..100 ms. */
    static JobBenchReport.Window window() {
        StageProfile prof = new StageProfile();
        prof.samples = 200;
        prof.byStage.put("solve", 50L);
        prof.byStage.put("decode", 30L);
        prof.byStage.put("broker", 120L);
        prof.gcCount = 2;
        prof.gcPauseNanos = 12_345_678;
        prof.gcMaxNanos = 10_000_000;
        prof.gcName = "G1 Young Generation";
        return new JobBenchReport.Window(
                2.0,
                400,
                400,
                100,
                402,
                0,
                20,
                380,
                10,
                Map.of("NO_FEASIBLE_NODE", 4L, "DEADLINE_UNREACHABLE", 6L),
                LongStream.rangeClosed(1, 100).toArray(),
                new SlotLatencies(10, 5, 95, 90),
                0,
                3_000_000_000L,
                prof,
                Map.of("slot coordinators", 0.5),
                allocated(),
                3,
                0,
                Double.NaN,
                1024,
                4096,
                1.234,
                2.0,
                Double.NaN,
                2,
                "-Xmx1g");
    }

    /** 90 MB by the coordinators and 18 MB by the broker, in that order. */
    static Map<String, Long> allocated() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("slot coordinators", 90_000_000L);
        m.put("broker", 18_000_000L);
        return m;
    }

    static String zeroExcept(String... pairs) {
        StringBuilder sb = new StringBuilder("{");
        for (String stage : StageProfile.STAGES) {
            String v = "0";
            for (int i = 0; i < pairs.length; i += 2) {
                if (pairs[i].equals(stage)) {
                    v = pairs[i + 1];
                }
            }
            sb.append(sb.length() > 1 ? "," : "").append('"').append(stage).append("\":").append(v);
        }
        return sb.append('}').toString();
    }

    @Test
    void theJsonLineHasEveryFieldInOrderWithTheValuesOfTheWindow() {
        String json = JobBenchReport.json(JobBenchReport.figures(SETTINGS, window()));
        String expected =
                "{\"delivery\":\"at-least-once\",\"shape\":\"servable\",\"domains\":10,"
                        + "\"nodesPerDomain\":2,\"parallelism\":1,\"partitions\":1,"
                        + "\"checkpointMs\":1000,\"stateBackend\":\"hashmap\","
                        + "\"jobOptions\":\"--policy ot-gah\",\"flinkOptions\":\"\",\"seconds\":3,"
                        + "\"targetRequestEventsPerSecond\":200,"
                        // no warm-up rate of its own: the rate, and no ramp
                        + "\"warmupRequestEventsPerSecond\":200,\"riseSeconds\":0,\"rampSeconds\":0,\"spikeRequestEventsPerSecond\":0,\"spikeSeconds\":0,"
                        // 402 / 2 s, 400 / 2 s, 400 / 2 s, 100 / 2 s
                        + "\"producedRequestEventsPerSecond\":201,"
                        + "\"achievedRequestEventsPerSecond\":200,"
                        + "\"achievedChannelEventsPerSecond\":200,"
                        + "\"achievedHeartbeatsPerSecond\":50,\"invalidInputs\":0,"
                        + "\"decisionsPerSecond\":10,\"decidedRequestsPerSecond\":190,"
                        + "\"rejectionsPerSecond\":5,"
                        + "\"rejectionsByReason\":{\"DEADLINE_UNREACHABLE\":6,\"NO_FEASIBLE_NODE\":4},"
                        // nearest rank of 1..100: the 50th, 99th, 100th
                        + "\"latencySamples\":100,\"p50Ms\":50,\"p99Ms\":99,\"p999Ms\":100,"
                        + "\"maxMs\":100,\"lagAtStopMs\":0,\"latencyCoversWindow\":true,"
                        + "\"slotsWithDecisions\":10,\"slotFirstDecisionP50Ms\":5,"
                        + "\"slotLastDecisionP50Ms\":95,\"slotSpreadP50Ms\":90,"
                        // 3 CPU seconds over 2 s
                        + "\"processCpuCores\":1.5,\"gcPauses\":2,\"gcPauseTotalMs\":12.35,"
                        + "\"gcPauseMaxMs\":10,\"gc\":\"G1 Young Generation\",\"cpuSamples\":200,"
                        + "\"cpuPercentByStage\":"
                        + zeroExcept("decode", "15", "solve", "25", "broker", "60")
                        // 3 s x share x 1e6 / 400 requests
                        + ",\"cpuMicrosPerRequestEventByStage\":"
                        + zeroExcept("decode", "1125", "solve", "1875", "broker", "4500")
                        + ",\"cpuCoresByThreads\":{\"slot coordinators\":0.5},"
                        // 0.5 cores x 2 s x 1e6 / 900 input events
                        + "\"cpuMicrosPerInputEventByThreads\":{\"slot coordinators\":1111.11},"
                        // 108 MB over 2 s; 108 MB / 900 input events; per group likewise
                        + "\"allocatedMegabytesPerSecond\":54,\"allocatedBytesPerInputEvent\":120000,"
                        + "\"allocatedMegabytesPerSecondByThreads\":{\"slot coordinators\":45,\"broker\":9},"
                        + "\"allocatedBytesPerInputEventByThreads\":{\"slot coordinators\":100000,\"broker\":20000},"
                        + "\"checkpointsCompleted\":3,\"checkpointsFailed\":0,"
                        + "\"lastCheckpointMs\":null,\"lastCheckpointBytes\":1024,"
                        + "\"lastCheckpointFullBytes\":4096,\"loadAverageBefore\":1.23,"
                        + "\"loadAverageAfter\":2,\"cpuPressureSomeAvg60AfterPercent\":null,"
                        + "\"availableProcessors\":2,\"jvmOptions\":\"-Xmx1g\"}";
        assertEquals(expected, json);
    }

    @Test
    void withoutRequestsOrSamplesThePerEventFiguresAreNullAndTheSharesZero() {
        JobBenchReport.Window w = window();
        StageProfile empty = new StageProfile();
        JobBenchReport.Window none =
                new JobBenchReport.Window(
                        w.seconds(),
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        Map.of(),
                        new long[0],
                        SlotLatencies.NONE,
                        2000,
                        w.cpuNanos(),
                        empty,
                        w.coresByThreads(),
                        Map.of(),
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        2,
                        "");
        Map<String, Object> r = JobBenchReport.figures(SETTINGS, none);
        String json = JobBenchReport.json(r);
        assertTrue(
                json.contains("\"p50Ms\":null,\"p99Ms\":null,\"p999Ms\":null,\"maxMs\":null"),
                json);
        assertTrue(
                json.contains(
                        "\"lagAtStopMs\":2000,\"latencyCoversWindow\":false,"
                                + "\"slotsWithDecisions\":0,\"slotFirstDecisionP50Ms\":null,"
                                + "\"slotLastDecisionP50Ms\":null,\"slotSpreadP50Ms\":null,"),
                json);
        assertFalse(JobBenchReport.markdown(r, "cmd").contains("Per slot"));
        assertTrue(
                JobBenchReport.markdown(r, "cmd")
                        .contains("at the stop the latest decided slot was 2000 ms behind"),
                "a lagging run says so in its table");
        assertTrue(json.contains("\"cpuPercentByStage\":" + zeroExcept()), json);
        assertTrue(
                json.contains(
                        "\"cpuMicrosPerRequestEventByStage\":{\"fetch (Kafka consumer in the job)\":null,"),
                json);
        assertTrue(
                json.contains("\"cpuMicrosPerInputEventByThreads\":{\"slot coordinators\":null}"),
                json);
        // allocation not measured: null totals, empty maps, and the table without its columns
        assertTrue(
                json.contains(
                        "\"allocatedMegabytesPerSecond\":null,\"allocatedBytesPerInputEvent\":null,"
                                + "\"allocatedMegabytesPerSecondByThreads\":{},"
                                + "\"allocatedBytesPerInputEventByThreads\":{}"),
                json);
        assertFalse(JobBenchReport.markdown(r, "cmd").contains("MB/s allocated"));
    }

    @Test
    void theMarkdownHasTheHeaderTheFiguresRowTheStagesAndTheJsonLine() {
        Map<String, Object> r = JobBenchReport.figures(SETTINGS, window());
        String md =
                JobBenchReport.markdown(
                        r, SETTINGS.command(), Instant.parse("2026-11-30T07:05:00Z"));
        List<String> lines = md.lines().toList();
        assertEquals(
                "### at-least-once, servable shape, 10 domains, rate 200, parallelism 1,"
                        + " checkpoints 1000 ms, hashmap state --policy ot-gah",
                lines.get(0));
        assertEquals(
                "Measured 2026-11-30 07:05 UTC over 3 s; load average 1.23 before, 2.0 after (this"
                        + " JVM's own threads included), CPU pressure (PSI some, avg60) NaN% after;"
                        + " 2 processors.",
                lines.get(2));
        assertEquals("`" + SETTINGS.command() + "`", lines.get(4));
        assertEquals(
                "| 201 | 200 | 200 | 50 | 10 | 190 | 5 {DEADLINE_UNREACHABLE=6, NO_FEASIBLE_NODE=4}"
                        + " | 50 | 99 | 100 | 100 | 1.5 | 2 (12.35, 10.0) |",
                lines.get(8));
        assertTrue(md.contains("\n| solve | 25.0 | 1875.0 |\n"), md);
        assertFalse(md.contains("do not cover the window"), md);
        assertEquals(
                "Per slot (10 slots with decisions): its first decision p50 5 ms, its last p50 95"
                        + " ms, the spread between them p50 90 ms (the first waits for the path"
                        + " alone; the others also for the domains closed before them on their"
                        + " subtask).",
                lines.get(10));
        assertTrue(md.contains("\n| broker | 60.0 | 4500.0 |\n"), md);
        assertTrue(md.contains("\n| slot coordinators | 0.5 | 1111.11 | 45.0 | 100,000 |\n"), md);
        assertTrue(md.contains("\n| broker | - | - | 9.0 | 20,000 |\n"), md);
        assertTrue(md.contains("Allocated in all: 54.0 MB/s, 120,000 bytes per input event."), md);
        assertTrue(
                md.contains(
                        "(200 CPU samples; GC: G1 Young Generation. Checkpoints in the window: 3"
                                + " completed, last - ms, 1,024 bytes (full 4,096 bytes).)"),
                md);
        assertTrue(md.contains("JSON: `" + JobBenchReport.json(r) + "`"), md);
    }

    /**
     * A run measured with the CPU reference names it in the heading and the JSON line; a run
     * without it (the figures of earlier runs) keeps the heading it had.
     */
    /**
     * The lag at the stop: 0 once a decision of the window's last slot (or later) was read, the
     * distance otherwise, the whole window without any decision.
     */
    @Test
    void theLagAtTheStopIsHowFarTheLatestDecidedSlotIsBehindTheWindowsLastSlot() {
        long from = 10_000;
        long to = 30_000;
        assertEquals(0, DecisionReader.lagBehind(29_900, from, to, 100));
        assertEquals(0, DecisionReader.lagBehind(31_000, from, to, 100));
        assertEquals(100, DecisionReader.lagBehind(29_800, from, to, 100));
        assertEquals(4_900, DecisionReader.lagBehind(25_000, from, to, 100));
        assertEquals(20_000, DecisionReader.lagBehind(Long.MIN_VALUE, from, to, 100));
    }

    @Test
    void theCpuReferenceIsInTheHeadingAndTheJsonWhenMeasured() {
        Map<String, Object> r = JobBenchReport.figures(SETTINGS, window());
        JobBenchReport.putReference(r, new CpuReference.Result(412.5, 830.0, "ab"));
        String md =
                JobBenchReport.markdown(
                        r, SETTINGS.command(), Instant.parse("2026-11-30T07:05:00Z"));
        assertEquals(
                "Measured 2026-11-30 07:05 UTC over 3 s; load average 1.23 before, 2.0 after (this"
                        + " JVM's own threads included), CPU pressure (PSI some, avg60) NaN% after;"
                        + " 2 processors; reference work (SHA-256 of 1024 x 64 KiB, before the run)"
                        + " 412.5 ms of CPU, 830.0 ms of wall time.",
                md.lines().toList().get(2));
        assertTrue(
                JobBenchReport.json(r)
                        .contains("\"referenceCpuMs\":412.5,\"referenceWallMs\":830}"),
                JobBenchReport.json(r));
    }

    @Test
    void theMemoryReferenceFollowsTheCpuReferenceInTheHeadingAndTheJson() {
        Map<String, Object> r = JobBenchReport.figures(SETTINGS, window());
        JobBenchReport.putReference(r, new CpuReference.Result(412.5, 830.0, "ab"));
        JobBenchReport.putMemoryReference(r, new MemoryReference.Result(97.3, 5));
        String md =
                JobBenchReport.markdown(
                        r, SETTINGS.command(), Instant.parse("2026-11-30T07:05:00Z"));
        assertTrue(
                md.lines()
                        .toList()
                        .get(2)
                        .endsWith(
                                "412.5 ms of CPU, 830.0 ms of wall time; memory reference"
                                        + " (dependent loads over 64 MiB) 97.3 ns per load."),
                md);
        assertTrue(JobBenchReport.json(r).contains("\"referenceMemoryNsPerLoad\":97.3"));
    }

    /**
     * A run with a spike says in the Markdown how the backlog went during the ramp, and the JSON
     * carries the counts and the spike; a run without a ramp says nothing of it.
     */
    @Test
    void theBacklogDuringTheRampFollowsTheFiguresRowAfterASpike() {
        KafkaJobBenchmark.Settings spiked =
                new KafkaJobBenchmark.Settings(
                        25000,
                        1000,
                        20,
                        40,
                        0,
                        500,
                        60,
                        120,
                        50000,
                        10,
                        false,
                        2,
                        KafkaJobBenchmark.Shape.SERVABLE,
                        10000,
                        2,
                        2,
                        "hashmap",
                        List.of(),
                        List.of(),
                        null,
                        null,
                        null,
                        "cmd");
        assertEquals(10, spiked.spikeSecondsUsed());
        Map<String, Object> r = JobBenchReport.figures(spiked, window());
        JobBenchReport.putBacklog(r, List.of(208_964L, 101_579L, 346L));
        String md = JobBenchReport.markdown(r, "cmd", Instant.parse("2026-12-02T16:50:00Z"));
        assertTrue(
                md.contains(
                        "Requests written and not yet read by the job's sources, every 10 s of the"
                                + " 120 s before the window (after 10 s at 50,000 requests/s):"
                                + " 208,964, 101,579, 346."),
                md);
        String json = JobBenchReport.json(r);
        assertTrue(
                json.contains(
                        "\"rampSeconds\":120,\"spikeRequestEventsPerSecond\":50000,"
                                + "\"spikeSeconds\":10,"),
                json);
        assertTrue(json.contains("\"backlogDuringRamp\":[208964,101579,346]"), json);

        Map<String, Object> none = JobBenchReport.figures(SETTINGS, window());
        JobBenchReport.putBacklog(none, List.of());
        assertFalse(
                JobBenchReport.markdown(none, "cmd", Instant.parse("2026-12-02T16:50:00Z"))
                        .contains("not yet read"));
        assertEquals(0, SETTINGS.spikeSecondsUsed()); // no spike without a warm-up rate
    }

    /**
     * Sattolo's shuffle gives one cycle: the walk returns to its start after n loads, not before.
     */
    @Test
    void theMemoryReferenceWalksOneCycleThroughEveryIndex() {
        for (int n : new int[] {2, 3, 10, 1000}) {
            int[] next = MemoryReference.cycle(n, 42);
            int at = 0;
            boolean[] seen = new boolean[n];
            for (int i = 0; i < n; i++) {
                assertTrue(!seen[at], "index " + at + " visited twice at n = " + n);
                seen[at] = true;
                at = next[at];
            }
            assertEquals(0, at);
            assertEquals(0, MemoryReference.walk(next, 0, n));
            assertEquals(next[0], MemoryReference.walk(next, 0, n + 1));
        }
        // the same seed, the same cycle
        assertArrayEquals(MemoryReference.cycle(1000, 42), MemoryReference.cycle(1000, 42));
        assertTrue(MemoryReference.measure().nsPerLoad() > 0);
    }

    /**
     * The reference work is the same work each time (its digest does not change), and one thread
     * cannot use more CPU than the wall time it ran.
     */
    @Test
    void theCpuReferenceDoesTheSameWorkAndItsCpuFitsItsWallTime() {
        CpuReference.Result a = CpuReference.measure();
        assertEquals(CpuReference.work(), a.digest());
        assertEquals(64, a.digest().length());
        assertTrue(a.cpuMs() > 0 && a.cpuMs() <= a.wallMs() + 1.0, a.toString());
    }

    /**
     * Strings are escaped as JSON requires (quotes, backslashes and control characters such as the
     * line breaks of a JVM option or an error text), so that the line parses and gives back every
     * value; whole doubles come out as integers, NaN as null, nested maps and lists in order.
     */
    @Test
    void theJsonLineParsesBackToItsValues() throws Exception {
        Map<String, Object> inner = new java.util.LinkedHashMap<>();
        inner.put("a b", 1.5);
        inner.put("nan", Double.NaN);
        Map<String, Object> r = new java.util.LinkedHashMap<>();
        r.put("text", "say \"hi\"\\ then\nbreak\tand \u0001");
        r.put("whole", 12.0);
        r.put("count", 7L);
        r.put("flag", true);
        r.put("list", List.of(3L, 2L));
        r.put("inner", inner);
        String json = JobBenchReport.json(r);
        assertFalse(json.contains("\n"), "one line: " + json);
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertEquals("say \"hi\"\\ then\nbreak\tand \u0001", tree.get("text").asText());
        assertEquals("12", tree.get("whole").toString());
        assertEquals(7, tree.get("count").asLong());
        assertTrue(tree.get("flag").asBoolean());
        assertEquals("[3,2]", tree.get("list").toString());
        assertEquals("{\"a b\":1.5,\"nan\":null}", tree.get("inner").toString());
        assertEquals(
                List.of("text", "whole", "count", "flag", "list", "inner"),
                iterable(tree.fieldNames()));
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
