package org.edgellm.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a worker's measured slowdown across restarts, in its state directory. Without it a
 * restarted worker reports 1.0 (full speed) again and the job plans its next batches too short
 * until the estimate has converged anew. A hint, not a record: written by replacing the file, not
 * forced to disk; a missing, unreadable or out-of-range value counts as none.
 */
final class SlowdownFile {
    private static final Logger LOG = LoggerFactory.getLogger(SlowdownFile.class);

    /** The range a slowdown may take (the job accepts the same). */
    static final double MIN = 0.01;

    static final double MAX = 100;

    private final Path file;

    SlowdownFile(Path file) {
        this.file = file;
    }

    /** The stored slowdown, or fallback when there is none or it cannot be used. */
    double read(double fallback) {
        if (!Files.exists(file)) {
            return fallback;
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            double v = Double.parseDouble(text);
            if (v >= MIN && v <= MAX) {
                return v;
            }
            LOG.warn(
                    "{}: slowdown {} out of [{}, {}]; starting from {}",
                    file,
                    text,
                    MIN,
                    MAX,
                    fallback);
        } catch (IOException | NumberFormatException e) {
            LOG.warn(
                    "{}: unreadable slowdown ({}); starting from {}",
                    file,
                    e.getMessage(),
                    fallback);
        }
        return fallback;
    }

    /** Replaces the stored slowdown. */
    void write(double slowdown) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Double.toString(slowdown), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
