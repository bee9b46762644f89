package org.edgellm.job.replay;

import java.io.PrintStream;

/**
 * The trace-driven comparison of schedulers moved to {@code bench/} ({@code java -jar
 * bench/target/bench.jar trace}), with its plotting library, out of job.jar and job-local.jar. This
 * placeholder only keeps {@code job-local.jar bench-trace} answering with the new command until
 * LocalMain drops that case; delete it then.
 */
@Deprecated(forRemoval = true)
public final class TraceBench {

    private TraceBench() {}

    /** Always refuses, naming the new command (LocalMain prints it and exits with status 2). */
    public static void run(String[] args, PrintStream out) {
        throw new IllegalArgumentException(
                "bench-trace moved to bench.jar: java -jar bench/target/bench.jar trace"
                        + (args.length == 0 ? "" : " " + String.join(" ", args)));
    }
}
