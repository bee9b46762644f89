package org.edgellm.job.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

/**
 * {@link DomainPartitioner} against Flink's own assignment of keys to subtasks ({@link
 * KeyGroupRangeAssignment#assignKeyToParallelOperator}, the oracle): one writer per partition when
 * the partitions are a multiple of the parallelism, a domain's partition independent of the
 * parallelism, and records without a domain on their writer's partition.
 */
class DomainPartitionerTest {

    private static final int[] PARTITIONS_16 = range(16);

    @Test
    void withAMultipleOfTheParallelismInPartitionsEachPartitionHasOneWriter() {
        Random rnd = new Random(7);
        for (int p : new int[] {1, 2, 3, 4, 5, 8}) {
            for (int k : new int[] {1, 2, 3}) {
                int n = p * k;
                int m = KeyGroupRangeAssignment.computeDefaultMaxParallelism(p);
                Map<Integer, Set<Integer>> writers = new HashMap<>();
                Set<Integer> used = new HashSet<>();
                for (int i = 0; i < 5_000; i++) {
                    String domain = "dom-" + rnd.nextInt(1_000_000);
                    int owner = KeyGroupRangeAssignment.assignKeyToParallelOperator(domain, m, p);
                    DomainPartitioner<String> part = partitioner(owner, p, -1);
                    int partition = part.partition(domain, null, null, "t", range(n));
                    assertTrue(partition >= 0 && partition < n, "partition " + partition);
                    writers.computeIfAbsent(partition, x -> new HashSet<>()).add(owner);
                    used.add(partition);
                }
                for (var e : writers.entrySet()) {
                    assertEquals(
                            1,
                            e.getValue().size(),
                            "parallelism "
                                    + p
                                    + ", "
                                    + n
                                    + " partitions: partition "
                                    + e.getKey()
                                    + " written by subtasks "
                                    + e.getValue());
                }
                assertEquals(n, used.size(), "every partition is used (" + p + ", " + n + ")");
            }
        }
    }

    @Test
    void aDomainsPartitionDoesNotDependOnTheParallelism() {
        // the same max parallelism (a savepoint keeps it) at parallelism 2 and after a rescale to 8
        for (int i = 0; i < 2_000; i++) {
            String domain = "d" + i;
            int before = partitioner(0, 2, 128).partition(domain, null, null, "t", PARTITIONS_16);
            int after = partitioner(5, 8, 128).partition(domain, null, null, "t", PARTITIONS_16);
            assertEquals(before, after, domain);
        }
    }

    @Test
    void recordsWithoutADomainStayOnTheirWritersPartition() {
        DomainPartitioner<String> part = new DomainPartitioner<>(null, -1);
        part.open(3, 4);
        assertEquals(3, part.partition("x", null, null, "t", range(8)));
        assertEquals(1, part.partition("x", null, null, "t", range(2)));
    }

    private static DomainPartitioner<String> partitioner(int subtask, int parallelism, int m) {
        DomainPartitioner<String> part = new DomainPartitioner<>(d -> d, m);
        part.open(subtask, parallelism);
        return part;
    }

    private static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
