package org.edgellm.bench;

import org.edgellm.scheduler.cli.Cli;
import picocli.CommandLine.Option;

/**
 * The load of the Kafka benchmarks ({@code job}, {@code kafka-floor}): the request rate, the
 * domains with their nodes (whose heartbeats are part of the load) and the measured seconds. A
 * picocli mixin.
 */
final class LoadFlags {
    @Option(
            names = "--rate",
            paramLabel = "N",
            converter = Cli.PositiveInt.class,
            description =
                    "Request events per second the load generator is paced to (plus as many"
                            + " channel states).")
    int rate = 50_000;

    @Option(
            names = "--domains",
            paramLabel = "N",
            converter = Cli.PositiveInt.class,
            description = "Coordination domains (their nodes' heartbeats are part of the load).")
    int domains = 1000;

    @Option(
            names = "--nodes-per-domain",
            paramLabel = "N",
            converter = JobCommand.NodesPerDomain.class,
            description = "A100-40GB nodes per domain (at most 26).")
    int nodesPerDomain = 2;

    @Option(
            names = "--seconds",
            paramLabel = "N",
            converter = Cli.PositiveInt.class,
            description = "Measured seconds.")
    int seconds = 20;
}
