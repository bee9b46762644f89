package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.LongPrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@link BulkStringSerializer} and {@link IdBucketSerializer} write the bytes of the Flink
 * serializers they replace (so that state written by either reads with the other), to a stream in
 * one call, and their snapshots accept those serializers' snapshots as is and nothing else.
 */
class IdKeySerializersTest {

    static List<String> strings() {
        List<String> l = new ArrayList<>();
        l.add("");
        l.add("user-0042");
        l.add("edge-a");
        l.add("ünïcödé ✓ 中文 \uD83D\uDE00"); // two-byte, three-byte and surrogate pairs
        l.add("\u0000\u007f\u0080\u3fff\u4000\uffff");
        Random rnd = new Random(3);
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 3 * BulkWrite.KEPT_BYTES / 2; i++) {
            big.append((char) (rnd.nextInt(5) == 0 ? rnd.nextInt(0x10000) : 'a' + rnd.nextInt(26)));
        }
        l.add(big.toString()); // longer than the kept buffer
        l.add("after-the-big-one");
        return l;
    }

    static List<long[]> buckets() {
        List<long[]> l = new ArrayList<>();
        l.add(new long[0]);
        l.add(new long[] {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE});
        Random rnd = new Random(5);
        long[] big = new long[200_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = rnd.nextLong();
        }
        l.add(big);
        l.add(new long[] {42});
        return l;
    }

    static <T> byte[] inBuffer(TypeSerializer<T> ser, T v) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(16);
        ser.serialize(v, out);
        return out.getCopyOfBuffer();
    }

    <T> void sameBytesOneWriteAndBack(
            TypeSerializer<T> ours, TypeSerializer<T> flinks, T v, String what) throws Exception {
        BulkWriteTest.CountingStream s = BulkWriteTest.toStream(ours, v);
        byte[] expected = inBuffer(flinks, v);
        assertArrayEquals(expected, s.bytes.toByteArray(), what + ": bytes to a stream");
        assertEquals(1, s.calls, what + ": calls to the stream");
        assertArrayEquals(expected, inBuffer(ours, v), what + ": bytes into a buffer");
        DataInputDeserializer in = new DataInputDeserializer(expected);
        T back = ours.deserialize(in);
        assertEquals(0, in.available(), what + ": bytes left");
        DataOutputSerializer copied = new DataOutputSerializer(16);
        ours.copy(new DataInputDeserializer(expected), copied);
        assertArrayEquals(expected, copied.getCopyOfBuffer(), what + ": copy between views");
        assertArrayEquals(expected, inBuffer(flinks, back), what + ": read back");
    }

    @Test
    void userAndNodeIdsKeepFlinksStringBytes() throws Exception {
        for (String s : strings()) {
            sameBytesOneWriteAndBack(
                    BulkStringSerializer.INSTANCE,
                    StringSerializer.INSTANCE,
                    s,
                    "string of " + s.length());
            assertEquals(
                    s,
                    BulkStringSerializer.INSTANCE.deserialize(
                            new DataInputDeserializer(inBuffer(StringSerializer.INSTANCE, s))));
        }
    }

    @Test
    void idBucketsKeepFlinksLongArrayBytesAndShareTheArrayOnCopy() throws Exception {
        for (long[] b : buckets()) {
            sameBytesOneWriteAndBack(
                    IdBucketSerializer.INSTANCE,
                    LongPrimitiveArraySerializer.INSTANCE,
                    b,
                    "bucket of " + b.length);
            assertSame(b, IdBucketSerializer.INSTANCE.copy(b), "the copy is the array");
            assertArrayEquals(
                    b,
                    IdBucketSerializer.INSTANCE.deserialize(
                            new DataInputDeserializer(
                                    inBuffer(LongPrimitiveArraySerializer.INSTANCE, b))));
        }
    }

    /**
     * Our snapshot, written and read back, accepts Flink's (written and read back) and its own as
     * is, refuses another type's, and restores our serializer.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static <T> void acceptsAsIs(
            TypeSerializer<T> ours, TypeSerializer<T> flinks, TypeSerializer<?> other)
            throws Exception {
        TypeSerializerSnapshot<T> snap =
                StateSerializersTest.writtenAndRead(ours.snapshotConfiguration());
        TypeSerializerSchemaCompatibility<T> fromFlinks =
                snap.resolveSchemaCompatibility(
                        StateSerializersTest.writtenAndRead(flinks.snapshotConfiguration()));
        assertTrue(fromFlinks.isCompatibleAsIs(), "Flink's snapshot");
        assertTrue(snap.resolveSchemaCompatibility(snap).isCompatibleAsIs(), "its own");
        assertTrue(
                snap.resolveSchemaCompatibility(
                                (TypeSerializerSnapshot) other.snapshotConfiguration())
                        .isIncompatible(),
                "another type's");
        assertSame(ours, snap.restoreSerializer());
    }

    @Test
    void snapshotsAcceptTheReplacedSerializersAsIsAndNothingElse() throws Exception {
        acceptsAsIs(
                BulkStringSerializer.INSTANCE, StringSerializer.INSTANCE, LongSerializer.INSTANCE);
        acceptsAsIs(
                IdBucketSerializer.INSTANCE,
                LongPrimitiveArraySerializer.INSTANCE,
                StringSerializer.INSTANCE);
    }
}
