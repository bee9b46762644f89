package org.edgellm.worker;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for a condition by checking it again and again until a generous deadline. */
final class Poll {
    private Poll() {}

    /** Returns once {@code condition} holds; fails naming {@code what} when the deadline passes. */
    static void until(String what, Duration deadline, Callable<Boolean> condition)
            throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + deadline + ": " + what);
            }
            Thread.sleep(50); // between checks
        }
    }
}
