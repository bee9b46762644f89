package org.edgellm.scheduler;

/**
 * Selection without a full sort: the k smallest of an array of doubles moved to its front, by
 * quickselect. OT's band cap ({@link OtLevels}) reads the smallest band costs this way.
 */
final class Quickselect {
    private Quickselect() {}

    /**
     * Moves the k smallest of a[0..n) to a[0..k) (in any order), 0 < k < n, by quickselect; false
     * (a[0..n) then holds the same values, permuted) when some value is NaN or a zero, whose order
     * in a sort (-0.0 before 0.0, NaN last) the comparisons here do not follow.
     */
    static boolean selectSmallest(double[] a, int n, int k) {
        for (int i = 0; i < n; i++) {
            if (!(a[i] > 0 || a[i] < 0)) {
                return false; // NaN or a zero
            }
        }
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            // median of three as the pivot
            double x = a[lo];
            double y = a[mid];
            double z = a[hi];
            double pivot = x < y ? (y < z ? y : Math.max(x, z)) : (x < z ? x : Math.max(y, z));
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            // a[lo..j] <= pivot <= a[i..hi], and a[j+1..i-1] == pivot
            if (k - 1 <= j) {
                hi = j;
            } else if (k - 1 >= i) {
                lo = i;
            } else {
                return true;
            }
        }
        return true;
    }
}
