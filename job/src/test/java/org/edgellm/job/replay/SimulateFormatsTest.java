package org.edgellm.job.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.edgellm.job.LocalMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code job-local.jar simulate} end to end over each request format, through LocalMain as the jar
 * runs it: the summary carries the scheduler's name, the goodput and what the import read (rows,
 * bad rows with their line numbers, failures skipped, gap filling), bad rows are reported on
 * stderr, and the same requests written in different formats give the same decisions.
 */
class SimulateFormatsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    record Run(int status, String out, String err, Path outDir) {
        JsonNode summary() throws IOException {
            return JSON.readTree(outDir.resolve("summary.json").toFile());
        }

        /** decisions.jsonl with the format's request id prefix made neutral. */
        String decisions(String prefix) throws IOException {
            return Files.readString(outDir.resolve("decisions.jsonl"))
                    .replace("\"" + prefix, "\"id-");
        }
    }

    Run simulate(String name, String... args) {
        Path out = dir.resolve("out-" + name);
        List<String> a = new ArrayList<>(List.of("simulate"));
        a.addAll(List.of(args));
        a.addAll(List.of("--seed", "3", "--users", "6", "--out", out.toString()));
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status =
                LocalMain.run(
                        a.toArray(String[]::new),
                        new PrintStream(o, true, StandardCharsets.UTF_8),
                        new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(
                status,
                o.toString(StandardCharsets.UTF_8),
                e.toString(StandardCharsets.UTF_8),
                out);
    }

    static void assertRan(Run r, String scheduler, int requests) throws IOException {
        assertEquals(0, r.status(), r.err());
        JsonNode s = r.summary();
        assertEquals(scheduler, s.get("scheduler").asText());
        assertTrue(s.get("goodputPerSecond").isNumber(), s.toString());
        assertTrue(s.get("goodputPerSecond").asDouble() > 0, s.toString());
        // the run's policy (the job's default unless a flag says otherwise) and its bound
        assertEquals("load-price", s.get("policy").asText());
        assertEquals(64, s.get("maxCandidates").asInt());
        assertTrue(
                s.get("goodputPerSecond").asDouble()
                        <= s.get("upperBoundGoodputPerSecond").asDouble(),
                s.toString());
        assertEquals(requests, s.get("requests").asInt());
        assertEquals(requests, s.get("input").get("requestRows").asInt());
        assertEquals(
                requests,
                s.get("assigned").asInt() + s.get("rejectedTotal").asInt(),
                "every request decided or rejected: " + s);
    }

    @Test
    void mooncakeBurstGptAndCsvInMillisecondsGiveTheSameDecisions() throws IOException {
        List<TraceFiles.Req> reqs = TraceFiles.requests();
        Path radio = TraceFiles.radioCsv(dir.resolve("radio"));
        String[] channels = {
            "--channels-dir",
            radio.toString(),
            "--channels-format",
            "csv",
            "--channel-time-column",
            "time_s",
            "--channel-snr-column",
            "sinr_db"
        };
        Run mc =
                simulate(
                        "mooncake",
                        with(
                                channels,
                                "--requests",
                                TraceFiles.mooncake(dir, reqs).toString(),
                                "--requests-format",
                                "mooncake"));
        assertRan(mc, "ot-gah", 120);
        JsonNode in = mc.summary().get("input");
        assertEquals("mooncake", in.get("requestsFormat").asText());
        assertEquals(1, in.get("badRows").asInt());
        assertEquals(List.of(4), ints(in.get("badLines")));
        assertTrue(mc.err().contains("1 bad rows skipped, lines 4"), mc.err());
        JsonNode ch = in.get("channels");
        assertEquals("csv", ch.get("format").asText());
        assertEquals(2, ch.get("traces").asInt());
        assertEquals(1, ch.get("gapsFilled").asInt(), "the 40 s gap: " + ch);
        assertEquals(39, ch.get("secondsFilled").asInt());
        assertEquals(0, ch.get("gapsLeft").asInt());
        assertTrue(ch.get("eventsSynthesised").asLong() > 0, ch.toString());

        Run bg =
                simulate(
                        "burstgpt",
                        with(
                                channels,
                                "--requests",
                                TraceFiles.burstGpt(dir, reqs).toString(),
                                "--requests-format",
                                "burstgpt"));
        assertRan(bg, "ot-gah", 120);
        in = bg.summary().get("input");
        assertEquals(2, in.get("skippedFailures").asInt());
        assertEquals(1, in.get("badRows").asInt());
        assertEquals(List.of(10), ints(in.get("badLines")));
        assertTrue(bg.err().contains("2 failed requests skipped"), bg.err());

        Run csv =
                simulate(
                        "csv-ms",
                        with(
                                channels,
                                "--requests",
                                TraceFiles.csvMs(dir, reqs).toString(),
                                "--requests-format",
                                "csv",
                                "--time-column",
                                "arrival_ms",
                                "--time-unit",
                                "ms",
                                "--prompt-column",
                                "prompt",
                                "--output-column",
                                "completion"));
        assertRan(csv, "ot-gah", 120);
        assertEquals(List.of(6), ints(csv.summary().get("input").get("badLines")));

        // the same requests and radio: the same decisions, whatever the format
        String decisions = mc.decisions("mc-");
        assertTrue(decisions.lines().count() > 10, decisions);
        assertEquals(decisions, bg.decisions("bg-"));
        assertEquals(decisions, csv.decisions("rq-"));
    }

    @Test
    void azureAndIsoCsvGiveTheSameDecisionsAndEachSchedulerItsOwnSummary() throws IOException {
        List<TraceFiles.Req> reqs = TraceFiles.requests();
        Instant start = Instant.parse("2023-11-16T18:15:46.680Z");
        Path radio = TraceFiles.radioIrish(dir.resolve("irish"));
        Run az =
                simulate(
                        "azure",
                        "--requests",
                        TraceFiles.azure(dir, reqs, start).toString(),
                        "--requests-format",
                        "azure",
                        "--channels-dir",
                        radio.toString());
        assertRan(az, "ot-gah", 120);
        JsonNode in = az.summary().get("input");
        assertEquals(0, in.get("badRows").asInt());
        assertEquals("irish", in.get("channels").get("format").asText());
        assertEquals(1, in.get("channels").get("gapsFilled").asInt());
        Run iso =
                simulate(
                        "csv-iso",
                        "--requests",
                        TraceFiles.csvIso(dir, reqs, start).toString(),
                        "--requests-format",
                        "csv",
                        "--channels-dir",
                        radio.toString());
        assertRan(iso, "ot-gah", 120);
        assertEquals(az.decisions("az-"), iso.decisions("rq-"));

        // several schedulers: each writes OUT/<name>/summary.json under its own name
        Run many =
                simulate(
                        "many",
                        "--requests",
                        TraceFiles.csvIso(dir, reqs, start).toString(),
                        "--requests-format",
                        "csv",
                        "--channels-dir",
                        radio.toString(),
                        "--scheduler",
                        "ot-gah,fcfs,edf");
        assertEquals(0, many.status(), many.err());
        for (String name : List.of("ot-gah", "fcfs", "edf")) {
            Path s = many.outDir().resolve(name).resolve("summary.json");
            assertTrue(Files.exists(s), s.toString());
            JsonNode n = JSON.readTree(s.toFile());
            assertEquals(name, n.get("scheduler").asText());
            assertTrue(n.get("goodputPerSecond").isNumber());
            assertTrue(
                    n.get("goodputPerSecond").asDouble()
                            <= n.get("upperBoundGoodputPerSecond").asDouble(),
                    n.toString());
            assertEquals(120, n.get("input").get("requestRows").asInt());
        }
        assertEquals(
                Files.readString(iso.outDir().resolve("decisions.jsonl")),
                Files.readString(many.outDir().resolve("ot-gah").resolve("decisions.jsonl")),
                "ot-gah alone and among others decides the same");
    }

    @Test
    void gapFillingRemovesTheNoChannelRejectionsOfAGapAndNoneKeepsThem() throws IOException {
        List<TraceFiles.Req> reqs = TraceFiles.requests();
        Path radio = TraceFiles.radioIrish(dir.resolve("irish"));
        String trace = TraceFiles.mooncake(dir, reqs).toString();
        String[] base = {
            "--requests", trace, "--requests-format", "mooncake", "--channels-dir", radio.toString()
        };
        Run none = simulate("none", with(base, "--channel-gap-fill", "none"));
        Run filled = simulate("filled", base);
        assertEquals(0, none.status(), none.err());
        assertEquals(0, filled.status(), filled.err());
        JsonNode n = none.summary();
        JsonNode f = filled.summary();
        assertTrue(
                n.get("rejected").path("NO_CHANNEL").asInt() > 0,
                "a 40 s gap in the only trace leaves users without a channel: " + n);
        assertEquals(0, f.get("rejected").path("NO_CHANNEL").asInt(), f.toString());
        JsonNode nc = n.get("input").get("channels");
        JsonNode fc = f.get("input").get("channels");
        assertEquals(1, nc.get("gapsLeft").asInt());
        assertEquals(0, nc.get("eventsSynthesised").asLong());
        assertEquals(
                fc.get("channelEvents").asLong() - nc.get("channelEvents").asLong(),
                fc.get("eventsSynthesised").asLong(),
                "filled seconds are exactly those that made no event before");
        assertTrue(
                filled.err().contains("gaps up to 900000 ms filled (interpolate): 1 gaps, 39 s"));
        // a limit below the gap leaves it, and counts it
        Run short_ = simulate("short", with(base, "--channel-gap-max-ms", "39000"));
        JsonNode sc = short_.summary().get("input").get("channels");
        assertEquals(0, sc.get("gapsFilled").asInt());
        assertEquals(1, sc.get("gapsLeft").asInt());
        assertEquals(n.get("rejected"), short_.summary().get("rejected"));
    }

    @Test
    void aFileWithNothingLeftIsOneLineNamingIt() throws IOException {
        Path f =
                TraceFiles.write(
                        dir.resolve("empty.jsonl"),
                        List.of("{\"timestamp\": 1}", "garbage", "{\"timestamp\": -1}"));
        Run r = simulate("empty", "--requests", f.toString(), "--requests-format", "mooncake");
        assertEquals(2, r.status());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains(f.toString()), err);
        assertTrue(err.contains("3 bad rows, lines 1, 2, 3"), err);
    }

    static String[] with(String[] a, String... more) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(more));
        return l.toArray(String[]::new);
    }

    static List<Integer> ints(JsonNode array) {
        List<Integer> l = new ArrayList<>();
        array.forEach(x -> l.add(x.asInt()));
        return l;
    }
}
