package org.edgellm.job;

import static org.edgellm.job.StateFields.readNodeSpec;
import static org.edgellm.job.StateFields.readRequestFields;
import static org.edgellm.job.StateFields.readShared;
import static org.edgellm.job.StateFields.readString;
import static org.edgellm.job.StateFields.readStrings;
import static org.edgellm.job.StateFields.writeNodeSpec;
import static org.edgellm.job.StateFields.writeRequestFields;
import static org.edgellm.job.StateFields.writeString;
import static org.edgellm.job.StateFields.writeStrings;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializes {@link InputEvent} field by field, written out by hand: the serializer of the stream
 * into the {@code keyBy} (every input event crosses it once), of the sources' chains, and of the
 * events in the coordinator's {@code slot-buffer} state (a list of them per slot). Flink's POJO
 * serializer, which it replaces there, sets every field through reflection twice per record
 * (defaults, then values) and was the largest single cost of reading an event off the network in
 * the profiles of docs/bench-job.md.
 *
 * <p>State written by earlier releases, whose {@code slot-buffer} held lists of {@code
 * Types.POJO(InputEvent.class)}, migrates on restore: {@link Snapshot} accepts that POJO
 * serializer's snapshot. {@code InputEventSerializerTest} fills every public field of the event
 * classes by reflection and checks that a round trip and a copy keep them, so a field added to one
 * of them without being added here fails that test.
 */
public final class InputEventSerializer extends TypeSerializerSingleton<InputEvent>
        implements BulkWrite.Fields<InputEvent> {
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
        e.request = StateFields.copy(from.request);
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
        BulkWrite.write(e, out, this);
    }

    /** The event's fields, in the order {@link #deserialize(DataInputView)} reads them. */
    @Override
    public void writeFields(InputEvent e, DataOutputView out) throws IOException {
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
            writeRequestFields(e.request, out);
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
            writeStrings(t.refused, out);
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
        e.domainId = readShared(in);
        e.time = in.readLong();
        if ((flags & REQUEST) != 0) {
            e.request = readRequestFields(in);
        }
        if ((flags & CHANNEL) != 0) {
            ChannelEvent c = new ChannelEvent();
            c.userId = readShared(in);
            c.domainId = readShared(in);
            c.nodeId = readShared(in);
            c.measuredAt = in.readLong();
            c.uplinkSpectralEfficiency = in.readDouble();
            c.downlinkSpectralEfficiency = in.readDouble();
            e.channel = c;
        }
        if ((flags & TELEMETRY) != 0) {
            TelemetryEvent t = new TelemetryEvent();
            t.nodeId = readShared(in);
            t.domainId = readShared(in);
            t.time = in.readLong();
            t.capabilities = readNodeSpec(in);
            t.busyUntil = in.readLong();
            t.finishedThrough = in.readLong();
            t.refused = readStrings(in);
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

    /**
     * The serializer's snapshot: the version of its format (see {@link StateSerializerSnapshot});
     * it accepts the POJO serializer's snapshot of {@link InputEvent}, whose state it migrates.
     */
    public static final class Snapshot extends StateSerializerSnapshot<InputEvent> {
        /** The format written now. */
        static final int VERSION = 1;

        public Snapshot() {
            super(InputEvent.class, VERSION, v -> v == 1 ? INSTANCE : null);
        }
    }

    // ---- nested values

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
        t.capabilities = StateFields.copy(f.capabilities);
        t.busyUntil = f.busyUntil;
        t.finishedThrough = f.finishedThrough;
        t.refused = f.refused == null ? null : f.refused.clone();
        t.healthy = f.healthy;
        t.slowdown = f.slowdown;
        return t;
    }
}
