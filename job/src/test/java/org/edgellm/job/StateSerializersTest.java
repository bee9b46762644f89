package org.edgellm.job;

import static org.edgellm.job.Reflective.assertDeepEquals;
import static org.edgellm.job.Reflective.assertNothingShared;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's hand-written state serializers keep every public field of their classes, nested
 * ones included (filled by reflection: {@link Reflective}), through a round trip and a deep copy;
 * their snapshots accept their own current version and the POJO serializer snapshots of the
 * releases before them (compatible after migration), and state written by a POJO serializer reads
 * back the same after migration (read with the restored POJO serializer, written with the new one).
 */
class StateSerializersTest {

    /** One state serializer under test, with the class it serializes. */
    record Case<T>(Class<T> type, TypeSerializer<T> ser) {}

    static final List<Case<?>> CASES =
            List.of(
                    new Case<>(UserChannels.class, UserChannelsSerializer.INSTANCE),
                    new Case<>(PendingQueue.class, PendingQueueSerializer.INSTANCE),
                    new Case<>(NodeRuntime.class, NodeRuntimeSerializer.INSTANCE),
                    new Case<>(InputEvent.class, InputEventSerializer.INSTANCE));

    /** Filled objects (booleans both ways), a default one, and ones with null fields. */
    static <T> List<T> values(Class<T> type) throws Exception {
        List<T> out = new ArrayList<>();
        for (int seed = 1; seed <= 6; seed++) {
            out.add(new Reflective(seed, seed % 2 == 0).filled(type));
        }
        out.add(type.getConstructor().newInstance());
        T nulls = new Reflective(11, true).filled(type);
        for (Field f : type.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && !f.getType().isPrimitive()) {
                f.set(nulls, null);
            }
        }
        out.add(nulls);
        return out;
    }

    /**
     * Node runtimes with nulls inside: a null batch, lease and request, a spec without variants.
     */
    static List<NodeRuntime> nodesWithNestedNulls() throws Exception {
        NodeRuntime n = new Reflective(21, true).filled(NodeRuntime.class);
        n.outstanding.add(null);
        n.outstanding.get(0).requestIds = null;
        n.outstanding.get(0).userIds.add(null);
        n.leases.add(null);
        n.leases.get(0).requests.add(null);
        n.spec.variants[0] = null;
        NodeRuntime m = new Reflective(22, false).filled(NodeRuntime.class);
        m.spec.variants = null;
        m.leases.get(0).requests = null;
        return List.of(n, m);
    }

    static <T> byte[] bytes(TypeSerializer<T> ser, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        ser.serialize(value, out);
        return out.getCopyOfBuffer();
    }

    static <T> T read(TypeSerializer<T> ser, byte[] b) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(b);
        T back = ser.deserialize(in);
        assertEquals(0, in.available(), "bytes left after reading");
        return back;
    }

    <T> void checkRoundTripAndCopy(TypeSerializer<T> ser, T v, String what) throws Exception {
        byte[] b = bytes(ser, v);
        assertDeepEquals(v, read(ser, b), what + " roundTrip");
        T c = ser.copy(v);
        assertDeepEquals(v, c, what + " copy");
        assertNothingShared(v, c, what + " copy");
        DataOutputSerializer copied = new DataOutputSerializer(64);
        ser.copy(new DataInputDeserializer(b), copied);
        assertArrayEquals(b, copied.getCopyOfBuffer(), what + " copy between views");
    }

    @Test
    void roundTripAndCopyKeepEveryField() throws Exception {
        for (Case<?> c : CASES) {
            checkCase(c);
        }
        for (NodeRuntime n : nodesWithNestedNulls()) {
            checkRoundTripAndCopy(NodeRuntimeSerializer.INSTANCE, n, "NodeRuntime, nested nulls");
        }
    }

    private <T> void checkCase(Case<T> c) throws Exception {
        List<T> vs = values(c.type());
        for (int i = 0; i < vs.size(); i++) {
            checkRoundTripAndCopy(c.ser(), vs.get(i), c.type().getSimpleName() + "#" + i);
        }
    }

    /** The slot buffer's lists: Flink's list serializer around the event serializer. */
    @Test
    void slotBufferListsRoundTrip() throws Exception {
        ListSerializer<InputEvent> ser = new ListSerializer<>(InputEventSerializer.INSTANCE);
        List<InputEvent> l = values(InputEvent.class);
        checkRoundTripAndCopy(ser, l, "slot-buffer list");
        checkRoundTripAndCopy(ser, new ArrayList<>(), "empty slot-buffer list");
    }

    static <T> TypeSerializerSnapshot<T> writtenAndRead(TypeSerializerSnapshot<T> snap)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snap);
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()),
                StateSerializersTest.class.getClassLoader());
    }

    static <T> TypeSerializer<T> pojo(Class<T> type) {
        return Types.POJO(type).createSerializer(new SerializerConfigImpl());
    }

    @Test
    void ownSnapshotIsCompatibleAsIs() throws Exception {
        for (Case<?> c : CASES) {
            checkOwnSnapshot(c);
        }
    }

    private <T> void checkOwnSnapshot(Case<T> c) throws Exception {
        TypeSerializerSnapshot<T> read = writtenAndRead(c.ser().snapshotConfiguration());
        assertEquals(c.ser(), read.restoreSerializer(), c.type().getSimpleName());
        TypeSerializerSchemaCompatibility<T> compat =
                c.ser().snapshotConfiguration().resolveSchemaCompatibility(read);
        assertTrue(compat.isCompatibleAsIs(), c.type().getSimpleName() + ": " + compat);
    }

    /**
     * The migration Flink runs for state of the releases before: the old POJO snapshot (as stored)
     * gives compatible after migration, and values written by the POJO serializer, read by the
     * serializer restored from that snapshot and written again by the new one, come back equal.
     */
    @Test
    void pojoStateOfEarlierReleasesMigrates() throws Exception {
        for (Case<?> c : CASES) {
            checkMigration(c);
        }
    }

    private <T> void checkMigration(Case<T> c) throws Exception {
        String name = c.type().getSimpleName();
        TypeSerializer<T> old = pojo(c.type());
        TypeSerializerSnapshot<T> stored = writtenAndRead(old.snapshotConfiguration());
        TypeSerializerSchemaCompatibility<T> compat =
                c.ser().snapshotConfiguration().resolveSchemaCompatibility(stored);
        assertTrue(compat.isCompatibleAfterMigration(), name + ": " + compat);
        TypeSerializer<T> oldReader = stored.restoreSerializer();
        for (T v : values(c.type())) {
            T migrated = read(c.ser(), bytes(c.ser(), read(oldReader, bytes(old, v))));
            assertDeepEquals(v, migrated, name + " migrated");
        }
    }

    @Test
    void slotBufferListsOfPojoEventsMigrate() throws Exception {
        ListSerializer<InputEvent> old = new ListSerializer<>(pojo(InputEvent.class));
        ListSerializer<InputEvent> now = new ListSerializer<>(InputEventSerializer.INSTANCE);
        TypeSerializerSnapshot<List<InputEvent>> stored =
                writtenAndRead(old.snapshotConfiguration());
        var compat = now.snapshotConfiguration().resolveSchemaCompatibility(stored);
        assertTrue(compat.isCompatibleAfterMigration(), compat.toString());
        List<InputEvent> l = values(InputEvent.class);
        List<InputEvent> back =
                read(now, bytes(now, read(stored.restoreSerializer(), bytes(old, l))));
        assertDeepEquals(l, back, "migrated slot-buffer list");
    }

    @Test
    void otherClassesAndNewerVersionsAreRefused() throws Exception {
        TypeSerializerSnapshot<UserChannels> otherPojo =
                (TypeSerializerSnapshot)
                        writtenAndRead(pojo(PendingQueue.class).snapshotConfiguration());
        assertTrue(
                UserChannelsSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(otherPojo)
                        .isIncompatible());
        TypeSerializerSnapshot<NodeRuntime> otherOwn =
                (TypeSerializerSnapshot) PendingQueueSerializer.INSTANCE.snapshotConfiguration();
        assertTrue(
                NodeRuntimeSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(otherOwn)
                        .isIncompatible());
        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                new NodeRuntimeSerializer.Snapshot()
                                        .readSnapshot(
                                                NodeRuntimeSerializer.Snapshot.VERSION + 1,
                                                new DataInputDeserializer(new byte[0]),
                                                getClass().getClassLoader()));
        assertTrue(e.getMessage().contains("NodeRuntime"), e.getMessage());
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
    }
}
