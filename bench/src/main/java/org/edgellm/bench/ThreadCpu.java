package org.edgellm.bench;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of every live Java thread, measured (not sampled), grouped by what the thread does in
 * {@link KafkaJobBenchmark}'s one JVM. The JFR profile spreads the CPU of the threads it cannot
 * sample (the JIT compilers, GC, the VM thread) over the stages in proportion; this does not: what
 * the process used beyond its Java threads is reported on its own, as {@value #JVM}.
 */
final class ThreadCpu {
    static final String JVM = "JVM: JIT compilers, GC, VM (and Java threads that ended)";

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> start = new HashMap<>();
    private final Map<Long, Long> allocatedAtStart = new HashMap<>();

    /** Takes the starting point. */
    ThreadCpu() {
        threads.setThreadCpuTimeEnabled(true);
        if (threads.isThreadAllocatedMemorySupported()) {
            threads.setThreadAllocatedMemoryEnabled(true);
        }
        long[] ids = threads.getAllThreadIds();
        long[] cpu = threads.getThreadCpuTime(ids);
        long[] allocated = allocatedBytes(ids);
        for (int i = 0; i < ids.length; i++) {
            if (cpu[i] >= 0) {
                start.put(ids[i], cpu[i]);
            }
            if (allocated[i] >= 0) {
                allocatedAtStart.put(ids[i], allocated[i]);
            }
        }
    }

    private long[] allocatedBytes(long[] ids) {
        if (!threads.isThreadAllocatedMemoryEnabled()) {
            long[] none = new long[ids.length];
            java.util.Arrays.fill(none, -1);
            return none;
        }
        return threads.getThreadAllocatedBytes(ids);
    }

    /**
     * Heap bytes allocated per group since the start, by the live Java threads (the JVM's own
     * threads allocate no Java objects worth counting; threads that ended in between are not
     * counted); empty where the JVM does not measure allocation per thread.
     */
    Map<String, Long> allocatedBytesSince() {
        Map<String, Long> bytes = new LinkedHashMap<>();
        long[] ids = threads.getAllThreadIds();
        long[] allocated = allocatedBytes(ids);
        java.lang.management.ThreadInfo[] info = threads.getThreadInfo(ids);
        for (String g : GROUPS) {
            bytes.put(g, 0L);
        }
        boolean any = false;
        for (int i = 0; i < ids.length; i++) {
            if (allocated[i] < 0 || info[i] == null) {
                continue;
            }
            any = true;
            long used = allocated[i] - allocatedAtStart.getOrDefault(ids[i], 0L);
            bytes.merge(group(info[i].getThreadName()), used, Long::sum);
        }
        return any ? bytes : new LinkedHashMap<>();
    }

    /**
     * Cores used per group since the start, over the given seconds; the process's CPU nanoseconds
     * over the same span give the {@value #JVM} part (what no live Java thread accounts for).
     */
    Map<String, Double> coresSince(double seconds, long processCpuNanos) {
        long[] ids = threads.getAllThreadIds();
        long[] cpu = threads.getThreadCpuTime(ids);
        java.lang.management.ThreadInfo[] info = threads.getThreadInfo(ids);
        Map<String, Long> nanos = new LinkedHashMap<>();
        for (String g : GROUPS) {
            nanos.put(g, 0L);
        }
        long java = 0;
        for (int i = 0; i < ids.length; i++) {
            if (cpu[i] < 0 || info[i] == null) {
                continue;
            }
            long used = cpu[i] - start.getOrDefault(ids[i], 0L);
            java += used;
            nanos.merge(group(info[i].getThreadName()), used, Long::sum);
        }
        nanos.put(JVM, Math.max(0, processCpuNanos - java));
        Map<String, Double> cores = new LinkedHashMap<>();
        nanos.forEach((g, n) -> cores.put(g, Math.round(n / 1e9 / seconds * 1000) / 1000.0));
        return cores;
    }

    static final String[] GROUPS = {
        "job: Kafka source fetchers",
        "job: sources (decode, validate, send to the keyBy)",
        "job: slot coordinators (state, solve, encode, sink writers)",
        "job: other sink writers (rejections, dead letters)",
        "job: Kafka producers' network threads",
        "job: output flushers, watermark timers, checkpoints",
        "Flink runtime, other",
        "broker",
        "bench load generator",
        "bench decision reader",
        "bench floor readers",
        "other",
    };

    /** The group of a thread, by its name (Kafka's, Flink's and the benchmark's own names). */
    static String group(String name) {
        if (name.startsWith("bench-load") || name.endsWith("| bench-load")) {
            return "bench load generator";
        }
        if (name.startsWith("bench-read") || name.contains("| bench-read")) {
            return "bench decision reader";
        }
        if (name.contains("bench-floor")) {
            return "bench floor readers";
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return "job: Kafka producers' network threads";
        }
        if (name.startsWith("Source Data Fetcher")) {
            return "job: Kafka source fetchers";
        }
        if (name.startsWith("Source: ")) {
            return "job: sources (decode, validate, send to the keyBy)";
        }
        if (name.startsWith("slot-coordinator")) {
            return "job: slot coordinators (state, solve, encode, sink writers)";
        }
        if (name.contains("-sink: Writer")) {
            return "job: other sink writers (rejections, dead letters)";
        }
        if (name.startsWith("OutputFlusher")
                || name.startsWith("Time Trigger")
                || name.startsWith("AsyncOperations")) {
            return "job: output flushers, watermark timers, checkpoints";
        }
        if (name.startsWith("flink-")
                || name.startsWith("jobmanager")
                || name.startsWith("mini-cluster")
                || name.startsWith("Flink")
                || name.contains("pekko")) {
            return "Flink runtime, other";
        }
        if (name.startsWith("data-plane-kafka")
                || name.startsWith("kafka-")
                || name.startsWith("executor-")
                || name.startsWith("ExpirationReaper")
                || name.startsWith("quorum-controller")
                || name.startsWith("group-coordinator")
                || name.startsWith("share-coordinator")
                || name.startsWith("transaction-")
                || name.startsWith("controller-")
                || name.startsWith("broker-")
                || name.startsWith("raft-")
                || name.startsWith("LogDirFailureHandler")
                || name.startsWith("ReplicaFetcher")
                || name.startsWith("TxnMarkerSenderThread")) {
            return "broker";
        }
        return "other";
    }
}
