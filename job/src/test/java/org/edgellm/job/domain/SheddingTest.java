package org.edgellm.job.domain;

import static org.edgellm.job.domain.DomainFixtures.pendingIds;
import static org.edgellm.job.domain.DomainFixtures.req;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.RequestEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Shedding#shed}: keeps the earliest deadlines (ties: the smaller id), sheds the rest. */
class SheddingTest {

    record Item(String id, double deadline) {}

    static List<Item> items(Object... idAndDeadline) {
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < idAndDeadline.length; i += 2) {
            out.add(
                    new Item(
                            (String) idAndDeadline[i],
                            ((Number) idAndDeadline[i + 1]).doubleValue()));
        }
        return out;
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                // items in arrival order, max-pending
                Arguments.of(items("a", 3000, "b", 1000, "c", 2000), 2),
                Arguments.of(items("a", 3000, "b", 1000, "c", 2000), 3),
                Arguments.of(items("a", 3000, "b", 1000, "c", 2000), 5),
                Arguments.of(items("a", 3000, "b", 1000, "c", 2000), 1),
                Arguments.of(items("a", 3000, "b", 1000, "c", 2000), 0),
                // equal deadlines: ordered by id, the larger id goes first
                Arguments.of(items("z", 1000, "m", 1000, "a", 1000, "q", 500), 2),
                Arguments.of(items("x2", 4000, "x10", 4000, "x1", 4000, "y", 9000, "w", 100), 3),
                // many, deadlines in descending arrival order
                Arguments.of(
                        Stream.iterate(0, i -> i + 1)
                                .limit(40)
                                .map(
                                        i ->
                                                new Item(
                                                        String.format("r%02d", i),
                                                        10_000 - 100.0 * (i % 13)))
                                .collect(Collectors.toList()),
                        7));
    }

    @ParameterizedTest(name = "[{index}] max-pending {1}")
    @MethodSource("rows")
    void keepsTheEarliestDeadlines(List<Item> in, int maxPending) {
        PendingQueue q = new PendingQueue();
        for (Item it : in) {
            RequestEvent r = req(it.id, "u-" + it.id, "d1", 0, 64, 8, 0, 0.5);
            r.deadline = it.deadline;
            q.add(r);
        }
        List<Rejected> rejected = new ArrayList<>();
        Shedding.shed("d1", 1100, q, maxPending, rejected);

        List<String> order =
                in.stream()
                        .sorted(Comparator.comparingDouble(Item::deadline).thenComparing(Item::id))
                        .map(Item::id)
                        .collect(Collectors.toList());
        int keep = Math.min(maxPending, in.size());
        assertEquals(order.subList(0, keep), pendingIds(q));
        List<String> shed = new ArrayList<>(order.subList(keep, order.size()));
        java.util.Collections.reverse(shed); // the latest deadline first
        assertEquals(shed, rejected.stream().map(Rejected::requestId).collect(Collectors.toList()));
        for (Rejected r : rejected) {
            assertEquals(RejectReason.SHED, r.reason());
            assertEquals("d1", r.domainId());
            assertEquals(1100, r.time());
            assertEquals("u-" + r.requestId(), r.userId());
            assertTrue(r.detail().contains("max-pending " + maxPending), r.detail());
        }
    }
}
