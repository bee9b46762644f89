package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quick run of {@code bench.jar job} (a few seconds, low rate, 10 domains): the broker, load
 * generator, job and reader work together and the last line is the JSON the docs are built from. No
 * timing thresholds: only that the figures exist and are sane.
 */
class KafkaJobBenchmarkITCase {

    @TempDir Path dir;

    static double field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(-?[0-9.Ee+-]+|null)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        assertTrue(!m.group(1).equals("null"), name + " is null in " + json);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void quickRunPrintsTheJsonLineWithSaneFigures() throws Exception {
        Path md = dir.resolve("job.md");
        Path csv = dir.resolve("latency.csv");
        Path jfr = dir.resolve("run.jfr");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status =
                BenchMain.run(
                        new String[] {
                            "job",
                            "--rate",
                            "200",
                            "--domains",
                            "10",
                            "--seconds",
                            "3",
                            "--warmup-seconds",
                            "4",
                            "--jit-settle-seconds",
                            "0",
                            "--delivery",
                            "at-least-once",
                            "--markdown",
                            md.toString(),
                            "--latency-csv",
                            csv.toString(),
                            "--profile-out",
                            jfr.toString()
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        List<String> lines = text.strip().lines().toList();
        String json = lines.get(lines.size() - 1);
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        // counted at the job's sources: requests and their channel states arrived
        // no JIT wait asked: the fixed warm-up alone, reported as such
        assertTrue(field(json, "warmupSeconds") >= 4 && field(json, "warmupSeconds") < 10, json);
        assertTrue(json.contains("\"jitIdleAtStart\":false"), json);
        double req = field(json, "achievedRequestEventsPerSecond");
        assertTrue(req > 0, json);
        assertTrue(field(json, "achievedChannelEventsPerSecond") > 0, json);
        assertTrue(field(json, "achievedHeartbeatsPerSecond") > 0, json);
        // no more at the sources than the generator produced over the run (window edges aside)
        assertTrue(req <= 2 * field(json, "producedRequestEventsPerSecond") + 1, json);
        assertEquals(0, field(json, "invalidInputs"), json);
        assertTrue(field(json, "decisionsPerSecond") > 0, json);
        assertTrue(field(json, "decidedRequestsPerSecond") > 0, json);
        assertTrue(field(json, "latencySamples") > 0, json);
        double p50 = field(json, "p50Ms");
        double p99 = field(json, "p99Ms");
        double p999 = field(json, "p999Ms");
        assertTrue(Double.isFinite(p50) && p50 <= p99 && p99 <= p999, json);
        // whether the latencies cover the window is stated with them
        double lag = field(json, "lagAtStopMs");
        assertTrue(lag >= 0, json);
        assertEquals(lag == 0, json.contains("\"latencyCoversWindow\":true"), json);
        // the latency file: every decision read, the window's ones being the samples above
        List<String> rows = Files.readAllLines(csv);
        assertEquals(
                "seen_ms,slot_end_ms,latency_ms,in_window,domain,node,requests,compute_start_ms",
                rows.get(0));
        List<Long> inWindow =
                rows.subList(1, rows.size()).stream()
                        .map(r -> r.split(","))
                        .filter(c -> c[3].equals("true"))
                        .map(c -> Long.parseLong(c[2]))
                        .toList();
        assertEquals(field(json, "latencySamples"), inWindow.size(), json);
        assertEquals(
                field(json, "maxMs"),
                inWindow.stream().mapToLong(Long::longValue).max().orElseThrow(),
                json);
        // each slot's first and last decision, from the file's rows of the window
        List<String[]> windowRows =
                rows.subList(1, rows.size()).stream()
                        .map(r -> r.split(","))
                        .filter(c -> c[3].equals("true"))
                        .toList();
        SlotLatencies slots =
                SlotLatencies.of(
                        windowRows.stream().mapToLong(c -> Long.parseLong(c[1])).toArray(),
                        windowRows.stream().mapToLong(c -> Long.parseLong(c[2])).toArray(),
                        windowRows.size());
        assertTrue(slots.slots() > 0, json);
        assertEquals(slots.slots(), field(json, "slotsWithDecisions"), json);
        assertEquals(slots.firstP50Ms(), field(json, "slotFirstDecisionP50Ms"), json);
        assertEquals(slots.lastP50Ms(), field(json, "slotLastDecisionP50Ms"), json);
        assertEquals(slots.spreadP50Ms(), field(json, "slotSpreadP50Ms"), json);
        assertTrue(slots.firstP50Ms() <= slots.lastP50Ms(), json);
        assertTrue(rows.size() - 1 > inWindow.size(), "the warm-up's decisions are in the file");
        assertTrue(field(json, "cpuSamples") > 0, json);
        // the kept recording holds the samples the stage table counted (the window's), and
        // the warm-up's before them
        long samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (e.getEventType().getName().equals("jdk.ExecutionSample")) {
                samples++;
            }
        }
        assertTrue(samples > field(json, "cpuSamples"), samples + " samples in " + json);
        // measured per thread: the coordinators ran, and no group of Java threads claims more
        // CPU than the whole process used (the JVM's own threads being the rest)
        Matcher m = Pattern.compile("\"cpuCoresByThreads\":\\{([^}]*)\\}").matcher(json);
        assertTrue(m.find(), json);
        double sum = 0;
        double coordinators = -1;
        for (String kv : m.group(1).split(",\"")) {
            double v = Double.parseDouble(kv.substring(kv.lastIndexOf(':') + 1));
            sum += v;
            if (kv.contains("slot coordinators")) {
                coordinators = v;
            }
        }
        assertTrue(coordinators > 0, json);
        double process = field(json, "processCpuCores");
        assertTrue(Math.abs(sum - process) <= 0.05 * process + 0.02, sum + " vs " + json);
        String doc = Files.readString(md);
        assertTrue(doc.contains("| stage | CPU share % |"), doc);
        assertTrue(doc.contains(json), doc);
    }
}
