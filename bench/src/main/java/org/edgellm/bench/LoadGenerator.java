package org.edgellm.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.edgellm.events.ChannelState;
import org.edgellm.events.EventCodec;
import org.edgellm.events.InferenceRequest;
import org.edgellm.job.JobConfig;

/**
 * The load generator of {@link KafkaJobBenchmark}, with its own Kafka producer: paced requests,
 * each after a channel state of its user, round the D domains, and heartbeats of every node (from
 * the {@link SimulatedWorkers}) spread evenly over time. Every event is keyed by its domain. The
 * events and the pacing are static functions, so that they can be checked without a broker.
 */
final class LoadGenerator extends Thread {
    final AtomicLong requests = new AtomicLong();

    /**
     * The pace of requests: from {@code fromNanos} (System.nanoTime()) on, {@code rate} request
     * pairs per second after the {@code basePairs} sent before it.
     */
    record Pace(long fromNanos, long basePairs, int rate) {}

    /** Before requests start: heartbeats only. */
    static final Pace NO_REQUESTS = new Pace(Long.MAX_VALUE, 0, 0);

    private volatile Pace pace = NO_REQUESTS;

    private final KafkaProducer<byte[], byte[]> producer;
    private final JobConfig config;
    private final KafkaJobBenchmark.Settings s;
    private final SimulatedWorkers workers;
    private final AtomicBoolean stop;

    LoadGenerator(
            String bootstrapServers,
            JobConfig config,
            KafkaJobBenchmark.Settings s,
            SimulatedWorkers workers,
            AtomicBoolean stop) {
        super("bench-load");
        setDaemon(true);
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
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

    /** Starts the requests now, at rate per second. */
    void startRequests(int rate) {
        pace = new Pace(System.nanoTime(), 0, rate);
    }

    /**
     * Goes on at another rate from now: the pairs due so far stay due (a generator behind its pace
     * catches up on them at the old rate's round size), the rest follow the new rate.
     */
    void changeRate(int rate) {
        long now = System.nanoTime();
        pace = new Pace(now, duePairs(now, pace), rate);
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
                Pace at = pace;
                long due = duePairs(System.nanoTime(), at);
                long now = System.currentTimeMillis();
                long limit = roundLimit(due, pairs, at.rate());
                for (; pairs < limit && !stop.get(); pairs++) {
                    sendPair(pairs, domains, nodes, now);
                    requests.incrementAndGet();
                }
                if (pairs >= due) {
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
        double beatsPerSecond = beatsPerSecond(totalNodes);
        long start = System.nanoTime();
        long beats = 0;
        try {
            while (!stop.get()) {
                long dueBeats = (long) ((System.nanoTime() - start) / 1e9 * beatsPerSecond);
                long now = System.currentTimeMillis();
                for (; beats < dueBeats && !stop.get(); beats++) {
                    long node = beats % totalNodes;
                    String domain = domainOfBeat(node, nodes);
                    String id = nodeOfBeat(node, nodes);
                    producer.send(
                            new ProducerRecord<>(
                                    config.telemetryTopic,
                                    null,
                                    now,
                                    key(domain),
                                    EventCodec.encode(workers.heartbeat(domain, id, now))));
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sendPair(long pair, int domains, int nodes, long now) {
        String domain = domain(pair, domains);
        byte[] key = key(domain);
        producer.send(
                new ProducerRecord<>(
                        config.channelsTopic,
                        null,
                        now,
                        key,
                        EventCodec.encode(channelState(pair, domains, nodes, now))));
        producer.send(
                new ProducerRecord<>(
                        config.requestsTopic,
                        null,
                        now,
                        key,
                        EventCodec.encode(request(pair, domains, s.shape(), now))));
    }

    // ---------------------------------------------------------------- pacing and events

    /**
     * The request pairs due at nanos (System.nanoTime()) at rate per second from {@code from}; none
     * before it.
     */
    static long duePairs(long nanos, long from, int rate) {
        return nanos < from ? 0 : (long) ((nanos - from) / 1e9 * rate);
    }

    /** The request pairs due at nanos under a pace: its base, then its rate from its start. */
    static long duePairs(long nanos, Pace p) {
        return nanos < p.fromNanos()
                ? p.basePairs()
                : p.basePairs() + duePairs(nanos, p.fromNanos(), p.rate());
    }

    /**
     * How far one round sends, having sent {@code pairs}: at most 10 ms of events per round (at
     * least one), restamped each round, so that a generator that falls behind stays behind (its
     * produced rate says so) but sends current times.
     */
    static long roundLimit(long duePairs, long pairs, int rate) {
        return Math.min(duePairs, pairs + Math.max(1, rate / 100));
    }

    /**
     * Heartbeats per second over all nodes: each node twice a second, or ten times with fewer than
     * 1000 nodes, so that the telemetry partitions' watermarks keep up.
     */
    static double beatsPerSecond(long totalNodes) {
        return totalNodes * (totalNodes >= 1000 ? 2.0 : 10.0);
    }

    /** The domain of the node with index {@code node} over all domains. */
    static String domainOfBeat(long node, int nodesPerDomain) {
        return "dom-" + node / nodesPerDomain;
    }

    /** The id of the node with index {@code node} over all domains. */
    static String nodeOfBeat(long node, int nodesPerDomain) {
        return domainOfBeat(node, nodesPerDomain)
                + "-"
                + (char) ('a' + (int) (node % nodesPerDomain));
    }

    /** The record key of every event: its domain. */
    static byte[] key(String domain) {
        return domain.getBytes(StandardCharsets.UTF_8);
    }

    /** The domain of request pair {@code pair}: the pairs go round the domains. */
    static String domain(long pair, int domains) {
        return "dom-" + (int) (pair % domains);
    }

    /** The user of request pair {@code pair}: ten users per domain. */
    static String user(long pair, int domains) {
        return "u" + (pair % (domains * 10L));
    }

    /** The channel state sent before request {@code pair}: its user to one node of its domain. */
    static ChannelState channelState(long pair, int domains, int nodes, long now) {
        String domain = domain(pair, domains);
        return ChannelState.newBuilder()
                .setUserId(user(pair, domains))
                .setDomainId(domain)
                .setNodeId(domain + "-" + (char) ('a' + (int) ((pair / domains) % nodes)))
                .setMeasuredAt(Instant.ofEpochMilli(now))
                .setUplinkSpectralEfficiency(4)
                .setDownlinkSpectralEfficiency(5)
                .build();
    }

    /** Request {@code pair}, arriving now with 15 s to its deadline, its sizes by the shape. */
    static InferenceRequest request(
            long pair, int domains, KafkaJobBenchmark.Shape shape, long now) {
        boolean small = shape == KafkaJobBenchmark.Shape.SERVABLE;
        return InferenceRequest.newBuilder()
                .setRequestId("q" + pair)
                .setUserId(user(pair, domains))
                .setDomainId(domain(pair, domains))
                .setArrivalTime(Instant.ofEpochMilli(now))
                .setPromptTokens(small ? 50 + (int) (pair % 200) : 100 + (int) (pair % 900))
                .setMaxOutputTokens(small ? 10 + (int) (pair % 40) : 20 + (int) (pair % 200))
                .setDeadline(Instant.ofEpochMilli(now + 15_000))
                .setMaxPplIncrease(0.5)
                .setWeight(1)
                .setServiceClass("standard")
                .build();
    }
}
