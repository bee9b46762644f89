package org.edgellm.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Recording;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
 *
 * <p>This class runs one measurement from start to end; the pieces are {@link JobBenchSetup} (the
 * job's flags, topics and MiniCluster configuration), {@link LoadGenerator}, {@link
 * SimulatedWorkers}, {@link DecisionReader}, {@link SourceCounters}, {@link StageProfile} and
 * {@link JobBenchReport} (the JSON line and the Markdown).
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
            int jitSettleSeconds,
            int warmupRate,
            int riseSeconds,
            int rampSeconds,
            int spikeRate,
            int spikeSeconds,
            boolean exactlyOnce,
            int parallelism,
            Shape shape,
            long checkpointMs,
            int nodesPerDomain,
            int partitions,
            String stateBackend,
            List<String> jobOptions,
            List<String> flinkOptions,
            Path markdown,
            Path latencyCsv,
            Path profileOut,
            String command) {
        /** The request rate of the warm-up: warmupRate, or the rate when that is 0. */
        int rateOfWarmup() {
            return warmupRate > 0 ? warmupRate : rate;
        }

        /** Seconds of the rise from the warm-up's rate to the rate (0 without a warm-up rate). */
        int riseSecondsUsed() {
            return rateOfWarmup() == rate ? 0 : riseSeconds;
        }

        /** Seconds of the spike at the start of the ramp (0 without a warm-up rate or a spike). */
        int spikeSecondsUsed() {
            return rateOfWarmup() == rate || spikeRate <= 0 ? 0 : spikeSeconds;
        }
    }

    /**
     * The rates of a linear rise from {@code from} to {@code to} requests/s over {@code seconds}
     * one-second steps: step k (1-based) runs at from + (to - from) * k / seconds, rounded, so the
     * last step is at {@code to}; no step for 0 seconds (a jump).
     */
    static int[] riseRates(int from, int to, int seconds) {
        int[] r = new int[Math.max(0, seconds)];
        for (int k = 1; k <= r.length; k++) {
            r[k - 1] = (int) Math.round(from + (double) (to - from) * k / r.length);
        }
        return r;
    }

    /** Runs one measurement; prints progress and, last, one JSON line; returns the figures. */
    public static Map<String, Object> run(Settings s, PrintStream out) throws Exception {
        SourceCounters.reset();
        double loadBefore = JobBenchReport.loadAverage();
        CpuReference.Result reference = CpuReference.measure();
        MemoryReference.Result memory = MemoryReference.measure();
        Path topoFile = Files.createTempFile("bench-topology", ".yaml");
        Files.writeString(topoFile, JobBenchSetup.topology(s.domains(), s.nodesPerDomain()));
        String run = "r" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        Map<String, Object> res;
        JitWarmup.Result warm;
        double compileShare; // the compilers' time per second of the measured window
        List<Long> backlog = new ArrayList<>(); // requests not yet read, every 10 s of the ramp
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            // the profile's recording starts before the job (JFR's start-up, a second or more of
            // CPU, held up the job's slots by up to 10 s on a saturated machine when it started at
            // the window, and that backlog took longer than the window to drain); only its events
            // within the measured window are counted
            Recording jfr = new Recording();
            jfr.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            jfr.enable("jdk.GarbageCollection");
            jfr.start();
            JobConfig config = JobBenchSetup.jobConfig(s, topoFile, kafka.bootstrapServers(), run);
            JobBenchSetup.createTopics(kafka, s.partitions(), config);
            Topology topology = Topology.load(topoFile);

            BenchMetrics.GAUGES.clear();
            Configuration conf =
                    JobBenchSetup.flinkConfiguration(s.stateBackend(), s.flinkOptions());
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            SchedulerJob.configure(env, config);
            SchedulerPipeline.build(
                    env,
                    KafkaIo.sources(config, topology, SourceCounters.Counting::new),
                    KafkaIo.sinks(config),
                    config,
                    topology);

            SimulatedWorkers workers = new SimulatedWorkers();
            AtomicBoolean stop = new AtomicBoolean();
            PrintWriter latencyCsv =
                    s.latencyCsv() == null
                            ? null
                            : new PrintWriter(
                                    Files.newBufferedWriter(
                                            s.latencyCsv(), StandardCharsets.UTF_8));
            DecisionReader reader =
                    new DecisionReader(
                            kafka.bootstrapServers(),
                            config,
                            JobBenchSetup.OOO_MS,
                            workers,
                            stop,
                            latencyCsv);
            LoadGenerator load =
                    new LoadGenerator(kafka.bootstrapServers(), config, s, workers, stop);
            reader.start();
            reader.awaitAssigned();
            JobClient job = env.executeAsync("bench-job-" + run);
            // no load before every source reader of the job is open: the MiniCluster's start-up
            // (tens of seconds on a busy machine) would otherwise leave a backlog of heartbeats
            long deadline = System.nanoTime() + 300_000_000_000L;
            while (SourceCounters.OPENED.get() < 3L * s.parallelism()
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            load.start();
            // requests once the job has read a heartbeat
            while (SourceCounters.TELEMETRY.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (SourceCounters.TELEMETRY.get() == 0) {
                throw new IllegalStateException("the job read no heartbeat within 300 s");
            }
            load.startRequests(s.rateOfWarmup());

            warm = JitWarmup.warmUpThisJvm(s.warmupSeconds(), s.jitSettleSeconds());
            out.println(warm.describe());
            if (s.rateOfWarmup() != s.rate()) {
                // the compilers are done at the warm-up's rate: now the measured rate, long
                // enough for the state that grows with it (remembered ids: 10 s past their
                // deadlines, about half a minute of them at 15-s budgets) to reach its size at that
                // rate
                int[] rise = riseRates(s.rateOfWarmup(), s.rate(), s.riseSecondsUsed());
                if (rise.length > 0) {
                    out.printf(
                            Locale.ROOT,
                            "rise: %d s from %d to %d requests/s%n",
                            rise.length,
                            s.rateOfWarmup(),
                            s.rate());
                }
                for (int r : rise) {
                    load.changeRate(r);
                    Thread.sleep(1000L);
                }
                if (s.spikeSecondsUsed() > 0) {
                    out.printf(
                            Locale.ROOT,
                            "spike: %d s at %d requests/s%n",
                            s.spikeSecondsUsed(),
                            s.spikeRate());
                    load.changeRate(s.spikeRate());
                    Thread.sleep(s.spikeSecondsUsed() * 1000L);
                }
                load.changeRate(s.rate());
                out.printf(
                        Locale.ROOT,
                        "ramp: %d s at %d requests/s before the window%n",
                        s.rampSeconds(),
                        s.rate());
                // every 10 s, how many requests written are not yet read by the job's sources:
                // after a spike, whether and how fast the job works off its backlog
                for (int left = s.rampSeconds(); left > 0; left -= 10) {
                    Thread.sleep(Math.min(10, left) * 1000L);
                    long unread = load.requests.get() - SourceCounters.REQUESTS.get();
                    backlog.add(unread);
                    out.printf(
                            Locale.ROOT,
                            "ramp: %d s left, %d requests written and not yet read%n",
                            Math.max(0, left - 10),
                            unread);
                }
            }
            long compile0 = JitWarmup.compileMillis();
            // the measured window: decisions of slots that end in it; inputs counted at the sources
            OperatingSystemMXBean os =
                    (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            Instant profileFrom = Instant.now();
            ThreadCpu threadCpu = new ThreadCpu();
            long cpu0 = os.getProcessCpuTime();
            long r0 = SourceCounters.REQUESTS.get();
            long c0 = SourceCounters.CHANNELS.get();
            long h0 = SourceCounters.TELEMETRY.get();
            long p0 = load.requests.get();
            double cp0 = BenchMetrics.value("numberOfCompletedCheckpoints");
            // Flink's counts are since the job started: the failures of its start-up (tasks not yet
            // running when a checkpoint triggers) are not the window's
            double cpFailed0 = BenchMetrics.value("numberOfFailedCheckpoints");
            long t0 = System.nanoTime();
            long from = System.currentTimeMillis();
            reader.window(from, from + s.seconds() * 1000L);
            Thread.sleep(s.seconds() * 1000L);
            double secs = (System.nanoTime() - t0) / 1e9;
            long r1 = SourceCounters.REQUESTS.get();
            long c1 = SourceCounters.CHANNELS.get();
            long h1 = SourceCounters.TELEMETRY.get();
            long p1 = load.requests.get();
            double cp1 = BenchMetrics.value("numberOfCompletedCheckpoints");
            double cpDuration = BenchMetrics.value("lastCheckpointDuration");
            double cpSize = BenchMetrics.value("lastCheckpointSize");
            double cpFull = BenchMetrics.value("lastCheckpointFullSize");
            double cpFailed = BenchMetrics.value("numberOfFailedCheckpoints");
            long cpu1 = os.getProcessCpuTime();
            compileShare = JitWarmup.shareSince(compile0, (System.nanoTime() - t0) / 1e6);
            Map<String, Double> coresByThreads =
                    threadCpu.coresSince((System.nanoTime() - t0) / 1e9, cpu1 - cpu0);
            Map<String, Long> allocatedByThreads = threadCpu.allocatedBytesSince();
            Instant profileTo = Instant.now();
            jfr.stop();
            // kept where --profile-out says, else in a temporary file deleted once read
            Path jfrFile =
                    s.profileOut() != null
                            ? s.profileOut()
                            : Files.createTempFile("bench-job", ".jfr");
            jfr.dump(jfrFile);
            jfr.close();
            // decisions of the window's last slots: wait for them (bounded)
            Thread.sleep(Math.max(3000, 3 * s.checkpointMs()));
            stop.set(true);
            load.join();
            job.cancel().get();
            reader.join();
            if (latencyCsv != null) {
                latencyCsv.close();
            }

            long invalid = SourceCounters.INVALID.get();
            StageProfile prof = StageProfile.read(jfrFile, profileFrom, profileTo);
            if (s.profileOut() == null) {
                Files.deleteIfExists(jfrFile);
            }
            res =
                    JobBenchReport.figures(
                            s,
                            new JobBenchReport.Window(
                                    secs,
                                    r1 - r0,
                                    c1 - c0,
                                    h1 - h0,
                                    p1 - p0,
                                    invalid,
                                    reader.decisions,
                                    reader.decidedRequests,
                                    reader.rejections,
                                    reader.reasons,
                                    reader.latencies(),
                                    reader.slots(),
                                    reader.lagBehind(
                                            from,
                                            from + s.seconds() * 1000L,
                                            JobBenchSetup.SLOT_MS),
                                    cpu1 - cpu0,
                                    prof,
                                    coresByThreads,
                                    allocatedByThreads,
                                    cp1 - cp0,
                                    cpFailed - cpFailed0,
                                    cpDuration,
                                    cpSize,
                                    cpFull,
                                    loadBefore,
                                    JobBenchReport.loadAverage(),
                                    JobBenchReport.cpuPressure(),
                                    Runtime.getRuntime().availableProcessors(),
                                    String.join(
                                            " ",
                                            ManagementFactory.getRuntimeMXBean()
                                                    .getInputArguments())));
        } finally {
            Files.deleteIfExists(topoFile);
        }
        JobBenchReport.putReference(res, reference);
        JobBenchReport.putMemoryReference(res, memory);
        JobBenchReport.putWarmup(res, warm, compileShare);
        JobBenchReport.putBacklog(res, backlog);
        if (s.markdown() != null) {
            Files.writeString(
                    s.markdown(),
                    JobBenchReport.markdown(res, s.command()),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
        out.println(JobBenchReport.json(res));
        return res;
    }
}
