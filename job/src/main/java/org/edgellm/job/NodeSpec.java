package org.edgellm.job;

import java.util.ArrayList;
import java.util.List;
import org.edgellm.scheduler.EdgeNode;
import org.edgellm.scheduler.Variant;

/**
 * Static capabilities of an edge node (a Flink POJO), from the topology or from telemetry. Written
 * field by field by {@link StateFields} (on the network and in keyed state): a field added here
 * goes there too.
 */
public class NodeSpec implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    public String id;
    public double memoryBytes;
    public double reserveBytes;
    public double memoryBandwidth;
    public double peakFlops16;
    public double peakFlops8;
    public double peakFlops4;
    public double efficiency;
    public double uplinkHz;
    public double downlinkHz;
    public VariantSpec[] variants = new VariantSpec[0];

    public NodeSpec() {}

    /** The core's node with a busy time and a measured slowdown folded into its speed. */
    public EdgeNode toEdgeNode(double busyUntil, double slowdown) {
        List<Variant> vs = new ArrayList<>();
        for (VariantSpec v : variants) {
            vs.add(new Variant(v.name, v.weightBits, v.activationBits, v.kvBits, v.pplIncrease));
        }
        double s = slowdown > 0 ? slowdown : 1.0;
        return new EdgeNode(
                id,
                memoryBytes,
                reserveBytes,
                memoryBandwidth / s,
                peakFlops16,
                peakFlops8,
                peakFlops4,
                efficiency / s,
                uplinkHz,
                downlinkHz,
                busyUntil,
                vs);
    }

    /** A quantized variant (a Flink POJO). */
    public static class VariantSpec implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        public String name;
        public int weightBits;
        public int activationBits;
        public int kvBits;
        public double pplIncrease;

        public VariantSpec() {}

        public VariantSpec(String name, int wb, int ab, int kb, double ppl) {
            this.name = name;
            this.weightBits = wb;
            this.activationBits = ab;
            this.kvBits = kb;
            this.pplIncrease = ppl;
        }
    }
}
