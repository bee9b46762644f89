package org.edgellm.bench;

import org.edgellm.scheduler.cli.Cli;
import picocli.CommandLine.Option;

/**
 * How long the Kafka benchmarks ({@code job}, {@code kafka-floor}) wait for the JIT compilers after
 * their fixed warm-up ({@link JitWarmup}). A picocli mixin.
 */
final class JitSettleFlag {
    @Option(
            names = "--jit-settle-seconds",
            paramLabel = "N",
            converter = Cli.NonNegativeInt.class,
            description =
                    "After --warmup-seconds, up to N more seconds of load until the JIT"
                            + " compilers are idle (their compile time under 10 %% of the last 20 s):"
                            + " with the broker and the generator on 2 cores, C2 takes minutes to"
                            + " compile the hot code (docs/bench-job.md). 0: no wait.")
    int seconds = 300;
}
