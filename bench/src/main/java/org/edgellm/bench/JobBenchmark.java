package org.edgellm.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.DeadLetter;
import org.edgellm.events.Rejection;
import org.edgellm.events.SlotReport;
import org.edgellm.job.ChannelEvent;
import org.edgellm.job.InputEvent;
import org.edgellm.job.JobConfig;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.SchedulerJob;
import org.edgellm.job.SchedulerPipeline;
import org.edgellm.job.Topology;
import org.edgellm.job.io.KafkaIo;
import org.edgellm.job.testing.EmbeddedKafka;

/**
 * A benchmark of the job (not a test), on a local MiniCluster:
 *
 * <ol>
 *   <li><b>Throughput</b>: as many generated request events as the job takes (with a channel event
 *       per request), over many domains, event time running ahead of wall time; prints request
 *       events per second.
 *   <li><b>Slot-close-to-decision latency</b> in real time: events stamped with the wall clock at a
 *       fixed rate over 1,000 domains and 100 ms slots. A slot can close when the wall clock passes
 *       its end plus the out-of-orderness; the latency of a decision is its arrival time minus that
 *       instant, measured right after the coordinator and on the decision topic of an in-JVM Kafka
 *       broker, for both delivery modes.
 * </ol>
 *
 * Run: {@code java -Xmx4g -jar bench/target/bench.jar job [flags]} ({@code --help} lists them).
 */
public final class JobBenchmark {

    private JobBenchmark() {}

    static final long[] LAT = new long[4_000_000];
    static int latCount;

    static volatile long measureFrom = Long.MAX_VALUE;
    static long warmupMs = 10_000;

    static synchronized void record(long micros) {
        if (System.currentTimeMillis() >= measureFrom && latCount < LAT.length) {
            LAT[latCount++] = micros;
        }
    }

    static synchronized long[] drain() {
        long[] out = Arrays.copyOf(LAT, latCount);
        latCount = 0;
        return out;
    }

    /** The flags of {@code bench.jar job} (see BenchMain for their meaning). */
    public record Settings(
            int domains,
            int rate,
            long warmupMs,
            int seconds,
            int nodesPerDomain,
            int maxPending,
            int targetRate,
            long budgetMicros,
            int maxCandidates,
            int runs,
            boolean skipThroughput,
            boolean skipLatency,
            Path out) {}

    /** Runs the phases; returns the exit status (Flink and Kafka threads may outlive it). */
    public static int run(Settings p) throws Exception {
        int domains = p.domains();
        int rate = p.rate();
        warmupMs = p.warmupMs();
        int seconds = p.seconds();
        StringBuilder md = new StringBuilder();
        nodesPerDomain = p.nodesPerDomain();
        String topo = topology(domains);
        Path topoFile = Files.createTempFile("bench-topology", ".yaml");
        Files.writeString(topoFile, topo);

        int maxPending = p.maxPending();
        int target = p.targetRate();
        String budget = Long.toString(p.budgetMicros());
        String candidates = Integer.toString(p.maxCandidates());
        if (!p.skipThroughput()) {
            int runs = p.runs();
            double[] rates = new double[runs];
            for (int r = 0; r < runs; r++) {
                rates[r] =
                        throughput(
                                topoFile, domains, seconds, maxPending, budget, candidates, target);
            }
            double[] sorted = rates.clone();
            Arrays.sort(sorted);
            double tput = sorted[runs / 2];
            md.append("## Sustained throughput (real time, paced source, 100 ms slots)\n\n");
            md.append(
                    "| domains | max-pending | max-candidates | budget µs per slot | runs x seconds | request events/s, median (min-max) | input events/s incl. channel states, median |\n|---|---|---|---|---|---|---|\n");
            md.append(
                    String.format(
                            "| %d | %d | %s | %s | %d x %d | %.0f (%.0f-%.0f) | %.0f |%n",
                            domains,
                            maxPending,
                            candidates,
                            budget,
                            runs,
                            seconds,
                            tput,
                            sorted[0],
                            sorted[runs - 1],
                            2 * tput));
        }
        if (p.skipLatency()) {
            System.out.print(md);
            if (p.out() != null) {
                Files.writeString(p.out(), md.toString());
            }
            return 0;
        }
        md.append("\n## Slot-close-to-decision latency (100 ms slots, real time)\n\n");
        md.append(
                "| delivery | domains | requests/s | decisions | coordinator p50 ms | coordinator p99 ms | topic p50 ms | topic p99 ms |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            for (String delivery : List.of("at-least-once", "exactly-once")) {
                md.append(
                        latency(
                                kafka,
                                topoFile,
                                domains,
                                rate,
                                seconds,
                                delivery,
                                budget,
                                candidates));
            }
        }
        System.out.println();
        System.out.print(md);
        if (p.out() != null) {
            Files.writeString(p.out(), md.toString());
        }
        return 0;
    }

    static int nodesPerDomain = 2;

    static String topology(int domains) {
        StringBuilder sb = new StringBuilder();
        sb.append("model: {layers: 32, hidden: 4096, vocab: 32000}\n");
        sb.append(
                "serviceClasses:\n  - {name: standard, latencyBudgetMs: 15000, maxPplIncrease: 0.5}\n");
        sb.append("domains:\n");
        for (int d = 0; d < domains; d++) {
            sb.append("  - id: dom-").append(d).append("\n    nodes:\n");
            for (int k = 0; k < nodesPerDomain; k++) {
                String n = String.valueOf((char) ('a' + k));
                sb.append("      - {id: dom-")
                        .append(d)
                        .append('-')
                        .append(n)
                        .append(
                                ", memoryBytes: 40.0e9, reserveBytes: 2.0e9, memoryBandwidth: 1555.0e9,"
                                        + " peakFlops: {\"16\": 312.0e12, \"8\": 624.0e12, \"4\": 1248.0e12}, efficiency: 0.5,"
                                        + " uplinkHz: 20.0e6, downlinkHz: 40.0e6, variants: [{name: w4a16, weightBits: 4,"
                                        + " activationBits: 16, kvBits: 16, pplIncrease: 0.31}]}\n");
            }
        }
        return sb.toString();
    }

    /** Event k of a stream of (channel, request) pairs spread over domains. */
    static InputEvent event(long k, int domains, long time) {
        long pair = k / 2;
        int d = (int) (pair % domains);
        String user = "u" + (pair % (domains * 10L));
        if (k % 2 == 0) {
            ChannelEvent c = new ChannelEvent();
            c.userId = user;
            c.domainId = "dom-" + d;
            c.nodeId = "dom-" + d + "-" + (char) ('a' + (int) ((pair / domains) % nodesPerDomain));
            c.measuredAt = time;
            c.uplinkSpectralEfficiency = 4;
            c.downlinkSpectralEfficiency = 5;
            return InputEvent.of(c);
        }
        RequestEvent r = new RequestEvent();
        r.requestId = "q" + pair;
        r.userId = user;
        r.domainId = "dom-" + d;
        r.arrivalTime = time;
        r.promptTokens = 100 + (int) (pair % 900);
        r.maxOutputTokens = 20 + (int) (pair % 200);
        r.deadline = time + 15_000;
        r.maxPplIncrease = 0.5;
        r.weight = 1;
        r.serviceClass = "standard";
        return InputEvent.of(r);
    }

    static double lastP99;

    static final java.util.concurrent.atomic.AtomicLong GENERATED =
            new java.util.concurrent.atomic.AtomicLong();

    /**
     * Sustained throughput in real time: an unthrottled generator stamps events with the wall clock
     * (as live traffic would be), so backpressure sets the rate; counted after a warm-up.
     */
    static double throughput(
            Path topoFile,
            int domains,
            int seconds,
            int maxPending,
            String budget,
            String candidates,
            int target)
            throws Exception {
        GeneratorFunction<Long, InputEvent> gen = new PacedGenerator(domains, 2.0 * target);
        JobConfig config =
                JobConfig.parse(
                        new String[] {
                            "--topology", topoFile.toString(),
                            "--delivery", "at-least-once",
                            "--checkpoint-ms", "0",
                            "--slot-ms", "100",
                            "--out-of-orderness-ms", "20",
                            "--idleness-ms", "0",
                            "--budget-micros", budget,
                            "--budget-nodes", "0",
                            "--offer-unheard-nodes", "true",
                            "--max-candidates", candidates,
                            "--watermark-interval-ms", "10",
                            "--max-pending", Integer.toString(maxPending),
                            "--parallelism", "2"
                        });
        Topology topology = Topology.load(topoFile);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        SchedulerJob.configure(env, config);
        DataGeneratorSource<InputEvent> src =
                new DataGeneratorSource<>(
                        gen,
                        Long.MAX_VALUE,
                        RateLimiterStrategy.noOp(),
                        TypeInformation.of(InputEvent.class));
        DataGeneratorSource<InputEvent> none =
                new DataGeneratorSource<>(
                        gen, 0, RateLimiterStrategy.noOp(), TypeInformation.of(InputEvent.class));
        SchedulerPipeline.build(
                        env,
                        new SchedulerPipeline.Sources(src, none, null),
                        new SchedulerPipeline.Sinks(
                                new DiscardingSink<>(),
                                new DiscardingSink<>(),
                                new DiscardingSink<>(),
                                new DiscardingSink<>()),
                        config,
                        topology)
                .decisions()
                .sinkTo(new LatencySink(20))
                .uid("latency-tap")
                .name("latency-tap");
        drain();
        measureFrom = System.currentTimeMillis() + 5000;
        JobClient job = env.executeAsync("throughput");
        Thread.sleep(5000);
        long c0 = GENERATED.get();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long c1 = GENERATED.get();
        double s = (System.nanoTime() - t0) / 1e9;
        job.cancel().get();
        double rate = (c1 - c0) / 2.0 / s;
        long[] lat = drain();
        Arrays.sort(lat);
        lastP99 = pct(lat, 99) / 1000.0;
        System.out.printf(
                "throughput: %d domains x %d nodes, max-pending %d, target %d: %.0f request events/s"
                        + " (+ as many channel events), decision latency p50 %.0f ms p99 %.0f ms%n",
                domains, nodesPerDomain, maxPending, target, rate, pct(lat, 50) / 1000.0, lastP99);
        return rate;
    }

    /**
     * Generates (channel, request) pairs stamped with the wall clock, paced to a total rate by
     * sleeping when ahead of schedule (Flink's per-record rate limiter costs more than it paces).
     */
    static final class PacedGenerator implements GeneratorFunction<Long, InputEvent> {
        private static final long serialVersionUID = 1L;
        final int domains;
        final double totalPerSecond;
        transient double perSecond;
        transient long start;
        transient long count;

        PacedGenerator(int domains, double totalPerSecond) {
            this.domains = domains;
            this.totalPerSecond = totalPerSecond;
        }

        @Override
        public void open(org.apache.flink.api.connector.source.SourceReaderContext ctx) {
            perSecond = totalPerSecond / Math.max(1, ctx.currentParallelism());
            start = System.nanoTime();
        }

        @Override
        public InputEvent map(Long k) throws Exception {
            GENERATED.incrementAndGet();
            if (perSecond > 0 && (++count & 127) == 0) {
                long due = start + (long) (count / perSecond * 1e9);
                long ahead = due - System.nanoTime();
                if (ahead > 0) {
                    Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
                }
            }
            return event(k, domains, System.currentTimeMillis());
        }
    }

    /** Records now - (slotEnd + ooo) of every decision. */
    static final class LatencySink implements Sink<BatchDecision> {
        private static final long serialVersionUID = 1L;
        final long oooMs;

        LatencySink(long oooMs) {
            this.oooMs = oooMs;
        }

        @Override
        public SinkWriter<BatchDecision> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(BatchDecision d, Context c) {
                    record(
                            System.currentTimeMillis() * 1000
                                    - (d.getSlotEnd().toEpochMilli() + oooMs) * 1000);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    static String latency(
            EmbeddedKafka kafka,
            Path topoFile,
            int domains,
            int rate,
            int seconds,
            String delivery,
            String budget,
            String candidates)
            throws Exception {
        String run = delivery.substring(0, 2) + System.nanoTime() % 100000;
        long ooo = 20;
        JobConfig config =
                JobConfig.parse(
                        new String[] {
                            "--topology",
                            topoFile.toString(),
                            "--delivery",
                            delivery,
                            // exactly-once makes decisions visible at each checkpoint: a
                            // short interval; at-least-once
                            // checkpoints only for source offsets and state
                            "--checkpoint-ms",
                            delivery.equals("exactly-once") ? "100" : "2000",
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--decisions-topic",
                            "dec-" + run,
                            "--transactional-id-prefix",
                            "tx-" + run,
                            "--transaction-timeout-ms",
                            "60000",
                            "--slot-ms",
                            "100",
                            "--out-of-orderness-ms",
                            Long.toString(ooo),
                            "--idleness-ms",
                            "0",
                            "--watermark-interval-ms",
                            "10",
                            "--budget-micros",
                            budget,
                            "--budget-nodes",
                            "0",
                            "--offer-unheard-nodes",
                            "true",
                            "--max-candidates",
                            candidates,
                            "--parallelism",
                            "2"
                        });
        kafka.createTopics(2, config.decisionsTopic);
        Topology topology = Topology.load(topoFile);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        SchedulerJob.configure(env, config);
        GeneratorFunction<Long, InputEvent> gen =
                k -> event(k, domains, System.currentTimeMillis());
        long events =
                (long) rate * 2 * (seconds + warmupMs / 1000); // warm-up plus the measured seconds
        DataGeneratorSource<InputEvent> src =
                new DataGeneratorSource<>(
                        gen,
                        events,
                        RateLimiterStrategy.perSecond(rate * 2.0),
                        TypeInformation.of(InputEvent.class));
        DataGeneratorSource<InputEvent> none =
                new DataGeneratorSource<>(
                        gen, 0, RateLimiterStrategy.noOp(), TypeInformation.of(InputEvent.class));
        SchedulerPipeline.Sinks sinks =
                new SchedulerPipeline.Sinks(
                        KafkaIo.sinks(config).decisions(),
                        new DiscardingSink<Rejection>(),
                        new DiscardingSink<SlotReport>(),
                        new DiscardingSink<DeadLetter>());
        SchedulerPipeline.build(
                        env,
                        new SchedulerPipeline.Sources(src, none, null),
                        sinks,
                        config,
                        topology)
                .decisions()
                .sinkTo(new LatencySink(ooo))
                .uid("latency-tap")
                .name("latency-tap");
        drain();
        List<Long> topic = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader =
                new Thread(
                        () -> {
                            try (KafkaConsumer<byte[], byte[]> c = kafka.consumer(true)) {
                                c.subscribe(List.of(config.decisionsTopic));
                                while (!stop.get()) {
                                    for (ConsumerRecord<byte[], byte[]> r :
                                            c.poll(Duration.ofMillis(5))) {
                                        long now = System.currentTimeMillis();
                                        BatchDecision d =
                                                BatchDecision.fromByteBuffer(
                                                        ByteBuffer.wrap(r.value()));
                                        if (now < measureFrom) {
                                            continue;
                                        }
                                        synchronized (topic) {
                                            topic.add(
                                                    (now - d.getSlotEnd().toEpochMilli() - ooo)
                                                            * 1000);
                                        }
                                    }
                                }
                            } catch (IOException e) {
                                throw new RuntimeException(e);
                            }
                        });
        reader.start();
        measureFrom = System.currentTimeMillis() + warmupMs; // start-up and JIT warm-up excluded
        JobClient job = env.executeAsync("latency-" + delivery);
        job.getJobExecutionResult().get();
        Thread.sleep(2000);
        stop.set(true);
        reader.join();
        long[] coord = drain();
        long[] top;
        synchronized (topic) {
            top = topic.stream().mapToLong(Long::longValue).toArray();
        }
        Arrays.sort(coord);
        Arrays.sort(top);
        String row =
                String.format(
                        "| %s | %d | %d | %d | %.1f | %.1f | %.1f | %.1f |%n",
                        delivery,
                        domains,
                        rate,
                        coord.length,
                        pct(coord, 50) / 1000.0,
                        pct(coord, 99) / 1000.0,
                        pct(top, 50) / 1000.0,
                        pct(top, 99) / 1000.0);
        System.out.print("latency: " + row);
        return row;
    }

    static long pct(long[] sorted, int p) {
        return org.edgellm.job.replay.RunOutput.pct(sorted, p);
    }
}
