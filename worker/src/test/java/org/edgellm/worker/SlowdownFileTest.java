package org.edgellm.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlowdownFileTest {

    @TempDir Path dir;

    @Test
    void aWrittenSlowdownIsReadBack() throws Exception {
        SlowdownFile f = new SlowdownFile(dir.resolve("slowdown-n"));
        assertEquals(1.0, f.read(1.0), "none yet");
        f.write(1.37);
        assertEquals(1.37, f.read(1.0));
        f.write(0.8);
        assertEquals(0.8, new SlowdownFile(dir.resolve("slowdown-n")).read(1.0));
    }

    @Test
    void anUnusableValueCountsAsNone() throws Exception {
        Path p = dir.resolve("slowdown-n");
        SlowdownFile f = new SlowdownFile(p);
        for (String bad : new String[] {"", "fast", "NaN", "0", "-2", "1000", "Infinity"}) {
            Files.writeString(p, bad);
            assertEquals(1.0, f.read(1.0), bad);
        }
    }
}
