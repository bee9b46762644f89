package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.edgellm.events.EventCodec;
import org.edgellm.events.NodeTelemetry;
import org.junit.jupiter.api.Test;

/** The heartbeat record and the loop that sends it, without a broker. */
class HeartbeatsTest {

    static final long NOW = 1_700_000_000_000L;

    static Worker.Settings settings() throws Exception {
        return new Worker.Settings(
                "unused:1",
                "edge-a",
                "domain-1",
                "decisions",
                "completions",
                "telemetry",
                Path.of("unused"),
                1,
                Map.of(),
                WorkerMain.capabilities(null, "domain-1", "edge-a"));
    }

    /** A fixed state; {@code running} answers true that many times, then false. */
    static Heartbeats.State state(
            int running, boolean committing, double busyUntil, double slowdown) {
        AtomicInteger left = new AtomicInteger(running);
        return new Heartbeats.State() {
            @Override
            public boolean running() {
                return left.getAndDecrement() > 0;
            }

            @Override
            public boolean committing() {
                return committing;
            }

            @Override
            public long finishedThrough() {
                return NOW - 500;
            }

            @Override
            public List<String> refused() {
                return List.of("d/9/edge-a");
            }

            @Override
            public double busyUntil() {
                return busyUntil;
            }

            @Override
            public double slowdown() {
                return slowdown;
            }
        };
    }

    static NodeTelemetry decode(ProducerRecord<byte[], byte[]> r) throws Exception {
        return EventCodec.decodeTelemetry(r.value(), 1 << 20);
    }

    @Test
    void theRecordIsKeyedByTheDomainAndCarriesWhatItWasGiven() throws Exception {
        Worker.Settings s = settings();
        Heartbeats h = new Heartbeats(s, () -> NOW, state(0, false, NOW + 2000, 1.5));
        ProducerRecord<byte[], byte[]> r = h.record(NOW, NOW - 100, List.of("d/1/edge-a"));
        assertEquals("telemetry", r.topic());
        // the domain, not the node: all heartbeats of a domain on one partition
        assertEquals("domain-1", new String(r.key(), StandardCharsets.UTF_8));
        NodeTelemetry t = decode(r);
        assertEquals("edge-a", t.getNodeId());
        assertEquals("domain-1", t.getDomainId());
        assertEquals(Instant.ofEpochMilli(NOW), t.getTime());
        assertEquals(Instant.ofEpochMilli(NOW + 2000), t.getBusyUntil());
        assertEquals(Instant.ofEpochMilli(NOW - 100), t.getFinishedThrough());
        assertEquals(List.of("d/1/edge-a"), t.getRefused());
        assertEquals(1.5, t.getSlowdown());
        assertTrue(t.getHealthy());
        assertEquals(s.capabilities(), t.getCapabilities());
    }

    @Test
    void anIdleWorkerIsBusyUntilNowAndTheSlowdownHasAFloor() throws Exception {
        for (double idle : new double[] {Double.NEGATIVE_INFINITY, 0}) {
            Heartbeats h = new Heartbeats(settings(), () -> NOW, state(0, false, idle, 0.001));
            NodeTelemetry t = decode(h.record(NOW, NOW, List.of()));
            assertEquals(Instant.ofEpochMilli(NOW), t.getBusyUntil());
            assertEquals(0.01, t.getSlowdown());
        }
    }

    @Test
    void theLoopSendsTheStateOncePerRoundAndNothingWhileACommitIsInFlight() throws Exception {
        MockProducer<byte[], byte[]> p =
                new MockProducer<>(
                        true, null, new ByteArraySerializer(), new ByteArraySerializer());
        // three rounds while committing: nothing sent
        new Heartbeats(settings(), () -> NOW, state(3, true, 0, 1)).loop(p);
        assertEquals(List.of(), p.history());
        // two rounds otherwise: two heartbeats of the state as it is then
        new Heartbeats(settings(), () -> NOW + 7, state(2, false, 0, 1)).loop(p);
        assertEquals(2, p.history().size());
        for (ProducerRecord<byte[], byte[]> r : p.history()) {
            NodeTelemetry t = decode(r);
            assertEquals(Instant.ofEpochMilli(NOW + 7), t.getTime());
            assertEquals(Instant.ofEpochMilli(NOW - 500), t.getFinishedThrough());
            assertEquals(List.of("d/9/edge-a"), t.getRefused());
        }
    }
}
