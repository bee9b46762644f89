package org.edgellm.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SharedStringsTest {

    @Test
    void alwaysAnEqualStringAndTheFirstInstanceOnceItIsKept() {
        assertNull(SharedStrings.of(null));
        Random rnd = new Random(1);
        int shared = 0;
        // four times as many distinct strings as entries: collisions replace entries
        for (int i = 0; i < 4 * SharedStrings.SIZE; i++) {
            String s = "user-" + rnd.nextInt(8 * SharedStrings.SIZE);
            String copy = new String(s.toCharArray());
            String got = SharedStrings.of(copy);
            assertEquals(s, got);
            String again = SharedStrings.of(new String(s.toCharArray()));
            assertEquals(s, again);
            // nothing came between the two lookups: the second gets the instance kept by the first
            assertSame(got, again);
            shared += got != copy ? 1 : 0;
        }
        assertTrue(shared > 0, "some strings were already kept");
    }

    @Test
    void requestsReadAtTheKeyByShareTheirUserDomainAndClassButNotTheirIds() throws Exception {
        InputEvent a = request("r-1");
        InputEvent b = request("r-2");
        InputEvent ra = roundTrip(a);
        InputEvent rb = roundTrip(b);
        assertNotSame(a.request.userId, ra.request.userId);
        assertSame(ra.request.userId, rb.request.userId);
        assertSame(ra.request.domainId, rb.request.domainId);
        assertSame(ra.domainId, rb.request.domainId);
        assertSame(ra.request.serviceClass, rb.request.serviceClass);
        assertEquals("r-1", ra.request.requestId);
        assertEquals("r-2", rb.request.requestId);
    }

    /** A request of user u-7 in dom-3, its strings built fresh (no literal shared by both). */
    private static InputEvent request(String id) {
        RequestEvent r = new RequestEvent();
        r.requestId = id;
        r.userId = new String("u-7".toCharArray());
        r.domainId = new String("dom-3".toCharArray());
        r.serviceClass = new String("chat".toCharArray());
        r.arrivalTime = 1_000;
        r.deadline = 6_000;
        r.promptTokens = 10;
        r.maxOutputTokens = 20;
        return InputEvent.of(r);
    }

    private static InputEvent roundTrip(InputEvent e) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        InputEventSerializer.INSTANCE.serialize(e, out);
        return InputEventSerializer.INSTANCE.deserialize(
                new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
