package org.edgellm.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.edgellm.events.EventCodec;
import org.edgellm.job.JobConfig;
import org.edgellm.job.io.KafkaIo;
import org.edgellm.job.testing.EmbeddedKafka;

/**
 * What the Kafka part of {@link KafkaJobBenchmark} costs on its own (a benchmark, not a test): the
 * same in-JVM broker, the same {@link LoadGenerator} (requests, a channel state before each, node
 * heartbeats) at the same rate over the same domains, and in place of the job, N plain consumers in
 * one group that read the three input topics with the job's own source settings ({@link
 * KafkaIo#sourceProperties}: {@code read_committed}, batched fetches) and decode every record with
 * {@link EventCodec}. Nothing is validated, keyed, planned or written back.
 *
 * <p>Any job must at least read and decode its inputs, and on one machine the broker and the
 * producer share the cores with it: so what this reaches is an upper limit for the job on the same
 * machine, and its latency (the moment a consumer has decoded a request minus the moment the
 * generator stamped it) a floor for the decision latency's input part.
 */
final class KafkaFloorBenchmark {

    private KafkaFloorBenchmark() {}

    /** The flags of {@code bench.jar kafka-floor}. */
    record Settings(
            int rate,
            int domains,
            int nodesPerDomain,
            int seconds,
            int warmupSeconds,
            int jitSettleSeconds,
            int readers,
            int partitions,
            Path markdown,
            String command) {}

    /** Runs one measurement; prints one JSON line; returns the figures. */
    static Map<String, Object> run(Settings f, PrintStream out) throws Exception {
        double loadBefore = JobBenchReport.loadAverage();
        CpuReference.Result reference = CpuReference.measure();
        MemoryReference.Result memory = MemoryReference.measure();
        // the job benchmark's settings for the same load (its generator reads them)
        KafkaJobBenchmark.Settings s =
                new KafkaJobBenchmark.Settings(
                        f.rate(),
                        f.domains(),
                        f.seconds(),
                        f.warmupSeconds(),
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        false,
                        f.readers(),
                        KafkaJobBenchmark.Shape.SERVABLE,
                        1000,
                        f.nodesPerDomain(),
                        f.partitions(),
                        "hashmap",
                        List.of(),
                        List.of(),
                        null,
                        null,
                        null,
                        f.command());
        Path topoFile = Files.createTempFile("bench-topology", ".yaml");
        Files.writeString(topoFile, JobBenchSetup.topology(f.domains(), f.nodesPerDomain()));
        String run = "f" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        Map<String, Object> res = new LinkedHashMap<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            JobConfig config = JobBenchSetup.jobConfig(s, topoFile, kafka.bootstrapServers(), run);
            JobBenchSetup.createTopics(kafka, f.partitions(), config);
            AtomicBoolean stop = new AtomicBoolean();
            List<Reader> readers = new ArrayList<>();
            for (int i = 0; i < f.readers(); i++) {
                readers.add(new Reader(i, config, stop));
            }
            readers.forEach(Thread::start);
            LoadGenerator load =
                    new LoadGenerator(
                            kafka.bootstrapServers(), config, s, new SimulatedWorkers(), stop);
            load.start();
            load.startRequests(f.rate());
            JitWarmup.Result warm =
                    JitWarmup.warmUpThisJvm(f.warmupSeconds(), f.jitSettleSeconds());
            out.println(warm.describe());
            long compile0 = JitWarmup.compileMillis();

            OperatingSystemMXBean os =
                    (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            ThreadCpu threadCpu = new ThreadCpu();
            long cpu0 = os.getProcessCpuTime();
            long p0 = load.requests.get();
            long[] c0 = counts(readers);
            long t0 = System.nanoTime();
            long from = System.currentTimeMillis();
            readers.forEach(r -> r.window(from, from + f.seconds() * 1000L));
            Thread.sleep(f.seconds() * 1000L);
            double secs = (System.nanoTime() - t0) / 1e9;
            double compileShare = JitWarmup.shareSince(compile0, secs * 1e3);
            long[] c1 = counts(readers);
            long p1 = load.requests.get();
            long cpu1 = os.getProcessCpuTime();
            Map<String, Double> cores = threadCpu.coresSince(secs, cpu1 - cpu0);
            // requests stamped in the window's last moments: give them time to arrive (bounded)
            Thread.sleep(2000);
            stop.set(true);
            load.join();
            for (Reader r : readers) {
                r.join();
            }
            long[] lat = latencies(readers);

            res.put("what", "kafka-floor: broker + load generator + plain decoding consumers");
            res.put("domains", f.domains());
            res.put("nodesPerDomain", f.nodesPerDomain());
            res.put("readers", f.readers());
            res.put("partitions", f.partitions());
            res.put("seconds", f.seconds());
            JobBenchReport.putWarmup(res, warm, compileShare);
            res.put("targetRequestEventsPerSecond", f.rate());
            res.put("producedRequestEventsPerSecond", JobBenchReport.round((p1 - p0) / secs));
            res.put("readRequestEventsPerSecond", JobBenchReport.round((c1[0] - c0[0]) / secs));
            res.put("readChannelEventsPerSecond", JobBenchReport.round((c1[1] - c0[1]) / secs));
            res.put("readHeartbeatsPerSecond", JobBenchReport.round((c1[2] - c0[2]) / secs));
            res.put("latencySamples", lat.length);
            res.put("p50Ms", JobBenchReport.pct(lat, 0.50));
            res.put("p99Ms", JobBenchReport.pct(lat, 0.99));
            res.put("p999Ms", JobBenchReport.pct(lat, 0.999));
            res.put("maxMs", lat.length == 0 ? Double.NaN : (double) lat[lat.length - 1]);
            res.put("processCpuCores", JobBenchReport.round2((cpu1 - cpu0) / 1e9 / secs));
            res.put("cpuCoresByThreads", cores);
            double inputs = (c1[0] - c0[0]) + (c1[1] - c0[1]) + (c1[2] - c0[2]);
            res.put(
                    "cpuMicrosPerInputEvent",
                    inputs == 0 ? Double.NaN : JobBenchReport.round2((cpu1 - cpu0) / 1e3 / inputs));
            res.put("loadAverageBefore", JobBenchReport.round2(loadBefore));
            res.put("loadAverageAfter", JobBenchReport.round2(JobBenchReport.loadAverage()));
            JobBenchReport.putReference(res, reference);
            JobBenchReport.putMemoryReference(res, memory);
            res.put("availableProcessors", Runtime.getRuntime().availableProcessors());
            res.put(
                    "jvmOptions",
                    String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        } finally {
            Files.deleteIfExists(topoFile);
        }
        if (f.markdown() != null) {
            Files.writeString(
                    f.markdown(),
                    markdown(res, f.command(), Instant.now()),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
        out.println(JobBenchReport.json(res));
        return res;
    }

    private static long[] counts(List<Reader> readers) {
        long[] c = new long[3];
        for (Reader r : readers) {
            c[0] += r.requests;
            c[1] += r.channels;
            c[2] += r.heartbeats;
        }
        return c;
    }

    private static long[] latencies(List<Reader> readers) {
        int n = 0;
        for (Reader r : readers) {
            n += r.n;
        }
        long[] all = new long[n];
        int k = 0;
        for (Reader r : readers) {
            System.arraycopy(r.lat, 0, all, k, r.n);
            k += r.n;
        }
        Arrays.sort(all);
        return all;
    }

    /** One run as Markdown: a row of figures, the CPU by threads, the JSON. */
    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> r, String command, Instant at) {
        StringBuilder md = new StringBuilder();
        md.append(
                String.format(
                        Locale.ROOT,
                        "### Kafka floor, %s domains, rate %s, %s readers, %s partitions%n%n"
                                + "Measured %s UTC over %s s%s; load average %s before, %s after;"
                                + " %s processors%s.%n%n`%s`%n%n",
                        r.get("domains"),
                        r.get("targetRequestEventsPerSecond"),
                        r.get("readers"),
                        r.get("partitions"),
                        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
                                .format(at.atOffset(ZoneOffset.UTC)),
                        r.get("seconds"),
                        JobBenchReport.warmupText(r),
                        r.get("loadAverageBefore"),
                        r.get("loadAverageAfter"),
                        r.get("availableProcessors"),
                        JobBenchReport.referenceText(r),
                        command));
        md.append(
                "| produced req/s | req/s read | channel states/s read | heartbeats/s read |"
                        + " p50 ms | p99 ms | p99.9 ms | max ms | CPU cores | CPU µs per input"
                        + " event |\n|---|---|---|---|---|---|---|---|---|---|\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n%n",
                        JobBenchReport.fmt(r.get("producedRequestEventsPerSecond")),
                        JobBenchReport.fmt(r.get("readRequestEventsPerSecond")),
                        JobBenchReport.fmt(r.get("readChannelEventsPerSecond")),
                        JobBenchReport.fmt(r.get("readHeartbeatsPerSecond")),
                        JobBenchReport.fmt(r.get("p50Ms")),
                        JobBenchReport.fmt(r.get("p99Ms")),
                        JobBenchReport.fmt(r.get("p999Ms")),
                        JobBenchReport.fmt(r.get("maxMs")),
                        r.get("processCpuCores"),
                        r.get("cpuMicrosPerInputEvent")));
        md.append("| threads | cores |\n|---|---|\n");
        ((Map<String, Object>) r.get("cpuCoresByThreads"))
                .forEach(
                        (k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        md.append("\nJSON: `").append(JobBenchReport.json(r)).append("`\n\n");
        return md.toString();
    }

    /**
     * One consumer of the group: reads the three input topics, decodes each record, counts the
     * window's and takes each request's latency (decoded minus stamped by the generator).
     */
    static final class Reader extends Thread {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final JobConfig config;
        private final AtomicBoolean stop;
        private volatile long from = Long.MAX_VALUE;
        private volatile long to = Long.MAX_VALUE;
        volatile long requests;
        volatile long channels;
        volatile long heartbeats;
        long[] lat = new long[1 << 16];
        int n;

        Reader(int index, JobConfig config, AtomicBoolean stop) {
            super("bench-floor-read-" + index);
            setDaemon(true);
            Properties p = KafkaIo.sourceProperties(config);
            p.put("bootstrap.servers", config.bootstrapServers);
            p.put("client.id", "bench-floor-read-" + index);
            p.put("group.id", "bench-floor-" + config.groupId);
            p.put("auto.offset.reset", "earliest");
            p.put("enable.auto.commit", "false");
            p.put("key.deserializer", ByteArrayDeserializer.class.getName());
            p.put("value.deserializer", ByteArrayDeserializer.class.getName());
            this.consumer = new KafkaConsumer<>(p);
            this.config = config;
            this.stop = stop;
            consumer.subscribe(
                    List.of(config.requestsTopic, config.channelsTopic, config.telemetryTopic));
        }

        void window(long fromMs, long toMs) {
            to = toMs;
            from = fromMs;
        }

        @Override
        public void run() {
            int max = config.maxMessageBytes;
            try {
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(5))) {
                        String topic = r.topic();
                        if (topic.equals(config.requestsTopic)) {
                            EventCodec.decodeRequest(r.value(), max);
                        } else if (topic.equals(config.channelsTopic)) {
                            EventCodec.decodeChannel(r.value(), max);
                        } else {
                            EventCodec.decodeTelemetry(r.value(), max);
                        }
                        long now = System.currentTimeMillis();
                        // rates: what is read in the window (as the job's sources count);
                        // latency: the requests the generator stamped in the window
                        if (now >= from && now < to) {
                            if (topic.equals(config.requestsTopic)) {
                                requests++;
                            } else if (topic.equals(config.channelsTopic)) {
                                channels++;
                            } else {
                                heartbeats++;
                            }
                        }
                        if (topic.equals(config.requestsTopic)
                                && r.timestamp() >= from
                                && r.timestamp() < to) {
                            if (n == lat.length) {
                                lat = Arrays.copyOf(lat, 2 * n);
                            }
                            lat[n++] = now - r.timestamp();
                        }
                    }
                }
            } catch (EventCodec.DecodeException e) {
                throw new IllegalStateException(e);
            } finally {
                consumer.close();
            }
        }
    }
}
