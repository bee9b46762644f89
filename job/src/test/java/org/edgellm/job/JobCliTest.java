package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.edgellm.job.testing.PicocliWarnings;
import org.edgellm.scheduler.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command lines of job-local.jar and job.jar: help, version, mistakes. */
class JobCliTest {

    record Result(int status, String out, String err) {}

    static Result local(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status =
                LocalMain.run(
                        args,
                        new PrintStream(o, true, StandardCharsets.UTF_8),
                        new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(
                status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    static Result submit(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status =
                SchedulerJob.execute(
                        args,
                        new PrintStream(o, true, StandardCharsets.UTF_8),
                        new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(
                status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"replay", "simulate", "run"})
    void everyCommandListsEveryJobFlagWithItsDefault(String command) {
        Result r = PicocliWarnings.none(command, () -> local(command, "--help"));
        assertEquals(0, r.status(), r.err());
        for (String f : JobConfig.FLAGS) {
            assertTrue(r.out().contains("--" + f), command + " --help lacks --" + f);
        }
        assertTrue(r.out().contains("Default: 2048"), "max-pending's default is shown");
        if (!command.equals("run")) {
            for (String f : List.of("--requests-csv", "--channels-dir", "--events", "--seed")) {
                assertTrue(r.out().contains(f), command + " --help lacks " + f);
            }
            // the replay defaults, not the live job's
            assertTrue(
                    r.out().matches("(?s).*--slot-ms=.*?Default: 1000\\b.*"),
                    "replay's slot default is 1000 ms: " + r.out());
        }
    }

    @Test
    void topLevelHelpAndVersion() {
        Result h = local("--help");
        assertEquals(0, h.status());
        for (String c : List.of("replay", "simulate", "run")) {
            assertTrue(h.out().contains(c), c);
        }
        Result v = local("--version");
        assertEquals(0, v.status());
        assertEquals("job-local.jar " + Cli.projectVersion(), v.out().strip());
        Result jv = submit("--version");
        assertEquals(0, jv.status());
        assertEquals("job.jar " + Cli.projectVersion(), jv.out().strip());
        Result jh = submit("--help");
        assertEquals(0, jh.status());
        assertTrue(jh.out().contains("--bootstrap-servers") && jh.out().contains("Default: 100"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "simulate --max-pending 3000000000|--max-pending|3000000000",
                "replay --bogus 1|--bogus|",
                "simulate --speedup -1|--speedup|-1",
                "simulate --slot-ms abc|--slot-ms|abc",
                "simulate --scheduler magic|--scheduler|magic",
                "simulate --delivery sometimes|--delivery|sometimes",
                "simulate --scheduler fcfs,fcfs|--scheduler|fcfs,fcfs",
                "simulate --slot-stagger sometimes|--slot-stagger|sometimes",
                "simulate --candidate-share 1.5|--candidate-share|1.5",
                "simulate --candidate-share -0.1|--candidate-share|-0.1",
                "simulate --candidate-cap 0|--candidate-cap|0"
            })
    void aMistakeIsOneLineNamingTheFlagAndTheValueWithStatus2(String row) {
        String[] parts = row.split("\\|", -1);
        Result r = local(parts[0].split(" "));
        assertEquals(2, r.status(), r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.contains(parts[1]), "names the flag: " + err);
        assertTrue(err.contains(parts[2]), "names the value: " + err);
        assertTrue(!err.contains("Exception") && !err.contains("\tat "), err);
    }

    @Test
    void simulateReadsItsSchedulerListInEitherFlagForm() {
        assertEquals(
                List.of("edf", "fcfs"),
                List.of(
                        org.edgellm.job.replay.ReplayOptions.schedulers(
                                new String[] {"--scheduler=edf,fcfs"})));
        assertEquals(
                List.of("ot-gah"),
                List.of(org.edgellm.job.replay.ReplayOptions.schedulers(new String[0])));
    }

    @Test
    void jobJarRefusesAMistakeToo() {
        Result r = submit("--max-candidates", "0");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--max-candidates") && r.err().contains("'0'"), r.err());
    }

    @Test
    void kafkaSettingsPassThroughAndFlagsParse() {
        JobConfig c =
                JobConfig.parse(
                        "--kafka.security.protocol",
                        "SASL_SSL",
                        "--kafka.sasl.mechanism=PLAIN",
                        "--slot-ms",
                        "250",
                        "--delivery",
                        "at-least-once",
                        "--max-pending",
                        "7");
        assertEquals("SASL_SSL", c.kafka.get("security.protocol"));
        assertEquals("PLAIN", c.kafka.get("sasl.mechanism"));
        assertEquals(250, c.slotMs);
        assertEquals(7, c.maxPending);
        assertTrue(!c.exactlyOnce);
        assertEquals(0, c.commitDelay(), "at-least-once without a flag: no commit delay");
    }

    /**
     * The growing window's flags reach the domain settings; brute-force and exact keep their own
     * limit of requests per slot however far the window would grow.
     */
    @Test
    void theCandidateWindowFlagsReachTheDomainSettings() {
        var byDefault = JobConfig.parse().domainSettings();
        assertEquals(64, byDefault.window(100));
        assertEquals(512, byDefault.window(4096));
        assertEquals(512, byDefault.largestWindow());
        var set =
                JobConfig.parse("--candidate-share", "0.5", "--candidate-cap", "100")
                        .domainSettings();
        assertEquals(75, set.window(150));
        assertEquals(100, set.largestWindow());
        assertEquals(
                64, JobConfig.parse("--candidate-share", "0").domainSettings().largestWindow());
        for (String exponential : List.of("brute-force", "exact")) {
            var s =
                    JobConfig.parse("--scheduler", exponential, "--max-candidates", "10")
                            .domainSettings();
            int limit =
                    exponential.equals("exact")
                            ? org.edgellm.scheduler.ExhaustiveOptimum.MAX_REQUESTS
                            : org.edgellm.scheduler.BruteForce.MAX_REQUESTS;
            assertEquals(limit, s.largestWindow(), exponential);
            assertEquals(limit, s.window(100_000), exponential);
        }
    }

    /**
     * The default look-ahead is a slot plus the commit delay: in a replay (no delay) one slot, as
     * before; in the live job, where a slot's batches start at least the commit delay after its
     * end, a node that frees before then is offered (with one slot, every node sat idle for about
     * the commit delay before each batch).
     */
    @Test
    void theDefaultLookaheadCoversTheCommitDelay() {
        JobConfig replay = JobConfig.parse("--slot-ms", "1000", "--delivery", "at-least-once");
        assertEquals(0, replay.commitDelay());
        assertEquals(1000, replay.lookahead());
        JobConfig live = JobConfig.parse("--delivery", "at-least-once");
        SchedulerJob.liveDefaults(live);
        assertEquals(1000, live.commitDelay(), "the idleness timeout");
        assertEquals(1100, live.lookahead());
        assertEquals(1100, live.domainSettings().lookaheadMs());
        JobConfig exactly = JobConfig.parse("--delivery", "exactly-once", "--checkpoint-ms", "100");
        SchedulerJob.liveDefaults(exactly);
        assertEquals(100, exactly.commitDelay(), "the checkpoint interval");
        assertEquals(200, exactly.lookahead());
        JobConfig set = JobConfig.parse("--delivery", "exactly-once", "--lookahead-ms", "50");
        SchedulerJob.liveDefaults(set);
        assertEquals(50, set.lookahead(), "a look-ahead given is kept");
    }

    @Test
    void theInputSourcesAreAlignedWithKafkaInputAndNotInReplays() {
        var live = SchedulerPipeline.watermarks(JobConfig.parse()).getAlignmentParameters();
        assertTrue(live.isEnabled(), "Kafka input: aligned by default");
        assertEquals(1000, live.getMaxAllowedWatermarkDrift());
        assertEquals(SchedulerPipeline.ALIGNMENT_GROUP, live.getWatermarkGroup());
        JobConfig replay = JobConfig.parse("--max-source-drift-ms", "250");
        replay.replay = true;
        assertTrue(
                !SchedulerPipeline.watermarks(replay).getAlignmentParameters().isEnabled(),
                "replays read files: not aligned");
        assertEquals(
                250,
                SchedulerPipeline.watermarks(JobConfig.parse("--max-source-drift-ms", "250"))
                        .getAlignmentParameters()
                        .getMaxAllowedWatermarkDrift());
        assertTrue(
                !SchedulerPipeline.watermarks(JobConfig.parse("--max-source-drift-ms", "0"))
                        .getAlignmentParameters()
                        .isEnabled(),
                "0: off");
    }
}
