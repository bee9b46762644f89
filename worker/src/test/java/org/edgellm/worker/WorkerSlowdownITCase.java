package org.edgellm.worker;

import static org.edgellm.worker.WorkerTesting.Running;
import static org.edgellm.worker.WorkerTesting.await;
import static org.edgellm.worker.WorkerTesting.decision;
import static org.edgellm.worker.WorkerTesting.record;
import static org.edgellm.worker.WorkerTesting.send;
import static org.edgellm.worker.WorkerTesting.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;
import org.edgellm.events.NodeTelemetry;
import org.edgellm.job.testing.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restarted worker keeps the slowdown it measured (its state directory holds it): its first
 * heartbeats report it, instead of 1.0, so the job does not plan its next batches at full speed
 * again. Without this, a fleet slower than nominal showed a jump of the prediction error after
 * every worker restart (ClosedLoopITCase, under load).
 */
class WorkerSlowdownITCase {

    static EmbeddedKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    @TempDir Path state;

    static final long NOW = 1_700_000_000_000L;

    static List<NodeTelemetry> heartbeats(String topic) {
        return WorkerTesting.heartbeats(kafka, topic);
    }

    @Test
    void aRestartedWorkerReportsTheSlowdownItMeasured() throws Exception {
        String prefix = "slowdown-";
        String node = "n-slow";
        kafka.createTopics(1, prefix + "decisions", prefix + "completions");
        kafka.createTopics(1, prefix + "telemetry", prefix + "dead-letters");
        // every batch takes twice its prediction: the estimate goes 1.0 -> 1.5 after one batch
        Backend twiceAsSlow =
                d -> {
                    List<Completion> out = new WorkerTesting.RecordingBackend().run(d);
                    for (Completion c : out) {
                        c.setPredictedComputeMs(200);
                        c.setMeasuredComputeMs(400);
                    }
                    return out;
                };
        BatchDecision a = decision("d/1/" + node, node, NOW, 1);
        send(kafka, List.of(record(prefix + "decisions", a)));
        Running first =
                new Running(
                        new Worker(
                                settings(kafka, node, prefix, state),
                                twiceAsSlow,
                                Worker.Steps.NONE,
                                new WorkerMetrics(node),
                                () -> NOW),
                        "slowdown-1");
        await(
                "a heartbeat after the batch reports 1.5",
                Duration.ofSeconds(60),
                () ->
                        heartbeats(prefix + "telemetry").stream()
                                .anyMatch(h -> h.getSlowdown() == 1.5));
        first.stopAndClose();
        assertEquals("1.5", Files.readString(state.resolve("slowdown-" + node)));

        Running second =
                new Running(
                        new Worker(
                                settings(kafka, node, prefix, state),
                                twiceAsSlow,
                                Worker.Steps.NONE,
                                new WorkerMetrics(node),
                                () -> NOW + 60_000),
                        "slowdown-2");
        await(
                "a heartbeat of the restarted worker",
                Duration.ofSeconds(60),
                () ->
                        heartbeats(prefix + "telemetry").stream()
                                .anyMatch(h -> h.getTime().toEpochMilli() == NOW + 60_000));
        second.stopAndClose();
        for (NodeTelemetry h : heartbeats(prefix + "telemetry")) {
            if (h.getTime().toEpochMilli() == NOW + 60_000) {
                assertEquals(1.5, h.getSlowdown(), "no batch ran since the restart: " + h);
            }
        }
    }
}
