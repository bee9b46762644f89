package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.ChannelState;
import org.edgellm.events.DecidedRequest;
import org.edgellm.events.InferenceRequest;
import org.edgellm.events.Rejection;
import org.edgellm.events.SlotReport;
import org.edgellm.job.replay.TraceImport;
import org.junit.jupiter.api.Test;

/**
 * The whole hour of the Azure conversation trace (19,366 requests) with four 5G radio traces,
 * replayed at 8x through the slot coordinator (about 43 requests/s on three GPUs, far beyond what
 * they serve): every request ends decided or rejected exactly once, the pending state stays within
 * max-pending at every slot, and two minutes after the last request the domain's state is back to
 * nothing: no pending request, no buffered event, no remembered id, no channel.
 */
class LongReplayTest {

    @Test
    void aFullHourAt8xEndsWithEveryRequestDecidedOnceAndStateBackToZero() throws Exception {
        Path csv =
                Path.of(
                        getClass()
                                .getResource("/traces/azure-full/AzureLLMInferenceTrace_conv.csv")
                                .toURI());
        Topology topology = Topology.defaults();
        TraceImport.Imported imp =
                TraceImport.load(
                        new TraceImport.Options(csv.toString(), null, 60, 24, 1000, 1, 8.0),
                        topology);
        int maxPending = 512;
        JobConfig config =
                Events.harnessConfig(
                        Map.of(
                                "budget-nodes",
                                "20000",
                                "max-pending",
                                Integer.toString(maxPending)));
        EventValidator v = new EventValidator(topology, config);
        List<InputEvent> events = new ArrayList<>();
        for (InferenceRequest r : imp.requests()) {
            events.add(v.validate(r));
        }
        for (ChannelState c : imp.channels()) {
            events.add(v.validate(c, null, "test", 0, 0));
        }
        events.sort((a, b) -> Long.compare(a.time, b.time));
        SlotCoordinator fn = new SlotCoordinator(topology, config);
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(fn), (InputEvent e) -> e.domainId, Types.STRING);
        h.open();
        long start = System.nanoTime();
        long heapBefore = usedHeap();
        long peakHeap = heapBefore;
        int maxSeen = 0;
        long slot = org.edgellm.job.domain.Slots.slotEndAfter(events.get(0).time, 100);
        int i = 0;
        long end = events.get(events.size() - 1).time + 240_000;
        for (; slot <= end; slot += 100) {
            while (i < events.size() && events.get(i).time < slot) {
                h.processElement(new StreamRecord<>(events.get(i), events.get(i).time));
                i++;
            }
            h.processWatermark(slot);
            ((org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>) h.getOperator())
                    .setCurrentKey("domain-1");
            maxSeen = Math.max(maxSeen, fn.pendingCount()); // at every slot, as claimed
            if (slot % 10_000 == 0) {
                peakHeap = Math.max(peakHeap, usedHeap());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // every request ends exactly once
        Map<String, Integer> ends = new HashMap<>();
        Map<Long, Integer> decidedInSlot = new HashMap<>();
        int decisions = 0;
        for (BatchDecision d : h.extractOutputValues()) {
            decisions++;
            decidedInSlot.merge(
                    d.getSlotEnd().toEpochMilli(), d.getRequests().size(), Integer::sum);
            for (DecidedRequest r : d.getRequests()) {
                ends.merge(r.getRequestId(), 1, Integer::sum);
            }
        }
        Map<String, Integer> byReason = new TreeMap<>();
        for (StreamRecord<Rejection> r : h.getSideOutput(SlotCoordinator.REJECTIONS)) {
            ends.merge(r.getValue().getRequestId(), 1, Integer::sum);
            byReason.merge(r.getValue().getReason().name(), 1, Integer::sum);
        }
        // every slot report agrees with the slot's decisions (weights are 1) and with its bound
        int unproven = 0;
        int reports = 0;
        for (StreamRecord<SlotReport> r : h.getSideOutput(SlotCoordinator.REPORTS)) {
            SlotReport s = r.getValue();
            long t = s.getSlotEnd().toEpochMilli();
            reports++;
            unproven += s.getProvenOptimal() ? 0 : 1;
            assertEquals(decidedInSlot.getOrDefault(t, 0), s.getObjective(), 1e-9, "slot " + t);
            assertTrue(
                    s.getObjective() <= s.getUpperBound() + 1e-9,
                    "slot " + t + ": objective " + s.getObjective() + " > " + s.getUpperBound());
            assertEquals(
                    s.getObjective() >= s.getUpperBound() - 1e-9,
                    s.getProvenOptimal(),
                    "slot " + t + ": proven optimal exactly at the bound");
        }
        assertEquals(imp.requests().size(), ends.size(), "every request ended");
        ends.forEach((k, n) -> assertEquals(1, n, k + " ended " + n + " times"));
        assertTrue(maxSeen <= maxPending, "pending within max-pending: " + maxSeen);
        assertTrue(byReason.getOrDefault("SHED", 0) > 0, "8x the trace overloads: " + byReason);
        ((org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>) h.getOperator())
                .setCurrentKey("domain-1");
        assertEquals(0, fn.pendingCount(), "no pending request");
        assertEquals(0, fn.bufferedCount(), "no buffered event");
        assertEquals(0, fn.knownIdCount(), "no remembered request id");
        assertEquals(0, fn.channelUserCount(), "no channel state");
        assertEquals(0, fn.outstandingCount(), "no unfinished batch");
        System.out.printf(
                "full hour at 8x: %d requests, %d decided in %d batches, rejected %s; max pending"
                        + " %d; %d slot reports, %d not proven optimal; %.1f s wall,"
                        + " heap %d -> peak %d MB%n",
                imp.requests().size(),
                imp.requests().size() - byReason.values().stream().mapToInt(x -> x).sum(),
                decisions,
                byReason,
                maxSeen,
                reports,
                unproven,
                seconds,
                heapBefore >> 20,
                peakHeap >> 20);
        h.close();
    }

    static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
