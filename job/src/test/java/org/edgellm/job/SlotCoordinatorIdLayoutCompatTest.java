package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * State written by the code of commit 5ebbe9d (1 December 2026) restores: {@code
 * savepoints/slot-coordinator-ids24.snapshot} holds the remembered ids in that code's layout
 * ({@code known-id-hashes}: 16 buckets per domain of 128-bit hashes with their deadlines, 24 bytes
 * per id), written with {@link OperatorSnapshotUtil} from the same run as the 0.1.0 savepoint
 * ({@link SlotCoordinatorSavepointCompatTest#before}, snapshot at 300 ms), and {@code
 * slot-coordinator-ids24.expected} is what that code emitted after the restore. The current code
 * must emit the same and still refuse the ids remembered there, also after a second snapshot.
 *
 * <p>To write both files again (only with the code whose layout they record): {@code mvn -pl job
 * test -Dtest=SlotCoordinatorIdLayoutCompatTest
 * -Dsavepoint.write=job/src/test/resources/savepoints}.
 */
class SlotCoordinatorIdLayoutCompatTest {

    static final String NAME = "slot-coordinator-ids24";

    static Path dir() {
        return SlotCoordinatorSavepointCompatTest.dir();
    }

    @Test
    @EnabledIfSystemProperty(named = "savepoint.write", matches = ".+")
    void write() throws Exception {
        SlotCoordinatorSavepointCompatTest.writeWithThisCode(NAME);
    }

    static OperatorSubtaskState committed(Path from) throws Exception {
        return OperatorSnapshotUtil.readStateHandle(from.resolve(NAME + ".snapshot").toString());
    }

    @Test
    void stateOfCommit5ebbe9dRestoresAndDecidesTheSame() throws Exception {
        String got =
                SlotCoordinatorSavepointCompatTest.text(
                        SlotCoordinatorSavepointCompatTest.restoreAndRun(dir(), NAME));
        // the restored state matters: r5 sat in the slot buffer, r4 in the pending queue, s1-s3
        // in d2's queue (r1-r3 are in d1-a's batch, whose lease ends after this run)
        for (String id : List.of("r4", "r5", "r6", "s1", "s2", "s3")) {
            assertTrue(got.contains(id), id + " is decided or rejected after the restore: " + got);
        }
        assertEquals(Files.readString(dir().resolve(NAME + ".expected")), got);
    }

    /**
     * Ids remembered in the 24-byte layout are refused as duplicates after the restore, in both
     * domains, and again after a second snapshot and restore; new ids are not refused. (That the
     * old state is emptied by the move is checked in FlinkDomainStateTest.)
     */
    @Test
    void idsRememberedInThe24ByteLayoutAreStillRefused() throws Exception {
        SlotCoordinatorSavepointCompatTest.assertItsIdsAreRefusedAfterRestoring(committed(dir()));
    }
}
