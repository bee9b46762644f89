package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start of a worker: its pending decisions settled by the group's committed offsets. */
class PendingDecisionsTest {

    @TempDir Path dir;

    static FinishedLog.Pending pending(String id, int partition, long offset, long slotEnd) {
        return new FinishedLog.Pending(
                id,
                "decisions",
                partition,
                offset,
                slotEnd,
                List.of(
                        new FinishedLog.Stored(
                                (id + "#r0").getBytes(StandardCharsets.UTF_8), new byte[] {1})));
    }

    static MockConsumer<byte[], byte[]> committed(Map<TopicPartition, Long> offsets) {
        MockConsumer<byte[], byte[]> c = new MockConsumer<>("earliest");
        c.assign(List.of(tp(0), tp(1), tp(2)));
        offsets.forEach((tp, o) -> c.commitSync(Map.of(tp, new OffsetAndMetadata(o))));
        return c;
    }

    static TopicPartition tp(int p) {
        return new TopicPartition("decisions", p);
    }

    @Test
    void aPendingDecisionIsCommittedExactlyWhenTheGroupsOffsetIsPastIt() throws Exception {
        try (FinishedLog log = new FinishedLog(dir.resolve("f.log"));
                MockConsumer<byte[], byte[]> consumer = committed(Map.of(tp(0), 6L, tp(1), 7L))) {
            log.addPending(pending("d/past/n1", 0, 5, 1_000)); // offset 6 > 5: committed
            log.addPending(pending("d/at/n1", 1, 7, 2_000)); // offset 7, not past 7: aborted
            log.addPending(pending("d/none/n1", 2, 0, 3_000)); // no offset: not committed
            long through = PendingDecisions.settle(log, consumer);
            assertTrue(log.contains("d/past/n1"));
            assertEquals(null, log.pending("d/past/n1"));
            assertFalse(log.contains("d/at/n1"));
            assertEquals(1, log.pending("d/at/n1").completions().size(), "kept for redelivery");
            assertFalse(log.contains("d/none/n1"));
            assertEquals(1_000, through, "only the committed decision counts");
        }
    }

    @Test
    void finishedThroughStartsFromTheLatestCommittedOrRefusedSlotEnd() throws Exception {
        try (FinishedLog log = new FinishedLog(dir.resolve("f.log"));
                MockConsumer<byte[], byte[]> consumer = committed(Map.of())) {
            assertEquals(0, PendingDecisions.settle(log, consumer), "nothing yet: 0");
            log.addPending(pending("d/1/n1", 0, 0, 1_000));
            log.markCommitted("d/1/n1");
            log.markRefused("d/2/n1", 4_000);
            assertEquals(4_000, PendingDecisions.settle(log, consumer));
            log.addPending(pending("d/3/n1", 0, 1, 9_000));
            log.markCommitted("d/3/n1");
            assertEquals(9_000, PendingDecisions.settle(log, consumer));
        }
    }
}
