package org.edgellm.job;

import static org.edgellm.job.StateFields.copyRequestList;
import static org.edgellm.job.StateFields.readNodeSpec;
import static org.edgellm.job.StateFields.readRequestList;
import static org.edgellm.job.StateFields.readString;
import static org.edgellm.job.StateFields.readStringList;
import static org.edgellm.job.StateFields.writeNodeSpec;
import static org.edgellm.job.StateFields.writeRequestList;
import static org.edgellm.job.StateFields.writeString;
import static org.edgellm.job.StateFields.writeStringList;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializes {@link NodeRuntime} (the values of the coordinator's {@code nodes} state) by hand,
 * with its {@link NodeSpec} and variants (the code {@link InputEventSerializer} uses for a
 * heartbeat's capabilities), its unfinished batches ({@link NodeRuntime.Outstanding}) and their
 * leases ({@link NodeRuntime.Lease}, with their requests). Lists are written with their size (-1
 * for null) and read back as {@link ArrayList}s. State of earlier releases, written with Flink's
 * POJO serializer, migrates on restore ({@link StateSerializerSnapshot}).
 */
public final class NodeRuntimeSerializer extends HandWrittenSerializer<NodeRuntime> {
    private static final long serialVersionUID = 1L;

    public static final NodeRuntimeSerializer INSTANCE = new NodeRuntimeSerializer();

    @Override
    public NodeRuntime createInstance() {
        return new NodeRuntime();
    }

    @Override
    public NodeRuntime copy(NodeRuntime f) {
        if (f == null) {
            return null;
        }
        NodeRuntime n = new NodeRuntime();
        n.spec = StateFields.copy(f.spec);
        n.busyUntil = f.busyUntil;
        n.healthy = f.healthy;
        n.heard = f.heard;
        n.lastHeartbeat = f.lastHeartbeat;
        n.slowdown = f.slowdown;
        n.lastDecisionT0 = f.lastDecisionT0;
        n.tracksProgress = f.tracksProgress;
        n.finishedThrough = f.finishedThrough;
        n.reportedBusyUntil = f.reportedBusyUntil;
        n.stalled = f.stalled;
        if (f.outstanding == null) {
            n.outstanding = null;
        } else {
            n.outstanding = new ArrayList<>(f.outstanding.size());
            for (NodeRuntime.Outstanding o : f.outstanding) {
                n.outstanding.add(copy(o));
            }
        }
        if (f.leases == null) {
            n.leases = null;
        } else {
            n.leases = new ArrayList<>(f.leases.size());
            for (NodeRuntime.Lease l : f.leases) {
                n.leases.add(copy(l));
            }
        }
        return n;
    }

    @Override
    public void writeFields(NodeRuntime n, DataOutputView out) throws IOException {
        writeNodeSpec(n.spec, out);
        out.writeDouble(n.busyUntil);
        out.writeBoolean(n.healthy);
        out.writeBoolean(n.heard);
        out.writeLong(n.lastHeartbeat);
        out.writeDouble(n.slowdown);
        out.writeDouble(n.lastDecisionT0);
        out.writeBoolean(n.tracksProgress);
        out.writeLong(n.finishedThrough);
        out.writeDouble(n.reportedBusyUntil);
        out.writeBoolean(n.stalled);
        if (n.outstanding == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(n.outstanding.size());
            for (NodeRuntime.Outstanding o : n.outstanding) {
                write(o, out);
            }
        }
        if (n.leases == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(n.leases.size());
            for (NodeRuntime.Lease l : n.leases) {
                write(l, out);
            }
        }
    }

    @Override
    public NodeRuntime deserialize(DataInputView in) throws IOException {
        NodeRuntime n = new NodeRuntime();
        n.spec = readNodeSpec(in);
        n.busyUntil = in.readDouble();
        n.healthy = in.readBoolean();
        n.heard = in.readBoolean();
        n.lastHeartbeat = in.readLong();
        n.slowdown = in.readDouble();
        n.lastDecisionT0 = in.readDouble();
        n.tracksProgress = in.readBoolean();
        n.finishedThrough = in.readLong();
        n.reportedBusyUntil = in.readDouble();
        n.stalled = in.readBoolean();
        int k = in.readInt();
        if (k < 0) {
            n.outstanding = null;
        } else {
            List<NodeRuntime.Outstanding> l = new ArrayList<>(k);
            for (int i = 0; i < k; i++) {
                l.add(readOutstanding(in));
            }
            n.outstanding = l;
        }
        k = in.readInt();
        if (k < 0) {
            n.leases = null;
        } else {
            List<NodeRuntime.Lease> l = new ArrayList<>(k);
            for (int i = 0; i < k; i++) {
                l.add(readLease(in));
            }
            n.leases = l;
        }
        return n;
    }

    // ---- unfinished batches and leases (each nullable, with a presence mark)

    private static NodeRuntime.Outstanding copy(NodeRuntime.Outstanding f) {
        if (f == null) {
            return null;
        }
        NodeRuntime.Outstanding o = new NodeRuntime.Outstanding();
        o.decisionId = f.decisionId;
        o.slotEnd = f.slotEnd;
        o.computeStartMs = f.computeStartMs;
        o.computeEndMs = f.computeEndMs;
        o.requestIds = f.requestIds == null ? null : new ArrayList<>(f.requestIds);
        o.userIds = f.userIds == null ? null : new ArrayList<>(f.userIds);
        return o;
    }

    private static void write(NodeRuntime.Outstanding o, DataOutputView out) throws IOException {
        out.writeBoolean(o != null);
        if (o == null) {
            return;
        }
        writeString(o.decisionId, out);
        out.writeLong(o.slotEnd);
        out.writeDouble(o.computeStartMs);
        out.writeDouble(o.computeEndMs);
        writeStringList(o.requestIds, out);
        writeStringList(o.userIds, out);
    }

    private static NodeRuntime.Outstanding readOutstanding(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        NodeRuntime.Outstanding o = new NodeRuntime.Outstanding();
        o.decisionId = readString(in);
        o.slotEnd = in.readLong();
        o.computeStartMs = in.readDouble();
        o.computeEndMs = in.readDouble();
        o.requestIds = readStringList(in);
        o.userIds = readStringList(in);
        return o;
    }

    private static NodeRuntime.Lease copy(NodeRuntime.Lease f) {
        if (f == null) {
            return null;
        }
        NodeRuntime.Lease l = new NodeRuntime.Lease();
        l.decisionId = f.decisionId;
        l.untilMs = f.untilMs;
        l.refused = f.refused;
        l.requests = copyRequestList(f.requests);
        return l;
    }

    private static void write(NodeRuntime.Lease l, DataOutputView out) throws IOException {
        out.writeBoolean(l != null);
        if (l == null) {
            return;
        }
        writeString(l.decisionId, out);
        out.writeDouble(l.untilMs);
        out.writeBoolean(l.refused);
        writeRequestList(l.requests, out);
    }

    private static NodeRuntime.Lease readLease(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        NodeRuntime.Lease l = new NodeRuntime.Lease();
        l.decisionId = readString(in);
        l.untilMs = in.readDouble();
        l.refused = in.readBoolean();
        l.requests = readRequestList(in);
        return l;
    }

    @Override
    public TypeSerializerSnapshot<NodeRuntime> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1: the fields of 0.3's node runtime, with outstanding batches and leases. */
    public static final class Snapshot extends StateSerializerSnapshot<NodeRuntime> {
        static final int VERSION = 1;

        public Snapshot() {
            super(NodeRuntime.class, VERSION, v -> v == 1 ? INSTANCE : null);
        }
    }
}
