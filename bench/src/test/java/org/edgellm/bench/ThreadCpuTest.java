package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
    @Test
    void threadNamesOfARealRunGoToTheirGroups() {
        // names as they appear in a benchmark run (jcmd Thread.print of bench.jar job)
        assertEquals("broker", ThreadCpu.group("data-plane-kafka-request-handler-3"));
        assertEquals(
                "broker",
                ThreadCpu.group("data-plane-kafka-network-thread-0-ListenerName(EXTERNAL)"));
        assertEquals("broker", ThreadCpu.group("kafka-0-raft-io-thread"));
        assertEquals("broker", ThreadCpu.group("executor-Fetch"));
        assertEquals(
                "bench load generator",
                ThreadCpu.group("kafka-producer-network-thread | bench-load"));
        assertEquals("bench load generator", ThreadCpu.group("bench-load-heartbeats"));
        assertEquals(
                "bench decision reader",
                ThreadCpu.group("kafka-coordinator-heartbeat-thread | bench-read-job-r1x"));
        assertEquals(
                "job: Kafka producers' network threads",
                ThreadCpu.group("kafka-producer-network-thread | producer-7"));
        assertEquals(
                "job: Kafka source fetchers",
                ThreadCpu.group(
                        "Source Data Fetcher for Source: requests-source -> validate-requests (1/2)#0"));
        assertEquals(
                "job: sources (decode, validate, send to the keyBy)",
                ThreadCpu.group("Source: telemetry-source -> validate-telemetry (2/2)#0"));
        assertEquals(
                "job: slot coordinators (state, solve, encode, sink writers)",
                ThreadCpu.group(
                        "slot-coordinator -> (decisions-sink: Writer -> decisions-sink: Committer) (1/2)#0"));
        assertEquals(
                "job: other sink writers (rejections, dead letters)",
                ThreadCpu.group("rejections-sink: Writer -> rejections-sink: Committer (1/2)#0"));
        assertEquals(
                "job: output flushers, watermark timers, checkpoints",
                ThreadCpu.group("OutputFlusher for Source: channels-source (1/2)#0"));
        assertEquals("other", ThreadCpu.group("main"));
    }

    @Test
    void aBusyThreadIsMeasuredInItsGroupAndTheRestIsTheJvms() throws Exception {
        ThreadCpu cpu = new ThreadCpu();
        var os =
                (com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean();
        long p0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread spin =
                new Thread(
                        () -> {
                            var threads = ManagementFactory.getThreadMXBean();
                            long end = threads.getCurrentThreadCpuTime() + 300_000_000L;
                            long x = 0;
                            while (threads.getCurrentThreadCpuTime() < end) {
                                x += System.nanoTime() % 7;
                            }
                            sink = x;
                            try {
                                Thread.sleep(200); // alive when measured
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "bench-load");
        spin.start();
        Thread.sleep(50);
        while (spin.getState() == Thread.State.RUNNABLE) {
            Thread.sleep(10);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> cores = cpu.coresSince(secs, os.getProcessCpuTime() - p0);
        spin.join();
        double gen = cores.get("bench load generator") * secs;
        // it burned at least 0.3 s of its own CPU time, and its group holds exactly that thread
        assertTrue(gen >= 0.29 && gen < 0.5, "generator CPU seconds " + gen);
        double total = cores.values().stream().mapToDouble(Double::doubleValue).sum() * secs;
        assertTrue(total >= gen, "groups sum to at least the generator");
    }

    /**
     * A thread that allocates 64 arrays of 1 MiB (kept alive, so escape analysis cannot remove
     * them) is measured in its group with at least those bytes; the group of an idle named thread
     * allocates far less.
     */
    @Test
    void aThreadsAllocationIsMeasuredInItsGroup() throws Exception {
        ThreadCpu cpu = new ThreadCpu();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch measured = new java.util.concurrent.CountDownLatch(1);
        Thread alloc =
                new Thread(
                        () -> {
                            byte[][] keep = new byte[64][];
                            for (int i = 0; i < keep.length; i++) {
                                keep[i] = new byte[1 << 20];
                            }
                            kept = keep;
                            done.countDown();
                            try {
                                measured.await(); // alive when measured
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "bench-read-alloc");
        alloc.start();
        done.await();
        Map<String, Long> bytes = cpu.allocatedBytesSince();
        measured.countDown();
        alloc.join();
        kept = null;
        org.junit.jupiter.api.Assumptions.assumeFalse(
                bytes.isEmpty(), "this JVM does not measure allocation per thread");
        long reader = bytes.get("bench decision reader");
        assertTrue(
                reader >= 64L << 20 && reader < 80L << 20,
                "the reader group allocated " + reader + " bytes");
        assertTrue(bytes.get("bench load generator") < 1L << 20, bytes.toString());
    }

    static volatile Object kept;

    static volatile long sink;
}
