package org.edgellm.worker;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles, at a worker's start, the decisions its {@link FinishedLog} holds pending (run and
 * logged, their transaction's outcome unknown), by the group's committed offsets: those move only
 * in this node's transactions, so an offset past a decision's means the transaction that carried
 * its completions committed. The worker calls it after {@code initTransactions} (which completes
 * the previous producer's last transaction) and before it subscribes.
 */
final class PendingDecisions {
    /** Logs under the worker's name, as before this class was split from it. */
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    private PendingDecisions() {}

    /**
     * Records committed every pending decision whose offset the group has committed past (the
     * transaction with its completions committed); the others stay pending and are published when
     * they are delivered again. An offset missing counts as not committed.
     *
     * @return where finished-through starts: the largest slot end of the committed and refused
     *     decisions, at least 0
     */
    static long settle(FinishedLog finished, Consumer<byte[], byte[]> consumer) throws IOException {
        List<FinishedLog.Pending> open = finished.pendingDecisions();
        if (!open.isEmpty()) {
            Set<TopicPartition> tps = new HashSet<>();
            for (FinishedLog.Pending p : open) {
                tps.add(new TopicPartition(p.topic(), p.partition()));
            }
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    consumer.committed(tps, Duration.ofSeconds(60));
            for (FinishedLog.Pending p : open) {
                OffsetAndMetadata o = offsets.get(new TopicPartition(p.topic(), p.partition()));
                if (o != null && o.offset() > p.offset()) {
                    LOG.info(
                            "decision {} at {}-{}@{}: committed before the restart",
                            p.decisionId(),
                            p.topic(),
                            p.partition(),
                            p.offset());
                    finished.markCommitted(p.decisionId());
                } else {
                    LOG.info(
                            "decision {} at {}-{}@{}: run, not committed; its {} stored"
                                    + " completions go out when it is delivered again",
                            p.decisionId(),
                            p.topic(),
                            p.partition(),
                            p.offset(),
                            p.completions().size());
                }
            }
        }
        return Math.max(0, Math.max(finished.committedThroughMs(), finished.refusedThroughMs()));
    }
}
