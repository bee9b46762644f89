package org.edgellm.bench;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.NodeTelemetry;

/**
 * The workers of {@link KafkaJobBenchmark}, simulated: per node, the batches the decision reader
 * saw, so that the load generator's heartbeats report progress as a worker would that runs every
 * batch exactly as the decision predicted (finished through the slots whose compute end has passed,
 * busy until the last predicted compute end).
 */
final class SimulatedWorkers {
    final Map<String, Node> nodes = new ConcurrentHashMap<>();

    static final class Node {
        final ArrayDeque<double[]> batches = new ArrayDeque<>(); // {computeEndMs, slotEnd}
        long finishedThrough = Long.MIN_VALUE;
        double busyUntil = Double.NEGATIVE_INFINITY;
    }

    /** A decision the reader saw: its node runs it until its predicted compute end. */
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
