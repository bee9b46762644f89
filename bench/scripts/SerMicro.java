/*
 * Per-event cost of Flink's POJO serializer against the job's InputEventSerializer (issue 14):
 * serialize + deserialize and copy of a request, a channel state and a heartbeat in turn, 2 million
 * events per round, four rounds (the first is warm-up). A single-file program, not part of the build:
 *
 *   mvn -B -o package -DskipTests -pl bench -am
 *   java -cp bench/target/bench.jar bench/scripts/SerMicro.java
 */
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.*;
import org.edgellm.job.*;

public class SerMicro {
    public static void main(String[] a) throws Exception {
        TypeSerializer<InputEvent> pojo = Types.POJO(InputEvent.class).createSerializer(new SerializerConfigImpl());
        TypeSerializer<InputEvent> hand = InputEventSerializer.INSTANCE;
        InputEvent[] ev = new InputEvent[3];
        RequestEvent r = new RequestEvent(); r.requestId="dom-17-r123456"; r.userId="dom-17-u3"; r.domainId="dom-17"; r.arrivalTime=1764467000123L; r.promptTokens=120; r.maxOutputTokens=30; r.deadline=1764467015123.0; r.maxPplIncrease=0.5; r.serviceClass="standard";
        ev[0]=InputEvent.of(r);
        ChannelEvent c = new ChannelEvent(); c.userId="dom-17-u3"; c.domainId="dom-17"; c.nodeId="dom-17-a"; c.measuredAt=1764467000120L; c.uplinkSpectralEfficiency=3.2; c.downlinkSpectralEfficiency=4.1;
        ev[1]=InputEvent.of(c);
        TelemetryEvent t = new TelemetryEvent(); t.nodeId="dom-17-a"; t.domainId="dom-17"; t.time=1764467000100L; t.busyUntil=1764467000900L; t.finishedThrough=1764467000000L;
        ev[2]=InputEvent.of(t);
        for (int round = 0; round < 4; round++) {
            for (var s : new Object[][] {{"pojo", pojo}, {"hand", hand}}) {
                @SuppressWarnings("unchecked") TypeSerializer<InputEvent> ser = (TypeSerializer<InputEvent>) s[1];
                DataOutputSerializer out = new DataOutputSerializer(256);
                DataInputDeserializer in = new DataInputDeserializer();
                int n = 2_000_000; long sink = 0;
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    InputEvent e = ev[i % 3];
                    out.clear();
                    ser.serialize(e, out);
                    in.setBuffer(out.getSharedBuffer(), 0, out.length());
                    InputEvent b = ser.deserialize(in);
                    sink += b.time;
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    sink += ser.copy(ev[i % 3]).time;
                }
                long t2 = System.nanoTime();
                System.out.printf("round %d %s: serialize+deserialize %.0f ns/event, copy %.0f ns/event, %d bytes/request (%d)%n",
                    round, s[0], (t1 - t0) / (double) n, (t2 - t1) / (double) n, sizeOf(ser, ev[0]), sink % 7);
            }
        }
    }
    static int sizeOf(TypeSerializer<InputEvent> s, InputEvent e) throws Exception { DataOutputSerializer o = new DataOutputSerializer(64); s.serialize(e, o); return o.length(); }
}
