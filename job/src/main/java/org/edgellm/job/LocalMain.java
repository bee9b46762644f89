package org.edgellm.job;

import java.util.Arrays;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.edgellm.job.replay.ReplayRunner;

/**
 * {@code job/target/job-local.jar}: the job on a local MiniCluster.
 *
 * <pre>
 * java -jar job-local.jar                  the embedded default: replay of the bundled sample
 * java -jar job-local.jar replay [flags]   replay recorded traces (see ReplayRunner)
 * java -jar job-local.jar run [flags]      the live job against Kafka (see JobConfig)
 * java -jar job-local.jar bench-trace      the trace-driven comparison of schedulers (TraceBench)
 * </pre>
 */
public final class LocalMain {

    private LocalMain() {}

    public static void main(String[] args) throws Exception {
        String cmd = args.length == 0 ? "replay" : args[0];
        String[] rest = args.length == 0 ? new String[0] : Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (cmd) {
                case "replay" ->
                        ReplayRunner.run(
                                rest,
                                StreamExecutionEnvironment.getExecutionEnvironment(),
                                System.out);
                case "run" ->
                        SchedulerJob.run(
                                rest, StreamExecutionEnvironment.getExecutionEnvironment());
                case "simulate" -> org.edgellm.job.replay.Simulator.run(rest, System.out);
                case "bench-trace" -> org.edgellm.job.replay.TraceBench.run(rest, System.out);
                case "--help", "-h", "help" -> System.out.println(usage());
                default -> {
                    System.err.println("unknown command: " + cmd + "\n" + usage());
                    System.exit(2);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("edge-llm-scheduler: " + e.getMessage());
            System.exit(2);
        } catch (java.io.IOException e) {
            System.err.println("edge-llm-scheduler: " + e.getMessage());
            System.exit(2);
        }
    }

    static String usage() {
        return "usage: java -jar job-local.jar [replay [flags] | run [flags] | bench-trace [flags]]\n"
                + "  (no arguments: replay of the bundled sample: 5 minutes of the Azure conversation trace\n"
                + "   with four Irish 5G radio traces on the default three-node domain, output in ./replay-out)";
    }
}
