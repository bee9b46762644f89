package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Rejection;
import org.edgellm.events.RejectionReason;
import org.edgellm.events.SlotReport;
import org.junit.jupiter.api.Test;

/**
 * A burst of ten times the load the three GPUs of the default topology sustain: 20 s at 6
 * requests/s, 5 s at 60/s, 30 s at 6/s again. During the burst the pending state stays within
 * max-pending (the latest deadlines are SHED), every slot's search stays within its node budget (OT
 * is anytime: a slot report says when it stopped early); after it, the backlog drains and the slots
 * are again as cheap and as often proven optimal as before the burst. Wall-clock figures per phase
 * are printed, not asserted.
 */
class OverloadTest {

    static final int MAX_PENDING = 64;
    static final long BUDGET_NODES = 5000;

    record Phase(String name, long from, long to, double perSecond) {}

    @Test
    void aTenfoldBurstIsShedWithinBoundsAndTheJobRecovers() throws Exception {
        Topology topology = Topology.defaults();
        JobConfig config =
                Events.harnessConfig(
                        Map.of(
                                "budget-nodes", Long.toString(BUDGET_NODES),
                                "max-pending", Integer.toString(MAX_PENDING)));
        List<Phase> phases =
                List.of(
                        new Phase("before", 0, 20_000, 6),
                        new Phase("burst", 20_000, 25_000, 60),
                        new Phase("after", 25_000, 55_000, 6));
        SlotCoordinator fn = new SlotCoordinator(topology, config);
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(fn), (InputEvent e) -> e.domainId, Types.STRING);
        h.open();
        String d = "domain-1";
        List<String> nodes = List.of("edge-a", "edge-b", "edge-c");
        int users = 40;
        java.util.Random rnd = new java.util.Random(7);
        int seq = 0;
        int maxPending = 0;
        int maxPendingBefore = 0;
        long[][] slotNanos = new long[3][];
        int[] slotsIn = new int[3];
        for (int k = 0; k < 3; k++) {
            slotNanos[k] = new long[(int) ((phases.get(k).to() - phases.get(k).from()) / 100)];
        }
        int pendingAtEnd = -1;
        for (long slot = 100; slot <= 55_000; slot += 100) {
            int k = slot <= 20_000 ? 0 : slot <= 25_000 ? 1 : 2;
            Phase p = phases.get(k);
            if (slot % 1000 == 0) {
                for (int u = 0; u < users; u++) {
                    for (String n : nodes) {
                        h.processElement(
                                new StreamRecord<>(
                                        Events.channel(
                                                "u" + u, d, n, slot - 50, 2 + rnd.nextDouble() * 4),
                                        slot - 50));
                    }
                }
            }
            int arrivals = (int) (p.perSecond() / 10);
            if (rnd.nextDouble() < p.perSecond() / 10 - arrivals) {
                arrivals++;
            }
            for (int a = 0; a < arrivals; a++) {
                long t = slot - 100 + rnd.nextInt(100);
                h.processElement(
                        new StreamRecord<>(
                                Events.request(
                                        "r" + seq++,
                                        "u" + rnd.nextInt(users),
                                        d,
                                        t,
                                        100 + rnd.nextInt(600),
                                        50 + rnd.nextInt(200),
                                        15_000 + rnd.nextInt(15_000)),
                                t));
            }
            long t0 = System.nanoTime();
            h.processWatermark(slot);
            slotNanos[k][slotsIn[k]++] = System.nanoTime() - t0;
            ((org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>) h.getOperator())
                    .setCurrentKey(d);
            int pending = fn.pendingCount();
            maxPending = Math.max(maxPending, pending);
            if (k == 0) {
                maxPendingBefore = Math.max(maxPendingBefore, pending);
            }
            if (slot == 55_000) {
                pendingAtEnd = pending;
            }
        }
        // reports and rejections by phase
        int[] shed = new int[3];
        int[] reports = new int[3];
        int[] proven = new int[3];
        long[] visited = new long[3];
        long maxVisited = 0;
        for (StreamRecord<SlotReport> r : h.getSideOutput(SlotCoordinator.REPORTS)) {
            SlotReport s = r.getValue();
            long t = s.getSlotEnd().toEpochMilli();
            int k = t <= 20_000 ? 0 : t <= 25_000 ? 1 : 2;
            reports[k]++;
            proven[k] += s.getProvenOptimal() ? 1 : 0;
            visited[k] += s.getNodesVisited();
            maxVisited = Math.max(maxVisited, s.getNodesVisited());
        }
        for (StreamRecord<Rejection> r : h.getSideOutput(SlotCoordinator.REJECTIONS)) {
            if (r.getValue().getReason() == RejectionReason.SHED) {
                long t = r.getValue().getTime().toEpochMilli();
                shed[t <= 20_000 ? 0 : t <= 25_000 ? 1 : 2]++;
            }
        }
        int decided = 0;
        for (BatchDecision b : h.extractOutputValues()) {
            decided += b.getRequests().size();
        }
        h.close();
        assertTrue(maxPending <= MAX_PENDING, "pending capped: " + maxPending);
        assertEquals(0, shed[0], "nothing shed before the burst");
        assertTrue(shed[1] + shed[2] > 0, "the burst is shed");
        assertTrue(
                maxVisited <= BUDGET_NODES * nodes.size(),
                "every slot within its search budget: " + maxVisited);
        assertTrue(
                pendingAtEnd <= Math.max(maxPendingBefore, 5),
                "the backlog drained: " + pendingAtEnd + " pending, before " + maxPendingBefore);
        // the last 20 s after the burst are as cheap and as proven as before it
        double provenBefore = proven[0] / (double) Math.max(1, reports[0]);
        double provenAfter = proven[2] / (double) Math.max(1, reports[2]);
        assertTrue(
                provenAfter >= provenBefore - 0.1,
                "proven optimal " + provenBefore + " before, " + provenAfter + " after");
        System.out.printf(
                "overload: %d requests, %d decided; max pending %d (cap %d), SHED %s; proven"
                        + " optimal %.2f / %.2f / %.2f; mean nodes visited per report %.0f / %.0f"
                        + " / %.0f%n",
                seq,
                decided,
                maxPending,
                MAX_PENDING,
                Arrays.toString(shed),
                provenBefore,
                proven[1] / (double) Math.max(1, reports[1]),
                provenAfter,
                visited[0] / (double) Math.max(1, reports[0]),
                visited[1] / (double) Math.max(1, reports[1]),
                visited[2] / (double) Math.max(1, reports[2]));
        List<String> gcs = new ArrayList<>();
        ManagementFactory.getGarbageCollectorMXBeans().forEach(g -> gcs.add(g.getName()));
        for (int k = 0; k < 3; k++) {
            long[] ns = Arrays.copyOf(slotNanos[k], slotsIn[k]);
            Arrays.sort(ns);
            System.out.printf(
                    "slot processing %-6s p50 %.2f ms, p99 %.2f ms, max %.2f ms (GC: %s)%n",
                    phases.get(k).name(),
                    ns[ns.length / 2] / 1e6,
                    ns[(int) (ns.length * 0.99)] / 1e6,
                    ns[ns.length - 1] / 1e6,
                    gcs);
        }
    }
}
