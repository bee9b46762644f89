package org.edgellm.worker;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.edgellm.events.EventCodec;
import org.edgellm.events.NodeTelemetry;

/**
 * The heartbeats of one {@link Worker}: the {@link NodeTelemetry} record, which the worker sends
 * periodically from its own thread ({@link #loop}) and once inside each batch's transaction (the
 * proof that the batch finished, docs/reliability.md section 10).
 *
 * <p>What a heartbeat reports is the worker's state, read through {@link State} at the moments the
 * worker's protocol requires: the loop stamps the time before it reads whether a commit is in
 * flight, and finished-through before the refusals.
 */
final class Heartbeats {

    /** The worker's state as the heartbeats read it. */
    interface State {
        /** Whether the worker still runs; the loop ends when not. */
        boolean running();

        /**
         * Whether a commit is in flight (from the last lease check of a batch until
         * finished-through has moved): no heartbeat is sent meanwhile, so a heartbeat stamped after
         * a batch's lease that does not show it finished proves it will never be committed. The
         * loop stamps the time before it reads this.
         */
        boolean committing();

        /** The slot end of the last batch finished (epoch ms). */
        long finishedThrough();

        /**
         * The refused decisions the heartbeats repeat (newest first); written before
         * finished-through moves past a later batch, and read after it, so a heartbeat that shows
         * the move shows the refusal too.
         */
        List<String> refused();

        /** The expected end of the batch running (epoch ms), or not positive when idle. */
        double busyUntil();

        /** The measured slowdown (smoothed). */
        double slowdown();
    }

    private final Worker.Settings s;
    private final LongSupplier clock;
    private final State state;

    Heartbeats(Worker.Settings s, LongSupplier clock, State state) {
        this.s = s;
        this.clock = clock;
        this.state = state;
    }

    /**
     * Sends a heartbeat every {@code heartbeatMs} until the worker stops or the thread is
     * interrupted; none while a commit is in flight.
     */
    void loop(Producer<byte[], byte[]> p) {
        while (state.running()) {
            long now = clock.getAsLong(); // stamped before the commit flag is read (see State)
            if (state.committing()) {
                try {
                    Thread.sleep(Math.min(20, s.heartbeatMs()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            long through = state.finishedThrough(); // read before the refusals (see State)
            List<String> refusals = state.refused();
            try {
                p.send(record(now, through, refusals));
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                return; // the worker stopped while the send waited for metadata
            }
            try {
                Thread.sleep(s.heartbeatMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A heartbeat of this node stamped now, saying it finished every batch through a slot end. */
    ProducerRecord<byte[], byte[]> record(long now, long through, List<String> refusals) {
        double busyUntil = state.busyUntil();
        NodeTelemetry t =
                NodeTelemetry.newBuilder()
                        .setNodeId(s.nodeId())
                        .setDomainId(s.domainId())
                        .setTime(Instant.ofEpochMilli(now))
                        // the expected end of the batch it runs (in the past when late), or now
                        // when idle
                        .setBusyUntil(
                                Instant.ofEpochMilli((long) (busyUntil > 0 ? busyUntil : now)))
                        .setHealthy(true)
                        .setSlowdown(Math.max(0.01, state.slowdown()))
                        .setFinishedThrough(Instant.ofEpochMilli(through))
                        .setRefused(new ArrayList<>(refusals))
                        .setCapabilities(s.capabilities())
                        .build();
        // keyed by domain, not by node: every heartbeat of a domain lands on one partition, so the
        // job reads them in the order they were written. Once it has read another node's heartbeat
        // from after this node's lease, it has read this node's committed proof of finishing too
        // (see NodeLiveness), however far it lags on that partition.
        return new ProducerRecord<>(
                s.telemetryTopic(),
                s.domainId().getBytes(StandardCharsets.UTF_8),
                EventCodec.encode(t));
    }
}
