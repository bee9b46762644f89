package org.edgellm.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.edgellm.scheduler.cli.Cli;
import org.edgellm.worker.CommandOptions.Connection;
import org.edgellm.worker.CommandOptions.DecisionsTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code worker.jar worker}: runs the {@link Worker} of one edge node on the chosen {@link Backend}
 * until stopped (a shutdown hook stops it), with the node's capabilities from the topology and,
 * with {@code --metrics-port}, a Prometheus endpoint ({@link WorkerMetrics}).
 */
@Command(
        name = "worker",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        sortOptions = false,
        showDefaultValues = true,
        description = {
            "Executes the batches the job decides for one edge node and reports back"
                    + " (completions, heartbeats with the node's capabilities)."
        },
        footer = WorkerMain.KAFKA_FLAG_HELP)
final class WorkerCommand implements Callable<Integer> {
    private final Map<String, String> kafka;

    @Option(
            names = "--node-id",
            required = true,
            paramLabel = "ID",
            description = "This node's id in the topology (required).")
    String nodeId;

    @Option(
            names = "--domain-id",
            required = true,
            paramLabel = "ID",
            description = "The node's coordination domain (required).")
    String domainId;

    @Mixin Connection connection;

    @Mixin DecisionsTopic decisions;

    @Option(
            names = "--completions-topic",
            paramLabel = "TOPIC",
            description = "Topic the completions are written to.")
    String completionsTopic = "completions";

    @Option(
            names = "--telemetry-topic",
            paramLabel = "TOPIC",
            description = "Topic of the heartbeats.")
    String telemetryTopic = "node-telemetry";

    @Option(
            names = "--dead-letter-topic",
            paramLabel = "TOPIC",
            description =
                    "Topic the records keyed by this node that are no decision for it go to"
                            + " (undecodable, or for another node), with their offset and"
                            + " the error; the job's dead-letter topic.")
    String deadLetterTopic = Worker.Settings.DEFAULT_DEAD_LETTER_TOPIC;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            description =
                    "Where the worker keeps what it has finished and the slowdown it measured"
                            + " (restart on it; default: worker-state).")
    Path stateDir = Path.of("worker-state");

    @Option(
            names = "--heartbeat-ms",
            paramLabel = "N",
            converter = Cli.PositiveLong.class,
            description = "Heartbeat period in ms.")
    long heartbeatMs = 500;

    @Option(
            names = "--topology",
            paramLabel = "FILE",
            description =
                    "Topology YAML the heartbeat's capabilities come from (default: the bundled"
                            + " one).")
    Path topology;

    @Option(
            names = "--backend",
            paramLabel = "NAME",
            converter = BackendName.class,
            completionCandidates = BackendNames.class,
            description = "Backend: ${COMPLETION-CANDIDATES}.")
    String backend = "simulated";

    @Option(
            names = "--slowdown",
            paramLabel = "X",
            converter = Cli.PositiveDouble.class,
            description = "simulated: factor on the model's predicted compute time.")
    double slowdown = 1.0;

    @Option(
            names = "--jitter",
            paramLabel = "X",
            converter = Cli.NonNegativeDouble.class,
            description = "simulated: relative random jitter of the compute time.")
    double jitter = 0.05;

    @Option(
            names = "--seed",
            paramLabel = "N",
            converter = Cli.AnyLong.class,
            description = "simulated: seed of the jitter.")
    long seed = 1;

    @Option(
            names = "--fast-forward",
            description = "simulated: a virtual clock instead of sleeping (off by default).")
    boolean fastForward;

    @Option(
            names = "--endpoint",
            paramLabel = "URL",
            description = "openai: base URL of the OpenAI-compatible server.")
    String endpoint = "http://localhost:8000";

    @Option(names = "--model", paramLabel = "NAME", description = "openai: model name.")
    String model = "default";

    @Option(
            names = "--stream",
            arity = "1",
            paramLabel = "true|false",
            description = "openai: stream the tokens (default: ${DEFAULT-VALUE}).")
    boolean stream = true;

    @Option(
            names = "--timeout-ms",
            paramLabel = "N",
            converter = Cli.PositiveLong.class,
            description = "openai: timeout of one request in ms.")
    long timeoutMs = 120_000;

    @Option(
            names = "--metrics-port",
            paramLabel = "N",
            converter = MetricsPort.class,
            description =
                    "Serve Prometheus metrics on http://HOST:N/metrics (0: off; see"
                            + " docs/metrics.md).")
    int metricsPort = 0;

    @Option(
            names = "--metrics-host",
            paramLabel = "HOST",
            description = "Address the metrics endpoint binds to.")
    String metricsHost = "127.0.0.1";

    WorkerCommand(Map<String, String> kafka) {
        this.kafka = kafka;
    }

    @Override
    public Integer call() throws Exception {
        if (nodeId.isEmpty() || domainId.isEmpty()) {
            throw new IllegalArgumentException("--node-id and --domain-id must not be empty");
        }
        Backend b =
                backend.equals("openai")
                        ? new OpenAiBackend(endpoint, model, stream, Duration.ofMillis(timeoutMs))
                        : new SimulatedBackend(
                                slowdown,
                                jitter,
                                seed,
                                fastForward
                                        ? new SimulatedBackend.VirtualClock(
                                                System.currentTimeMillis())
                                        : SimulatedBackend.REAL);
        Worker.Settings s =
                new Worker.Settings(
                        connection.bootstrapServers,
                        nodeId,
                        domainId,
                        decisions.decisionsTopic,
                        completionsTopic,
                        telemetryTopic,
                        stateDir,
                        heartbeatMs,
                        connection.kafka(kafka),
                        WorkerMain.capabilities(topology, domainId, nodeId),
                        deadLetterTopic);
        try (WorkerMetrics m = new WorkerMetrics(nodeId);
                Worker w = new Worker(s, b, m)) {
            if (metricsPort > 0) {
                m.serve(metricsHost, metricsPort);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(w::stop));
            w.run();
        }
        return 0;
    }

    static final class BackendName implements ITypeConverter<String> {
        @Override
        public String convert(String v) {
            if (!v.equals("simulated") && !v.equals("openai")) {
                throw new TypeConversionException("'" + v + "' is not one of simulated, openai");
            }
            return v;
        }
    }

    static final class MetricsPort implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String v) {
            int p = new Cli.NonNegativeInt().convert(v);
            if (p > 65535) {
                throw new TypeConversionException("'" + v + "' is not a port (0 to 65535)");
            }
            return p;
        }
    }

    static final class BackendNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("simulated", "openai").iterator();
        }
    }
}
