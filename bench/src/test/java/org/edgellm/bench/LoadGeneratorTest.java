package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgellm.events.ChannelState;
import org.edgellm.events.InferenceRequest;
import org.junit.jupiter.api.Test;

/** The load generator's pacing, keys and events, without a broker. */
class LoadGeneratorTest {

    @Test
    void pairsAreDueAtTheRateFromTheStartAndNoneBefore() {
        long from = 5_000_000_000L;
        assertEquals(0, LoadGenerator.duePairs(from - 1, from, 1000));
        assertEquals(0, LoadGenerator.duePairs(from, from, 1000));
        assertEquals(10, LoadGenerator.duePairs(from + 10_000_000L, from, 1000));
        assertEquals(300, LoadGenerator.duePairs(from + 1_500_000_000L, from, 200));
        // before requests start (requestsFrom still Long.MAX_VALUE): heartbeats only
        assertEquals(0, LoadGenerator.duePairs(from, Long.MAX_VALUE, 1000));
        assertEquals(0, LoadGenerator.duePairs(from, LoadGenerator.NO_REQUESTS));
    }

    @Test
    void aRiseStepsLinearlyOnceASecondAndEndsAtTheRate() {
        // 500 to 40,500 over 4 s: +10,000 a second, the last step at the rate
        assertArrayEquals(
                new int[] {10_500, 20_500, 30_500, 40_500},
                KafkaJobBenchmark.riseRates(500, 40_500, 4));
        // rounded to whole requests/s, still ending at the rate
        assertArrayEquals(new int[] {333, 667, 1000}, KafkaJobBenchmark.riseRates(0, 1000, 3));
        // no rise: a jump
        assertEquals(0, KafkaJobBenchmark.riseRates(500, 40_000, 0).length);
        // a rise is only used with a warm-up rate of its own
        KafkaJobBenchmark.Settings s = JobBenchReportTest.SETTINGS;
        assertEquals(0, s.riseSecondsUsed()); // warm-up at the rate: nothing to rise from
    }

    @Test
    void aRateChangeKeepsThePairsDueBeforeItAndPacesTheRestAtTheNewRate() {
        long from = 5_000_000_000L;
        LoadGenerator.Pace warm = new LoadGenerator.Pace(from, 0, 2000);
        // 30 s at 2,000/s
        long at = from + 30_000_000_000L;
        long due = LoadGenerator.duePairs(at, warm);
        assertEquals(60_000, due);
        // then 7,500/s: 2 s later 15,000 more, never fewer than before the change
        LoadGenerator.Pace high = new LoadGenerator.Pace(at, due, 7500);
        assertEquals(60_000, LoadGenerator.duePairs(at - 1, high));
        assertEquals(60_000, LoadGenerator.duePairs(at, high));
        assertEquals(75_000, LoadGenerator.duePairs(at + 2_000_000_000L, high));
    }

    @Test
    void aRoundSendsAtMostTenMillisecondsOfEventsAndAtLeastOne() {
        assertEquals(10, LoadGenerator.roundLimit(500, 0, 1000));
        assertEquals(110, LoadGenerator.roundLimit(500, 100, 1000));
        assertEquals(105, LoadGenerator.roundLimit(105, 100, 1000));
        assertEquals(1, LoadGenerator.roundLimit(500, 0, 50));
        assertEquals(0, LoadGenerator.roundLimit(0, 0, 1000));
    }

    @Test
    void heartbeatsGoRoundEveryNodeOfTheTopologyOnceKeyedByItsDomain() {
        int domains = 3;
        int nodes = 4;
        // the topology's own node ids, as the job reads them
        Set<String> topology = new HashSet<>();
        Matcher m =
                Pattern.compile("id: (dom-[0-9]+-[a-z])")
                        .matcher(JobBenchSetup.topology(domains, nodes));
        while (m.find()) {
            topology.add(m.group(1));
        }
        assertEquals(domains * nodes, topology.size());
        Set<String> beaten = new HashSet<>();
        long total = (long) domains * nodes;
        for (long beat = 0; beat < total; beat++) {
            String domain = LoadGenerator.domainOfBeat(beat % total, nodes);
            String node = LoadGenerator.nodeOfBeat(beat % total, nodes);
            assertTrue(node.startsWith(domain + "-"), node + " in " + domain);
            assertTrue(beaten.add(node), "beaten twice in one round: " + node);
        }
        assertEquals(topology, beaten);
        assertEquals(9990.0, LoadGenerator.beatsPerSecond(999));
        assertEquals(2000.0, LoadGenerator.beatsPerSecond(1000));
    }

    @Test
    void eachRequestFollowsAChannelStateOfItsUserToANodeOfItsDomainWithTheSameKey() {
        int domains = 3;
        int nodes = 2;
        long now = 1_700_000_000_000L;
        List<String> pairsSeen = new ArrayList<>();
        for (long pair = 0; pair < 6; pair++) {
            ChannelState c = LoadGenerator.channelState(pair, domains, nodes, now);
            InferenceRequest r =
                    LoadGenerator.request(pair, domains, KafkaJobBenchmark.Shape.SERVABLE, now);
            assertEquals(c.getDomainId(), r.getDomainId());
            assertEquals(c.getUserId(), r.getUserId());
            assertEquals("dom-" + pair % domains, r.getDomainId(), "round the domains");
            assertTrue(c.getNodeId().startsWith(c.getDomainId() + "-"), c.getNodeId());
            assertEquals(
                    r.getDomainId(),
                    new String(LoadGenerator.key(r.getDomainId()), StandardCharsets.UTF_8));
            assertEquals("q" + pair, r.getRequestId());
            assertEquals(now, r.getArrivalTime().toEpochMilli());
            assertEquals(now + 15_000, r.getDeadline().toEpochMilli());
            assertEquals(now, c.getMeasuredAt().toEpochMilli());
            pairsSeen.add(c.getDomainId() + "/" + c.getNodeId());
        }
        // the first D x N pairs reach every node of every domain once
        assertEquals(6, new HashSet<>(pairsSeen).size(), pairsSeen.toString());
        // ten users per domain, each in one domain only
        Set<String> users = new HashSet<>();
        for (long pair = 0; pair < 300; pair++) {
            InferenceRequest r =
                    LoadGenerator.request(pair, domains, KafkaJobBenchmark.Shape.SERVABLE, now);
            users.add(r.getUserId() + "@" + r.getDomainId());
        }
        assertEquals(30, users.size(), users.toString());
    }

    @Test
    void theShapeSetsTheRequestSizes() {
        for (long pair = 0; pair < 2000; pair++) {
            InferenceRequest s =
                    LoadGenerator.request(pair, 7, KafkaJobBenchmark.Shape.SERVABLE, 0);
            assertTrue(s.getPromptTokens() >= 50 && s.getPromptTokens() < 250, s.toString());
            assertTrue(s.getMaxOutputTokens() >= 10 && s.getMaxOutputTokens() < 50, s.toString());
            InferenceRequest o =
                    LoadGenerator.request(pair, 7, KafkaJobBenchmark.Shape.OVERLOAD, 0);
            assertTrue(o.getPromptTokens() >= 100 && o.getPromptTokens() < 1000, o.toString());
            assertTrue(o.getMaxOutputTokens() >= 20 && o.getMaxOutputTokens() < 220, o.toString());
        }
        assertEquals(
                249,
                LoadGenerator.request(199, 7, KafkaJobBenchmark.Shape.SERVABLE, 0)
                        .getPromptTokens());
        assertEquals(
                999,
                LoadGenerator.request(899, 7, KafkaJobBenchmark.Shape.OVERLOAD, 0)
                        .getPromptTokens());
    }
}
