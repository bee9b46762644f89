package org.edgellm.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The fractional bounds are sound only in the exact cost/profit order: the sort must be exact. */
class SortByKeyTest {

    @Property(tries = 300)
    void sortsExactlyAndKeepsThePairing(
            @ForAll long seed, @ForAll @IntRange(min = 0, max = 300) int n) {
        Random rnd = new Random(seed);
        double[] key = new double[n];
        int[] order = new int[n];
        double[] original = new double[n];
        for (int i = 0; i < n; i++) {
            // many near-ties and exact ties
            key[i] = rnd.nextInt(4) == 0 ? 1.0 + rnd.nextInt(3) * 1e-15 : rnd.nextDouble() * 1e-3;
            original[i] = key[i];
            order[i] = i;
        }
        KeyedSort.sortByKey(order, key, n);
        boolean[] seen = new boolean[n];
        for (int i = 0; i < n; i++) {
            assertEquals(original[order[i]], key[i], "pairing kept");
            assertTrue(!seen[order[i]]);
            seen[order[i]] = true;
            if (i > 0) {
                assertTrue(key[i - 1] <= key[i], "ascending at " + i);
            }
        }
    }
}
