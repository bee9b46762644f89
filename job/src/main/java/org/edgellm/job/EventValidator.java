package org.edgellm.job;

import java.io.Serializable;
import org.edgellm.events.ChannelState;
import org.edgellm.events.EventCodec;
import org.edgellm.events.InferenceRequest;
import org.edgellm.events.NodeCapabilities;
import org.edgellm.events.NodeTelemetry;
import org.edgellm.events.VariantInfo;

/**
 * Turns raw input bytes into validated {@link InputEvent}s. Nothing here throws: undecodable bytes
 * and invalid channel or telemetry fields become {@link InputEvent#INVALID} (dead letters, with the
 * raw bytes), and requests with invalid fields become {@link InputEvent#INVALID_REQUEST} (INVALID
 * rejections). Every reason names the field and the value.
 */
public final class EventValidator implements Serializable {

    /** The most refused decision ids one heartbeat may carry (the worker sends at most 256). */
    static final int MAX_REFUSED = 1000;

    private static final long serialVersionUID = 1L;

    /** 9999-12-31T23:59:59.999Z: later times are refused. */
    static final long MAX_TIME = 253_402_300_799_999L;

    private final Topology topology;
    private final JobConfig config;

    public EventValidator(Topology topology, JobConfig config) {
        this.topology = topology;
        this.config = config;
    }

    /** Which input a record came from. */
    public enum Stream {
        REQUESTS,
        CHANNELS,
        TELEMETRY
    }

    public InputEvent decode(
            Stream stream,
            byte[] bytes,
            String source,
            int partition,
            long offset,
            long recordTime) {
        try {
            return switch (stream) {
                case REQUESTS -> validate(EventCodec.decodeRequest(bytes, config.maxMessageBytes));
                case CHANNELS ->
                        validate(
                                EventCodec.decodeChannel(bytes, config.maxMessageBytes),
                                bytes,
                                source,
                                partition,
                                offset);
                case TELEMETRY ->
                        validate(
                                EventCodec.decodeTelemetry(bytes, config.maxMessageBytes),
                                bytes,
                                source,
                                partition,
                                offset);
            };
        } catch (EventCodec.DecodeException e) {
            return InputEvent.invalid(
                    e.getMessage(), truncate(bytes), source, partition, offset, recordTime);
        } catch (RuntimeException e) {
            return InputEvent.invalid(
                    "cannot read record: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
                    truncate(bytes),
                    source,
                    partition,
                    offset,
                    recordTime);
        }
    }

    private byte[] truncate(byte[] b) {
        if (b == null) {
            return new byte[0];
        }
        return b.length <= config.maxMessageBytes
                ? b
                : java.util.Arrays.copyOf(b, config.maxMessageBytes);
    }

    /** Validates a decoded request; resolves its deadline and tolerance from its service class. */
    public InputEvent validate(InferenceRequest r) {
        long t = r.getArrivalTime() == null ? 0 : r.getArrivalTime().toEpochMilli();
        String id = r.getRequestId();
        String problem = requestProblem(r);
        if (problem != null) {
            return InputEvent.invalidRequest(
                    id == null || id.isEmpty() ? "(no id)" : id,
                    r.getUserId(),
                    r.getDomainId(),
                    problem,
                    t);
        }
        ServiceClass sc = topology.serviceClass(r.getServiceClass());
        RequestEvent e = new RequestEvent();
        e.requestId = id;
        e.userId = r.getUserId();
        e.domainId = r.getDomainId();
        e.arrivalTime = t;
        e.promptTokens = r.getPromptTokens();
        e.maxOutputTokens = r.getMaxOutputTokens();
        if (r.getDeadline() != null) {
            e.deadline = r.getDeadline().toEpochMilli();
        } else if (r.getLatencyBudgetMs() != null) {
            e.deadline = t + r.getLatencyBudgetMs();
        } else {
            e.deadline = t + sc.latencyBudgetMs();
        }
        e.maxPplIncrease =
                r.getMaxPplIncrease() != null ? r.getMaxPplIncrease() : sc.maxPplIncrease();
        e.weight = r.getWeight() * sc.weight();
        e.uplinkBytes = r.getUplinkBytes() == null ? -1 : r.getUplinkBytes();
        e.serviceClass = sc.name();
        e.promptText = r.getPromptText();
        return InputEvent.of(e);
    }

    private String requestProblem(InferenceRequest r) {
        if (r.getRequestId() == null || r.getRequestId().isEmpty()) {
            return "requestId: must not be empty";
        }
        if (r.getUserId() == null || r.getUserId().isEmpty()) {
            return "userId: must not be empty";
        }
        if (!topology.domains.containsKey(r.getDomainId())) {
            return "domainId: unknown domain (got " + r.getDomainId() + ")";
        }
        if (r.getArrivalTime() == null
                || r.getArrivalTime().toEpochMilli() < 0
                || r.getArrivalTime().toEpochMilli() > MAX_TIME) {
            return "arrivalTime: must lie between the epoch and year 9999 (got "
                    + (r.getArrivalTime() == null ? null : r.getArrivalTime().toEpochMilli())
                    + ")";
        }
        if (r.getPromptTokens() < 1 || r.getPromptTokens() > config.maxPromptTokens) {
            return "promptTokens: must lie in [1, "
                    + config.maxPromptTokens
                    + "] (got "
                    + r.getPromptTokens()
                    + ")";
        }
        if (r.getMaxOutputTokens() < 1 || r.getMaxOutputTokens() > config.maxOutputTokens) {
            return "maxOutputTokens: must lie in [1, "
                    + config.maxOutputTokens
                    + "] (got "
                    + r.getMaxOutputTokens()
                    + ")";
        }
        if (r.getDeadline() != null
                && r.getDeadline().toEpochMilli() <= r.getArrivalTime().toEpochMilli()) {
            return "deadline: must be after arrivalTime (got "
                    + r.getDeadline().toEpochMilli()
                    + " <= "
                    + r.getArrivalTime().toEpochMilli()
                    + ")";
        }
        Double budget = r.getLatencyBudgetMs();
        if (budget != null && !(budget >= 1 && budget < 1e12)) {
            return "latencyBudgetMs: must lie in [1, 1e12) ms (got " + budget + ")";
        }
        if (r.getDeadline() != null && r.getDeadline().toEpochMilli() > MAX_TIME) {
            return "deadline: beyond year 9999 (got " + r.getDeadline().toEpochMilli() + ")";
        }
        Double ppl = r.getMaxPplIncrease();
        if (ppl != null && !(ppl >= 0 && !ppl.isInfinite())) {
            return "maxPplIncrease: must be finite and not negative (got " + ppl + ")";
        }
        if (!(r.getWeight() > 0) || Double.isInfinite(r.getWeight())) {
            return "weight: must be positive and finite (got " + r.getWeight() + ")";
        }
        if (r.getUplinkBytes() != null
                && (r.getUplinkBytes() < 0 || r.getUplinkBytes() > config.maxMessageBytes * 64L)) {
            return "uplinkBytes: must lie in [0, "
                    + config.maxMessageBytes * 64L
                    + "] (got "
                    + r.getUplinkBytes()
                    + ")";
        }
        if (topology.serviceClass(r.getServiceClass()) == null) {
            return "serviceClass: unknown class (got " + r.getServiceClass() + ")";
        }
        return null;
    }

    public InputEvent validate(
            ChannelState c, byte[] raw, String source, int partition, long offset) {
        long t = c.getMeasuredAt() == null ? 0 : c.getMeasuredAt().toEpochMilli();
        String problem = null;
        if (!topology.domains.containsKey(c.getDomainId())) {
            problem = "domainId: unknown domain (got " + c.getDomainId() + ")";
        } else if (topology.node(c.getDomainId(), c.getNodeId()) == null) {
            problem =
                    "nodeId: unknown node in domain "
                            + c.getDomainId()
                            + " (got "
                            + c.getNodeId()
                            + ")";
        } else if (c.getUserId() == null || c.getUserId().isEmpty()) {
            problem = "userId: must not be empty";
        } else if (!validEfficiency(c.getUplinkSpectralEfficiency())) {
            problem =
                    "uplinkSpectralEfficiency: must be positive and finite (got "
                            + c.getUplinkSpectralEfficiency()
                            + ")";
        } else if (!validEfficiency(c.getDownlinkSpectralEfficiency())) {
            problem =
                    "downlinkSpectralEfficiency: must be positive and finite (got "
                            + c.getDownlinkSpectralEfficiency()
                            + ")";
        } else if (t < 0) {
            problem = "measuredAt: before the epoch (got " + t + ")";
        }
        if (problem != null) {
            return InputEvent.invalid(
                    "ChannelState." + problem,
                    truncate(raw),
                    source,
                    partition,
                    offset,
                    Math.max(0, t));
        }
        ChannelEvent e = new ChannelEvent();
        e.userId = c.getUserId();
        e.domainId = c.getDomainId();
        e.nodeId = c.getNodeId();
        e.measuredAt = t;
        e.uplinkSpectralEfficiency = c.getUplinkSpectralEfficiency();
        e.downlinkSpectralEfficiency = c.getDownlinkSpectralEfficiency();
        return InputEvent.of(e);
    }

    /** Spectral efficiency: positive, finite and physically plausible (at most 64 bit/s/Hz). */
    static boolean validEfficiency(double se) {
        return se > 0 && se <= 64;
    }

    public InputEvent validate(
            NodeTelemetry n, byte[] raw, String source, int partition, long offset) {
        long t = n.getTime() == null ? 0 : n.getTime().toEpochMilli();
        String problem = null;
        NodeSpec caps = null;
        if (!topology.domains.containsKey(n.getDomainId())) {
            problem = "domainId: unknown domain (got " + n.getDomainId() + ")";
        } else if (n.getNodeId() == null || n.getNodeId().isEmpty()) {
            problem = "nodeId: must not be empty";
        } else if (!(n.getSlowdown() > 0 && n.getSlowdown() < 1000)) {
            problem = "slowdown: must lie in (0, 1000) (got " + n.getSlowdown() + ")";
        } else if (topology.node(n.getDomainId(), n.getNodeId()) == null) {
            // nodes join through the topology: an unknown node could get no channel and would
            // hold state for ever, so it is refused by name
            problem =
                    "nodeId: not a node of domain "
                            + n.getDomainId()
                            + " in the topology (got "
                            + n.getNodeId()
                            + "); add it to the topology to let it serve";
        } else if (n.getCapabilities() != null) {
            try {
                caps = capabilities(n.getNodeId(), n.getCapabilities());
            } catch (IllegalArgumentException e) {
                problem = "capabilities." + e.getMessage();
            }
        }
        if (problem == null && t < 0) {
            problem = "time: before the epoch (got " + t + ")";
        } else if (n.getRefused().size() > MAX_REFUSED) {
            problem =
                    "refused: more than "
                            + MAX_REFUSED
                            + " decision ids (got "
                            + n.getRefused().size()
                            + ")";
        }
        if (problem != null) {
            return InputEvent.invalid(
                    "NodeTelemetry." + problem,
                    truncate(raw),
                    source,
                    partition,
                    offset,
                    Math.max(0, t));
        }
        TelemetryEvent e = new TelemetryEvent();
        e.nodeId = n.getNodeId();
        e.domainId = n.getDomainId();
        e.time = t;
        e.capabilities = caps;
        e.busyUntil = n.getBusyUntil() == null ? Long.MIN_VALUE : n.getBusyUntil().toEpochMilli();
        e.finishedThrough =
                n.getFinishedThrough() == null
                        ? Long.MIN_VALUE
                        : n.getFinishedThrough().toEpochMilli();
        e.healthy = n.getHealthy();
        e.slowdown = n.getSlowdown();
        if (!n.getRefused().isEmpty()) {
            e.refused = new String[n.getRefused().size()];
            for (int i = 0; i < e.refused.length; i++) {
                e.refused[i] = n.getRefused().get(i).toString();
            }
        }
        return InputEvent.of(e);
    }

    private static NodeSpec capabilities(String id, NodeCapabilities c) {
        NodeSpec s = new NodeSpec();
        s.id = id;
        s.memoryBytes = positive("memoryBytes", c.getMemoryBytes());
        s.reserveBytes = c.getReserveBytes();
        if (!(s.reserveBytes >= 0) || Double.isInfinite(s.reserveBytes)) {
            throw new IllegalArgumentException(
                    "reserveBytes: must be finite and not negative (got " + s.reserveBytes + ")");
        }
        s.memoryBandwidth = positive("memoryBandwidth", c.getMemoryBandwidth());
        s.peakFlops16 = positive("peakFlops16", c.getPeakFlops16());
        s.peakFlops8 = positive("peakFlops8", c.getPeakFlops8());
        s.peakFlops4 = positive("peakFlops4", c.getPeakFlops4());
        s.efficiency = positive("efficiency", c.getEfficiency());
        if (s.efficiency > 1) {
            throw new IllegalArgumentException(
                    "efficiency: must lie in (0, 1] (got " + s.efficiency + ")");
        }
        s.uplinkHz = positive("uplinkHz", c.getUplinkHz());
        s.downlinkHz = positive("downlinkHz", c.getDownlinkHz());
        if (c.getVariants() == null || c.getVariants().isEmpty()) {
            throw new IllegalArgumentException("variants: at least one is needed");
        }
        s.variants = new NodeSpec.VariantSpec[c.getVariants().size()];
        for (int i = 0; i < s.variants.length; i++) {
            VariantInfo v = c.getVariants().get(i);
            int ab = v.getActivationBits();
            if (ab != 4 && ab != 8 && ab != 16) {
                throw new IllegalArgumentException(
                        "variants[" + i + "].activationBits: must be 4, 8 or 16 (got " + ab + ")");
            }
            if (v.getWeightBits() < 1
                    || v.getWeightBits() > 32
                    || v.getKvBits() < 1
                    || v.getKvBits() > 32) {
                throw new IllegalArgumentException(
                        "variants[" + i + "]: weightBits and kvBits must lie in [1, 32]");
            }
            if (!(v.getPplIncrease() >= 0) || Double.isInfinite(v.getPplIncrease())) {
                throw new IllegalArgumentException(
                        "variants["
                                + i
                                + "].pplIncrease: must be finite and not negative (got "
                                + v.getPplIncrease()
                                + ")");
            }
            s.variants[i] =
                    new NodeSpec.VariantSpec(
                            v.getName(), v.getWeightBits(), ab, v.getKvBits(), v.getPplIncrease());
        }
        return s;
    }

    private static double positive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(
                    name + ": must be positive and finite (got " + v + ")");
        }
        return v;
    }
}
