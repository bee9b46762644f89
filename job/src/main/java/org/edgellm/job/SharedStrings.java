package org.edgellm.job;

/**
 * One instance of each string that repeats across events (domain, user and node ids, service
 * classes), for the strings read at the keyBy and from state: a direct-mapped table of {@value
 * #SIZE} strings by hash, where a string read is replaced by the equal one already in its entry, or
 * takes the entry.
 *
 * <p>Why: the coordinators keep every request until its batch is known to have finished (the
 * pending queue, then the node's outstanding batches, for re-dispatch), several seconds at the
 * benchmark's rates; each request carried its own copies of its user's, its domain's (twice) and
 * its service class's strings, so three quarters of the live strings were copies. A young
 * collection copies every live object that is still young, and at 50,000 requests/s about 200 MB of
 * them (the age table of a run's GC log, docs/bench-job.md): the pauses, about 55 ms every 4.5 s,
 * were what the decision latency's p99 was made of. A shared string also keeps its hash, so the
 * keyed state's lookups by user id stop hashing a fresh copy each time.
 *
 * <p>Plain Java, no locks: every thread reading events shares the table. Strings are immutable and
 * a reference is written whole, so a racy read sees null, an older string or a newer one, and the
 * caller always gets back a string equal to its own. Requests' own ids are not shared (each is
 * unique). A lookup is the string's hash and one comparison; the table holds at most {@value #SIZE}
 * strings.
 */
final class SharedStrings {
    /** Entries in the table (a power of two). */
    static final int SIZE = 1 << 16;

    private static final String[] TABLE = new String[SIZE];

    private SharedStrings() {}

    /** The shared string equal to s (s itself when none is kept; null for null). */
    static String of(String s) {
        if (s == null) {
            return null;
        }
        int h = s.hashCode();
        int i = (h ^ (h >>> 16)) & (SIZE - 1);
        String kept = TABLE[i];
        if (kept != null && kept.hashCode() == h && kept.equals(s)) {
            return kept;
        }
        TABLE[i] = s;
        return s;
    }
}
