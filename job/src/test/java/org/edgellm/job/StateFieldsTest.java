package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.junit.jupiter.api.Test;

/**
 * {@link StateFields#readString} reads Flink's string format itself: what Flink's {@link
 * StringValue#writeString} wrote (state of earlier releases, records on the network) reads back the
 * same through it as through Flink's own reader, for nulls, empty strings, ASCII ids, chars of
 * every width and lengths across the varint steps of the length.
 */
class StateFieldsTest {

    @Test
    void readsWhatFlinksWriterWroteAsFlinksReaderDoes() throws IOException {
        Random r = new Random(3);
        List<String> strings = new ArrayList<>(Arrays.asList(null, "", "a", "req-123456/u-42"));
        for (int len : new int[] {1, 126, 127, 128, 2047, 2048, 2049, 16_383, 16_384, 70_000}) {
            strings.add(random(r, len, 0x7f));
            strings.add(random(r, len, 0xffff));
        }
        for (int k = 0; k < 500; k++) {
            int bound = new int[] {0x7f, 0xff, 0x7ff, 0xffff}[r.nextInt(4)];
            strings.add(random(r, r.nextInt(40), bound));
        }
        // an ASCII prefix, then one wide char at each position of a short id
        for (int i = 0; i < 6; i++) {
            char[] c = "abcdef".toCharArray();
            c[i] = 'é';
            strings.add(new String(c));
        }
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (String s : strings) {
            StringValue.writeString(s, out);
        }
        byte[] bytes = out.getCopyOfBuffer();
        DataInputDeserializer ours = new DataInputDeserializer(bytes);
        DataInputDeserializer flinks = new DataInputDeserializer(bytes);
        for (String s : strings) {
            String expected = StringValue.readString(flinks);
            assertEquals(s, expected);
            assertEquals(expected, StateFields.readString(ours));
        }
        assertEquals(0, ours.available(), "every byte read");
    }

    @Test
    void aTruncatedStringIsAnError() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        StringValue.writeString("request-7", out);
        byte[] bytes = Arrays.copyOf(out.getCopyOfBuffer(), 5);
        assertThrows(
                EOFException.class, () -> StateFields.readString(new DataInputDeserializer(bytes)));
    }

    private static String random(Random r, int len, int bound) {
        char[] c = new char[len];
        for (int i = 0; i < len; i++) {
            c[i] = (char) r.nextInt(bound + 1);
        }
        return new String(c);
    }
}
