package org.edgellm.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.EventCodec;
import org.edgellm.events.Rejection;
import org.edgellm.job.JobConfig;

/**
 * The decision reader of {@link KafkaJobBenchmark}: reads the decision and rejection topics with
 * {@code read_committed} and feeds every decision to the simulated workers. In the measured window
 * (decisions by slot end, rejections by time) it counts them, the decided requests and the
 * rejections by reason, and takes each decision's latency: the moment the reader sees it minus the
 * moment its slot could close (slot end plus the out-of-orderness).
 */
final class DecisionReader extends Thread {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final JobConfig config;
    private final SimulatedWorkers workers;
    private final AtomicBoolean stop;
    private final long outOfOrdernessMs;
    private volatile long from = Long.MAX_VALUE;
    private volatile long to = Long.MAX_VALUE;
    private long[] lat = new long[1 << 16];

    /** The slot end of each latency in {@code lat}. */
    private long[] slotOf = new long[1 << 16];

    private int n;
    long decisions;

    /** The latest slot end of any decision read so far (Long.MIN_VALUE: none yet). */
    volatile long lastSlotEnd = Long.MIN_VALUE;

    long decidedRequests;
    long rejections;
    final Map<String, Long> reasons = new TreeMap<>();

    DecisionReader(
            String bootstrapServers,
            JobConfig config,
            long outOfOrdernessMs,
            SimulatedWorkers workers,
            AtomicBoolean stop,
            PrintWriter latencyCsv) {
        super("bench-read");
        this.latencyCsv = latencyCsv;
        if (latencyCsv != null) {
            latencyCsv.println(
                    "seen_ms,slot_end_ms,latency_ms,in_window,domain,node,requests,compute_start_ms");
        }
        setDaemon(true);
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("client.id", "bench-read");
        p.put("group.id", "bench-read-" + config.groupId);
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        p.put("isolation.level", "read_committed");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.config = config;
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.workers = workers;
        this.stop = stop;
        consumer.subscribe(List.of(config.decisionsTopic, config.rejectionsTopic));
    }

    /** Waits (at most 30 s) until the consumer has its partitions. */
    void awaitAssigned() throws InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (!assigned && System.nanoTime() < end) {
            Thread.sleep(20);
        }
    }

    private volatile boolean assigned;

    /** One line per decision read, the warm-up's included (null: none; its opener closes it). */
    private final PrintWriter latencyCsv;

    /** Counts from now on what falls in [fromMs, toMs) (epoch ms). */
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
                        if (slotEnd > lastSlotEnd) {
                            lastSlotEnd = slotEnd;
                        }
                        boolean inWindow = slotEnd >= from && slotEnd < to;
                        if (latencyCsv != null) {
                            latencyCsv.printf(
                                    Locale.ROOT,
                                    "%d,%d,%d,%b,%s,%s,%d,%.0f%n",
                                    now,
                                    slotEnd,
                                    now - (slotEnd + outOfOrdernessMs),
                                    inWindow,
                                    d.getDomainId(),
                                    d.getNodeId(),
                                    d.getRequests().size(),
                                    d.getComputeStartMs());
                        }
                        if (inWindow) {
                            decisions++;
                            decidedRequests += d.getRequests().size();
                            if (n == lat.length) {
                                lat = Arrays.copyOf(lat, 2 * n);
                            }
                            if (n == slotOf.length) {
                                slotOf = Arrays.copyOf(slotOf, 2 * n);
                            }
                            slotOf[n] = slotEnd;
                            lat[n++] = now - (slotEnd + outOfOrdernessMs);
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

    /**
     * How far the latest decided slot end is behind the last slot of a window ending at toMs (slots
     * of slotMs; 0 when some decision of a slot ending in the window's last slot length, or later,
     * was read; the whole window when none was).
     */
    long lagBehind(long fromMs, long toMs, long slotMs) {
        return lagBehind(lastSlotEnd, fromMs, toMs, slotMs);
    }

    /** {@link #lagBehind(long, long, long)} for a given latest decided slot end. */
    static long lagBehind(long last, long fromMs, long toMs, long slotMs) {
        long need = toMs - slotMs;
        if (last == Long.MIN_VALUE) {
            return toMs - fromMs;
        }
        return Math.max(0, need - last);
    }

    /** Each slot's first and last decision in the window (read once the reader has stopped). */
    SlotLatencies slots() {
        return SlotLatencies.of(slotOf, lat, n);
    }

    /** The window's latencies in ms, sorted (read once the reader has stopped). */
    long[] latencies() {
        long[] out = Arrays.copyOf(lat, n);
        Arrays.sort(out);
        return out;
    }
}
