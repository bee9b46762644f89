package org.edgellm.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.ChannelState;
import org.edgellm.events.EventCodec;
import org.edgellm.events.InferenceRequest;
import org.edgellm.events.NodeTelemetry;
import org.edgellm.events.Rejection;
import org.edgellm.job.InputEvent;
import org.edgellm.job.JobConfig;
import org.edgellm.job.SchedulerJob;
import org.edgellm.job.SchedulerPipeline;
import org.edgellm.job.Topology;
import org.edgellm.job.io.KafkaIo;
import org.edgellm.job.testing.EmbeddedKafka;

/**
 * The job end to end with Kafka in the loop (a benchmark, not a test), all in one JVM:
 *
 * <ul>
 *   <li>a real broker (Kafka's own KRaft test kit, {@link EmbeddedKafka});
 *   <li>a load generator with its own Kafka producer, writing Avro single-object-encoded requests,
 *       a channel state before each request, and node heartbeats, paced to a rate over D domains;
 *   <li>the live job ({@link SchedulerJob#liveDefaults}, {@link KafkaIo} sources and sinks, {@link
 *       SchedulerPipeline}) on a Flink MiniCluster; its sources count what they emit;
 *   <li>a reader of the decision topic with {@code read_committed}. The latency of a decision is
 *       the wall-clock moment the reader sees it minus the moment its slot could close (slot end
 *       plus the out-of-orderness). The heartbeats act as workers that run each batch exactly as
 *       the decision predicted (finished through the slots whose compute end has passed).
 * </ul>
 *
 * CPU by stage comes from a JFR recording made in the measured window ({@code jdk.ExecutionSample}
 * every 10 ms), each sample's stack mapped to a stage by the classes on it; GC pauses from the same
 * recording ({@code jdk.GarbageCollection}).
 */
public final class KafkaJobBenchmark {

    private KafkaJobBenchmark() {}

    /** Request sizes: well within the nodes' capacity, or about twice what they can serve. */
    public enum Shape {
        SERVABLE,
        OVERLOAD
    }

    /** The flags of {@code bench.jar job}. */
    public record Settings(
            int rate,
            int domains,
            int seconds,
            int warmupSeconds,
            boolean exactlyOnce,
            int parallelism,
            Shape shape,
            long checkpointMs,
            int nodesPerDomain,
            int partitions,
            String stateBackend,
            List<String> jobOptions,
            Path markdown,
            String command) {}

    static final long SLOT_MS = 100;
    static final long OOO_MS = 20;

    // counted where the job's sources emit (the MiniCluster runs in this JVM)
    static final AtomicLong SOURCE_REQUESTS = new AtomicLong();
    static final AtomicLong SOURCE_CHANNELS = new AtomicLong();
    static final AtomicLong SOURCE_TELEMETRY = new AtomicLong();
    static final AtomicLong SOURCE_INVALID = new AtomicLong();
    static final AtomicLong SOURCES_OPENED = new AtomicLong();

    /** Counts what a source's deserializer emits, by kind, then passes it on. */
    static final class Counting implements KafkaRecordDeserializationSchema<InputEvent> {
        private static final long serialVersionUID = 1L;
        private final KafkaRecordDeserializationSchema<InputEvent> inner;

        Counting(KafkaRecordDeserializationSchema<InputEvent> inner) {
            this.inner = inner;
        }

        @Override
        public void open(
                org.apache.flink.api.common.serialization.DeserializationSchema
                                .InitializationContext
                        context)
                throws Exception {
            inner.open(context);
            SOURCES_OPENED.incrementAndGet();
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<InputEvent> out)
                throws IOException {
            inner.deserialize(
                    record,
                    new Collector<>() {
                        @Override
                        public void collect(InputEvent e) {
                            switch (e.kind) {
                                case InputEvent.REQUEST -> SOURCE_REQUESTS.incrementAndGet();
                                case InputEvent.CHANNEL -> SOURCE_CHANNELS.incrementAndGet();
                                case InputEvent.TELEMETRY -> SOURCE_TELEMETRY.incrementAndGet();
                                default -> SOURCE_INVALID.incrementAndGet();
                            }
                            out.collect(e);
                        }

                        @Override
                        public void close() {}
                    });
        }

        @Override
        public TypeInformation<InputEvent> getProducedType() {
            return inner.getProducedType();
        }
    }

    /** Runs one measurement; prints progress and, last, one JSON line; returns the figures. */
    public static Map<String, Object> run(Settings s, PrintStream out) throws Exception {
        for (AtomicLong c :
                List.of(
                        SOURCE_REQUESTS,
                        SOURCE_CHANNELS,
                        SOURCE_TELEMETRY,
                        SOURCE_INVALID,
                        SOURCES_OPENED)) {
            c.set(0);
        }
        double loadBefore = loadAverage();
        Path topoFile = Files.createTempFile("bench-topology", ".yaml");
        Files.writeString(topoFile, topology(s.domains(), s.nodesPerDomain()));
        String run = "r" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        Map<String, Object> res = new LinkedHashMap<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    "--topology",
                                    topoFile.toString(),
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--requests-topic",
                                    "requests-" + run,
                                    "--channels-topic",
                                    "channels-" + run,
                                    "--telemetry-topic",
                                    "telemetry-" + run,
                                    "--decisions-topic",
                                    "decisions-" + run,
                                    "--rejections-topic",
                                    "rejections-" + run,
                                    "--reports-topic",
                                    "reports-" + run,
                                    "--dead-letter-topic",
                                    "dead-letters-" + run,
                                    "--group-id",
                                    "job-" + run,
                                    "--starting-offsets",
                                    "earliest",
                                    "--delivery",
                                    s.exactlyOnce() ? "exactly-once" : "at-least-once",
                                    "--transactional-id-prefix",
                                    "tx-" + run,
                                    "--checkpoint-ms",
                                    Long.toString(s.checkpointMs()),
                                    "--slot-ms",
                                    Long.toString(SLOT_MS),
                                    "--out-of-orderness-ms",
                                    Long.toString(OOO_MS),
                                    "--watermark-interval-ms",
                                    "10",
                                    "--offer-unheard-nodes",
                                    "true",
                                    "--parallelism",
                                    Integer.toString(s.parallelism())));
            args.addAll(s.jobOptions());
            JobConfig config = JobConfig.parse(args.toArray(String[]::new));
            SchedulerJob.liveDefaults(config);
            kafka.createTopics(
                    s.partitions(),
                    config.requestsTopic,
                    config.channelsTopic,
                    config.telemetryTopic,
                    config.decisionsTopic,
                    config.rejectionsTopic,
                    config.reportsTopic,
                    config.deadLetterTopic);
            Topology topology = Topology.load(topoFile);

            Configuration conf = new Configuration();
            BenchMetrics.GAUGES.clear();
            conf.setString("metrics.reporter.bench.factory.class", BenchMetrics.class.getName());
            // checkpoints go to files, as in a deployment (deploy/local/start.sh): without a
            // directory Flink keeps them in the JobManager's memory, which refuses a snapshot over
            // 5 MB; with no failed checkpoint tolerated, the job then failed over and replayed from
            // its last checkpoint, again and again, once a backlog had grown its state that far
            Path cp = Files.createTempDirectory("bench-checkpoints");
            conf.setString("execution.checkpointing.dir", cp.toUri().toString());
            if ("rocksdb".equals(s.stateBackend())) {
                conf.setString("state.backend.type", "rocksdb");
                conf.setString("execution.checkpointing.incremental", "true");
            }
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            SchedulerJob.configure(env, config);
            SchedulerPipeline.build(
                    env,
                    KafkaIo.sources(config, topology, Counting::new),
                    KafkaIo.sinks(config),
                    config,
                    topology);

            Workers workers = new Workers();
            AtomicBoolean stop = new AtomicBoolean();
            Reader reader = new Reader(kafka, config, workers, stop);
            Load load = new Load(kafka, config, s, workers, stop);
            reader.start();
            reader.awaitAssigned();
            JobClient job = env.executeAsync("bench-job-" + run);
            // no load before every source reader of the job is open: the MiniCluster's start-up
            // (tens of seconds on a busy machine) would otherwise leave a backlog of heartbeats
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (SOURCES_OPENED.get() < 3L * s.parallelism() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            load.start();
            // requests once the job has read a heartbeat
            while (SOURCE_TELEMETRY.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (SOURCE_TELEMETRY.get() == 0) {
                throw new IllegalStateException("the job read no heartbeat within 300 s");
            }
            load.requestsFrom = System.nanoTime();

            long warmEnd = System.currentTimeMillis() + s.warmupSeconds() * 1000L;
            Thread.sleep(Math.max(0, warmEnd - System.currentTimeMillis()));
            // the measured window: decisions of slots that end in it; inputs counted at the sources
            OperatingSystemMXBean os =
                    (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            Recording jfr = new Recording();
            jfr.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            jfr.enable("jdk.GarbageCollection");
            jfr.start();
            ThreadCpu threadCpu = new ThreadCpu();
            long cpu0 = os.getProcessCpuTime();
            long r0 = SOURCE_REQUESTS.get();
            long c0 = SOURCE_CHANNELS.get();
            long h0 = SOURCE_TELEMETRY.get();
            long p0 = load.requests.get();
            double cp0 = BenchMetrics.value("numberOfCompletedCheckpoints");
            long t0 = System.nanoTime();
            long from = System.currentTimeMillis();
            reader.window(from, from + s.seconds() * 1000L);
            Thread.sleep(s.seconds() * 1000L);
            double secs = (System.nanoTime() - t0) / 1e9;
            long r1 = SOURCE_REQUESTS.get();
            long c1 = SOURCE_CHANNELS.get();
            long h1 = SOURCE_TELEMETRY.get();
            long p1 = load.requests.get();
            double cp1 = BenchMetrics.value("numberOfCompletedCheckpoints");
            double cpDuration = BenchMetrics.value("lastCheckpointDuration");
            double cpSize = BenchMetrics.value("lastCheckpointSize");
            double cpFull = BenchMetrics.value("lastCheckpointFullSize");
            double cpFailed = BenchMetrics.value("numberOfFailedCheckpoints");
            long cpu1 = os.getProcessCpuTime();
            Map<String, Double> coresByThreads =
                    threadCpu.coresSince((System.nanoTime() - t0) / 1e9, cpu1 - cpu0);
            jfr.stop();
            Path jfrFile = Files.createTempFile("bench-job", ".jfr");
            jfr.dump(jfrFile);
            jfr.close();
            // decisions of the window's last slots: wait for them (bounded)
            Thread.sleep(Math.max(3000, 3 * s.checkpointMs()));
            stop.set(true);
            load.join();
            job.cancel().get();
            reader.join();

            double reqRate = (r1 - r0) / secs;
            res.put("delivery", s.exactlyOnce() ? "exactly-once" : "at-least-once");
            res.put("shape", s.shape().name().toLowerCase(Locale.ROOT));
            res.put("domains", s.domains());
            res.put("nodesPerDomain", s.nodesPerDomain());
            res.put("parallelism", s.parallelism());
            res.put("partitions", s.partitions());
            res.put("checkpointMs", s.checkpointMs());
            res.put("stateBackend", s.stateBackend());
            res.put("jobOptions", String.join(" ", s.jobOptions()));
            res.put("seconds", s.seconds());
            res.put("targetRequestEventsPerSecond", s.rate());
            res.put("producedRequestEventsPerSecond", round((p1 - p0) / secs));
            res.put("achievedRequestEventsPerSecond", round(reqRate));
            res.put("achievedChannelEventsPerSecond", round((c1 - c0) / secs));
            res.put("achievedHeartbeatsPerSecond", round((h1 - h0) / secs));
            res.put("invalidInputs", SOURCE_INVALID.get());
            res.put("decisionsPerSecond", round(reader.decisions / secs));
            res.put("decidedRequestsPerSecond", round(reader.decidedRequests / secs));
            res.put("rejectionsPerSecond", round(reader.rejections / secs));
            res.put("rejectionsByReason", new TreeMap<>(reader.reasons));
            long[] lat = reader.latencies();
            res.put("latencySamples", lat.length);
            res.put("p50Ms", pct(lat, 0.50));
            res.put("p99Ms", pct(lat, 0.99));
            res.put("p999Ms", pct(lat, 0.999));
            res.put("maxMs", lat.length == 0 ? Double.NaN : (double) lat[lat.length - 1]);
            double cpuSeconds = (cpu1 - cpu0) / 1e9;
            res.put("processCpuCores", round2(cpuSeconds / secs));
            Profile prof = Profile.read(jfrFile);
            Files.deleteIfExists(jfrFile);
            res.put("gcPauses", prof.gcCount);
            res.put("gcPauseTotalMs", round2(prof.gcPauseNanos / 1e6));
            res.put("gcPauseMaxMs", round2(prof.gcMaxNanos / 1e6));
            res.put("gc", prof.gcName);
            res.put("cpuSamples", prof.samples);
            Map<String, Object> share = new LinkedHashMap<>();
            Map<String, Object> perEvent = new LinkedHashMap<>();
            for (String stage : Profile.STAGES) {
                double f =
                        prof.samples == 0
                                ? 0
                                : prof.byStage.getOrDefault(stage, 0L) / (double) prof.samples;
                share.put(stage, round2(100 * f));
                perEvent.put(
                        stage,
                        r1 - r0 == 0 ? Double.NaN : round2(cpuSeconds * f * 1e6 / (r1 - r0)));
            }
            res.put("cpuPercentByStage", share);
            res.put("cpuMicrosPerRequestEventByStage", perEvent);
            // measured per thread, JIT and GC apart (the profile above spreads them)
            res.put("cpuCoresByThreads", coresByThreads);
            double inputEvents = (r1 - r0) + (c1 - c0) + (h1 - h0);
            Map<String, Object> perInput = new LinkedHashMap<>();
            coresByThreads.forEach(
                    (g, c) ->
                            perInput.put(
                                    g,
                                    inputEvents == 0
                                            ? Double.NaN
                                            : round2(c * secs * 1e6 / inputEvents)));
            res.put("cpuMicrosPerInputEventByThreads", perInput);
            res.put("checkpointsCompleted", cp1 - cp0);
            res.put("checkpointsFailed", cpFailed);
            res.put("lastCheckpointMs", cpDuration);
            res.put("lastCheckpointBytes", cpSize);
            res.put("lastCheckpointFullBytes", cpFull);
            res.put("loadAverageBefore", round2(loadBefore));
            res.put("loadAverageAfter", round2(loadAverage()));
            res.put("cpuPressureSomeAvg60AfterPercent", cpuPressure());
            res.put("availableProcessors", Runtime.getRuntime().availableProcessors());
            // e.g. -XX:TieredStopAtLevel=1, which decides much on 2 cores (docs/bench-job.md)
            res.put(
                    "jvmOptions",
                    String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        } finally {
            Files.deleteIfExists(topoFile);
        }
        if (s.markdown() != null) {
            Files.writeString(
                    s.markdown(),
                    markdown(res, s.command()),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
        out.println(json(res));
        return res;
    }

    /** D domains of N A100-40GB nodes each (the same spec as the paper's experiments). */
    static String topology(int domains, int nodesPerDomain) {
        StringBuilder sb = new StringBuilder();
        sb.append("model: {layers: 32, hidden: 4096, vocab: 32000}\n");
        sb.append(
                "serviceClasses:\n  - {name: standard, latencyBudgetMs: 15000, maxPplIncrease: 0.5}\n");
        sb.append("domains:\n");
        for (int d = 0; d < domains; d++) {
            sb.append("  - id: dom-").append(d).append("\n    nodes:\n");
            for (int k = 0; k < nodesPerDomain; k++) {
                sb.append("      - {id: dom-")
                        .append(d)
                        .append('-')
                        .append((char) ('a' + k))
                        .append(
                                ", memoryBytes: 40.0e9, reserveBytes: 2.0e9, memoryBandwidth: 1555.0e9,"
                                        + " peakFlops: {\"16\": 312.0e12, \"8\": 624.0e12, \"4\": 1248.0e12}, efficiency: 0.5,"
                                        + " uplinkHz: 20.0e6, downlinkHz: 40.0e6, variants: [{name: w4a16, weightBits: 4,"
                                        + " activationBits: 16, kvBits: 16, pplIncrease: 0.31}]}\n");
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- the simulated workers

    /** Per node, the batches the reader saw, so that heartbeats report progress as a worker. */
    static final class Workers {
        final Map<String, Node> nodes = new ConcurrentHashMap<>();

        static final class Node {
            final ArrayDeque<double[]> batches = new ArrayDeque<>(); // {computeEndMs, slotEnd}
            long finishedThrough = Long.MIN_VALUE;
            double busyUntil = Double.NEGATIVE_INFINITY;
        }

        void decided(BatchDecision d) {
            Node n = nodes.computeIfAbsent(d.getNodeId(), k -> new Node());
            synchronized (n) {
                n.batches.add(new double[] {d.getComputeEndMs(), d.getSlotEnd().toEpochMilli()});
                n.busyUntil = Math.max(n.busyUntil, d.getComputeEndMs());
            }
        }

        /** The heartbeat of a node at now, as a worker that runs every batch as predicted. */
        NodeTelemetry heartbeat(String domain, String node, long now) {
            NodeTelemetry.Builder b =
                    NodeTelemetry.newBuilder()
                            .setNodeId(node)
                            .setDomainId(domain)
                            .setTime(Instant.ofEpochMilli(now))
                            .setHealthy(true);
            Node n = nodes.get(node);
            if (n != null) {
                synchronized (n) {
                    while (!n.batches.isEmpty() && n.batches.peek()[0] <= now) {
                        n.finishedThrough = Math.max(n.finishedThrough, (long) n.batches.poll()[1]);
                    }
                    if (n.finishedThrough != Long.MIN_VALUE) {
                        b.setFinishedThrough(Instant.ofEpochMilli(n.finishedThrough));
                    }
                    if (n.busyUntil > now) {
                        b.setBusyUntil(Instant.ofEpochMilli((long) Math.ceil(n.busyUntil)));
                    }
                }
            }
            return b.build();
        }
    }

    // ---------------------------------------------------------------- the load generator

    /** Paced requests (each after a channel state of its user) and heartbeats of every node. */
    static final class Load extends Thread {
        final AtomicLong requests = new AtomicLong();

        /** When requests start (System.nanoTime()); until then heartbeats only. */
        volatile long requestsFrom = Long.MAX_VALUE;

        private final KafkaProducer<byte[], byte[]> producer;
        private final JobConfig config;
        private final Settings s;
        private final Workers workers;
        private final AtomicBoolean stop;

        Load(
                EmbeddedKafka kafka,
                JobConfig config,
                Settings s,
                Workers workers,
                AtomicBoolean stop) {
            super("bench-load");
            setDaemon(true);
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            p.put("client.id", "bench-load");
            p.put("key.serializer", ByteArraySerializer.class.getName());
            p.put("value.serializer", ByteArraySerializer.class.getName());
            p.put("linger.ms", "5");
            p.put("batch.size", Integer.toString(256 * 1024));
            p.put("buffer.memory", Long.toString(64L << 20));
            p.put("acks", "1");
            this.producer = new KafkaProducer<>(p);
            this.config = config;
            this.s = s;
            this.workers = workers;
            this.stop = stop;
        }

        @Override
        public void run() {
            int domains = s.domains();
            int nodes = s.nodesPerDomain();
            Thread beats = new Thread(this::beat, "bench-load-heartbeats");
            beats.setDaemon(true);
            beats.start();
            long pairs = 0;
            try {
                while (!stop.get()) {
                    long nanos = System.nanoTime();
                    long from = requestsFrom;
                    long duePairs = nanos < from ? 0 : (long) ((nanos - from) / 1e9 * s.rate());
                    long now = System.currentTimeMillis();
                    // at most 10 ms of events per round, restamped each round: a generator that
                    // falls behind stays behind (its produced rate says so) but sends current times
                    long limit = Math.min(duePairs, pairs + Math.max(1, s.rate() / 100));
                    for (; pairs < limit && !stop.get(); pairs++) {
                        sendPair(pairs, domains, nodes, now);
                        requests.incrementAndGet();
                    }
                    if (pairs >= duePairs) {
                        Thread.sleep(1);
                    }
                }
                beats.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                producer.close(Duration.ofSeconds(5));
            }
        }

        /** Every node beats every 500 ms (100 ms with few nodes), spread evenly over time. */
        private void beat() {
            int nodes = s.nodesPerDomain();
            long totalNodes = (long) s.domains() * nodes;
            // with few nodes, faster, so that the telemetry partitions' watermarks keep up
            double beatsPerSecond = totalNodes * (totalNodes >= 1000 ? 2.0 : 10.0);
            long start = System.nanoTime();
            long beats = 0;
            try {
                while (!stop.get()) {
                    long dueBeats = (long) ((System.nanoTime() - start) / 1e9 * beatsPerSecond);
                    long now = System.currentTimeMillis();
                    for (; beats < dueBeats && !stop.get(); beats++) {
                        long node = beats % totalNodes;
                        String domain = "dom-" + node / nodes;
                        String id = domain + "-" + (char) ('a' + (int) (node % nodes));
                        byte[] key = domain.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        producer.send(
                                new ProducerRecord<>(
                                        config.telemetryTopic,
                                        null,
                                        now,
                                        key,
                                        EventCodec.encode(workers.heartbeat(domain, id, now))));
                    }
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void sendPair(long pair, int domains, int nodes, long now) {
            int d = (int) (pair % domains);
            String domain = "dom-" + d;
            String user = "u" + (pair % (domains * 10L));
            byte[] key = domain.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ChannelState c =
                    ChannelState.newBuilder()
                            .setUserId(user)
                            .setDomainId(domain)
                            .setNodeId(
                                    domain + "-" + (char) ('a' + (int) ((pair / domains) % nodes)))
                            .setMeasuredAt(Instant.ofEpochMilli(now))
                            .setUplinkSpectralEfficiency(4)
                            .setDownlinkSpectralEfficiency(5)
                            .build();
            producer.send(
                    new ProducerRecord<>(
                            config.channelsTopic, null, now, key, EventCodec.encode(c)));
            boolean small = s.shape() == Shape.SERVABLE;
            InferenceRequest r =
                    InferenceRequest.newBuilder()
                            .setRequestId("q" + pair)
                            .setUserId(user)
                            .setDomainId(domain)
                            .setArrivalTime(Instant.ofEpochMilli(now))
                            .setPromptTokens(
                                    small ? 50 + (int) (pair % 200) : 100 + (int) (pair % 900))
                            .setMaxOutputTokens(
                                    small ? 10 + (int) (pair % 40) : 20 + (int) (pair % 200))
                            .setDeadline(Instant.ofEpochMilli(now + 15_000))
                            .setMaxPplIncrease(0.5)
                            .setWeight(1)
                            .setServiceClass("standard")
                            .build();
            producer.send(
                    new ProducerRecord<>(
                            config.requestsTopic, null, now, key, EventCodec.encode(r)));
        }
    }

    // ---------------------------------------------------------------- the decision reader

    /** Reads decisions and rejections ({@code read_committed}); feeds the simulated workers. */
    static final class Reader extends Thread {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final JobConfig config;
        private final Workers workers;
        private final AtomicBoolean stop;
        private volatile long from = Long.MAX_VALUE;
        private volatile long to = Long.MAX_VALUE;
        private long[] lat = new long[1 << 16];
        private int n;
        long decisions;
        long decidedRequests;
        long rejections;
        final Map<String, Long> reasons = new TreeMap<>();

        Reader(EmbeddedKafka kafka, JobConfig config, Workers workers, AtomicBoolean stop) {
            super("bench-read");
            setDaemon(true);
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            p.put("client.id", "bench-read");
            p.put("group.id", "bench-read-" + config.groupId);
            p.put("auto.offset.reset", "earliest");
            p.put("enable.auto.commit", "false");
            p.put("isolation.level", "read_committed");
            p.put("key.deserializer", ByteArrayDeserializer.class.getName());
            p.put("value.deserializer", ByteArrayDeserializer.class.getName());
            this.consumer = new KafkaConsumer<>(p);
            this.config = config;
            this.workers = workers;
            this.stop = stop;
            consumer.subscribe(List.of(config.decisionsTopic, config.rejectionsTopic));
        }

        void awaitAssigned() throws InterruptedException {
            long end = System.nanoTime() + 30_000_000_000L;
            while (!assigned && System.nanoTime() < end) {
                Thread.sleep(20);
            }
        }

        private volatile boolean assigned;

        void window(long fromMs, long toMs) {
            to = toMs;
            from = fromMs;
        }

        @Override
        public void run() {
            try {
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(5))) {
                        long now = System.currentTimeMillis();
                        if (r.topic().equals(config.decisionsTopic)) {
                            BatchDecision d = EventCodec.decodeDecision(r.value(), 1 << 24);
                            workers.decided(d);
                            long slotEnd = d.getSlotEnd().toEpochMilli();
                            if (slotEnd >= from && slotEnd < to) {
                                decisions++;
                                decidedRequests += d.getRequests().size();
                                if (n == lat.length) {
                                    lat = Arrays.copyOf(lat, 2 * n);
                                }
                                lat[n++] = now - (slotEnd + OOO_MS);
                            }
                        } else {
                            Rejection j = EventCodec.decodeRejection(r.value(), 1 << 24);
                            long t = j.getTime().toEpochMilli();
                            if (t >= from && t < to) {
                                rejections++;
                                reasons.merge(j.getReason().name(), 1L, Long::sum);
                            }
                        }
                    }
                    if (!assigned && !consumer.assignment().isEmpty()) {
                        assigned = true;
                    }
                }
            } catch (EventCodec.DecodeException e) {
                throw new IllegalStateException(e);
            } finally {
                consumer.close();
            }
        }

        long[] latencies() {
            long[] out = Arrays.copyOf(lat, n);
            Arrays.sort(out);
            return out;
        }
    }

    // ---------------------------------------------------------------- the profile

    /** CPU samples by stage and GC pauses of a JFR recording. */
    static final class Profile {
        static final List<String> STAGES =
                List.of(
                        "fetch (Kafka consumer in the job)",
                        "decode",
                        "validate",
                        "shuffle (serialize, network, deserialize)",
                        "coordinate",
                        "keyed state and checkpoints",
                        "solve",
                        "encode",
                        "produce (Kafka producer in the job)",
                        "Flink runtime, other",
                        "broker",
                        "bench load generator",
                        "bench decision reader",
                        "other");

        long samples;
        final Map<String, Long> byStage = new LinkedHashMap<>();
        long gcCount;
        long gcPauseNanos;
        long gcMaxNanos;
        String gcName = "";

        static Profile read(Path file) throws IOException {
            Profile p = new Profile();
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                String type = e.getEventType().getName();
                if (type.equals("jdk.ExecutionSample")) {
                    p.samples++;
                    p.byStage.merge(
                            stage(e.getThread("sampledThread"), e.getStackTrace()), 1L, Long::sum);
                } else if (type.equals("jdk.GarbageCollection")) {
                    p.gcCount++;
                    long sum = e.getDuration("sumOfPauses").toNanos();
                    p.gcPauseNanos += sum;
                    p.gcMaxNanos = Math.max(p.gcMaxNanos, e.getDuration("longestPause").toNanos());
                    String name = e.getString("name");
                    if (!p.gcName.contains(name)) {
                        p.gcName = p.gcName.isEmpty() ? name : p.gcName + ", " + name;
                    }
                }
            }
            return p;
        }

        static final List<String> BROKER =
                List.of(
                        "kafka.",
                        "org.apache.kafka.server.",
                        "org.apache.kafka.storage.",
                        "org.apache.kafka.raft.",
                        "org.apache.kafka.controller.",
                        "org.apache.kafka.coordinator.",
                        "org.apache.kafka.network.",
                        "org.apache.kafka.metadata.",
                        "org.apache.kafka.image.",
                        "org.apache.kafka.queue.",
                        "org.apache.kafka.common.test.");

        /** The stage of one sample: by thread for the bench's own clients, else by its stack. */
        static String stage(RecordedThread thread, RecordedStackTrace trace) {
            String tn = thread == null || thread.getJavaName() == null ? "" : thread.getJavaName();
            if (tn.startsWith("bench-load") || tn.endsWith("| bench-load")) {
                return "bench load generator";
            }
            if (tn.startsWith("bench-read") || tn.endsWith("| bench-read")) {
                return "bench decision reader";
            }
            if (trace == null) {
                return "other";
            }
            List<RecordedFrame> frames = trace.getFrames();
            for (RecordedFrame f : frames) {
                String c = f.getMethod().getType().getName();
                for (String b : BROKER) {
                    if (c.startsWith(b)) {
                        return "broker";
                    }
                }
            }
            String weak = null;
            for (RecordedFrame f : frames) { // leaf first: the innermost stage wins
                String c = f.getMethod().getType().getName();
                String m = f.getMethod().getName();
                if (c.startsWith("org.edgellm.scheduler.")) {
                    return "solve";
                }
                if (c.equals("org.edgellm.events.EventCodec")) {
                    return m.startsWith("encode") ? "encode" : "decode";
                }
                if (c.startsWith("org.edgellm.job.io.KafkaIo$")) {
                    return "encode";
                }
                if (c.equals("org.edgellm.job.EventValidator")) {
                    return m.equals("decode") ? "decode" : "validate";
                }
                if (c.equals("org.edgellm.job.io.KafkaInputDeserializer")
                        || c.startsWith("org.edgellm.job.SchedulerPipeline$Split")) {
                    return "validate";
                }
                if (c.startsWith("org.apache.flink.runtime.state.")
                        || c.startsWith("org.apache.flink.state.")
                        || c.startsWith("org.apache.flink.contrib.streaming.state.")
                        || c.startsWith("org.rocksdb.")
                        || c.startsWith("org.apache.flink.runtime.checkpoint.")) {
                    return "keyed state and checkpoints";
                }
                if (c.startsWith("org.edgellm.job.")) {
                    return "coordinate";
                }
                if (c.startsWith("org.apache.flink.connector.kafka.sink.")
                        || c.startsWith("org.apache.kafka.clients.producer.")) {
                    return "produce (Kafka producer in the job)";
                }
                if (c.startsWith("org.apache.flink.connector.kafka.source.")
                        || c.startsWith("org.apache.kafka.clients.consumer.")) {
                    return "fetch (Kafka consumer in the job)";
                }
                if (weak == null
                        && (c.startsWith("org.apache.flink.api.java.typeutils.")
                                || c.startsWith("org.apache.flink.api.common.typeutils.")
                                || c.startsWith("org.apache.flink.formats.avro.typeutils.")
                                || c.startsWith("com.esotericsoftware.kryo.")
                                || c.startsWith("org.apache.flink.runtime.io.network.")
                                || c.startsWith("org.apache.flink.runtime.plugable.")
                                || c.startsWith("org.apache.flink.streaming.runtime.io.")
                                || c.startsWith(
                                        "org.apache.flink.streaming.runtime.streamrecord."))) {
                    weak = "shuffle (serialize, network, deserialize)";
                }
            }
            if (weak != null) {
                return weak;
            }
            for (RecordedFrame f : frames) {
                String c = f.getMethod().getType().getName();
                if (c.startsWith("org.apache.flink.")) {
                    return "Flink runtime, other";
                }
                if (c.startsWith("org.apache.kafka.clients.")) {
                    return "fetch (Kafka consumer in the job)";
                }
            }
            return "other";
        }
    }

    // ---------------------------------------------------------------- output

    static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /**
     * The share of the last minute in which some task waited for a CPU (Linux PSI, {@code
     * /proc/pressure/cpu}), or NaN where unavailable: how contended the machine was.
     */
    static double cpuPressure() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/pressure/cpu"))) {
                if (line.startsWith("some ")) {
                    for (String f : line.split(" ")) {
                        if (f.startsWith("avg60=")) {
                            return Double.parseDouble(f.substring(6));
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no PSI
        }
        return Double.NaN;
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static double round(double v) {
        return Math.round(v);
    }

    static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** A flat JSON object (numbers, strings and nested maps). */
    static String json(Map<String, ?> m) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, ?> e : m.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append('"').append(escape(e.getKey())).append("\":");
            Object v = e.getValue();
            if (v instanceof Map<?, ?> inner) {
                @SuppressWarnings("unchecked")
                Map<String, ?> im = (Map<String, ?>) inner;
                sb.append(json(im));
            } else if (v instanceof Double d) {
                sb.append(d.isNaN() || d.isInfinite() ? "null" : num(d));
            } else if (v instanceof Number) {
                sb.append(v);
            } else if (v instanceof Boolean) {
                sb.append(v);
            } else {
                sb.append('"').append(escape(String.valueOf(v))).append('"');
            }
        }
        return sb.append('}').toString();
    }

    private static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15
                ? Long.toString((long) d)
                : Double.toString(d);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** One run as Markdown: its figures and its CPU by stage. */
    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> r, String command) {
        StringBuilder md = new StringBuilder();
        md.append(
                String.format(
                        Locale.ROOT,
                        "### %s, %s shape, %s domains, rate %s, parallelism %s, checkpoints %s ms, %s state %s%n%n",
                        r.get("delivery"),
                        r.get("shape"),
                        r.get("domains"),
                        r.get("targetRequestEventsPerSecond"),
                        r.get("parallelism"),
                        r.get("checkpointMs"),
                        r.get("stateBackend"),
                        r.get("jobOptions")));
        md.append(
                String.format(
                        Locale.ROOT,
                        "Measured %s UTC over %s s; load average %s before, %s after (this JVM's own threads"
                                + " included), CPU pressure (PSI some, avg60) %s%% after; %s processors.%n%n",
                        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
                                .format(Instant.now().atOffset(ZoneOffset.UTC)),
                        r.get("seconds"),
                        r.get("loadAverageBefore"),
                        r.get("loadAverageAfter"),
                        r.get("cpuPressureSomeAvg60AfterPercent"),
                        r.get("availableProcessors")));
        md.append("`").append(command).append("`\n\n");
        md.append(
                "| produced req/s | req/s at the sources | channel states/s | heartbeats/s | decisions/s | decided req/s | rejections/s | p50 ms | p99 ms | p99.9 ms | max ms | CPU cores | GC pauses (total, max ms) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "| %s | %s | %s | %s | %s | %s | %s %s | %s | %s | %s | %s | %s | %s (%s, %s) |%n%n",
                        fmt(r.get("producedRequestEventsPerSecond")),
                        fmt(r.get("achievedRequestEventsPerSecond")),
                        fmt(r.get("achievedChannelEventsPerSecond")),
                        fmt(r.get("achievedHeartbeatsPerSecond")),
                        fmt(r.get("decisionsPerSecond")),
                        fmt(r.get("decidedRequestsPerSecond")),
                        fmt(r.get("rejectionsPerSecond")),
                        r.get("rejectionsByReason"),
                        fmt(r.get("p50Ms")),
                        fmt(r.get("p99Ms")),
                        fmt(r.get("p999Ms")),
                        fmt(r.get("maxMs")),
                        r.get("processCpuCores"),
                        r.get("gcPauses"),
                        r.get("gcPauseTotalMs"),
                        r.get("gcPauseMaxMs")));
        md.append("| stage | CPU share % | CPU µs per request event |\n|---|---|---|\n");
        Map<String, Object> share = (Map<String, Object>) r.get("cpuPercentByStage");
        Map<String, Object> per = (Map<String, Object>) r.get("cpuMicrosPerRequestEventByStage");
        rows(md, share, per);
        Map<String, Object> cores = (Map<String, Object>) r.get("cpuCoresByThreads");
        Map<String, Object> perInput =
                (Map<String, Object>) r.get("cpuMicrosPerInputEventByThreads");
        if (cores != null) {
            md.append(
                    "\nMeasured per thread (CPU time of each Java thread; the JVM's own threads"
                            + " apart):\n\n| threads | cores | CPU µs per input event |\n"
                            + "|---|---|---|\n");
            rows(md, cores, perInput);
        }
        md.append(
                String.format(
                        Locale.ROOT,
                        "%n(%s CPU samples; GC: %s. Checkpoints in the window: %s completed, last"
                                + " %s ms, %s bytes (full %s bytes).)%n%nJSON: `%s`%n%n",
                        r.get("cpuSamples"),
                        r.get("gc"),
                        fmt(r.get("checkpointsCompleted")),
                        fmt(r.get("lastCheckpointMs")),
                        fmt(r.get("lastCheckpointBytes")),
                        fmt(r.get("lastCheckpointFullBytes")),
                        json(r)));
        return md.toString();
    }

    /** One table row per key of a: the key, a's value, b's value. */
    private static void rows(StringBuilder md, Map<String, Object> a, Map<String, Object> b) {
        for (String k : a.keySet()) {
            md.append("| ").append(k).append(" | ").append(a.get(k)).append(" | ");
            md.append(b.get(k)).append(" |\n");
        }
    }

    private static String fmt(Object v) {
        if (v instanceof Double d) {
            return d.isNaN() ? "-" : String.format(Locale.ROOT, "%,.0f", d);
        }
        return String.valueOf(v);
    }
}
