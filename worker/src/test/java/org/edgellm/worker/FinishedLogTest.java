package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FinishedLogTest {

    @TempDir Path dir;

    @Test
    void survivesARestartAndIgnoresATornLastLine() throws Exception {
        Path f = dir.resolve("state/finished.log");
        try (FinishedLog log = new FinishedLog(f)) {
            log.add("d1/100/n1");
            log.add("d1/200/n1");
            assertTrue(log.contains("d1/100/n1"));
        }
        Files.writeString(f, "d1/300/n1", StandardOpenOption.APPEND); // a crash mid-write
        try (FinishedLog log = new FinishedLog(f)) {
            assertEquals(2, log.size());
            assertTrue(log.contains("d1/200/n1"));
            assertFalse(log.contains("d1/300/n1"), "a torn line is not a finished batch");
        }
    }

    @Test
    void aRefusalReplacesStoredCompletionsAndSurvivesRestartAndCompaction() throws Exception {
        Path f = dir.resolve("state/finished.log");
        try (FinishedLog log = new FinishedLog(f)) {
            log.addPending(
                    new FinishedLog.Pending(
                            "d1/100/n1",
                            "decisions",
                            0,
                            7,
                            100,
                            java.util.List.of(
                                    new FinishedLog.Stored(new byte[] {1}, new byte[] {2}))));
            log.markRefused("d1/100/n1", 100);
            log.markRefused("d1/300/n1", 300);
            log.markCommitted("d1/200/n1");
            assertTrue(log.contains("d1/100/n1"), "settled: skipped when delivered again");
            assertEquals(null, log.pending("d1/100/n1"), "the stored completions are dropped");
        }
        try (FinishedLog log = new FinishedLog(f)) {
            assertTrue(log.refused("d1/100/n1"));
            assertFalse(log.refused("d1/200/n1"));
            assertEquals(java.util.List.of("d1/300/n1", "d1/100/n1"), log.refusedSince(0, 10));
            assertEquals(java.util.List.of("d1/300/n1"), log.refusedSince(101, 10));
            assertEquals(java.util.List.of("d1/300/n1"), log.refusedSince(0, 1));
            assertEquals(java.util.List.of(), log.pendingDecisions());
            assertEquals(Long.MIN_VALUE, log.committedThroughMs(), "a refusal finishes nothing");
            log.compact();
        }
        try (FinishedLog log = new FinishedLog(f)) {
            assertEquals(java.util.List.of("d1/300/n1", "d1/100/n1"), log.refusedSince(0, 10));
            assertEquals(3, log.size());
        }
    }
}
