package org.edgellm.job;

import static org.edgellm.job.StateFields.readDoubles;
import static org.edgellm.job.StateFields.readLongs;
import static org.edgellm.job.StateFields.readStrings;
import static org.edgellm.job.StateFields.writeDoubles;
import static org.edgellm.job.StateFields.writeLongs;
import static org.edgellm.job.StateFields.writeStrings;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializes {@link UserChannels} (the values of the coordinator's {@code channels} state) by hand:
 * its four arrays, each with its length (-1 for null). State of earlier releases, written with
 * Flink's POJO serializer, migrates on restore ({@link StateSerializerSnapshot}).
 */
public final class UserChannelsSerializer extends HandWrittenSerializer<UserChannels> {
    private static final long serialVersionUID = 1L;

    public static final UserChannelsSerializer INSTANCE = new UserChannelsSerializer();

    @Override
    public UserChannels createInstance() {
        return new UserChannels();
    }

    @Override
    public UserChannels copy(UserChannels from) {
        if (from == null) {
            return null;
        }
        UserChannels u = new UserChannels();
        u.nodes = from.nodes == null ? null : from.nodes.clone();
        u.measuredAt = from.measuredAt == null ? null : from.measuredAt.clone();
        u.uplink = from.uplink == null ? null : from.uplink.clone();
        u.downlink = from.downlink == null ? null : from.downlink.clone();
        return u;
    }

    @Override
    public void writeFields(UserChannels u, DataOutputView out) throws IOException {
        writeStrings(u.nodes, out);
        writeLongs(u.measuredAt, out);
        writeDoubles(u.uplink, out);
        writeDoubles(u.downlink, out);
    }

    @Override
    public UserChannels deserialize(DataInputView in) throws IOException {
        UserChannels u = new UserChannels();
        u.nodes = readStrings(in);
        u.measuredAt = readLongs(in);
        u.uplink = readDoubles(in);
        u.downlink = readDoubles(in);
        return u;
    }

    @Override
    public TypeSerializerSnapshot<UserChannels> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Version 1: the four arrays. */
    public static final class Snapshot extends StateSerializerSnapshot<UserChannels> {
        static final int VERSION = 1;

        public Snapshot() {
            super(UserChannels.class, VERSION, v -> v == 1 ? INSTANCE : null);
        }
    }
}
