package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The hand-written serializer keeps every public field of the event classes: values are set by
 * reflection (so a field added to a class is filled here without changing this test), then compared
 * by reflection after a round trip and after a copy.
 */
class InputEventSerializerTest {
    private final InputEventSerializer ser = InputEventSerializer.INSTANCE;

    /** Every public instance field of c set to a value that differs from its default. */
    private static Object filled(Class<?> c, Random rnd) throws Exception {
        Object o = c.getConstructor().newInstance();
        for (Field f : c.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            f.set(o, valueOf(f.getType(), rnd));
        }
        return o;
    }

    private static Object valueOf(Class<?> t, Random rnd) throws Exception {
        if (t == String.class) {
            return "s" + rnd.nextInt(1_000_000) + "-\u00e9\u4e2d";
        } else if (t == long.class) {
            return rnd.nextLong();
        } else if (t == int.class) {
            return rnd.nextInt();
        } else if (t == double.class) {
            return rnd.nextDouble() * 1e6;
        } else if (t == byte.class) {
            return (byte) (1 + rnd.nextInt(100));
        } else if (t == boolean.class) {
            return false; // every boolean field defaults to true or false: both appear below
        } else if (t.isArray()) {
            int n = 1 + rnd.nextInt(3);
            Object a = Array.newInstance(t.getComponentType(), n);
            for (int i = 0; i < n; i++) {
                Array.set(a, i, valueOf(t.getComponentType(), rnd));
            }
            return a;
        }
        return filled(t, rnd);
    }

    /** Deep equality over public fields; fails naming the path of the first difference. */
    private static void assertDeepEquals(Object a, Object b, String path) throws Exception {
        if (a == null || b == null) {
            assertEquals(a, b, path);
            return;
        }
        Class<?> t = a.getClass();
        assertEquals(t, b.getClass(), path);
        if (t.isArray()) {
            assertEquals(Array.getLength(a), Array.getLength(b), path + ".length");
            for (int i = 0; i < Array.getLength(a); i++) {
                assertDeepEquals(Array.get(a, i), Array.get(b, i), path + "[" + i + "]");
            }
        } else if (t.getName().startsWith("org.edgellm")) {
            for (Field f : t.getFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    assertDeepEquals(f.get(a), f.get(b), path + "." + f.getName());
                }
            }
        } else {
            assertEquals(a, b, path);
        }
    }

    private InputEvent roundTrip(InputEvent e) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        ser.serialize(e, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        InputEvent back = ser.deserialize(in);
        assertEquals(0, in.available(), "bytes left after reading");
        return back;
    }

    private List<InputEvent> events() throws Exception {
        Random rnd = new Random(7);
        List<InputEvent> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            InputEvent full = (InputEvent) filled(InputEvent.class, rnd);
            if (i % 2 == 1) { // booleans the other way, nested values absent
                full.telemetry.healthy = !full.telemetry.healthy;
                full.telemetry.capabilities = null;
                full.telemetry.refused = null;
                full.payload = null;
                full.channel = null;
            }
            all.add(full);
        }
        all.add(new InputEvent());
        RequestEvent r = (RequestEvent) filled(RequestEvent.class, rnd);
        all.add(InputEvent.of(r));
        all.add(InputEvent.of((ChannelEvent) filled(ChannelEvent.class, rnd)));
        TelemetryEvent t = new TelemetryEvent();
        t.nodeId = "n";
        t.domainId = "d";
        all.add(InputEvent.of(t));
        all.add(InputEvent.invalid("bad", new byte[] {1, 2, 3}, "requests", 4, 5, 6));
        all.add(InputEvent.invalidRequest("r", "u", "d", "why", 9));
        return all;
    }

    @Test
    void roundTripAndCopyKeepEveryField() throws Exception {
        for (InputEvent e : events()) {
            assertDeepEquals(e, roundTrip(e), "roundTrip(kind " + e.kind + ")");
            InputEvent c = ser.copy(e);
            assertNotSame(e, c);
            assertDeepEquals(e, c, "copy(kind " + e.kind + ")");
            if (e.request != null) {
                assertNotSame(e.request, c.request); // a deep copy
            }
        }
    }

    @Test
    void copyBetweenViewsKeepsTheBytes() throws Exception {
        for (InputEvent e : events()) {
            DataOutputSerializer a = new DataOutputSerializer(64);
            ser.serialize(e, a);
            DataOutputSerializer b = new DataOutputSerializer(64);
            ser.copy(new DataInputDeserializer(a.getCopyOfBuffer()), b);
            assertTrue(java.util.Arrays.equals(a.getCopyOfBuffer(), b.getCopyOfBuffer()));
        }
    }

    @Test
    void snapshotRestoresACompatibleSerializer() throws Exception {
        TypeSerializerSnapshot<InputEvent> snap = ser.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(16);
        snap.writeSnapshot(out);
        TypeSerializerSnapshot<InputEvent> read = new InputEventSerializer.Snapshot();
        read.readSnapshot(
                snap.getCurrentVersion(),
                new DataInputDeserializer(out.getCopyOfBuffer()),
                getClass().getClassLoader());
        TypeSerializer<InputEvent> restored = read.restoreSerializer();
        assertEquals(ser, restored);
        TypeSerializerSchemaCompatibility<InputEvent> compat =
                ser.snapshotConfiguration().resolveSchemaCompatibility(read);
        assertTrue(compat.isCompatibleAsIs());
    }
}
