package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
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
    private static Object filled(Class<?> c, Reflective rnd) throws Exception {
        return rnd.filled(c);
    }

    private static void assertDeepEquals(Object a, Object b, String path) throws Exception {
        Reflective.assertDeepEquals(a, b, path);
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
        // every boolean field false here; half the events below flip them
        Reflective rnd = new Reflective(7, false);
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
