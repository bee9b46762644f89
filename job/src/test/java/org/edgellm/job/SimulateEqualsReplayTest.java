package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.edgellm.job.replay.ReplayRunner;
import org.edgellm.job.replay.Simulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code simulate} (the domain scheduler in one thread) and {@code replay} (the Flink job on a
 * MiniCluster) write byte-identical decisions, rejections and slot reports for the same input,
 * flags and seed: the bundled sample as shipped, and other seeds, speedups, slot lengths and
 * schedulers.
 */
class SimulateEqualsReplayTest {

    @TempDir Path dir;

    static final List<String> FILES =
            List.of(
                    "decisions.jsonl",
                    "rejections.jsonl",
                    "slot-reports.jsonl",
                    "dead-letters.jsonl");

    void assertSame(String... args) throws Exception {
        Path r = dir.resolve("replay");
        Path s = dir.resolve("simulate");
        ObjectNode rs =
                ReplayRunner.run(
                        with(args, "--out", r.toString()),
                        StreamExecutionEnvironment.getExecutionEnvironment(),
                        new PrintStream(new ByteArrayOutputStream()));
        Map<String, ObjectNode> ss =
                Simulator.run(
                        with(args, "--out", s.toString()),
                        new PrintStream(new ByteArrayOutputStream()));
        ObjectNode sim = ss.values().iterator().next();
        assertTrue(rs.get("assigned").asInt() > 0, "something was decided: " + rs);
        for (String f : FILES) {
            assertArrayEquals(
                    Files.readAllBytes(r.resolve(f)),
                    Files.readAllBytes(s.resolve(f)),
                    f + " of " + String.join(" ", args));
        }
        rs.remove("timing");
        sim.remove("timing");
        assertEquals(rs, sim, "the summaries agree");
        String stagger =
                String.join(" ", args).contains("--slot-stagger spread") ? "spread" : "aligned";
        assertEquals(stagger, sim.get("slotStagger").asText(), "the summary names the slots");
    }

    static String[] with(String[] args, String... more) {
        List<String> l = new ArrayList<>(List.of(args));
        l.addAll(List.of(more));
        return l.toArray(String[]::new);
    }

    @Test
    void theBundledSample() throws Exception {
        assertSame();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "--seed 7 --speedup 4 --minutes 2",
                "--seed 11 --speedup 2 --minutes 2 --slot-ms 250 --scheduler smallest-kv",
                "--seed 3 --speedup 8 --minutes 1 --max-pending 40 --scheduler edf",
                "--seed 5 --speedup 4 --minutes 1 --slot-ms 250 --slot-stagger spread"
            })
    void otherSeedsAndSpeedups(String flags) throws Exception {
        assertSame(flags.split(" "));
    }

    /**
     * A window that grows with the queue (8 candidates, half the queue): replay and simulate still
     * agree, and some slot did offer its solver more than the 8 of --max-candidates.
     */
    @Test
    void aWindowThatGrowsWithTheQueue() throws Exception {
        assertSame(
                "--seed 9 --speedup 8 --minutes 1 --max-candidates 8 --candidate-share 0.5"
                        .split(" "));
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        int widest = 0;
        for (String line : Files.readAllLines(dir.resolve("simulate/slot-reports.jsonl"))) {
            widest = Math.max(widest, json.readTree(line).get("pending").asInt());
        }
        assertTrue(widest > 8, "the widest window offered " + widest);
    }
}
