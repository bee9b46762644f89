package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PendingQueue#removeFlagged} against a plain filter of the list, with flags of any length.
 */
class PendingQueueTest {

    @Test
    void removeFlaggedKeepsTheUnflaggedInOrderWhateverTheFlagsLength() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 500; trial++) {
            PendingQueue q = new PendingQueue();
            int size = rnd.nextInt(40);
            for (int i = 0; i < size; i++) {
                RequestEvent r = new RequestEvent();
                r.requestId = "r" + i;
                r.deadline = rnd.nextInt(100);
                q.add(r);
            }
            List<String> before = ids(q);
            boolean[] drop = new boolean[size == 0 ? 0 : rnd.nextInt(size + 1)];
            double p = rnd.nextDouble();
            for (int i = 0; i < drop.length; i++) {
                drop[i] = rnd.nextDouble() < p;
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < before.size(); i++) {
                if (i >= drop.length || !drop[i]) {
                    expected.add(before.get(i));
                }
            }
            int capacity = q.items.length;
            q.removeFlagged(drop);
            assertEquals(expected, ids(q), "trial " + trial);
            for (int i = q.size; i < capacity; i++) {
                assertNull(q.items[i], "trial " + trial + ": slot " + i + " still holds an entry");
            }
        }
    }

    private static List<String> ids(PendingQueue q) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < q.size; i++) {
            out.add(q.get(i).requestId);
        }
        return out;
    }
}
