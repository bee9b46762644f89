package org.edgellm.job.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * picocli reports a description it cannot format (an unescaped %) on System.err, not on the
 * command's streams, and prints the description raw: help tests run through this to see it.
 */
public final class PicocliWarnings {
    private PicocliWarnings() {}

    /** Runs {@code call} with System.err captured; fails, naming {@code what}, on a warning. */
    public static <T> T none(String what, Supplier<T> call) {
        PrintStream stderr = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        T result;
        try {
            System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
            result = call.get();
        } finally {
            System.setErr(stderr);
        }
        String warned = warnings.toString(StandardCharsets.UTF_8);
        assertFalse(warned.contains("picocli WARN"), what + ": " + warned);
        return result;
    }
}
