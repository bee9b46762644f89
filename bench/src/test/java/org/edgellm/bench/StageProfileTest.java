package org.edgellm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stage of a CPU sample from its thread and stack (leaf first). */
class StageProfileTest {

    /** Frames leaf first, each "class#method". */
    static List<StageProfile.Frame> stack(String... frames) {
        List<StageProfile.Frame> out = new ArrayList<>();
        for (String f : frames) {
            int h = f.indexOf('#');
            out.add(new StageProfile.Frame(f.substring(0, h), f.substring(h + 1)));
        }
        return out;
    }

    @Test
    void theBenchsOwnThreadsGoByName() {
        List<StageProfile.Frame> solve = stack("org.edgellm.scheduler.Ot#solve");
        assertEquals("bench load generator", StageProfile.stage("bench-load", solve));
        assertEquals("bench load generator", StageProfile.stage("bench-load-heartbeats", solve));
        assertEquals(
                "bench decision reader",
                StageProfile.stage("kafka-producer-network-thread | bench-read", solve));
        assertEquals("other", StageProfile.stage("worker", null));
    }

    @Test
    void aBrokerFrameAnywhereMakesItTheBroker() {
        assertEquals(
                "broker",
                StageProfile.stage(
                        "t",
                        stack("org.edgellm.scheduler.Ot#solve", "kafka.server.KafkaApis#handle")));
    }

    @Test
    void theInnermostStageWinsAndTheShuffleOnlyWhenNothingElseMatches() {
        assertEquals(
                "encode",
                StageProfile.stage(
                        "t",
                        stack(
                                "org.edgellm.events.EventCodec#encodeDecision",
                                "org.edgellm.job.SlotCoordinator#close")));
        assertEquals(
                "decode",
                StageProfile.stage("t", stack("org.edgellm.events.EventCodec#decodeRequest")));
        assertEquals(
                "decode", StageProfile.stage("t", stack("org.edgellm.job.EventValidator#decode")));
        assertEquals(
                "validate",
                StageProfile.stage("t", stack("org.edgellm.job.EventValidator#request")));
        assertEquals(
                "solve",
                StageProfile.stage(
                        "t",
                        stack(
                                "org.edgellm.scheduler.Gah#run",
                                "org.apache.flink.runtime.io.network.Foo#bar",
                                "org.edgellm.job.SlotCoordinator#close")));
        assertEquals(
                "coordinate",
                StageProfile.stage(
                        "t",
                        stack(
                                "org.apache.flink.runtime.io.network.Foo#bar",
                                "org.edgellm.job.SlotCoordinator#close")));
        assertEquals(
                "shuffle (serialize, network, deserialize)",
                StageProfile.stage(
                        "t",
                        stack(
                                "org.apache.flink.runtime.io.network.Foo#bar",
                                "org.apache.flink.streaming.runtime.tasks.StreamTask#invoke")));
        assertEquals(
                "keyed state and checkpoints",
                StageProfile.stage("t", stack("org.rocksdb.RocksDB#put")));
        // the job's hand-written serializers count where they are called from, like Flink's
        assertEquals(
                "keyed state and checkpoints",
                StageProfile.stage(
                        "t",
                        stack(
                                "org.edgellm.job.StateFields#writeString",
                                "org.edgellm.job.NodeRuntimeSerializer#serialize",
                                "org.apache.flink.runtime.state.heap.CopyOnWriteStateMapSnapshot#w",
                                "org.edgellm.job.SlotCoordinator#onTimer")));
        assertEquals(
                "keyed state and checkpoints",
                StageProfile.stage(
                        "t",
                        stack(
                                "org.edgellm.job.PendingQueueSerializer#copy",
                                "org.apache.flink.runtime.state.heap.CopyOnWriteStateMap#get",
                                "org.edgellm.job.FlinkDomainState#pending",
                                "org.edgellm.job.SlotCoordinator#onTimer")));
        assertEquals(
                "shuffle (serialize, network, deserialize)",
                StageProfile.stage(
                        "t",
                        stack(
                                "org.edgellm.job.InputEventSerializer#deserialize",
                                "org.apache.flink.runtime.io.network.Foo#bar",
                                "org.apache.flink.streaming.runtime.tasks.StreamTask#invoke")));
        assertEquals(
                "Flink runtime, other",
                StageProfile.stage(
                        "t", stack("java.lang.Object#wait", "org.apache.flink.runtime.Foo#x")));
        assertEquals(
                "fetch (Kafka consumer in the job)",
                StageProfile.stage("t", stack("org.apache.kafka.clients.NetworkClient#poll")));
        assertEquals("other", StageProfile.stage("t", stack("java.lang.Thread#run")));
    }

    @Test
    void sharesAreOfAllSamples() {
        StageProfile p = new StageProfile();
        assertEquals(0.0, p.share("solve"));
        p.samples = 8;
        p.byStage.put("solve", 2L);
        assertEquals(0.25, p.share("solve"));
        assertEquals(0.0, p.share("broker"));
    }
}
