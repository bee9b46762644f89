package org.edgellm.job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The field-by-field code shared by the hand-written serializers ({@link InputEventSerializer} on
 * the network, the coordinator's state serializers): how a request, a node's capabilities, strings,
 * arrays and lists are written, read and copied. Nullable values carry a presence mark (a boolean,
 * or a length of -1), so null and empty stay apart.
 */
final class StateFields {
    private StateFields() {}

    // ---- strings and arrays

    /** A nullable string, in the format of Flink's string serializer (any length, null marked). */
    static void writeString(String s, DataOutputView out) throws IOException {
        StringValue.writeString(s, out);
    }

    static String readString(DataInputView in) throws IOException {
        return StringValue.readString(in);
    }

    /**
     * A nullable string that repeats across events (an id of a domain, user or node, a service
     * class): the one instance kept of it ({@link SharedStrings}).
     */
    static String readShared(DataInputView in) throws IOException {
        return SharedStrings.of(StringValue.readString(in));
    }

    static void writeStrings(String[] a, DataOutputView out) throws IOException {
        if (a == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(a.length);
        for (String s : a) {
            writeString(s, out);
        }
    }

    static String[] readStrings(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        String[] a = new String[n];
        for (int i = 0; i < n; i++) {
            a[i] = readString(in);
        }
        return a;
    }

    static void writeLongs(long[] a, DataOutputView out) throws IOException {
        if (a == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(a.length);
        for (long x : a) {
            out.writeLong(x);
        }
    }

    static long[] readLongs(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readLong();
        }
        return a;
    }

    static void writeDoubles(double[] a, DataOutputView out) throws IOException {
        if (a == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(a.length);
        for (double x : a) {
            out.writeDouble(x);
        }
    }

    static double[] readDoubles(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readDouble();
        }
        return a;
    }

    static void writeStringList(List<String> l, DataOutputView out) throws IOException {
        if (l == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(l.size());
        for (String s : l) {
            writeString(s, out);
        }
    }

    static List<String> readStringList(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        List<String> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(readString(in));
        }
        return l;
    }

    // ---- requests

    /** A request's fields (not null). */
    static void writeRequestFields(RequestEvent r, DataOutputView out) throws IOException {
        writeString(r.requestId, out);
        writeString(r.userId, out);
        writeString(r.domainId, out);
        out.writeLong(r.arrivalTime);
        out.writeInt(r.promptTokens);
        out.writeInt(r.maxOutputTokens);
        out.writeDouble(r.deadline);
        out.writeDouble(r.maxPplIncrease);
        out.writeDouble(r.weight);
        out.writeLong(r.uplinkBytes);
        writeString(r.serviceClass, out);
        writeString(r.promptText, out);
    }

    static RequestEvent readRequestFields(DataInputView in) throws IOException {
        RequestEvent r = new RequestEvent();
        r.requestId = readString(in);
        r.userId = readShared(in);
        r.domainId = readShared(in);
        r.arrivalTime = in.readLong();
        r.promptTokens = in.readInt();
        r.maxOutputTokens = in.readInt();
        r.deadline = in.readDouble();
        r.maxPplIncrease = in.readDouble();
        r.weight = in.readDouble();
        r.uplinkBytes = in.readLong();
        r.serviceClass = readShared(in);
        r.promptText = readString(in);
        return r;
    }

    /** A nullable request: a presence mark, then its fields. */
    static void writeRequest(RequestEvent r, DataOutputView out) throws IOException {
        out.writeBoolean(r != null);
        if (r != null) {
            writeRequestFields(r, out);
        }
    }

    static RequestEvent readRequest(DataInputView in) throws IOException {
        return in.readBoolean() ? readRequestFields(in) : null;
    }

    static RequestEvent copy(RequestEvent f) {
        if (f == null) {
            return null;
        }
        RequestEvent r = new RequestEvent();
        r.requestId = f.requestId;
        r.userId = f.userId;
        r.domainId = f.domainId;
        r.arrivalTime = f.arrivalTime;
        r.promptTokens = f.promptTokens;
        r.maxOutputTokens = f.maxOutputTokens;
        r.deadline = f.deadline;
        r.maxPplIncrease = f.maxPplIncrease;
        r.weight = f.weight;
        r.uplinkBytes = f.uplinkBytes;
        r.serviceClass = f.serviceClass;
        r.promptText = f.promptText;
        return r;
    }

    static void writeRequestList(List<RequestEvent> l, DataOutputView out) throws IOException {
        if (l == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(l.size());
        for (RequestEvent r : l) {
            writeRequest(r, out);
        }
    }

    static List<RequestEvent> readRequestList(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        List<RequestEvent> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(readRequest(in));
        }
        return l;
    }

    static List<RequestEvent> copyRequestList(List<RequestEvent> f) {
        if (f == null) {
            return null;
        }
        List<RequestEvent> l = new ArrayList<>(f.size());
        for (RequestEvent r : f) {
            l.add(copy(r));
        }
        return l;
    }

    // ---- node capabilities

    static NodeSpec copy(NodeSpec f) {
        if (f == null) {
            return null;
        }
        NodeSpec s = new NodeSpec();
        s.id = f.id;
        s.memoryBytes = f.memoryBytes;
        s.reserveBytes = f.reserveBytes;
        s.memoryBandwidth = f.memoryBandwidth;
        s.peakFlops16 = f.peakFlops16;
        s.peakFlops8 = f.peakFlops8;
        s.peakFlops4 = f.peakFlops4;
        s.efficiency = f.efficiency;
        s.uplinkHz = f.uplinkHz;
        s.downlinkHz = f.downlinkHz;
        if (f.variants == null) {
            s.variants = null;
        } else {
            s.variants = new NodeSpec.VariantSpec[f.variants.length];
            for (int i = 0; i < f.variants.length; i++) {
                NodeSpec.VariantSpec v = f.variants[i];
                s.variants[i] =
                        v == null
                                ? null
                                : new NodeSpec.VariantSpec(
                                        v.name,
                                        v.weightBits,
                                        v.activationBits,
                                        v.kvBits,
                                        v.pplIncrease);
            }
        }
        return s;
    }

    /** A nullable node spec with its variants. */
    static void writeNodeSpec(NodeSpec s, DataOutputView out) throws IOException {
        out.writeBoolean(s != null);
        if (s == null) {
            return;
        }
        writeString(s.id, out);
        out.writeDouble(s.memoryBytes);
        out.writeDouble(s.reserveBytes);
        out.writeDouble(s.memoryBandwidth);
        out.writeDouble(s.peakFlops16);
        out.writeDouble(s.peakFlops8);
        out.writeDouble(s.peakFlops4);
        out.writeDouble(s.efficiency);
        out.writeDouble(s.uplinkHz);
        out.writeDouble(s.downlinkHz);
        if (s.variants == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(s.variants.length);
        for (NodeSpec.VariantSpec v : s.variants) {
            out.writeBoolean(v != null);
            if (v != null) {
                writeString(v.name, out);
                out.writeInt(v.weightBits);
                out.writeInt(v.activationBits);
                out.writeInt(v.kvBits);
                out.writeDouble(v.pplIncrease);
            }
        }
    }

    static NodeSpec readNodeSpec(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        NodeSpec s = new NodeSpec();
        s.id = readString(in);
        s.memoryBytes = in.readDouble();
        s.reserveBytes = in.readDouble();
        s.memoryBandwidth = in.readDouble();
        s.peakFlops16 = in.readDouble();
        s.peakFlops8 = in.readDouble();
        s.peakFlops4 = in.readDouble();
        s.efficiency = in.readDouble();
        s.uplinkHz = in.readDouble();
        s.downlinkHz = in.readDouble();
        int n = in.readInt();
        if (n < 0) {
            s.variants = null;
            return s;
        }
        s.variants = new NodeSpec.VariantSpec[n];
        for (int i = 0; i < n; i++) {
            if (in.readBoolean()) {
                NodeSpec.VariantSpec v = new NodeSpec.VariantSpec();
                v.name = readString(in);
                v.weightBits = in.readInt();
                v.activationBits = in.readInt();
                v.kvBits = in.readInt();
                v.pplIncrease = in.readDouble();
                s.variants[i] = v;
            }
        }
        return s;
    }
}
