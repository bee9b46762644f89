package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.edgellm.events.ChannelState;
import org.edgellm.events.EventCodec;
import org.edgellm.events.InferenceRequest;
import org.edgellm.job.JobConfig;
import org.edgellm.job.SchedulerJob;
import org.edgellm.job.SchedulerPipeline;
import org.edgellm.job.Topology;
import org.edgellm.job.io.KafkaIo;
import org.edgellm.job.testing.EmbeddedKafka;
import org.edgellm.job.testing.EmbeddedKafkaExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Grafana dashboard (deploy/grafana/edgellm-dashboard.json) against the real exporters: every
 * metric its PromQL queries select is one that the job exports through Flink's Prometheus reporter
 * (the live pipeline on a MiniCluster configured as deploy/local configures the cluster, scraped
 * over HTTP while it runs) or that a worker's {@link WorkerMetrics} serves. Also checks that the
 * job's own metrics count what happened: requests received, dead letters, INVALID rejections, a
 * late event, solved slots, the decision latency and the per-domain series.
 */
class DashboardMetricsITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    static final Path DASHBOARD = Path.of("../deploy/grafana/edgellm-dashboard.json");
    static final Path ALERTS = Path.of("../deploy/prometheus/alerts.yml");
    static final String OP = "flink_taskmanager_job_task_operator_";

    static final int PROM_PORT = WorkerMetricsTest.freePort();

    static PrometheusText job;
    static double lateBefore;
    static PrometheusText worker;

    /** Flink's Prometheus reporter, as deploy/local/start.sh configures it. */
    static Configuration reporter(int port) {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, 2);
        c.set(
                ConfigOptions.key("metrics.reporter.prom.factory.class")
                        .stringType()
                        .noDefaultValue(),
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        c.set(
                ConfigOptions.key("metrics.reporter.prom.port").stringType().noDefaultValue(),
                String.valueOf(port));
        return c;
    }

    /**
     * The sum over the series of a metric in a scrape (0 when there is none; -1 without scrape).
     */
    static double sum(PrometheusText t, String name) {
        if (t == null) {
            return -1;
        }
        return t.samples(name).stream().mapToDouble(PrometheusText.Sample::value).sum();
    }

    static double sum(PrometheusText t, String name, Predicate<Map<String, String>> labels) {
        if (t == null) {
            return -1;
        }
        return t.samples(name).stream()
                .filter(s -> labels.test(s.labels()))
                .mapToDouble(PrometheusText.Sample::value)
                .sum();
    }

    /** Flink's own count of the records an operator took in. */
    static double recordsIn(PrometheusText t, String operator) {
        return sum(t, OP + "numRecordsIn", l -> operator.equals(l.get("operator_name")));
    }

    static ProducerRecord<byte[], byte[]> channel(String topic, String node, long t) {
        ChannelState c =
                ChannelState.newBuilder()
                        .setUserId("u1")
                        .setDomainId("domain-1")
                        .setNodeId(node)
                        .setMeasuredAt(Instant.ofEpochMilli(t))
                        .setUplinkSpectralEfficiency(5.0)
                        .setDownlinkSpectralEfficiency(5.0)
                        .build();
        return new ProducerRecord<>(
                topic, null, t, "u1".getBytes(StandardCharsets.UTF_8), EventCodec.encode(c));
    }

    static ProducerRecord<byte[], byte[]> request(String topic, String id, long t, int prompt) {
        InferenceRequest r =
                InferenceRequest.newBuilder()
                        .setRequestId(id)
                        .setUserId("u1")
                        .setDomainId("domain-1")
                        .setArrivalTime(Instant.ofEpochMilli(t))
                        .setPromptTokens(prompt)
                        .setMaxOutputTokens(50)
                        .setWeight(1.0)
                        .build();
        return new ProducerRecord<>(
                topic, null, t, id.getBytes(StandardCharsets.UTF_8), EventCodec.encode(r));
    }

    /**
     * Runs the live pipeline (Kafka sources and sinks) on the MiniCluster, sends it ten requests
     * over ten seconds of event time with their users' channels, one request with an invalid field,
     * one undecodable record and, once all of that is in and slots have closed, a request of the
     * first slot (late); scrapes the job's /metrics once all of it is counted, and a worker's.
     * Flink's reporter turns every character of a label value outside [a-zA-Z0-9:_] into '_'
     * (operator_name="validate_channels").
     */
    @BeforeAll
    static void scrape() throws Exception {
        EmbeddedKafka kafka = KAFKA.broker();
        kafka.createTopics(2, "req", "chan", "dec");
        kafka.createTopics(1, "tel", "rej", "rep", "dlq");
        JobConfig config =
                JobConfig.parse(
                        new String[] {
                            "--bootstrap-servers", kafka.bootstrapServers(),
                            "--requests-topic", "req",
                            "--channels-topic", "chan",
                            "--telemetry-topic", "tel",
                            "--decisions-topic", "dec",
                            "--rejections-topic", "rej",
                            "--reports-topic", "rep",
                            "--dead-letter-topic", "dlq",
                            "--delivery", "at-least-once",
                            "--checkpoint-ms", "0",
                            "--slot-ms", "200",
                            "--out-of-orderness-ms", "100",
                            "--idleness-ms", "500",
                            "--offer-unheard-nodes", "true",
                            "--starting-offsets", "earliest",
                            "--parallelism", "1"
                        });
        config.live = true; // as SchedulerJob.run sets it: decision latency is recorded
        // a MiniCluster of its own, with the reporter (one TaskManager, two slots)
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(reporter(PROM_PORT));
        SchedulerJob.configure(env, config);
        Topology topology = Topology.defaults();
        SchedulerPipeline.build(
                env, KafkaIo.sources(config, topology), KafkaIo.sinks(config), config, topology);
        JobClient client = env.executeAsync("dashboard-metrics");
        try {
            long t0 = (System.currentTimeMillis() - 30_000) / 1000 * 1000;
            List<ProducerRecord<byte[], byte[]>> in = new ArrayList<>();
            for (int s = 0; s < 10; s++) {
                for (String n : List.of("edge-a", "edge-b", "edge-c")) {
                    in.add(channel("chan", n, t0 + s * 1000L));
                }
                in.add(request("req", "r" + s, t0 + s * 1000L + 10, 100));
            }
            in.add(request("req", "bad", t0 + 5000, 0)); // promptTokens 0: INVALID
            in.add(
                    new ProducerRecord<>(
                            "req",
                            null,
                            t0 + 5000,
                            null,
                            "not a request".getBytes(StandardCharsets.UTF_8)));
            in.add(channel("chan", "edge-a", t0 + 15_000)); // moves the watermark on
            kafka.send("req", in.stream().filter(r -> r.topic().equals("req")).toList());
            kafka.send("chan", in.stream().filter(r -> r.topic().equals("chan")).toList());
            PrometheusText[] last = new PrometheusText[1];
            try {
                Poll.until(
                        "the job's /metrics counts the input and has solved a slot",
                        Duration.ofSeconds(120),
                        () -> {
                            PrometheusText t = scrapeJob();
                            last[0] = t;
                            return t != null
                                    && sum(t, OP + "requestsReceived") == 11
                                    && recordsIn(t, "slot_coordinator") == 41
                                    && sum(t, OP + "deadLetters") == 1
                                    && sum(t, OP + "slotsSolved") >= 1
                                    && sum(t, OP + "assigned") >= 1;
                        });
            } catch (AssertionError e) {
                throw new AssertionError(
                        e.getMessage()
                                + "; the scheduler's series: "
                                + (last[0] == null
                                        ? "no scrape"
                                        : last[0].samples.stream()
                                                .filter(
                                                        x ->
                                                                x.name().startsWith(OP)
                                                                        && !x.name()
                                                                                .contains("Kafka"))
                                                .toList()));
            }
            // every valid input reached the coordinator (the 30 + 1 channels too: any late
            // ones among them, if a source started reading after the other had moved the
            // watermark on, are counted by now); one more request of the first slot, which
            // has closed, is late
            double late = sum(scrapeJob(), OP + "lateEvents");
            kafka.send("req", List.of(request("req", "late", t0 + 1, 100)));
            Poll.until(
                    "the late request is counted",
                    Duration.ofSeconds(60),
                    () -> {
                        PrometheusText t = scrapeJob();
                        return recordsIn(t, "slot_coordinator") == 42
                                && sum(t, OP + "lateEvents") == late + 1;
                    });
            lateBefore = late;
            job = scrapeJob();
        } finally {
            client.cancel().get();
        }
        int port = WorkerMetricsTest.freePort();
        try (WorkerMetrics m = new WorkerMetrics("edge-a")) {
            m.serve("127.0.0.1", port);
            worker = PrometheusText.scrape(port);
        }
    }

    /** The job's scrape, or null while the reporter does not answer yet. */
    static PrometheusText scrapeJob() {
        try {
            return PrometheusText.scrape(PROM_PORT);
        } catch (Exception | AssertionError e) {
            return null;
        }
    }

    static Set<String> names(PrometheusText t) {
        Set<String> out = new TreeSet<>();
        t.samples.forEach(s -> out.add(s.name()));
        return out;
    }

    @Test
    void everyMetricOfTheDashboardIsExported() throws Exception {
        Set<String> exported = new TreeSet<>(names(job));
        exported.addAll(names(worker));
        var exprs = DashboardQueries.expressions(DASHBOARD);
        assertTrue(exprs.size() >= 10, "panels with queries: " + exprs.keySet());
        List<String> missing = DashboardQueries.missing(exprs, exported);
        assertEquals(
                List.of(), missing, "dashboard metrics that neither the job nor a worker export");
    }

    /**
     * Every metric an alerting rule of deploy/prometheus/alerts.yml selects is exported by the job
     * or a worker; {@code up} is Prometheus' own series of its scrape targets.
     */
    @Test
    void everyMetricOfTheAlertsIsExported() throws Exception {
        Set<String> exported = new TreeSet<>(names(job));
        exported.addAll(names(worker));
        exported.add("up");
        var exprs = DashboardQueries.alertExpressions(ALERTS);
        assertTrue(exprs.size() >= 8, "alerts: " + exprs.keySet());
        assertEquals(
                List.of(),
                DashboardQueries.missing(exprs, exported),
                "alert metrics that neither the job nor a worker export");
    }

    @Test
    void theJobCountsWhatHappened() {
        System.out.println("per-domain series: " + job.samples(OP + "domain_pending"));
        assertEquals(12, sum(job, OP + "requestsReceived"));
        assertEquals(1, sum(job, OP + "deadLetters"));
        assertEquals(1, sum(job, OP + "reason_rejected", l -> "INVALID".equals(l.get("reason"))));
        assertEquals(lateBefore + 1, sum(job, OP + "lateEvents"));
        assertTrue(sum(job, OP + "decisionLatencyMs_count") >= 1);
        double solved = sum(job, OP + "slotsSolved");
        assertTrue(solved >= 1 && sum(job, OP + "slotsProvenOptimal") <= solved);
        assertTrue(
                job.samples(OP + "domain_pending").stream()
                        .anyMatch(s -> s.labels().getOrDefault("domain", "").startsWith("domain")),
                "a per-domain series: " + job.samples(OP + "domain_pending"));
    }
}
