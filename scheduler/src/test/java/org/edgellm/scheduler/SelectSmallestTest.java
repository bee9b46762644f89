package org.edgellm.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Quickselect#selectSmallest}, which OtLevels.bandCap uses in place of a full sort: the k
 * smallest, sorted, are the first k of the sorted array, value for value (bit for bit), on arrays
 * with many ties and on distinct values; zeros and NaN refuse.
 */
class SelectSmallestTest {
    @Test
    void theKSmallestSortedAreTheSortsFirstK() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 4000; trial++) {
            int n = 2 + rnd.nextInt(250);
            int k = 1 + rnd.nextInt(n - 1);
            int distinct = trial % 3 == 0 ? 1 + rnd.nextInt(5) : 1 << 20;
            double[] a = new double[n];
            for (int i = 0; i < n; i++) {
                a[i] = 0.5 + rnd.nextInt(distinct) * (trial % 2 == 0 ? 1.0 : rnd.nextDouble());
            }
            double[] sorted = a.clone();
            Arrays.sort(sorted);
            double[] sel = a.clone();
            assertTrue(Quickselect.selectSmallest(sel, n, k));
            Arrays.sort(sel, 0, k);
            assertArrayEquals(
                    Arrays.copyOf(sorted, k), Arrays.copyOf(sel, k), "trial " + trial + " k " + k);
            double[] all = sel.clone();
            Arrays.sort(all);
            assertArrayEquals(sorted, all, "a permutation, trial " + trial);
        }
    }

    @Test
    void zerosAndNanRefuse() {
        assertFalse(Quickselect.selectSmallest(new double[] {3, 0.0, 1}, 3, 1));
        assertFalse(Quickselect.selectSmallest(new double[] {3, -0.0, 1}, 3, 1));
        assertFalse(Quickselect.selectSmallest(new double[] {3, Double.NaN, 1}, 3, 2));
        assertTrue(Quickselect.selectSmallest(new double[] {3, 2, 1}, 3, 2));
    }
}
