package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.edgellm.worker.FinishedLog.Pending;
import org.edgellm.worker.FinishedLog.Stored;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The finished log with stored completions: round trip, torn lines, old files, compaction. */
class FinishedLogCompletionsTest {

    @TempDir Path dir;

    static Stored stored(String key, String value) {
        return new Stored(
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    static Pending pending(String id, long offset, long slotEnd, Stored... cs) {
        return new Pending(id, "batch-decisions", 1, offset, slotEnd, List.of(cs));
    }

    static void assertSame(Pending want, Pending got) {
        assertEquals(want.decisionId(), got.decisionId());
        assertEquals(want.topic(), got.topic());
        assertEquals(want.partition(), got.partition());
        assertEquals(want.offset(), got.offset());
        assertEquals(want.slotEndMs(), got.slotEndMs());
        assertEquals(want.completions().size(), got.completions().size());
        for (int i = 0; i < want.completions().size(); i++) {
            Stored w = want.completions().get(i);
            Stored g = got.completions().get(i);
            if (w.key() == null) {
                assertNull(g.key());
            } else {
                assertArrayEquals(w.key(), g.key());
            }
            assertArrayEquals(w.value(), g.value());
        }
    }

    @Test
    void completionsSurviveARestartUntilMarkedCommitted() throws Exception {
        Path f = dir.resolve("state/finished-n1.log");
        // binary values with every byte, a null key, an empty batch
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        Pending a =
                new Pending(
                        "d/100/n1",
                        "batch-decisions",
                        1,
                        41,
                        100,
                        List.of(
                                stored("d/100/n1#r0", "first"),
                                new Stored("k\t,:\n".getBytes(StandardCharsets.UTF_8), binary),
                                stored(null, "no key")));
        Pending empty = pending("d/200/n1", 42, 200);
        try (FinishedLog log = new FinishedLog(f)) {
            log.addPending(a);
            log.addPending(empty);
            assertSame(a, log.pending("d/100/n1"));
            assertFalse(log.contains("d/100/n1"));
        }
        try (FinishedLog log = new FinishedLog(f)) {
            assertSame(a, log.pending("d/100/n1"));
            assertSame(empty, log.pending("d/200/n1"));
            assertEquals(
                    List.of("d/100/n1", "d/200/n1"),
                    log.pendingDecisions().stream().map(Pending::decisionId).toList());
            assertFalse(log.contains("d/100/n1"));
            assertEquals(Long.MIN_VALUE, log.committedThroughMs(), "nothing committed yet");
            log.markCommitted("d/100/n1");
            assertTrue(log.contains("d/100/n1"));
            assertNull(log.pending("d/100/n1"));
            assertEquals(100, log.committedThroughMs());
        }
        try (FinishedLog log = new FinishedLog(f)) {
            assertTrue(log.contains("d/100/n1"));
            assertNull(log.pending("d/100/n1"), "committed: its completions are not kept");
            assertSame(empty, log.pending("d/200/n1"));
            assertEquals(100, log.committedThroughMs());
            assertEquals(2, log.size());
            // delivered again at another offset before it committed: the last record wins
            Pending again = pending("d/200/n1", 57, 200);
            log.addPending(again);
            assertSame(again, log.pending("d/200/n1"));
        }
        try (FinishedLog log = new FinishedLog(f)) {
            assertEquals(57, log.pending("d/200/n1").offset());
        }
    }

    @Test
    void aTornLastLineIsCutOffAndTheNextLineStaysReadable() throws Exception {
        Path f = dir.resolve("finished.log");
        Pending a = pending("d/100/n1", 1, 100, stored("r0", "x"));
        try (FinishedLog log = new FinishedLog(f)) {
            log.addPending(a);
        }
        String complete = Files.readString(f);
        // a crash in the middle of writing b's pending record
        Files.writeString(
                f,
                "d/200/n1\tpending\tbatch-decisions\t1\t2\t200\tcjE=:",
                StandardOpenOption.APPEND);
        try (FinishedLog log = new FinishedLog(f)) {
            assertNull(log.pending("d/200/n1"), "a torn line is not a record");
            assertSame(a, log.pending("d/100/n1"));
            assertEquals(complete, Files.readString(f), "the torn bytes are cut off");
            log.addPending(pending("d/200/n1", 2, 200, stored("r1", "y")));
        }
        try (FinishedLog log = new FinishedLog(f)) {
            assertSame(pending("d/200/n1", 2, 200, stored("r1", "y")), log.pending("d/200/n1"));
        }
        // a crash in the middle of the committed mark: still pending
        Files.writeString(f, "d/100/n1\tcommitted\t10", StandardOpenOption.APPEND);
        try (FinishedLog log = new FinishedLog(f)) {
            assertFalse(log.contains("d/100/n1"));
            assertSame(a, log.pending("d/100/n1"));
        }
    }

    @Test
    void oldLinesWithoutCompletionsAreCommitted() throws Exception {
        Path f = dir.resolve("finished-old.log");
        // what the worker wrote before completions were kept, with a line that it had appended
        // to a torn one, and a torn last line
        Files.writeString(f, "d/100/n1\t.\nd/200/n1\t.\nd/2d/300/n1\t.\nd/400/n1");
        try (FinishedLog log = new FinishedLog(f)) {
            assertTrue(log.contains("d/100/n1"));
            assertTrue(log.contains("d/200/n1"));
            assertTrue(log.contains("d/2d/300/n1"));
            assertFalse(log.contains("d/400/n1"));
            assertEquals(List.of(), log.pendingDecisions());
            assertEquals(Long.MIN_VALUE, log.committedThroughMs(), "old lines have no slot end");
            log.addPending(pending("d/500/n1", 9, 500, stored("r", "v")));
            log.markCommitted("d/500/n1");
        }
        try (FinishedLog log = new FinishedLog(f)) {
            assertEquals(4, log.size());
            assertTrue(log.contains("d/100/n1"));
            assertTrue(log.contains("d/500/n1"));
            assertEquals(500, log.committedThroughMs());
        }
        // add(id) of the old API records a committed id
        try (FinishedLog log = new FinishedLog(f)) {
            log.add("d/600/n1");
        }
        try (FinishedLog log = new FinishedLog(f)) {
            assertTrue(log.contains("d/600/n1"));
            assertEquals(500, log.committedThroughMs());
        }
    }

    @Test
    void aCorruptNewLineIsAnErrorNotASilentSkip() throws Exception {
        Path f = dir.resolve("finished-bad.log");
        Files.writeString(f, "d/1/n1\t.\nd/2/n1\tpending\tt\tx\t1\t2\t\t.\n");
        IOException e = assertThrows(IOException.class, () -> new FinishedLog(f));
        assertTrue(e.getMessage().contains(":2:"), e.getMessage());
        // and the lock was released: the file can be repaired and opened
        Files.writeString(f, "d/1/n1\t.\n");
        try (FinishedLog log = new FinishedLog(f)) {
            assertTrue(log.contains("d/1/n1"));
        }
    }

    @Test
    void oneWorkerAtATime() throws Exception {
        Path f = dir.resolve("finished-locked.log");
        try (FinishedLog log = new FinishedLog(f)) {
            IOException e = assertThrows(IOException.class, () -> new FinishedLog(f));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        new FinishedLog(f).close(); // released on close
    }

    @Test
    void compactionKeepsEveryStateAndDropsCommittedCompletions() throws Exception {
        Path f = dir.resolve("finished-compact.log");
        String big = "x".repeat(2000);
        try (FinishedLog log = new FinishedLog(f, 20_000)) {
            for (int i = 0; i < 50; i++) {
                String id = "d/" + i + "/n1";
                log.addPending(pending(id, i, 1000 + i, stored(id + "#r0", big)));
                if (i < 49) {
                    log.markCommitted(id);
                }
            }
            assertTrue(
                    Files.size(f) < 50 * 2000,
                    "compacted while running: " + Files.size(f) + " bytes");
        }
        assertFalse(Files.exists(dir.resolve("finished-compact.log.compact")));
        try (FinishedLog log = new FinishedLog(f, 20_000)) {
            for (int i = 0; i < 49; i++) {
                assertTrue(log.contains("d/" + i + "/n1"), "d/" + i);
            }
            assertSame(
                    pending("d/49/n1", 49, 1049, stored("d/49/n1#r0", big)),
                    log.pending("d/49/n1"));
            assertEquals(1048, log.committedThroughMs());
            assertEquals(50, log.size());
            log.compact();
        }
        try (FinishedLog log = new FinishedLog(f, 20_000)) {
            assertEquals(50, log.size());
            assertEquals(1048, log.committedThroughMs());
            assertSame(
                    pending("d/49/n1", 49, 1049, stored("d/49/n1#r0", big)),
                    log.pending("d/49/n1"));
        }
    }
}
