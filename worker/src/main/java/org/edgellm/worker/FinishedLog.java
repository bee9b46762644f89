package org.edgellm.worker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The decision ids a worker has finished, kept in an append-only file and forced to disk before the
 * worker acknowledges a batch: a restarted worker skips what it already ran, and a decision id seen
 * twice (the job's at-least-once mode) runs once. A torn last line (a crash mid-write) is ignored.
 */
public final class FinishedLog implements AutoCloseable {
    private final Path file;
    private final Set<String> done = new HashSet<>();
    private final FileChannel channel;

    public FinishedLog(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (String l : lines) {
                if (l.endsWith("\t.")) { // complete lines only
                    done.add(l.substring(0, l.length() - 2));
                }
            }
        }
        channel =
                FileChannel.open(
                        file,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
    }

    public boolean contains(String decisionId) {
        return done.contains(decisionId);
    }

    /** Records a finished decision and forces it to disk. */
    public void add(String decisionId) throws IOException {
        if (decisionId.indexOf('\n') >= 0 || decisionId.indexOf('\t') >= 0) {
            throw new IllegalArgumentException("decision id with a tab or newline: " + decisionId);
        }
        channel.write(
                java.nio.ByteBuffer.wrap((decisionId + "\t.\n").getBytes(StandardCharsets.UTF_8)));
        channel.force(false);
        done.add(decisionId);
    }

    public int size() {
        return done.size();
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
