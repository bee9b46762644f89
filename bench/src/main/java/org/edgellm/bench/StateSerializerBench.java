package org.edgellm.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.edgellm.job.ChannelEvent;
import org.edgellm.job.InputEvent;
import org.edgellm.job.InputEventSerializer;
import org.edgellm.job.NodeRuntime;
import org.edgellm.job.NodeRuntimeSerializer;
import org.edgellm.job.NodeSpec;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.PendingQueueSerializer;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.UserChannels;
import org.edgellm.job.UserChannelsSerializer;

/**
 * The coordinator's state values through Flink's POJO serializer (what releases before the
 * hand-written serializers used) and through the hand-written ones, in one thread: CPU time (of
 * this thread, so that other processes on the machine count less) per copy (what the heap backend
 * does on a write after a snapshot), per serialize (a snapshot) and per deserialize (a restore),
 * and the bytes written. Values shaped like those of the job benchmark at 1,000 domains: a node
 * with its four variants and two tracked batches with their leases, a user's channels to two nodes,
 * a queue of four requests, a slot buffer of four events.
 */
final class StateSerializerBench {
    private StateSerializerBench() {}

    /** One measured row. */
    record Row(
            String value,
            String serializer,
            double copyMicros,
            double serializeMicros,
            double deserializeMicros,
            int bytes) {}

    static RequestEvent request(int i) {
        RequestEvent r = new RequestEvent();
        r.requestId = "req-" + i;
        r.userId = "user-" + (i % 50);
        r.domainId = "domain-0042";
        r.arrivalTime = 1_700_000_000_000L + i;
        r.promptTokens = 120;
        r.maxOutputTokens = 30;
        r.deadline = 1.7e12 + 5000;
        r.maxPplIncrease = 0.5;
        r.serviceClass = "interactive";
        return r;
    }

    static NodeRuntime node() {
        NodeSpec s = new NodeSpec();
        s.id = "domain-0042-n0";
        s.memoryBytes = 4e10;
        s.reserveBytes = 2e9;
        s.memoryBandwidth = 1.5e12;
        s.peakFlops16 = 3.1e14;
        s.peakFlops8 = 6.2e14;
        s.peakFlops4 = 1.2e15;
        s.efficiency = 0.5;
        s.uplinkHz = 2e7;
        s.downlinkHz = 2e7;
        s.variants =
                new NodeSpec.VariantSpec[] {
                    new NodeSpec.VariantSpec("fp16", 16, 16, 16, 0),
                    new NodeSpec.VariantSpec("w8a8", 8, 8, 8, 0.1),
                    new NodeSpec.VariantSpec("w4a16", 4, 16, 16, 0.3),
                    new NodeSpec.VariantSpec("w4a8", 4, 8, 8, 0.5)
                };
        NodeRuntime n = NodeRuntime.of(s);
        n.heard = true;
        n.tracksProgress = true;
        n.lastHeartbeat = 1_700_000_000_000L;
        for (int b = 0; b < 2; b++) {
            NodeRuntime.Outstanding o = new NodeRuntime.Outstanding();
            o.decisionId = "decision-" + b;
            o.slotEnd = 1_700_000_000_100L;
            o.computeStartMs = 1.7e12;
            o.computeEndMs = 1.7e12 + 900;
            NodeRuntime.Lease l = new NodeRuntime.Lease();
            l.decisionId = o.decisionId;
            l.untilMs = 1.7e12 + 2000;
            for (int j = 0; j < 2; j++) {
                o.requestIds.add("req-" + j);
                o.userIds.add("user-" + j);
                l.requests.add(request(j));
            }
            n.outstanding.add(o);
            n.leases.add(l);
        }
        return n;
    }

    static UserChannels channels() {
        UserChannels u = new UserChannels();
        for (int k = 0; k < 2; k++) {
            ChannelEvent c = new ChannelEvent();
            c.nodeId = "domain-0042-n" + k;
            c.measuredAt = 1_700_000_000_000L;
            c.uplinkSpectralEfficiency = 4.2;
            c.downlinkSpectralEfficiency = 5.1;
            u.update(c);
        }
        return u;
    }

    static PendingQueue queue() {
        PendingQueue q = new PendingQueue();
        for (int i = 0; i < 4; i++) {
            q.add(request(i));
        }
        return q;
    }

    static List<InputEvent> slotBuffer() {
        List<InputEvent> l = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            l.add(InputEvent.of(request(i)));
        }
        return l;
    }

    static <T> TypeSerializer<T> pojo(Class<T> c) {
        return Types.POJO(c).createSerializer(new SerializerConfigImpl());
    }

    /** CPU time of this thread per operation, in µs; bytes of one serialized value. */
    static <T> Row measure(String value, String name, TypeSerializer<T> ser, T v, int iterations)
            throws Exception {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        DataOutputSerializer out = new DataOutputSerializer(4096);
        long sink = 0;
        long t0 = bean.getCurrentThreadCpuTime();
        for (int i = 0; i < iterations; i++) {
            sink += System.identityHashCode(ser.copy(v));
        }
        long t1 = bean.getCurrentThreadCpuTime();
        for (int i = 0; i < iterations; i++) {
            out.clear();
            ser.serialize(v, out);
        }
        long t2 = bean.getCurrentThreadCpuTime();
        byte[] b = out.getCopyOfBuffer();
        DataInputDeserializer in = new DataInputDeserializer();
        for (int i = 0; i < iterations; i++) {
            in.setBuffer(b);
            sink += System.identityHashCode(ser.deserialize(in));
        }
        long t3 = bean.getCurrentThreadCpuTime();
        if (sink == 42) {
            System.out.print(""); // keeps the results alive
        }
        double n = iterations;
        return new Row(
                value,
                name,
                (t1 - t0) / 1e3 / n,
                (t2 - t1) / 1e3 / n,
                (t3 - t2) / 1e3 / n,
                b.length);
    }

    /**
     * Every value through both serializers, alternating; `rounds` rounds of `iterations` operations
     * each, the last round reported (the earlier ones warm up the code).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static List<Row> run(int iterations, int rounds) throws Exception {
        Object[][] cases = {
            {
                "pending (4 requests)",
                pojo(PendingQueue.class),
                PendingQueueSerializer.INSTANCE,
                queue()
            },
            {
                "channels (1 user, 2 nodes)",
                pojo(UserChannels.class),
                UserChannelsSerializer.INSTANCE,
                channels()
            },
            {
                "nodes (1 node, 2 tracked batches)",
                pojo(NodeRuntime.class),
                NodeRuntimeSerializer.INSTANCE,
                node()
            },
            {
                "slot-buffer (4 events)",
                new ListSerializer<>(pojo(InputEvent.class)),
                new ListSerializer<>(InputEventSerializer.INSTANCE),
                slotBuffer()
            },
        };
        List<Row> rows = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            rows.clear();
            for (Object[] c : cases) {
                rows.add(measure((String) c[0], "POJO", (TypeSerializer) c[1], c[3], iterations));
                rows.add(
                        measure(
                                (String) c[0],
                                "hand-written",
                                (TypeSerializer) c[2],
                                c[3],
                                iterations));
            }
        }
        return rows;
    }

    static String markdown(List<Row> rows, String command) {
        StringBuilder sb = new StringBuilder();
        sb.append("`").append(command).append("`\n\n");
        sb.append("| value | serializer | copy µs | serialize µs | deserialize µs | bytes |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %.3f | %.3f | %.3f | %d |%n",
                            r.value(),
                            r.serializer(),
                            r.copyMicros(),
                            r.serializeMicros(),
                            r.deserializeMicros(),
                            r.bytes()));
        }
        return sb.toString();
    }
}
