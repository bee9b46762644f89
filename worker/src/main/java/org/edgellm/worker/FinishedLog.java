package org.edgellm.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a worker has done with its decisions, in an append-only file where every line is forced to
 * disk before the worker goes on. A decision id is in one of two states:
 *
 * <ul>
 *   <li><b>pending</b>: the batch ran and its completions (their Kafka key and value bytes) are
 *       stored here together with where the decision was read (topic, partition, offset), but the
 *       Kafka transaction that publishes them is not known to have committed. A worker that meets
 *       the decision again publishes these stored completions instead of running the batch again.
 *   <li><b>committed</b>: its completions are committed on Kafka; the decision is skipped when it
 *       is delivered again (a restart, or the job's at-least-once mode).
 *   <li><b>refused</b>: its lease ended before the worker could run it or commit its completions;
 *       it is never run nor published (the job re-dispatches or reports its requests), and is
 *       skipped when delivered again.
 * </ul>
 *
 * The {@link Worker} class comment says why this is correct at every crash point.
 *
 * <p>Lines (fields separated by a tab, every complete line ends with a tab and a dot):
 *
 * <pre>
 * ID TAB pending TAB TOPIC TAB PARTITION TAB OFFSET TAB SLOT-END-MS TAB COMPLETIONS TAB .
 * ID TAB committed TAB SLOT-END-MS TAB .          (SLOT-END-MS "-" when unknown)
 * ID TAB refused TAB SLOT-END-MS TAB .
 * ID TAB .                                        (the format before completions were kept:
 *                                                  committed, as it always meant)
 * </pre>
 *
 * COMPLETIONS is a comma-separated list of {@code base64(key):base64(value)} ({@code -} for a null
 * key), empty for none. The last state of an id wins. A torn last line (a crash mid-write) is cut
 * off when the log is opened, so that the next line does not run into it; a complete line ending in
 * something else than a tab and a dot is ignored as before. The file is rewritten to one line per
 * id (committed ones without their completions) when it has grown past a threshold; the rewrite
 * goes to a temporary file that atomically replaces the log. One worker at a time: a second {@code
 * FinishedLog} on the same file fails (a lock file beside it).
 */
public final class FinishedLog implements AutoCloseable {

    /** One completion as it is produced: its Kafka key (null for none) and value. */
    public record Stored(byte[] key, byte[] value) {}

    /** A decision whose completions are stored here but not known to be committed on Kafka. */
    public record Pending(
            String decisionId,
            String topic,
            int partition,
            long offset,
            long slotEndMs,
            List<Stored> completions) {}

    /** Past this size the log is rewritten with one line per id. */
    static final long DEFAULT_COMPACT_BYTES = 16L << 20;

    private static final String PENDING = "pending";
    private static final String COMMITTED = "committed";
    private static final String REFUSED = "refused";
    private static final long UNKNOWN = Long.MIN_VALUE;

    private final Path file;
    private final long compactBytes;

    /** Committed ids and their slot end ({@link #UNKNOWN} for lines of the old format). */
    private final Map<String, Long> committed = new HashMap<>();

    private final Map<String, Pending> pending = new LinkedHashMap<>();

    /** Refused ids and their slot end. */
    private final Map<String, Long> refused = new HashMap<>();

    private long committedThroughMs = UNKNOWN;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private FileChannel channel;
    private long compactAt;

    public FinishedLog(Path file) throws IOException {
        this(file, DEFAULT_COMPACT_BYTES);
    }

    FinishedLog(Path file, long compactBytes) throws IOException {
        this.file = file;
        this.compactBytes = compactBytes;
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        lockChannel =
                FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockChannel.close();
            throw new IOException(file + " is in use by another worker (" + lockFile + ")");
        }
        lock = l;
        try {
            if (Files.exists(file)) {
                read();
            }
            channel = append();
            compactAt = Math.max(compactBytes, 2 * channel.size());
            if (channel.size() > compactBytes) {
                compact();
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    private FileChannel append() throws IOException {
        return FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    /** Reads the log; cuts off a torn last line. */
    private void read() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        if (end < bytes.length) {
            // a crash mid-write: the bytes after the last newline are not a record; cut them off,
            // or the next line would be appended to them
            try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                c.truncate(end);
                c.force(true);
            }
        }
        String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
        int n = 0;
        for (String l : text.split("\n")) {
            n++;
            if (l.endsWith("\t.")) { // complete lines only
                parse(l, n);
            }
        }
    }

    private void parse(String l, int lineNo) throws IOException {
        String[] f = l.split("\t", -1);
        String kind = f.length >= 3 ? f[1] : "";
        try {
            if (kind.equals(PENDING) && f.length == 8) {
                List<Stored> cs = new ArrayList<>();
                if (!f[6].isEmpty()) {
                    for (String c : f[6].split(",", -1)) {
                        int colon = c.indexOf(':');
                        if (colon < 0) {
                            throw new IllegalArgumentException("completion without ':'");
                        }
                        String k = c.substring(0, colon);
                        Base64.Decoder d = Base64.getDecoder();
                        cs.add(
                                new Stored(
                                        k.equals("-") ? null : d.decode(k),
                                        d.decode(c.substring(colon + 1))));
                    }
                }
                putPending(
                        new Pending(
                                f[0],
                                f[2],
                                Integer.parseInt(f[3]),
                                Long.parseLong(f[4]),
                                Long.parseLong(f[5]),
                                List.copyOf(cs)));
            } else if (kind.equals(COMMITTED) && f.length == 4) {
                putCommitted(f[0], f[2].equals("-") ? UNKNOWN : Long.parseLong(f[2]));
            } else if (kind.equals(REFUSED) && f.length == 4) {
                putRefused(f[0], Long.parseLong(f[2]));
            } else if (kind.equals(PENDING) || kind.equals(COMMITTED) || kind.equals(REFUSED)) {
                throw new IllegalArgumentException(f.length + " fields");
            } else {
                // the old format (or a line that the old code ran into a torn one): everything
                // before the final tab and dot is the id, committed
                putCommitted(l.substring(0, l.length() - 2), UNKNOWN);
            }
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw new IOException(
                    file + ":" + lineNo + ": unreadable " + kind + " line: " + e.getMessage(), e);
        }
    }

    private void putPending(Pending p) {
        committed.remove(p.decisionId());
        pending.put(p.decisionId(), p);
    }

    private void putRefused(String id, long slotEndMs) {
        pending.remove(id);
        committed.remove(id);
        refused.put(id, slotEndMs);
    }

    private void putCommitted(String id, long slotEndMs) {
        pending.remove(id);
        committed.put(id, slotEndMs);
        if (slotEndMs != UNKNOWN) {
            committedThroughMs = Math.max(committedThroughMs, slotEndMs);
        }
    }

    /**
     * Whether the decision is settled: its completions are committed (it was finished before), or
     * it was refused.
     */
    public boolean contains(String decisionId) {
        return committed.containsKey(decisionId) || refused.containsKey(decisionId);
    }

    /** Whether the decision was refused. */
    public boolean refused(String decisionId) {
        return refused.containsKey(decisionId);
    }

    /** The largest slot end of the refused decisions, or {@link Long#MIN_VALUE} when none. */
    public long refusedThroughMs() {
        long max = Long.MIN_VALUE;
        for (long v : refused.values()) {
            max = Math.max(max, v);
        }
        return max;
    }

    /**
     * The refused decisions whose slot end is at or after sinceMs, newest first, at most max of
     * them.
     */
    public List<String> refusedSince(long sinceMs, int max) {
        return refused.entrySet().stream()
                .filter(e -> e.getValue() >= sinceMs)
                .sorted(
                        Map.Entry.<String, Long>comparingByValue()
                                .reversed()
                                .thenComparing(Map.Entry.comparingByKey()))
                .limit(max)
                .map(Map.Entry::getKey)
                .toList();
    }

    /**
     * Records that a decision is refused (its lease ended before it could be run or committed),
     * dropping stored completions it may have; forced to disk.
     */
    public void markRefused(String decisionId, long slotEndMs) throws IOException {
        checkId(decisionId);
        write(decisionId + '\t' + REFUSED + '\t' + slotEndMs + "\t.\n");
        putRefused(decisionId, slotEndMs);
    }

    /** The stored completions of a decision not known to be committed, or null. */
    public Pending pending(String decisionId) {
        return pending.get(decisionId);
    }

    /** Every pending decision, in the order they were recorded. */
    public List<Pending> pendingDecisions() {
        return List.copyOf(pending.values());
    }

    /**
     * The largest slot end of the committed decisions that have one (lines of the old format do
     * not), or {@link Long#MIN_VALUE} when none.
     */
    public long committedThroughMs() {
        return committedThroughMs;
    }

    /**
     * Records a decision as run, with its completions and where it was read, before the transaction
     * that publishes them commits; forced to disk.
     */
    public void addPending(Pending p) throws IOException {
        checkId(p.decisionId());
        if (p.topic().indexOf('\t') >= 0 || p.topic().indexOf('\n') >= 0) {
            throw new IllegalArgumentException("topic with a tab or newline: " + p.topic());
        }
        Pending copy =
                new Pending(
                        p.decisionId(),
                        p.topic(),
                        p.partition(),
                        p.offset(),
                        p.slotEndMs(),
                        List.copyOf(p.completions()));
        write(pendingLine(copy));
        putPending(copy);
    }

    /**
     * Records that a decision's completions are committed; forced to disk. Its slot end is the
     * pending record's, if there is one.
     */
    public void markCommitted(String decisionId) throws IOException {
        checkId(decisionId);
        Pending p = pending.get(decisionId);
        long slotEnd = p == null ? committed.getOrDefault(decisionId, UNKNOWN) : p.slotEndMs();
        write(committedLine(decisionId, slotEnd));
        putCommitted(decisionId, slotEnd);
        if (channel.size() > compactAt) {
            compact();
        }
    }

    /** Records a finished decision without completions (committed) and forces it to disk. */
    public void add(String decisionId) throws IOException {
        markCommitted(decisionId);
    }

    /** The decisions known: committed, pending or refused. */
    public int size() {
        return committed.size() + pending.size() + refused.size();
    }

    public Path file() {
        return file;
    }

    private static void checkId(String decisionId) {
        if (decisionId.indexOf('\n') >= 0 || decisionId.indexOf('\t') >= 0) {
            throw new IllegalArgumentException("decision id with a tab or newline: " + decisionId);
        }
    }

    private static String pendingLine(Pending p) {
        StringBuilder b = new StringBuilder();
        b.append(p.decisionId())
                .append('\t')
                .append(PENDING)
                .append('\t')
                .append(p.topic())
                .append('\t')
                .append(p.partition())
                .append('\t')
                .append(p.offset())
                .append('\t')
                .append(p.slotEndMs())
                .append('\t');
        Base64.Encoder e = Base64.getEncoder();
        for (int i = 0; i < p.completions().size(); i++) {
            Stored c = p.completions().get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append(c.key() == null ? "-" : e.encodeToString(c.key()))
                    .append(':')
                    .append(e.encodeToString(c.value()));
        }
        return b.append("\t.\n").toString();
    }

    private static String committedLine(String id, long slotEndMs) {
        return id
                + '\t'
                + COMMITTED
                + '\t'
                + (slotEndMs == UNKNOWN ? "-" : Long.toString(slotEndMs))
                + "\t.\n";
    }

    private void write(String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
        channel.force(false);
    }

    /**
     * Rewrites the log with one line per id: a crash before the atomic move leaves the old log, one
     * after it the new one; both hold the same states.
     */
    void compact() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".compact");
        try (FileChannel c =
                FileChannel.open(
                        tmp,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
            StringBuilder b = new StringBuilder();
            for (Map.Entry<String, Long> e : committed.entrySet()) {
                b.append(committedLine(e.getKey(), e.getValue()));
                if (b.length() > 1 << 16) {
                    writeAll(c, b);
                }
            }
            for (Map.Entry<String, Long> e : refused.entrySet()) {
                b.append(e.getKey() + '\t' + REFUSED + '\t' + e.getValue() + "\t.\n");
            }
            for (Pending p : pending.values()) {
                b.append(pendingLine(p));
                writeAll(c, b);
            }
            writeAll(c, b);
            c.force(true);
        }
        channel.close();
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
        channel = append();
        compactAt = Math.max(compactBytes, 2 * channel.size());
    }

    private static void writeAll(FileChannel c, StringBuilder b) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            c.write(buf);
        }
        b.setLength(0);
    }

    /** Makes the rename durable (where the platform can open a directory). */
    private void syncDirectory() {
        try (FileChannel d =
                FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here (e.g. Windows); the rename itself is atomic
        }
    }

    private void closeQuietly() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // closing after a failure
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // closing after a failure
        }
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            lock.release();
            lockChannel.close();
        }
    }
}
