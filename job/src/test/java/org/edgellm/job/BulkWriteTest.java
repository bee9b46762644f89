package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.MapSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;
import org.junit.jupiter.api.Test;

/**
 * A state value written to a stream (a checkpoint) through {@link BulkWrite} has exactly the bytes
 * its fields written one by one to the stream have, in one write call per value; values nested in
 * Flink's list and map serializers too; a value larger than the kept buffer and a writer that fails
 * halfway leave the next value's bytes intact.
 */
class BulkWriteTest {

    /** A stream that counts the calls made to it. */
    static final class CountingStream extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int calls;

        @Override
        public void write(int b) {
            calls++;
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            calls++;
            bytes.write(b, off, len);
        }
    }

    /** The value's bytes as the serializer writes them to a stream, and the calls it made. */
    static <T> CountingStream toStream(TypeSerializer<T> ser, T value) throws IOException {
        CountingStream s = new CountingStream();
        DataOutputViewStreamWrapper out = new DataOutputViewStreamWrapper(s);
        ser.serialize(value, out);
        out.flush();
        return s;
    }

    /** The calls a stream gets for one int written by Flink's own code (a size). */
    static int callsForAnInt() throws IOException {
        CountingStream s = new CountingStream();
        new DataOutputViewStreamWrapper(s).writeInt(42);
        return s.calls;
    }

    /** The value's fields written one by one to a stream: the format before bulk writes. */
    static <T> byte[] fieldByField(BulkWrite.Fields<T> fields, T value) throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        DataOutputViewStreamWrapper out = new DataOutputViewStreamWrapper(s);
        fields.writeFields(value, out);
        out.flush();
        return s.toByteArray();
    }

    @Test
    void eachValueIsTheSameBytesInOneWrite() throws Exception {
        int values = 0;
        for (StateSerializersTest.Case<?> c : StateSerializersTest.CASES) {
            values += check(c);
        }
        for (NodeRuntime n : StateSerializersTest.nodesWithNestedNulls()) {
            checkOne(NodeRuntimeSerializer.INSTANCE, n, "NodeRuntime, nested nulls");
            values++;
        }
        assertEquals(34, values, "values checked");
    }

    private <T> int check(StateSerializersTest.Case<T> c) throws Exception {
        List<T> vs = StateSerializersTest.values(c.type());
        for (int i = 0; i < vs.size(); i++) {
            checkOne(c.ser(), vs.get(i), c.type().getSimpleName() + "#" + i);
        }
        return vs.size();
    }

    @SuppressWarnings("unchecked")
    private static <T> void checkOne(TypeSerializer<T> ser, T v, String what) throws Exception {
        CountingStream s = toStream(ser, v);
        byte[] old = fieldByField((BulkWrite.Fields<T>) ser, v);
        assertArrayEquals(old, s.bytes.toByteArray(), what + ": the bytes");
        assertEquals(1, s.calls, what + ": calls to the stream");
        assertArrayEquals(
                StateSerializersTest.bytes(ser, v), old, what + ": the bytes into a buffer");
    }

    /** The slot buffer's lists and the channels' maps: one write per element, same bytes. */
    @Test
    void valuesInsideFlinksListsAndMapsKeepTheirBytes() throws Exception {
        List<InputEvent> events = StateSerializersTest.values(InputEvent.class);
        ListSerializer<InputEvent> list = new ListSerializer<>(InputEventSerializer.INSTANCE);
        CountingStream s = toStream(list, events);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        DataOutputViewStreamWrapper out = new DataOutputViewStreamWrapper(expected);
        out.writeInt(events.size());
        for (InputEvent e : events) {
            InputEventSerializer.INSTANCE.writeFields(e, out);
        }
        assertArrayEquals(expected.toByteArray(), s.bytes.toByteArray(), "list bytes");
        assertEquals(
                callsForAnInt() + events.size(), s.calls, "calls: the size, then one per event");
        assertEquals(StateSerializersTest.read(list, s.bytes.toByteArray()).size(), events.size());

        Map<String, UserChannels> users = new LinkedHashMap<>();
        List<UserChannels> us = StateSerializersTest.values(UserChannels.class);
        for (int i = 0; i < us.size(); i++) {
            users.put("user-" + i, us.get(i));
        }
        // the channels state's own pair: Flink's map serializer, our key and value serializers
        MapSerializer<String, UserChannels> map =
                new MapSerializer<>(BulkStringSerializer.INSTANCE, UserChannelsSerializer.INSTANCE);
        CountingStream m = toStream(map, users);
        ByteArrayOutputStream mapExpected = new ByteArrayOutputStream();
        DataOutputViewStreamWrapper mo = new DataOutputViewStreamWrapper(mapExpected);
        mo.writeInt(users.size());
        for (Map.Entry<String, UserChannels> e : users.entrySet()) {
            StringSerializer.INSTANCE.serialize(e.getKey(), mo);
            mo.writeBoolean(false); // not null
            UserChannelsSerializer.INSTANCE.writeFields(e.getValue(), mo);
        }
        // the size and the null marks are Flink's own calls; a key and a value one call each
        assertEquals(callsForAnInt() + users.size() * (1 + 1 + 1), m.calls, "calls to the stream");
        assertArrayEquals(mapExpected.toByteArray(), m.bytes.toByteArray(), "map bytes");
    }

    @Test
    void aLargeValueAndAFailedWriteLeaveTheNextValueIntact() throws Exception {
        PendingQueue big = new PendingQueue();
        int n = 0;
        while (StateSerializersTest.bytes(PendingQueueSerializer.INSTANCE, big).length
                <= 2 * BulkWrite.KEPT_BYTES) {
            for (int i = 0; i < 1000; i++, n++) {
                big.add(
                        Events.request(
                                        "req-" + n,
                                        "user-" + (n % 50),
                                        "domain-0042",
                                        1_700_000_000_000L + n,
                                        120,
                                        30,
                                        5000)
                                .request);
            }
        }
        checkOne(PendingQueueSerializer.INSTANCE, big, "a queue larger than the kept buffer");
        NodeRuntime small = StateSerializersTest.values(NodeRuntime.class).get(0);
        checkOne(NodeRuntimeSerializer.INSTANCE, small, "a node after the large queue");

        BulkWrite.Fields<String> failing =
                (v, out) -> {
                    out.writeLong(42);
                    throw new IOException("failed halfway: " + v);
                };
        CountingStream s = new CountingStream();
        assertThrows(
                IOException.class,
                () -> BulkWrite.write("x", new DataOutputViewStreamWrapper(s), failing));
        assertEquals(0, s.calls, "nothing of the failed value reaches the stream");
        checkOne(NodeRuntimeSerializer.INSTANCE, small, "a node after a failed write");
    }

    /**
     * A writer that hands the outer stream to a nested value (nothing does today) still writes the
     * right bytes in the right order: the nested value goes straight to the stream, before the
     * outer value's buffered bytes (so such a writer must not interleave; none of ours nests so).
     */
    @Test
    void aValueWrittenToTheOuterStreamWhileBufferingGoesStraightThrough() throws Exception {
        CountingStream s = new CountingStream();
        DataOutputViewStreamWrapper outer = new DataOutputViewStreamWrapper(s);
        BulkWrite.Fields<String> inner = (v, out) -> out.writeLong(7);
        BulkWrite.Fields<String> nesting =
                (v, out) -> {
                    BulkWrite.write("inner", outer, inner);
                    out.writeLong(9);
                };
        BulkWrite.write("outer", outer, nesting);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        DataOutputViewStreamWrapper e = new DataOutputViewStreamWrapper(expected);
        e.writeLong(7);
        e.writeLong(9);
        assertArrayEquals(expected.toByteArray(), s.bytes.toByteArray());
    }
}
