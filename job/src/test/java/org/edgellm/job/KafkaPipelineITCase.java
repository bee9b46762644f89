package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ParameterTool;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.ChannelState;
import org.edgellm.events.DeadLetter;
import org.edgellm.events.DecidedRequest;
import org.edgellm.events.EventCodec;
import org.edgellm.events.InferenceRequest;
import org.edgellm.events.NodeTelemetry;
import org.edgellm.events.Rejection;
import org.edgellm.events.RejectionReason;
import org.edgellm.job.io.KafkaIo;
import org.edgellm.job.testing.EmbeddedKafka;
import org.edgellm.job.testing.MiniClusters;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Feasibility;
import org.edgellm.scheduler.Instance;
import org.edgellm.scheduler.Variant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live job end to end: a real Kafka broker in this JVM, the job on a MiniCluster, two
 * coordination domains. Requests, channel states and heartbeats go in (with garbage and invalid
 * records mixed in); the decision topic, read with read_committed, must hold feasible decisions, no
 * request twice, every deadline met by prediction, and every valid request must end decided or
 * rejected exactly once while bad records reach the dead letters or the rejections.
 */
class KafkaPipelineITCase {

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.twoSlotsNoRestarts();

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    @TempDir Path dir;

    @Test
    void decisionsOfTwoDomainsAreFeasibleAndEveryRequestEndsOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Path topo = dir.resolve("topology.yaml");
        Files.writeString(topo, TestTopologies.twoDomains());
        Topology topology = Topology.load(topo);
        String[] args = {
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--requests-topic",
            "req-" + run,
            "--channels-topic",
            "chan-" + run,
            "--telemetry-topic",
            "tel-" + run,
            "--decisions-topic",
            "dec-" + run,
            "--rejections-topic",
            "rej-" + run,
            "--reports-topic",
            "rep-" + run,
            "--dead-letter-topic",
            "dlq-" + run,
            "--group-id",
            "g-" + run,
            "--transactional-id-prefix",
            "tx-" + run,
            "--transaction-timeout-ms",
            "60000",
            "--topology",
            topo.toString(),
            "--delivery",
            "exactly-once",
            "--checkpoint-ms",
            "300",
            "--slot-ms",
            "100",
            "--out-of-orderness-ms",
            "100",
            "--idleness-ms",
            "500",
            "--budget-micros",
            "20000",
            "--parallelism",
            "2"
        };
        JobConfig config = JobConfig.from(ParameterTool.fromArgs(args));
        kafka.createTopics(2, config.requestsTopic, config.channelsTopic, config.decisionsTopic);
        kafka.createTopics(
                1,
                config.telemetryTopic,
                config.rejectionsTopic,
                config.reportsTopic,
                config.deadLetterTopic);

        long t0 = (System.currentTimeMillis() / 1000) * 1000;
        Random rnd = new Random(7);
        List<ProducerRecord<byte[], byte[]>> requests = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> channels = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> telemetry = new ArrayList<>();
        Map<String, InferenceRequest> sent = new HashMap<>();
        Map<String, Double> se = new HashMap<>();
        String[] domains = {"d1", "d2"};
        int users = 12;
        for (int k = 0; k < 60; k++) {
            String domain = domains[k % 2];
            String user = "u" + (k % users);
            InferenceRequest r =
                    InferenceRequest.newBuilder()
                            .setRequestId("req-" + k)
                            .setUserId(user)
                            .setDomainId(domain)
                            .setArrivalTime(Instant.ofEpochMilli(t0 + 100L * k))
                            .setPromptTokens(50 + rnd.nextInt(1500))
                            .setMaxOutputTokens(10 + rnd.nextInt(200))
                            .setLatencyBudgetMs(4000.0 + rnd.nextInt(16000))
                            .setServiceClass(k % 10 == 9 ? "strict" : "standard")
                            .build();
            sent.put(r.getRequestId(), r);
            requests.add(record(config.requestsTopic, r.getRequestId(), EventCodec.encode(r)));
        }
        for (long t = t0 - 1000; t <= t0 + 40_000; t += 500) {
            for (int u = 0; u < users; u++) {
                for (String domain : domains) {
                    for (String node : new String[] {domain + "-a", domain + "-b"}) {
                        double s = 1 + ((u * 7 + node.hashCode() + t / 500) & 7) * 0.5;
                        se.put("u" + u + "/" + node + "/" + t, s);
                        ChannelState c =
                                ChannelState.newBuilder()
                                        .setUserId("u" + u)
                                        .setDomainId(domain)
                                        .setNodeId(node)
                                        .setMeasuredAt(Instant.ofEpochMilli(t))
                                        .setUplinkSpectralEfficiency(s)
                                        .setDownlinkSpectralEfficiency(s + 1)
                                        .build();
                        channels.add(record(config.channelsTopic, "u" + u, EventCodec.encode(c)));
                    }
                }
            }
            for (String domain : domains) {
                for (String node : new String[] {domain + "-a", domain + "-b"}) {
                    NodeTelemetry h =
                            NodeTelemetry.newBuilder()
                                    .setNodeId(node)
                                    .setDomainId(domain)
                                    .setTime(Instant.ofEpochMilli(t))
                                    .setHealthy(true)
                                    .build();
                    telemetry.add(record(config.telemetryTopic, node, EventCodec.encode(h)));
                }
            }
        }
        // bad input mixed in
        byte[] garbage = new byte[80];
        rnd.nextBytes(garbage);
        requests.add(record(config.requestsTopic, "garbage", garbage));
        requests.add(
                record(
                        config.requestsTopic,
                        "bad",
                        EventCodec.encode(
                                InferenceRequest.newBuilder(sent.get("req-0"))
                                        .setRequestId("bad-tokens")
                                        .setPromptTokens(-4)
                                        .build())));
        requests.add(
                record(
                        config.requestsTopic,
                        "mars",
                        EventCodec.encode(
                                InferenceRequest.newBuilder(sent.get("req-0"))
                                        .setRequestId("bad-domain")
                                        .setDomainId("mars")
                                        .build())));
        channels.add(
                record(
                        config.channelsTopic,
                        "nan",
                        EventCodec.encode(
                                ChannelState.newBuilder()
                                        .setUserId("u1")
                                        .setDomainId("d1")
                                        .setNodeId("d1-a")
                                        .setMeasuredAt(Instant.ofEpochMilli(t0))
                                        .setUplinkSpectralEfficiency(Double.NaN)
                                        .setDownlinkSpectralEfficiency(2)
                                        .build())));
        kafka.send(config.channelsTopic, channels);
        kafka.send(config.telemetryTopic, telemetry);
        kafka.send(config.requestsTopic, requests);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        SchedulerJob.configure(env, config);
        SchedulerPipeline.build(
                env, KafkaIo.sources(config, topology), KafkaIo.sinks(config), config, topology);
        JobClient job = env.executeAsync("it-" + run);
        try {
            Set<String> ended = new HashSet<>();
            List<BatchDecision> decisions = new ArrayList<>();
            List<Rejection> rejections = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (System.nanoTime() < deadline && !ended.containsAll(sent.keySet())) {
                decisions.clear();
                rejections.clear();
                ended.clear();
                for (ConsumerRecord<byte[], byte[]> r :
                        kafka.readUntil(
                                config.decisionsTopic, true, Duration.ofSeconds(3), l -> false)) {
                    BatchDecision d =
                            BatchDecision.fromByteBuffer(java.nio.ByteBuffer.wrap(r.value()));
                    assertEquals(
                            d.getNodeId(),
                            new String(r.key(), StandardCharsets.UTF_8),
                            "keyed by node");
                    decisions.add(d);
                    d.getRequests().forEach(x -> ended.add(x.getRequestId()));
                }
                for (ConsumerRecord<byte[], byte[]> r :
                        kafka.readUntil(
                                config.rejectionsTopic, true, Duration.ofSeconds(1), l -> false)) {
                    Rejection j = Rejection.fromByteBuffer(java.nio.ByteBuffer.wrap(r.value()));
                    rejections.add(j);
                    ended.add(j.getRequestId());
                }
            }
            assertTrue(
                    ended.containsAll(sent.keySet()),
                    "every request ended: missing " + missing(sent.keySet(), ended));
            // exactly once per request across decisions and rejections
            Map<String, Integer> times = new HashMap<>();
            decisions.forEach(
                    d ->
                            d.getRequests()
                                    .forEach(x -> times.merge(x.getRequestId(), 1, Integer::sum)));
            rejections.forEach(j -> times.merge(j.getRequestId(), 1, Integer::sum));
            for (String id : sent.keySet()) {
                assertEquals(1, times.get(id), id + " ended more than once");
            }
            int served = decisions.stream().mapToInt(d -> d.getRequests().size()).sum();
            Map<RejectionReason, Integer> reasons = new java.util.TreeMap<>();
            rejections.forEach(j -> reasons.merge(j.getReason(), 1, Integer::sum));
            System.out.printf(
                    "ITCase: %d requests, %d decisions serving %d, rejections %s%n",
                    sent.size(), decisions.size(), served, reasons);
            assertTrue(decisions.size() >= 6, "decisions: " + decisions.size());
            assertTrue(served >= sent.size() / 2, "most requests are served: " + served);
            Set<String> decisionIds = new HashSet<>();
            Map<String, Double> lastEnd = new HashMap<>();
            decisions.sort(java.util.Comparator.comparing(BatchDecision::getSlotEnd));
            for (BatchDecision d : decisions) {
                assertTrue(
                        decisionIds.add(d.getDecisionId()),
                        "decision id unique: " + d.getDecisionId());
                checkAgainstModel(topology, d, sent);
                double prev = lastEnd.getOrDefault(d.getNodeId(), Double.NEGATIVE_INFINITY);
                assertTrue(
                        d.getComputeStartMs() >= prev - 1e-6,
                        "batches on " + d.getNodeId() + " do not overlap");
                lastEnd.put(d.getNodeId(), d.getComputeEndMs());
                for (DecidedRequest x : d.getRequests()) {
                    assertEquals(
                            d.getDomainId(),
                            sent.get(x.getRequestId()).getDomainId(),
                            "served in its own domain");
                }
            }
            // strict requests (maxPplIncrease 0.01) may only use fp16
            decisions.forEach(
                    d ->
                            d.getRequests()
                                    .forEach(
                                            x -> {
                                                if (x.getMaxPplIncrease() < 0.05) {
                                                    assertEquals("fp16", d.getVariant());
                                                }
                                            }));
            // bad input
            Map<String, Rejection> byId = new HashMap<>();
            rejections.forEach(j -> byId.put(j.getRequestId(), j));
            List<Rejection> invalid = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r :
                    kafka.readUntil(
                            config.rejectionsTopic,
                            true,
                            Duration.ofSeconds(20),
                            l -> l.size() >= rejections.size() + 2)) {
                Rejection j = Rejection.fromByteBuffer(java.nio.ByteBuffer.wrap(r.value()));
                if (j.getReason() == RejectionReason.INVALID) {
                    invalid.add(j);
                }
            }
            assertTrue(
                    invalid.stream()
                            .anyMatch(
                                    j ->
                                            j.getRequestId().equals("bad-tokens")
                                                    && j.getDetail().contains("promptTokens")),
                    invalid.toString());
            assertTrue(
                    invalid.stream()
                            .anyMatch(
                                    j ->
                                            j.getRequestId().equals("bad-domain")
                                                    && j.getDetail().contains("mars")),
                    invalid.toString());
            List<DeadLetter> dead = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r :
                    kafka.readUntil(
                            config.deadLetterTopic,
                            true,
                            Duration.ofSeconds(20),
                            l -> l.size() >= 2)) {
                dead.add(DeadLetter.fromByteBuffer(java.nio.ByteBuffer.wrap(r.value())));
            }
            assertTrue(
                    dead.stream()
                            .anyMatch(
                                    d ->
                                            d.getError().contains("single-object")
                                                    && d.getPayload().remaining() == 80),
                    dead.toString());
            assertTrue(
                    dead.stream().anyMatch(d -> d.getError().contains("uplinkSpectralEfficiency")),
                    dead.toString());
            assertEquals(
                    org.apache.flink.api.common.JobStatus.RUNNING,
                    job.getJobStatus().get(),
                    "bad input did not stop the job");
        } finally {
            job.cancel().get();
        }
    }

    static Set<String> missing(Set<String> all, Set<String> got) {
        Set<String> m = new HashSet<>(all);
        m.removeAll(got);
        return m;
    }

    /**
     * The decision is consistent with the model: accuracy, memory, the compute time of the padded
     * batch, and every predicted finish within its deadline and after the compute end.
     */
    static void checkAgainstModel(
            Topology topology, BatchDecision d, Map<String, InferenceRequest> sent) {
        NodeSpec spec = topology.node(d.getDomainId(), d.getNodeId());
        EdgeNode node = spec.toEdgeNode(0, 1.0);
        Variant v =
                node.variants().stream()
                        .filter(x -> x.name().equals(d.getVariant()))
                        .findFirst()
                        .orElseThrow();
        int b = d.getRequests().size();
        int s = 0;
        int n = 0;
        double downlink = 0;
        for (DecidedRequest x : d.getRequests()) {
            assertTrue(v.pplIncrease() <= x.getMaxPplIncrease(), "C1 " + x.getRequestId());
            s = Math.max(s, x.getPromptTokens());
            n = Math.max(n, x.getMaxOutputTokens());
            assertTrue(
                    x.getPredictedFinishMs() <= x.getDeadlineMs() + 1e-6,
                    "deadline met by prediction");
            assertTrue(x.getPredictedFinishMs() >= d.getComputeEndMs() - 1e-6);
            downlink += x.getDownlinkShareHz();
            assertEquals(sent.get(x.getRequestId()).getPromptTokens(), x.getPromptTokens());
        }
        Instance inst =
                new Instance(
                        0,
                        topology.objective,
                        topology.computeModel,
                        topology.bitsPerToken,
                        topology.model(),
                        List.of(node),
                        List.of());
        Feasibility f = new Feasibility(inst, node, v);
        assertTrue(f.memoryFits(b, s, n), "C2 memory of " + d.getDecisionId());
        double compute = f.computeMs(b, s, n);
        assertEquals(
                compute,
                d.getComputeEndMs() - d.getComputeStartMs(),
                1e-6 * compute,
                "compute time of the padded batch");
        assertTrue(downlink <= spec.downlinkHz * (1 + 1e-9), "C4 band");
        assertTrue(
                d.getComputeStartMs() >= d.getSlotEnd().toEpochMilli(),
                "planned after the slot closed");
        assertTrue(d.getCertifiedRatio() > 0 && d.getCertifiedRatio() <= 1 + 1e-9);
    }

    static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    }
}
