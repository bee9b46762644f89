package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.edgellm.events.BatchDecision;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's state written with Flink's POJO serializers (as every release before the
 * hand-written ones) restores into the hand-written serializers, under RocksDB as well as the heap
 * backend. RocksDB keeps values as bytes: on restore it reads each stored value with the serializer
 * restored from the POJO snapshot and writes it again with the new one (compatible after
 * migration); the heap backend keeps the objects it read.
 *
 * <p>The scenario is {@link SlotCoordinatorSavepointCompatTest}'s (pending queues, channels, node
 * runtimes with tracked batches, an event in the slot buffer, remembered ids), run in three parts
 * with a snapshot and a restore between them. The oracle is the same run with POJO serializers and
 * no migration: every combination must emit exactly what it emitted.
 */
class SlotCoordinatorRocksDbRestoreTest {

    static final long FIRST_SNAPSHOT = SlotCoordinatorSavepointCompatTest.SNAPSHOT_AT;
    static final long SECOND_SNAPSHOT = 1200;
    static final long END = SlotCoordinatorSavepointCompatTest.END;

    /** One part of the run: the serializers and the backend of its harness. */
    record Part(CoordinatorState types, boolean rocksDb) {}

    static KeyedOneInputStreamOperatorTestHarness<String, InputEvent, BatchDecision> harness(Part p)
            throws Exception {
        JobConfig config = SlotCoordinatorSavepointCompatTest.savepointConfig();
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new SlotCoordinator(SlotCoordinatorTest.TOPOLOGY, config, p.types)),
                        (InputEvent e) -> e.domainId,
                        Types.STRING);
        StateBackend backend =
                p.rocksDb ? new EmbeddedRocksDBStateBackend() : new HashMapStateBackend();
        h.setStateBackend(backend);
        return h;
    }

    /**
     * The scenario in three parts (up to the first snapshot, to the second, to the end), each in a
     * harness of its own restored from the previous one's snapshot; what all of them emitted.
     */
    static Map<String, String> run(Part first, Part second, Part third) throws Exception {
        List<KeyedOneInputStreamOperatorTestHarness<String, InputEvent, BatchDecision>> done =
                new ArrayList<>();
        var h1 = harness(first);
        h1.open();
        SlotCoordinatorRescaleTest.feed(
                List.of(h1), SlotCoordinatorSavepointCompatTest.before(), 100, FIRST_SNAPSHOT);
        OperatorSubtaskState s1 = h1.snapshot(1, FIRST_SNAPSHOT);
        done.add(h1);
        var h2 = harness(second);
        h2.initializeState(s1);
        h2.open();
        List<InputEvent> after = new ArrayList<>(SlotCoordinatorSavepointCompatTest.after());
        // ids remembered before the first snapshot come again: refused as duplicates
        after.add(Events.request("r1", "u1", "d1", 450, 800, 200, 60_000));
        after.add(Events.request("s1", "v1", "d2", 460, 300, 100, 30_000));
        SlotCoordinatorRescaleTest.feed(List.of(h2), after, FIRST_SNAPSHOT + 100, SECOND_SNAPSHOT);
        OperatorSubtaskState s2 = h2.snapshot(2, SECOND_SNAPSHOT);
        done.add(h2);
        var h3 = harness(third);
        h3.initializeState(s2);
        h3.open();
        SlotCoordinatorRescaleTest.feed(
                List.of(h3),
                List.of(Events.request("r2", "u2", "d1", 1250, 400, 100, 60_000)),
                SECOND_SNAPSHOT + 100,
                END);
        done.add(h3);
        try {
            Map<String, String> out = new TreeMap<>();
            for (var h : done) {
                out.putAll(SlotCoordinatorRescaleTest.outcome(List.of(h)));
                for (String id : SlotCoordinatorSavepointCompatTest.refusedAsDuplicates(h)) {
                    out.put("duplicate " + id, "refused");
                }
            }
            return out;
        } finally {
            for (var h : done) {
                h.close();
            }
        }
    }

    static final Part POJO_ROCKSDB = new Part(CoordinatorState.POJO, true);
    static final Part NEW_ROCKSDB = new Part(CoordinatorState.HAND_WRITTEN, true);
    static final Part POJO_HEAP = new Part(CoordinatorState.POJO, false);
    static final Part NEW_HEAP = new Part(CoordinatorState.HAND_WRITTEN, false);

    /** The run with POJO serializers throughout, under RocksDB: nothing migrates. */
    static Map<String, String> oracle() throws Exception {
        Map<String, String> o = run(POJO_ROCKSDB, POJO_ROCKSDB, POJO_ROCKSDB);
        // the restored state matters: decisions of the queued requests, the buffered r5, the
        // remembered ids refused after each restore
        String text = SlotCoordinatorSavepointCompatTest.text(o);
        for (String id : List.of("r2", "r3", "r4", "r5", "r6", "s1", "s2", "s3")) {
            assertTrue(text.contains(id), id + " decided or rejected: " + text);
        }
        assertEquals("refused", o.get("duplicate r1"), text);
        assertEquals("refused", o.get("duplicate s1"), text);
        assertEquals("refused", o.get("duplicate r2"), text);
        return o;
    }

    @Test
    void pojoStateMigratesUnderRocksDb() throws Exception {
        Map<String, String> expected = oracle();
        assertEquals(expected, run(POJO_ROCKSDB, NEW_ROCKSDB, NEW_ROCKSDB), "migrated at once");
        assertEquals(expected, run(POJO_ROCKSDB, POJO_ROCKSDB, NEW_ROCKSDB), "migrated later");
        assertEquals(expected, run(NEW_ROCKSDB, NEW_ROCKSDB, NEW_ROCKSDB), "hand-written only");
    }

    @Test
    void pojoStateMigratesOnTheHeapBackend() throws Exception {
        Map<String, String> expected = oracle();
        assertEquals(expected, run(POJO_HEAP, NEW_HEAP, NEW_HEAP), "migrated on the heap");
        assertEquals(expected, run(NEW_HEAP, NEW_HEAP, NEW_HEAP), "hand-written on the heap");
    }
}
