package org.edgellm.job;

import java.util.Arrays;

/**
 * The pending requests of one domain, sorted by deadline (then id): the earliest deadlines are the
 * head (candidates of a slot, the first to expire), the latest the tail (the first to shed). A
 * Flink POJO kept in keyed state by {@link PendingQueueSerializer} (a field added here goes there
 * too, with a new version).
 */
public class PendingQueue {
    public RequestEvent[] items = new RequestEvent[8];
    public int size;

    public PendingQueue() {}

    static int compare(RequestEvent a, RequestEvent b) {
        int c = Double.compare(a.deadline, b.deadline);
        return c != 0 ? c : a.requestId.compareTo(b.requestId);
    }

    /** Inserts in order. */
    public void add(RequestEvent r) {
        if (size == items.length) {
            items = Arrays.copyOf(items, Math.max(8, size * 2));
        }
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(items[mid], r) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        System.arraycopy(items, lo, items, lo + 1, size - lo);
        items[lo] = r;
        size++;
    }

    public RequestEvent get(int i) {
        return items[i];
    }

    /**
     * Removes the entries whose flag is set, keeping the order. {@code drop} may be shorter than
     * the queue (the flags of its head): the entries beyond it are kept, moved in one copy.
     */
    public void removeFlagged(boolean[] drop) {
        int n = Math.min(drop.length, size);
        int w = 0;
        while (w < n && !drop[w]) {
            w++; // the kept prefix stays where it is
        }
        if (w == n) {
            return;
        }
        for (int i = w; i < n; i++) {
            if (!drop[i]) {
                items[w++] = items[i];
            }
        }
        System.arraycopy(items, n, items, w, size - n);
        int kept = w + size - n;
        Arrays.fill(items, kept, size, null);
        size = kept;
    }

    /** Removes and returns the entry with the latest deadline. */
    public RequestEvent removeLast() {
        RequestEvent r = items[--size];
        items[size] = null;
        return r;
    }
}
