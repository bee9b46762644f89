package org.edgellm.scheduler;

/**
 * Sorts an order of indices together with their double keys, ascending and stable, without boxing:
 * insertion sort up to 32 elements, an exact bottom-up merge sort beyond (OT's fractional bounds
 * are valid only in the true order, so no approximate bucketing).
 */
final class KeyedSort {
    private KeyedSort() {}

    /** Sorts {@code order[0..n)} and {@code key[0..n)} by key, with scratch of its own. */
    static void sortByKey(int[] order, double[] key, int n) {
        sortByKey(order, key, n, new int[n], new double[n]);
    }

    /** The same with scratch arrays of at least n elements (their content is overwritten). */
    static void sortByKey(int[] order, double[] key, int n, int[] o2, double[] k2) {
        if (n > 32) {
            for (int width = 1; width < n; width *= 2) {
                for (int lo = 0; lo < n; lo += 2 * width) {
                    int mid = Math.min(lo + width, n);
                    int hi = Math.min(lo + 2 * width, n);
                    int i = lo;
                    int j = mid;
                    int t = lo;
                    while (i < mid || j < hi) {
                        if (j >= hi || (i < mid && key[i] <= key[j])) {
                            k2[t] = key[i];
                            o2[t++] = order[i++];
                        } else {
                            k2[t] = key[j];
                            o2[t++] = order[j++];
                        }
                    }
                }
                System.arraycopy(k2, 0, key, 0, n);
                System.arraycopy(o2, 0, order, 0, n);
            }
            return;
        }
        for (int i = 1; i < n; i++) {
            double kv = key[i];
            int ov = order[i];
            int j = i - 1;
            while (j >= 0 && key[j] > kv) {
                key[j + 1] = key[j];
                order[j + 1] = order[j];
                j--;
            }
            key[j + 1] = kv;
            order[j + 1] = ov;
        }
    }
}
