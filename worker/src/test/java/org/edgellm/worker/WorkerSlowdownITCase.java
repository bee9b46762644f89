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
import org.edgellm.job.testing.EmbeddedKafkaExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restarted worker keeps the slowdown it measured (its state directory holds it): its first
 * heartbeats report it, instead of 1.0, so the job does not plan its next batches at full speed
 * again. Without this, a fleet slower than nominal showed a jump of the prediction error after
 * every worker restart (ClosedLoopITCase, under load).
 */
class WorkerSlowdownITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path state;

    static final long NOW = 1_700_000_000_000L;

    static List<NodeTelemetry> heartbeats(String topic) {
        return WorkerTesting.heartbeats(KAFKA.broker(), topic);
    }

    @Test
    void aRestartedWorkerReportsTheSlowdownItMeasured() throws Exception {
        String prefix = "slowdown-";
        String node = "n-slow";
        KAFKA.broker().createTopics(1, prefix + "decisions", prefix + "completions");
        KAFKA.broker().createTopics(1, prefix + "telemetry", prefix + "dead-letters");
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
        send(KAFKA.broker(), List.of(record(prefix + "decisions", a)));
        Running first =
                new Running(
                        new Worker(
                                settings(KAFKA.broker(), node, prefix, state),
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
                                settings(KAFKA.broker(), node, prefix, state),
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
