package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.edgellm.events.Completion;
import org.edgellm.events.EventCodec;
import org.edgellm.events.InferenceRequest;
import org.edgellm.events.NodeTelemetry;
import org.edgellm.events.Rejection;
import org.edgellm.events.RejectionReason;
import org.edgellm.events.SlotReport;
import org.edgellm.job.JobConfig;
import org.edgellm.job.SchedulerJob;
import org.edgellm.job.SchedulerPipeline;
import org.edgellm.job.Topology;
import org.edgellm.job.io.KafkaIo;
import org.edgellm.job.testing.EmbeddedKafka;
import org.edgellm.job.testing.EmbeddedKafkaExtension;
import org.edgellm.job.testing.MiniClusters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closed loop: the feeder publishes a slice of the Azure trace, the job schedules it on a
 * MiniCluster, three simulated workers run the batches and report back. Every request ends as
 * exactly one completion or one rejection, no batch runs twice, and a worker stopped mid-run and
 * restarted loses nothing and duplicates nothing.
 */
class ClosedLoopITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.twoSlotsNoRestarts();

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @Test
    void everyRequestEndsOnceAcrossAWorkerRestart() throws Exception {
        EmbeddedKafka kafka = KAFKA.broker();
        kafka.createTopics(2, "req", "chan", "dec");
        kafka.createTopics(1, "tel", "rej", "rep", "dlq", "completions");
        String yaml =
                new String(
                        Topology.class.getResourceAsStream("/topology-default.yaml").readAllBytes(),
                        StandardCharsets.UTF_8);
        Path topo = dir.resolve("topology.yaml");
        Files.writeString(
                topo, yaml.replaceAll("latencyBudgetMs: [0-9]+", "latencyBudgetMs: 6000"));
        JobConfig config =
                JobConfig.parse(
                        new String[] {
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--requests-topic",
                            "req",
                            "--channels-topic",
                            "chan",
                            "--telemetry-topic",
                            "tel",
                            "--decisions-topic",
                            "dec",
                            "--rejections-topic",
                            "rej",
                            "--reports-topic",
                            "rep",
                            "--dead-letter-topic",
                            "dlq",
                            "--topology",
                            topo.toString(),
                            "--delivery",
                            "exactly-once",
                            "--checkpoint-ms",
                            "300",
                            "--transaction-timeout-ms",
                            "60000",
                            "--slot-ms",
                            "200",
                            "--out-of-orderness-ms",
                            "100",
                            "--idleness-ms",
                            "500",
                            "--heartbeat-timeout-ms",
                            "5000",
                            "--starting-offsets",
                            "earliest",
                            "--parallelism",
                            "2"
                        });
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        SchedulerJob.configure(env, config);
        Topology topology = Topology.load(topo);
        SchedulerPipeline.build(
                env, KafkaIo.sources(config, topology), KafkaIo.sinks(config), config, topology);
        JobClient job = env.executeAsync("closed-loop");
        Map<String, Worker> workers = new HashMap<>();
        Map<String, Thread> threads = new HashMap<>();
        for (String n : List.of("edge-a", "edge-b", "edge-c")) {
            start(kafka, n, workers, threads);
        }
        try {
            // job and workers up: a checkpoint completed (every task runs) and a heartbeat
            // of each worker on the telemetry topic
            Poll.until(
                    "the job's first checkpoint",
                    Duration.ofSeconds(60),
                    () -> completedCheckpoints(job) > 0);
            Poll.until(
                    "a heartbeat of every worker",
                    Duration.ofSeconds(60),
                    () -> lastHeartbeats(kafka).keySet().containsAll(workers.keySet()));
            Feeder.Sent[] fedCount = new Feeder.Sent[1];
            Thread feeder =
                    new Thread(
                            () -> {
                                try {
                                    fedCount[0] =
                                            Feeder.run(
                                                    Map.of(
                                                            "bootstrap-servers",
                                                            kafka.bootstrapServers(),
                                                            "requests-topic",
                                                            "req",
                                                            "channels-topic",
                                                            "chan",
                                                            "minutes",
                                                            "0.6",
                                                            "speedup",
                                                            "2",
                                                            "topology",
                                                            topo.toString(),
                                                            "channel-period-ms",
                                                            "500"),
                                                    Map.of());
                                } catch (Exception e) {
                                    throw new RuntimeException(e);
                                }
                            },
                            "feeder");
            feeder.start();
            // stop one worker in the middle of the feed and bring it back with the same state
            Worker a = workers.get("edge-a");
            Poll.until("edge-a ran three batches", Duration.ofSeconds(60), () -> a.batches() >= 3);
            assertTrue(feeder.isAlive(), "edge-a stops while the feed goes on");
            long before = a.batches();
            a.stop();
            threads.get("edge-a").join(); // its heartbeat producer is closed: no more beats
            a.close();
            long silentFrom = System.currentTimeMillis();
            // silent for longer than the heartbeat timeout, as the job sees it: a slot closed
            // more than the timeout after edge-a's last heartbeat
            long lastBeat = lastHeartbeats(kafka).get("edge-a");
            Poll.until(
                    "a slot report more than 5 s after edge-a's last heartbeat",
                    Duration.ofSeconds(60),
                    () -> latestReportedSlot(kafka) > lastBeat + 5000);
            long back = System.currentTimeMillis();
            start(kafka, "edge-a", workers, threads);
            feeder.join();
            Feeder.Sent sent = fedCount[0];
            System.out.printf("edge-a ran %d batches before its restart%n", before);
            assertTrue(sent.requests() > 20, "requests fed: " + sent.requests());
            // every request ends exactly once
            Set<String> fed = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r :
                    kafka.readUntil(
                            "req",
                            false,
                            Duration.ofSeconds(10),
                            l -> l.size() >= sent.requests())) {
                fed.add(InferenceRequest.fromByteBuffer(ByteBuffer.wrap(r.value())).getRequestId());
            }
            Map<String, Integer> ends = new HashMap<>();
            List<Completion> completions = new ArrayList<>();
            Map<String, String> unfinished = new HashMap<>();
            long deadline = System.currentTimeMillis() + 90_000;
            while (System.currentTimeMillis() < deadline) {
                ends.clear();
                completions.clear();
                unfinished.clear();
                for (ConsumerRecord<byte[], byte[]> r :
                        kafka.readUntil("completions", true, Duration.ofSeconds(2), l -> false)) {
                    Completion c = Completion.fromByteBuffer(ByteBuffer.wrap(r.value()));
                    completions.add(c);
                    ends.merge(c.getRequestId(), 1, Integer::sum);
                }
                for (ConsumerRecord<byte[], byte[]> r :
                        kafka.readUntil("rej", true, Duration.ofSeconds(1), l -> false)) {
                    Rejection rej =
                            EventCodec.decodeRejection(r.value(), EventCodec.DEFAULT_MAX_BYTES);
                    if (rej.getReason() == RejectionReason.UNFINISHED) {
                        // decided, then its node fell silent: reported, and if the node
                        // comes back and runs the batch anyway, a completion follows
                        unfinished.put(rej.getRequestId(), rej.getDetail());
                    } else {
                        ends.merge(rej.getRequestId(), 1, Integer::sum);
                    }
                }
                Set<String> over = new HashSet<>(ends.keySet());
                over.addAll(unfinished.keySet());
                if (over.containsAll(fed)) {
                    break;
                }
            }
            Set<String> missing = new HashSet<>(fed);
            missing.removeAll(ends.keySet());
            missing.removeAll(unfinished.keySet());
            assertTrue(
                    missing.isEmpty(),
                    missing.size()
                            + " requests never ended, e.g. "
                            + missing.stream().limit(5).toList());
            for (String id : fed) {
                if (!unfinished.containsKey(id)) {
                    assertEquals(1, ends.get(id), id + " ended more than once");
                } else {
                    assertTrue(ends.getOrDefault(id, 0) <= 1, id + " completed twice");
                }
            }
            // only the restarted node's batches can be reported unfinished (overdue while it
            // was silent, or after its return while it caught up)
            for (Map.Entry<String, String> u : unfinished.entrySet()) {
                assertTrue(
                        u.getValue().contains("on node edge-a"), u.getKey() + ": " + u.getValue());
            }
            System.out.printf(
                    "edge-a silent %d ms: %d of its requests reported UNFINISHED, %d of them"
                            + " completed after its return%n",
                    back - silentFrom,
                    unfinished.size(),
                    unfinished.keySet().stream().filter(ends::containsKey).count());
            Map<String, Set<String>> byDecision = new HashMap<>();
            for (Completion c : completions) {
                assertTrue(
                        byDecision
                                .computeIfAbsent(c.getDecisionId(), k -> new HashSet<>())
                                .add(c.getRequestId()),
                        "batch " + c.getDecisionId() + " ran twice");
            }
            assertTrue(
                    completions.size() > fed.size() / 4,
                    "a real share is served: " + completions.size() + " of " + fed.size());
            // a 1.5x slower fleet: the job folds the measured slowdown from the heartbeats into
            // its
            // predictions, so the prediction error falls over the run
            var report = Report.compute(completions, List.of());
            var q = report.get("predictionErrorByQuarter");
            System.out.println("prediction error by quarter: " + q);
            assertTrue(
                    q.get(0).asDouble() > 0.15,
                    "the first batches are predicted at full speed: " + q);
            assertTrue(
                    q.get(3).asDouble() < q.get(0).asDouble() / 2 && q.get(3).asDouble() < 0.15,
                    "and the error falls: " + q);
            System.out.printf(
                    "closed loop: %d requests, %d completions in %d batches, %d rejected%n",
                    fed.size(),
                    completions.size(),
                    byDecision.size(),
                    fed.size() - completions.size());
        } finally {
            for (Worker w : workers.values()) {
                w.stop();
            }
            for (Thread t : threads.values()) {
                t.join(10_000);
            }
            for (Worker w : workers.values()) {
                w.close();
            }
            job.cancel().get();
        }
    }

    /** Completed checkpoints of the job, from the MiniCluster's REST API. */
    static long completedCheckpoints(JobClient job) throws Exception {
        var conf = FLINK.getClientConfiguration();
        URI uri =
                URI.create(
                        "http://"
                                + conf.get(RestOptions.ADDRESS)
                                + ":"
                                + conf.get(RestOptions.PORT)
                                + "/jobs/"
                                + job.getJobID()
                                + "/checkpoints");
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(uri).build(),
                                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            return 0; // the job is not known to the REST endpoint yet
        }
        return new ObjectMapper().readTree(r.body()).path("counts").path("completed").asLong();
    }

    /** The time of the latest heartbeat on the telemetry topic, per node. */
    static Map<String, Long> lastHeartbeats(EmbeddedKafka kafka) throws Exception {
        Map<String, Long> last = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("tel", false)) {
            NodeTelemetry t = NodeTelemetry.fromByteBuffer(ByteBuffer.wrap(r.value()));
            last.merge(t.getNodeId(), t.getTime().toEpochMilli(), Math::max);
        }
        return last;
    }

    /** The latest slot end of a committed slot report, or Long.MIN_VALUE. */
    static long latestReportedSlot(EmbeddedKafka kafka) throws Exception {
        long latest = Long.MIN_VALUE;
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("rep", true)) {
            SlotReport s = SlotReport.fromByteBuffer(ByteBuffer.wrap(r.value()));
            latest = Math.max(latest, s.getSlotEnd().toEpochMilli());
        }
        return latest;
    }

    void start(
            EmbeddedKafka kafka,
            String node,
            Map<String, Worker> workers,
            Map<String, Thread> threads)
            throws Exception {
        Worker w =
                new Worker(
                        new Worker.Settings(
                                kafka.bootstrapServers(),
                                node,
                                "domain-1",
                                "dec",
                                "completions",
                                "tel",
                                dir.resolve("state"),
                                300,
                                Map.of(),
                                null),
                        new SimulatedBackend(
                                1.5,
                                0.05,
                                node.hashCode(),
                                new SimulatedBackend.VirtualClock(System.currentTimeMillis())));
        Thread t = WorkerITCase.runInBackground(w, "worker-" + node);
        workers.put(node, w);
        threads.put(node, t);
    }
}
