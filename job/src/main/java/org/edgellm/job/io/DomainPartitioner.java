package org.edgellm.job.io;

import org.apache.flink.connector.kafka.sink.KafkaPartitioner;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * Sends each output record to the partition of its coordination domain's key group: with P the
 * job's parallelism, M its max parallelism and N the topic's partitions, a domain in key group g
 * goes to partition {@code g * N / M}, and the coordinator subtask that owns it is {@code g * P /
 * M} (Flink's key group ranges). When N is a multiple of P, every partition is written by exactly
 * one sink subtask, the one that owns its domains.
 *
 * <p>Why: with exactly-once delivery each sink subtask writes into its own Kafka transaction, and a
 * {@code read_committed} consumer reads a partition only up to the first record of the earliest
 * transaction still open there. Two subtasks writing one partition (Kafka's default partitioning by
 * the record key) each keep a transaction open at all times, so one subtask's committed decisions
 * often wait behind the other's open transaction for one more checkpoint, sometimes two or three:
 * at 10,000 requests/s with 100-ms checkpoints the decision p99 was 366-390 ms, with one writer per
 * partition 167 ms (docs/bench-job.md, twentieth session).
 *
 * <p>The partition depends only on the domain, M and N, not on the parallelism: a domain's records
 * (so every node's decisions, in order) stay in one partition when the job is rescaled. Records
 * without a domain (dead letters) go to the writer's own partition ({@code subtask mod N}). M is
 * {@code --max-parallelism} when set, else Flink's default for the sink's parallelism (what a job
 * that never set it uses, unless it was restored from state taken at another one: then the
 * partitions may have two writers again, which costs latency, never a record).
 */
public final class DomainPartitioner<T> implements KafkaPartitioner<T> {
    private static final long serialVersionUID = 1L;

    private final KafkaIo.KeyOf<T> domainOf;
    private final int configuredMaxParallelism;
    private int maxParallelism;
    private int subtask;

    /**
     * @param domainOf a record's domain (null: records without one, each to its writer's partition)
     * @param maxParallelism the job's max parallelism, or -1 for Flink's default
     */
    DomainPartitioner(KafkaIo.KeyOf<T> domainOf, int maxParallelism) {
        this.domainOf = domainOf;
        this.configuredMaxParallelism = maxParallelism;
    }

    @Override
    public void open(int parallelInstanceId, int parallelInstances) {
        subtask = parallelInstanceId;
        maxParallelism =
                configuredMaxParallelism > 0
                        ? configuredMaxParallelism
                        : KeyGroupRangeAssignment.computeDefaultMaxParallelism(parallelInstances);
    }

    @Override
    public int partition(T record, byte[] key, byte[] value, String topic, int[] partitions) {
        // a topic's partitions are numbered 0 to N - 1
        String domain = domainOf == null ? null : domainOf.key(record);
        int n = partitions.length;
        return domain == null ? subtask % n : partitionOf(domain, maxParallelism, n);
    }

    /** The partition of a domain's records among n, under max parallelism m. */
    public static int partitionOf(String domain, int m, int n) {
        int group = KeyGroupRangeAssignment.assignToKeyGroup(domain, m);
        return (int) ((long) group * n / m);
    }
}
