package org.edgellm.job;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Flink's string format ({@link StringSerializer}'s bytes, byte for byte) written to a stream in
 * one call ({@link BulkWrite}): the serializer of the user and node ids that key the coordinator's
 * {@code channels} and {@code nodes} maps. Flink's own writes a checkpoint's strings one character
 * per synchronized call. Its snapshot accepts {@link StringSerializer}'s as is (same bytes), so
 * state written with that serializer restores without migration, under RocksDB too (where map keys
 * cannot be migrated).
 */
public final class BulkStringSerializer extends TypeSerializerSingleton<String>
        implements BulkWrite.Fields<String> {
    private static final long serialVersionUID = 1L;

    public static final BulkStringSerializer INSTANCE = new BulkStringSerializer();

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public String createInstance() {
        return "";
    }

    @Override
    public String copy(String from) {
        return from;
    }

    @Override
    public String copy(String from, String reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(String s, DataOutputView out) throws IOException {
        BulkWrite.write(s, out, this);
    }

    @Override
    public void writeFields(String s, DataOutputView out) throws IOException {
        StringValue.writeString(s, out);
    }

    @Override
    public String deserialize(DataInputView in) throws IOException {
        return StringValue.readString(in);
    }

    @Override
    public String deserialize(String reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        StringValue.copyString(source, target);
    }

    @Override
    public TypeSerializerSnapshot<String> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Its snapshot: compatible as is with its own and with {@link StringSerializer}'s. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<String> {
        public Snapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<String> resolveSchemaCompatibility(
                TypeSerializerSnapshot<String> old) {
            return old instanceof Snapshot
                            || old instanceof StringSerializer.StringSerializerSnapshot
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
