package org.edgellm.job.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Scans Java sources for forbidden names in code lines (comments and Javadoc lines skipped). */
public final class SourceScan {
    private SourceScan() {}

    /** Every code line of the files that contains one of the forbidden strings, with its file. */
    public static List<String> violations(List<Path> files, List<String> forbidden)
            throws IOException {
        List<String> bad = new ArrayList<>();
        for (Path p : files) {
            for (String line : Files.readAllLines(p)) {
                String t = line.trim();
                boolean code = !t.startsWith("*") && !t.startsWith("/");
                for (String f : forbidden) {
                    if (code && t.contains(f)) {
                        bad.add(p.getFileName() + ": " + t);
                    }
                }
            }
        }
        return bad;
    }
}
