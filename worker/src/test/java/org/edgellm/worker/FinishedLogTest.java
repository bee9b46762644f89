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
}
