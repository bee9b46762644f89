package org.edgellm.job;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.api.common.typeutils.base.array.LongPrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The serializer of the remembered-id buckets ({@code known-id-hashes-12}, {@link KnownIdBuckets}):
 * {@link LongPrimitiveArraySerializer}'s bytes (the length, then the longs), written to a stream in
 * one call ({@link BulkWrite}), and a copy that is the array itself.
 *
 * <p>The copy may share the array because a bucket is never changed once stored: every change in
 * {@link KnownIdBuckets} builds a new array, which is then put in its place (KnownIdBucketsTest
 * checks that no operation changes the array it is given). The heap backend copies a domain's map
 * of buckets on its first access after each checkpoint (copy on write); with this copy that is the
 * map alone, not every id in it. Its snapshot accepts {@link LongPrimitiveArraySerializer}'s as is
 * (same bytes), so state written with that serializer restores without migration.
 */
public final class IdBucketSerializer extends TypeSerializerSingleton<long[]>
        implements BulkWrite.Fields<long[]> {
    private static final long serialVersionUID = 1L;

    public static final IdBucketSerializer INSTANCE = new IdBucketSerializer();

    private static final long[] EMPTY = new long[0];

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public long[] createInstance() {
        return EMPTY;
    }

    /** The array itself: buckets are never changed once stored (see the class comment). */
    @Override
    public long[] copy(long[] from) {
        return from;
    }

    @Override
    public long[] copy(long[] from, long[] reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(long[] bucket, DataOutputView out) throws IOException {
        if (bucket == null) {
            throw new IllegalArgumentException("an id bucket must not be null");
        }
        BulkWrite.write(bucket, out, this);
    }

    @Override
    public void writeFields(long[] bucket, DataOutputView out) throws IOException {
        out.writeInt(bucket.length);
        for (long v : bucket) {
            out.writeLong(v);
        }
    }

    @Override
    public long[] deserialize(DataInputView in) throws IOException {
        long[] b = new long[in.readInt()];
        for (int i = 0; i < b.length; i++) {
            b[i] = in.readLong();
        }
        return b;
    }

    @Override
    public long[] deserialize(long[] reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int n = source.readInt();
        target.writeInt(n);
        for (int i = 0; i < n; i++) {
            target.writeLong(source.readLong());
        }
    }

    @Override
    public TypeSerializerSnapshot<long[]> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Its snapshot: compatible as is with its own and with LongPrimitiveArraySerializer's. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<long[]> {
        public Snapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<long[]> resolveSchemaCompatibility(
                TypeSerializerSnapshot<long[]> old) {
            return old instanceof Snapshot
                            || old
                                    instanceof
                                    LongPrimitiveArraySerializer
                                            .LongPrimitiveArraySerializerSnapshot
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
