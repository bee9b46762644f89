package org.edgellm.job;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializes {@link InputEvent} field by field, written out by hand: the serializer of the stream
 * into the {@code keyBy} (every input event crosses it once) and of the sources' chains. Flink's
 * POJO serializer, which it replaces there, sets every field through reflection twice per record
 * (defaults, then values) and was the largest single cost of reading an event off the network in
 * the profiles of docs/bench-job.md.
 *
 * <p>Only the network and the copies between chained operators use it: the keyed state keeps its
 * declared POJO types ({@code slot-buffer} is a list of {@code Types.POJO(InputEvent.class)}), so
 * savepoints are unchanged. {@code InputEventSerializerTest} fills every public field of the event
 * classes by reflection and checks that a round trip and a copy keep them, so a field added to one
 * of them without being added here fails that test.
 */
public final class InputEventSerializer extends TypeSerializerSingleton<InputEvent> {
    private static final long serialVersionUID = 1L;

    public static final InputEventSerializer INSTANCE = new InputEventSerializer();

    // presence bits of the nested objects and the nullable fields
    private static final int REQUEST = 1;
    private static final int CHANNEL = 1 << 1;
    private static final int TELEMETRY = 1 << 2;
    private static final int INVALID_FIELDS = 1 << 3;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public InputEvent createInstance() {
        return new InputEvent();
    }

    @Override
    public InputEvent copy(InputEvent from) {
        InputEvent e = new InputEvent();
        e.kind = from.kind;
        e.domainId = from.domainId;
        e.time = from.time;
        e.request = from.request == null ? null : copy(from.request);
        e.channel = from.channel == null ? null : copy(from.channel);
        e.telemetry = from.telemetry == null ? null : copy(from.telemetry);
        e.error = from.error;
        e.requestId = from.requestId;
        e.userId = from.userId;
        e.payload = from.payload == null ? null : from.payload.clone();
        e.source = from.source;
        e.partition = from.partition;
        e.offset = from.offset;
        return e;
    }

    @Override
    public InputEvent copy(InputEvent from, InputEvent reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(InputEvent e, DataOutputView out) throws IOException {
        boolean invalidFields =
                e.error != null
                        || e.requestId != null
                        || e.userId != null
                        || e.payload != null
                        || e.source != null
                        || e.partition != -1
                        || e.offset != -1;
        int flags =
                (e.request != null ? REQUEST : 0)
                        | (e.channel != null ? CHANNEL : 0)
                        | (e.telemetry != null ? TELEMETRY : 0)
                        | (invalidFields ? INVALID_FIELDS : 0);
        out.writeByte(e.kind);
        out.writeByte(flags);
        writeString(e.domainId, out);
        out.writeLong(e.time);
        if (e.request != null) {
            RequestEvent r = e.request;
            writeString(r.requestId, out);
            writeString(r.userId, out);
            writeString(r.domainId, out);
            out.writeLong(r.arrivalTime);
            out.writeInt(r.promptTokens);
            out.writeInt(r.maxOutputTokens);
            out.writeDouble(r.deadline);
            out.writeDouble(r.maxPplIncrease);
            out.writeDouble(r.weight);
            out.writeLong(r.uplinkBytes);
            writeString(r.serviceClass, out);
            writeString(r.promptText, out);
        }
        if (e.channel != null) {
            ChannelEvent c = e.channel;
            writeString(c.userId, out);
            writeString(c.domainId, out);
            writeString(c.nodeId, out);
            out.writeLong(c.measuredAt);
            out.writeDouble(c.uplinkSpectralEfficiency);
            out.writeDouble(c.downlinkSpectralEfficiency);
        }
        if (e.telemetry != null) {
            TelemetryEvent t = e.telemetry;
            writeString(t.nodeId, out);
            writeString(t.domainId, out);
            out.writeLong(t.time);
            writeNodeSpec(t.capabilities, out);
            out.writeLong(t.busyUntil);
            out.writeLong(t.finishedThrough);
            if (t.refused == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(t.refused.length);
                for (String s : t.refused) {
                    writeString(s, out);
                }
            }
            out.writeBoolean(t.healthy);
            out.writeDouble(t.slowdown);
        }
        if (invalidFields) {
            writeString(e.error, out);
            writeString(e.requestId, out);
            writeString(e.userId, out);
            if (e.payload == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(e.payload.length);
                out.write(e.payload);
            }
            writeString(e.source, out);
            out.writeInt(e.partition);
            out.writeLong(e.offset);
        }
    }

    @Override
    public InputEvent deserialize(DataInputView in) throws IOException {
        InputEvent e = new InputEvent();
        e.kind = in.readByte();
        int flags = in.readByte();
        e.domainId = readString(in);
        e.time = in.readLong();
        if ((flags & REQUEST) != 0) {
            RequestEvent r = new RequestEvent();
            r.requestId = readString(in);
            r.userId = readString(in);
            r.domainId = readString(in);
            r.arrivalTime = in.readLong();
            r.promptTokens = in.readInt();
            r.maxOutputTokens = in.readInt();
            r.deadline = in.readDouble();
            r.maxPplIncrease = in.readDouble();
            r.weight = in.readDouble();
            r.uplinkBytes = in.readLong();
            r.serviceClass = readString(in);
            r.promptText = readString(in);
            e.request = r;
        }
        if ((flags & CHANNEL) != 0) {
            ChannelEvent c = new ChannelEvent();
            c.userId = readString(in);
            c.domainId = readString(in);
            c.nodeId = readString(in);
            c.measuredAt = in.readLong();
            c.uplinkSpectralEfficiency = in.readDouble();
            c.downlinkSpectralEfficiency = in.readDouble();
            e.channel = c;
        }
        if ((flags & TELEMETRY) != 0) {
            TelemetryEvent t = new TelemetryEvent();
            t.nodeId = readString(in);
            t.domainId = readString(in);
            t.time = in.readLong();
            t.capabilities = readNodeSpec(in);
            t.busyUntil = in.readLong();
            t.finishedThrough = in.readLong();
            int n = in.readInt();
            if (n >= 0) {
                t.refused = new String[n];
                for (int i = 0; i < n; i++) {
                    t.refused[i] = readString(in);
                }
            }
            t.healthy = in.readBoolean();
            t.slowdown = in.readDouble();
            e.telemetry = t;
        }
        if ((flags & INVALID_FIELDS) != 0) {
            e.error = readString(in);
            e.requestId = readString(in);
            e.userId = readString(in);
            int n = in.readInt();
            if (n >= 0) {
                e.payload = new byte[n];
                in.readFully(e.payload);
            }
            e.source = readString(in);
            e.partition = in.readInt();
            e.offset = in.readLong();
        }
        return e;
    }

    @Override
    public InputEvent deserialize(InputEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<InputEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot: it has no configuration. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<InputEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    // ---- nested values

    private static RequestEvent copy(RequestEvent f) {
        RequestEvent r = new RequestEvent();
        r.requestId = f.requestId;
        r.userId = f.userId;
        r.domainId = f.domainId;
        r.arrivalTime = f.arrivalTime;
        r.promptTokens = f.promptTokens;
        r.maxOutputTokens = f.maxOutputTokens;
        r.deadline = f.deadline;
        r.maxPplIncrease = f.maxPplIncrease;
        r.weight = f.weight;
        r.uplinkBytes = f.uplinkBytes;
        r.serviceClass = f.serviceClass;
        r.promptText = f.promptText;
        return r;
    }

    private static ChannelEvent copy(ChannelEvent f) {
        ChannelEvent c = new ChannelEvent();
        c.userId = f.userId;
        c.domainId = f.domainId;
        c.nodeId = f.nodeId;
        c.measuredAt = f.measuredAt;
        c.uplinkSpectralEfficiency = f.uplinkSpectralEfficiency;
        c.downlinkSpectralEfficiency = f.downlinkSpectralEfficiency;
        return c;
    }

    private static TelemetryEvent copy(TelemetryEvent f) {
        TelemetryEvent t = new TelemetryEvent();
        t.nodeId = f.nodeId;
        t.domainId = f.domainId;
        t.time = f.time;
        t.capabilities = f.capabilities == null ? null : copy(f.capabilities);
        t.busyUntil = f.busyUntil;
        t.finishedThrough = f.finishedThrough;
        t.refused = f.refused == null ? null : f.refused.clone();
        t.healthy = f.healthy;
        t.slowdown = f.slowdown;
        return t;
    }

    private static NodeSpec copy(NodeSpec f) {
        NodeSpec s = new NodeSpec();
        s.id = f.id;
        s.memoryBytes = f.memoryBytes;
        s.reserveBytes = f.reserveBytes;
        s.memoryBandwidth = f.memoryBandwidth;
        s.peakFlops16 = f.peakFlops16;
        s.peakFlops8 = f.peakFlops8;
        s.peakFlops4 = f.peakFlops4;
        s.efficiency = f.efficiency;
        s.uplinkHz = f.uplinkHz;
        s.downlinkHz = f.downlinkHz;
        if (f.variants == null) {
            s.variants = null;
        } else {
            s.variants = new NodeSpec.VariantSpec[f.variants.length];
            for (int i = 0; i < f.variants.length; i++) {
                NodeSpec.VariantSpec v = f.variants[i];
                s.variants[i] =
                        v == null
                                ? null
                                : new NodeSpec.VariantSpec(
                                        v.name,
                                        v.weightBits,
                                        v.activationBits,
                                        v.kvBits,
                                        v.pplIncrease);
            }
        }
        return s;
    }

    private static void writeNodeSpec(NodeSpec s, DataOutputView out) throws IOException {
        out.writeBoolean(s != null);
        if (s == null) {
            return;
        }
        writeString(s.id, out);
        out.writeDouble(s.memoryBytes);
        out.writeDouble(s.reserveBytes);
        out.writeDouble(s.memoryBandwidth);
        out.writeDouble(s.peakFlops16);
        out.writeDouble(s.peakFlops8);
        out.writeDouble(s.peakFlops4);
        out.writeDouble(s.efficiency);
        out.writeDouble(s.uplinkHz);
        out.writeDouble(s.downlinkHz);
        if (s.variants == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(s.variants.length);
        for (NodeSpec.VariantSpec v : s.variants) {
            out.writeBoolean(v != null);
            if (v != null) {
                writeString(v.name, out);
                out.writeInt(v.weightBits);
                out.writeInt(v.activationBits);
                out.writeInt(v.kvBits);
                out.writeDouble(v.pplIncrease);
            }
        }
    }

    private static NodeSpec readNodeSpec(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        NodeSpec s = new NodeSpec();
        s.id = readString(in);
        s.memoryBytes = in.readDouble();
        s.reserveBytes = in.readDouble();
        s.memoryBandwidth = in.readDouble();
        s.peakFlops16 = in.readDouble();
        s.peakFlops8 = in.readDouble();
        s.peakFlops4 = in.readDouble();
        s.efficiency = in.readDouble();
        s.uplinkHz = in.readDouble();
        s.downlinkHz = in.readDouble();
        int n = in.readInt();
        if (n < 0) {
            s.variants = null;
            return s;
        }
        s.variants = new NodeSpec.VariantSpec[n];
        for (int i = 0; i < n; i++) {
            if (in.readBoolean()) {
                NodeSpec.VariantSpec v = new NodeSpec.VariantSpec();
                v.name = readString(in);
                v.weightBits = in.readInt();
                v.activationBits = in.readInt();
                v.kvBits = in.readInt();
                v.pplIncrease = in.readDouble();
                s.variants[i] = v;
            }
        }
        return s;
    }

    /** A nullable string, in the format of Flink's string serializer (any length, null marked). */
    private static void writeString(String s, DataOutputView out) throws IOException {
        org.apache.flink.types.StringValue.writeString(s, out);
    }

    private static String readString(DataInputView in) throws IOException {
        return org.apache.flink.types.StringValue.readString(in);
    }
}
