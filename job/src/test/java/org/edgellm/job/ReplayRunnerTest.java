package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.edgellm.job.replay.ReplayRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay of recorded traces: deterministic, complete, consistent with its own summary. */
class ReplayRunnerTest {

    @TempDir Path dir;

    ObjectNode replay(Path out, String... extra) throws Exception {
        String[] base = {"--out", out.toString(), "--minutes", "1", "--seed", "5"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return ReplayRunner.run(
                args,
                StreamExecutionEnvironment.getExecutionEnvironment(),
                new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void sameInputAndSeedGiveByteIdenticalOutput() throws Exception {
        ObjectNode a = replay(dir.resolve("a"));
        ObjectNode b = replay(dir.resolve("b"));
        for (String f :
                List.of(
                        "decisions.jsonl",
                        "rejections.jsonl",
                        "slot-reports.jsonl",
                        "dead-letters.jsonl")) {
            assertArrayEquals(
                    Files.readAllBytes(dir.resolve("a").resolve(f)),
                    Files.readAllBytes(dir.resolve("b").resolve(f)),
                    f);
        }
        a.remove("timing");
        b.remove("timing");
        assertEquals(a, b);
        // the importer's event files replay to the same decisions
        ObjectNode c =
                replay(dir.resolve("c"), "--events", dir.resolve("a").resolve("events").toString());
        assertArrayEquals(
                Files.readAllBytes(dir.resolve("a").resolve("decisions.jsonl")),
                Files.readAllBytes(dir.resolve("c").resolve("decisions.jsonl")));
        assertEquals(a.get("assigned"), c.get("assigned"));
    }

    @Test
    void everyRequestEndsOnceAndDecisionsCarryWhatUsersNeed() throws Exception {
        ObjectNode s = replay(dir.resolve("x"), "--scheduler", "ot-gah");
        int requests = s.get("requests").asInt();
        assertTrue(requests > 150, "one minute of the trace: " + requests);
        assertEquals(0, s.get("undecided").asInt());
        ObjectMapper m = new ObjectMapper();
        Set<String> seen = new HashSet<>();
        int decided = 0;
        for (String line : Files.readAllLines(dir.resolve("x").resolve("decisions.jsonl"))) {
            JsonNode d = m.readTree(line);
            for (String f :
                    List.of("slotEnd", "node", "variant", "computeStartMs", "computeEndMs")) {
                assertTrue(d.has(f), f);
            }
            for (JsonNode r : d.get("requests")) {
                for (String f :
                        List.of(
                                "id",
                                "arrival",
                                "deadline",
                                "promptTokens",
                                "maxOutputTokens",
                                "maxPplIncrease",
                                "predictedFinishMs")) {
                    assertTrue(r.has(f), f);
                }
                assertTrue(seen.add(r.get("id").asText()), "twice: " + r.get("id"));
                assertTrue(r.get("predictedFinishMs").asDouble() <= r.get("deadline").asDouble());
                decided++;
            }
        }
        for (String line : Files.readAllLines(dir.resolve("x").resolve("rejections.jsonl"))) {
            assertTrue(
                    seen.add(m.readTree(line).get("requestId").asText()), "decided and rejected");
        }
        assertEquals(requests, seen.size());
        assertEquals(s.get("assigned").asInt(), decided);
        assertTrue(decided > requests / 3, "a real share is served: " + decided);
    }

    /**
     * The same minute of the bundled trace replayed with OT-GAH and with FCFS greedy in the paper's
     * configuration (one solve per slot over the 32 earliest deadlines): OT-GAH meets at least as
     * many deadlines (the docs report +23% goodput on the whole sample in that configuration). The
     * job's default policy then runs OT-GAH again, and every one of its slots is consistent with
     * its own proof: the slot's objective is the number of requests its decisions serve (all
     * weights are 1), at most the proven upper bound, and a slot claimed optimal reaches that
     * bound. (Under the default, both schedulers choose among load-price's schedules and run each
     * batch on its fastest variant, and on this one minute FCFS met two deadlines more, 168 against
     * 166: one minute of 169 requests does not separate them; the whole sample and the Azure hour
     * do, docs/results-trace.md.)
     */
    @Test
    void otGahMeetsAtLeastAsManyDeadlinesAsFcfsAndEverySlotStaysWithinItsBound() throws Exception {
        String[] paper = {"--policy", "per-slot", "--max-candidates", "32"};
        ObjectNode otPaper = replay(dir.resolve("ot-paper"), with(paper, "--scheduler", "ot-gah"));
        ObjectNode fcfs = replay(dir.resolve("fcfs"), with(paper, "--scheduler", "fcfs"));
        ObjectNode ot = replay(dir.resolve("ot"), "--scheduler", "ot-gah");
        assertEquals(otPaper.get("requests"), fcfs.get("requests"));
        assertEquals(ot.get("requests"), fcfs.get("requests"));
        ObjectMapper m = new ObjectMapper();
        int otOnTime = onTime(m, otPaper, dir.resolve("ot-paper"));
        int fcfsOnTime = onTime(m, fcfs, dir.resolve("fcfs"));
        System.out.printf(
                "one minute of the sample, per-slot: ot-gah %d on time, fcfs %d%n",
                otOnTime, fcfsOnTime);
        assertTrue(otOnTime >= fcfsOnTime, "ot-gah " + otOnTime + " on time vs fcfs " + fcfsOnTime);
        onTime(m, ot, dir.resolve("ot"));
        java.util.Map<String, Integer> servedBySlot = new java.util.HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("ot").resolve("decisions.jsonl"))) {
            JsonNode d = m.readTree(line);
            servedBySlot.merge(
                    d.get("domain").asText() + "/" + d.get("slotEnd").asLong(),
                    d.get("requests").size(),
                    Integer::sum);
        }
        int slots = 0;
        int unproven = 0;
        for (String line : Files.readAllLines(dir.resolve("ot").resolve("slot-reports.jsonl"))) {
            JsonNode r = m.readTree(line);
            if (r.get("nodesOffered").asInt() == 0 || r.get("pending").asInt() == 0) {
                continue; // only rejections this slot: the scheduler did not run
            }
            slots++;
            String slot = r.get("domain").asText() + "/" + r.get("slotEnd").asLong();
            double objective = r.get("objective").asDouble();
            double bound = r.get("upperBound").asDouble();
            assertEquals(servedBySlot.getOrDefault(slot, 0), objective, 1e-9, slot);
            assertTrue(objective <= bound + 1e-9, slot + ": " + objective + " > bound " + bound);
            if (r.get("provenOptimal").asBoolean()) {
                assertEquals(bound, objective, 1e-9, slot + " claims a proven optimum");
            } else {
                unproven++;
            }
        }
        System.out.printf("ot-gah: %d slots, %d not proven optimal%n", slots, unproven);
        assertTrue(slots > 30, "the scheduler ran in many slots: " + slots);
    }

    /**
     * The decided requests predicted to finish by their deadlines in a replay's decisions; checks
     * that the summary's goodput is that count per trace second.
     */
    private static int onTime(ObjectMapper m, ObjectNode summary, Path out) throws Exception {
        int n = 0;
        for (String line : Files.readAllLines(out.resolve("decisions.jsonl"))) {
            for (JsonNode r : m.readTree(line).get("requests")) {
                if (r.get("predictedFinishMs").asDouble() <= r.get("deadline").asDouble()) {
                    n++;
                }
            }
        }
        assertEquals(
                n / summary.get("traceSeconds").asDouble(),
                summary.get("goodputPerSecond").asDouble(),
                1e-9,
                "goodput is the on-time count per trace second");
        return n;
    }

    private static String[] with(String[] first, String... more) {
        String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
