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
import org.edgellm.events.SlotReport;
import org.edgellm.job.io.KafkaIo;
import org.edgellm.job.testing.EmbeddedKafkaExtension;
import org.edgellm.job.testing.MiniClusters;
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

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @Test
    void decisionsOfTwoDomainsAreFeasibleAndEveryRequestEndsOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Path topo = dir.resolve("topology.yaml");
        Files.writeString(topo, TestTopologies.twoDomains());
        Topology topology = Topology.load(topo);
        String[] args = {
            "--bootstrap-servers",
            KAFKA.broker().bootstrapServers(),
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
            // a source whose reader starts late must not be taken for idle while the others run
            // the watermark past all its data (with 500 ms, a slow start once left every slot
            // without channels and heartbeats)
            "--idleness-ms",
            "3000",
            "--budget-micros",
            "20000",
            "--parallelism",
            "2"
        };
        JobConfig config = JobConfig.parse(args);
        KAFKA.broker()
                .createTopics(2, config.requestsTopic, config.channelsTopic, config.decisionsTopic);
        KAFKA.broker()
                .createTopics(
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
        KAFKA.broker().send(config.channelsTopic, channels);
        KAFKA.broker().send(config.telemetryTopic, telemetry);
        KAFKA.broker().send(config.requestsTopic, requests);

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
                        KAFKA.broker()
                                .readUntil(
                                        config.decisionsTopic,
                                        true,
                                        Duration.ofSeconds(3),
                                        l -> false)) {
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
                        KAFKA.broker()
                                .readUntil(
                                        config.rejectionsTopic,
                                        true,
                                        Duration.ofSeconds(1),
                                        l -> false)) {
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
                checkAgainstModel(topology, config, d, sent, se);
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
            checkAgainstSlotReports(config, decisions);
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
                    KAFKA.broker()
                            .readUntil(
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
                    KAFKA.broker()
                            .readUntil(
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
     * The slot reports of the decided slots (read_committed): the unclamped objective is the number
     * of requests the slot's decisions serve (all weights are 1) and at most the proven upper
     * bound; each decision's certified ratio is objective / bound, clamped at 1.
     */
    static void checkAgainstSlotReports(JobConfig config, List<BatchDecision> decisions) {
        Map<String, Integer> served = new HashMap<>();
        for (BatchDecision d : decisions) {
            served.merge(
                    d.getDomainId() + "/" + d.getSlotEnd().toEpochMilli(),
                    d.getRequests().size(),
                    Integer::sum);
        }
        Map<String, SlotReport> reports = new HashMap<>();
        KAFKA.broker()
                .readUntil(
                        config.reportsTopic,
                        true,
                        Duration.ofSeconds(20),
                        l -> {
                            reports.clear();
                            for (ConsumerRecord<byte[], byte[]> r : l) {
                                try {
                                    SlotReport x =
                                            SlotReport.fromByteBuffer(
                                                    java.nio.ByteBuffer.wrap(r.value()));
                                    reports.put(
                                            x.getDomainId() + "/" + x.getSlotEnd().toEpochMilli(),
                                            x);
                                } catch (java.io.IOException e) {
                                    throw new AssertionError(e);
                                }
                            }
                            return reports.keySet().containsAll(served.keySet());
                        });
        for (BatchDecision d : decisions) {
            String slot = d.getDomainId() + "/" + d.getSlotEnd().toEpochMilli();
            SlotReport r = reports.get(slot);
            assertTrue(r != null, "a report for " + slot);
            assertEquals(served.get(slot), r.getObjective(), 1e-9, slot + " objective");
            assertEquals(served.get(slot), r.getAssigned(), slot + " assigned");
            assertTrue(
                    r.getObjective() <= r.getUpperBound() * (1 + 1e-9),
                    slot + ": objective " + r.getObjective() + " > bound " + r.getUpperBound());
            double ratio =
                    r.getUpperBound() <= 0 ? 1 : Math.min(1, r.getObjective() / r.getUpperBound());
            assertEquals(ratio, d.getCertifiedRatio(), 1e-9, slot + " certified ratio");
        }
    }

    /**
     * The decision recomputed from its own fields, the topology and the channel measurements the
     * test sent, following the spec (shared/spec/scheduling-model.md) rather than the scheduler's
     * code. The uplink time and shares imply each user's uplink spectral efficiency; it must be
     * that of a measurement the test sent for that user and node before the slot closed and fresh
     * then (C5), whose downlink efficiency (uplink + 1) is then the one used. With those: C1
     * against the request's service class, C2 memory, the uplink time and shares, the compute time
     * of the padded batch summed step by step (at the slowdown the decision assumed), the compute
     * start after t0 plus the uplink, C3 every deadline after the compute end, C4 the downlink band
     * needed by the deadlines within the node's band, and every share and predicted finish.
     */
    static void checkAgainstModel(
            Topology topology,
            JobConfig config,
            BatchDecision d,
            Map<String, InferenceRequest> sent,
            Map<String, Double> se) {
        String where = d.getDecisionId();
        NodeSpec spec = topology.node(d.getDomainId(), d.getNodeId());
        NodeSpec.VariantSpec v = null;
        for (NodeSpec.VariantSpec x : spec.variants) {
            if (x.name.equals(d.getVariant())) {
                v = x;
            }
        }
        assertTrue(v != null, where + ": variant " + d.getVariant() + " resident");
        double beta = topology.bitsPerToken;
        long slotEnd = d.getSlotEnd().toEpochMilli();
        double end = d.getComputeEndMs();
        double uplinkSeconds = d.getUplinkMs() / 1000;
        int b = d.getRequests().size();
        int s = 0;
        int n = 0;
        double[] up = new double[b];
        double[] down = new double[b];
        double upLoad = 0;
        double downNeed = 0;
        for (int k = 0; k < b; k++) {
            DecidedRequest x = d.getRequests().get(k);
            InferenceRequest r = sent.get(x.getRequestId());
            String at = where + " " + x.getRequestId();
            assertEquals(r.getPromptTokens(), x.getPromptTokens(), at);
            assertEquals(r.getMaxOutputTokens(), x.getMaxOutputTokens(), at);
            assertEquals(r.getUserId(), x.getUserId(), at);
            double deadline = r.getArrivalTime().toEpochMilli() + r.getLatencyBudgetMs();
            assertEquals(deadline, x.getDeadlineMs(), 1e-6, at + " deadline");
            double tolerance = "strict".equals(r.getServiceClass()) ? 0.01 : 0.5;
            assertEquals(tolerance, x.getMaxPplIncrease(), at + " tolerance of its class");
            assertTrue(v.pplIncrease <= tolerance, at + " C1");
            s = Math.max(s, x.getPromptTokens());
            n = Math.max(n, x.getMaxOutputTokens());
            // the efficiencies the decision implies, then the measurement they come from
            double uplinkBits = beta * x.getPromptTokens();
            double downlinkBits = beta * x.getMaxOutputTokens();
            double impliedUp = uplinkBits / (x.getUplinkShareHz() * uplinkSeconds);
            Double measured = null;
            for (long t = slotEnd - config.maxChannelAgeMs; t < slotEnd; t++) {
                Double m = se.get(x.getUserId() + "/" + d.getNodeId() + "/" + t);
                if (m != null && Math.abs(m - impliedUp) <= 1e-9 * m) {
                    measured = m;
                }
            }
            assertTrue(
                    measured != null,
                    at + ": C5, no fresh measurement sent with uplink efficiency " + impliedUp);
            up[k] = measured;
            down[k] = measured + 1; // every measurement sent has downlink = uplink + 1
            upLoad += uplinkBits / up[k];
            double left = deadline - end;
            assertTrue(left > 0, at + " C3: deadline " + deadline + " before the end " + end);
            downNeed += downlinkBits / (left / 1000 * down[k]);
        }
        // uplink: the FDMA split that makes every prompt arrive together
        assertEquals(upLoad / spec.uplinkHz * 1000, d.getUplinkMs(), 1e-9 * d.getUplinkMs());
        // C4: the band the deadlines need, then every share and predicted finish
        assertTrue(
                downNeed <= spec.downlinkHz * (1 + 1e-9),
                where + " C4: needs " + downNeed + " Hz of " + spec.downlinkHz);
        for (int k = 0; k < b; k++) {
            DecidedRequest x = d.getRequests().get(k);
            String at = where + " " + x.getRequestId();
            double uplinkBits = beta * x.getPromptTokens();
            double downlinkBits = beta * x.getMaxOutputTokens();
            assertEquals(
                    spec.uplinkHz * (uplinkBits / up[k]) / upLoad,
                    x.getUplinkShareHz(),
                    1e-9 * spec.uplinkHz,
                    at + " uplink share");
            double need = downlinkBits / ((x.getDeadlineMs() - end) / 1000 * down[k]);
            double share = need * spec.downlinkHz / downNeed;
            assertEquals(share, x.getDownlinkShareHz(), 1e-6 * share, at + " downlink share");
            // the answer's transfer lasts well under a millisecond: absolute tolerance, since
            // epoch milliseconds carry about 2e-4 ms of rounding
            double transfer = downlinkBits / (share * down[k]) * 1000;
            assertEquals(
                    transfer,
                    x.getPredictedFinishMs() - end,
                    1e-6 * transfer + 1e-3,
                    at + " finish");
            assertTrue(x.getPredictedFinishMs() <= x.getDeadlineMs() + 1e-6, at + " on time");
        }
        // C2: every resident variant's weights, the reserve and the padded KV cache
        double l = topology.layers;
        double h = topology.hidden;
        double weights = 0;
        for (NodeSpec.VariantSpec x : spec.variants) {
            weights += (12 * l * h * h + topology.vocab * h) * x.weightBits / 8;
        }
        double kv = v.kvBits / 8.0;
        assertTrue(
                weights + spec.reserveBytes + b * 2 * l * h * (s + n) * kv <= spec.memoryBytes,
                where + " C2 memory");
        // compute: prefill, then one decode step per output token (roofline), slowed down
        double slow = d.getAssumedSlowdown();
        double flops =
                spec.efficiency
                        / slow
                        * (v.activationBits == 16
                                ? spec.peakFlops16
                                : v.activationBits == 8 ? spec.peakFlops8 : spec.peakFlops4);
        double bandwidth = spec.memoryBandwidth / slow;
        double w = (12 * l * h * h + topology.vocab * h) * v.weightBits / 8;
        double seconds =
                Math.max(
                        l * (24.0 * b * s * h * h + 4.0 * b * s * (double) s * h) / flops,
                        (w + 2 * l * h * b * s * kv) / bandwidth);
        for (int t = 1; t <= n; t++) {
            double c = s + t;
            seconds +=
                    Math.max(
                            l * (24.0 * b * h * h + 4.0 * b * h * c) / flops,
                            (w + 2 * l * h * b * c * kv) / bandwidth);
        }
        assertEquals(
                seconds * 1000,
                end - d.getComputeStartMs(),
                1e-6 * seconds * 1000 + 1e-3,
                where + " compute time of the padded batch");
        double t0 = slotEnd + config.outOfOrdernessMs + config.commitDelay();
        assertTrue(
                d.getComputeStartMs() >= t0 + d.getUplinkMs() - 1e-6,
                where + ": starts before t0 + uplink");
    }

    static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    }
}
