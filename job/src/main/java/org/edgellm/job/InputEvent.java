package org.edgellm.job;

/**
 * Everything that enters the coordinator, as one Flink POJO: a request, a channel measurement, a
 * heartbeat, or an input that failed decoding or validation (with its raw bytes and the reason).
 */
public class InputEvent {
    public static final byte REQUEST = 1;
    public static final byte CHANNEL = 2;
    public static final byte TELEMETRY = 3;

    /** Undecodable or invalid: goes to the dead-letter output. */
    public static final byte INVALID = 4;

    /** A request that decoded but has invalid fields: goes to the rejection output. */
    public static final byte INVALID_REQUEST = 5;

    public byte kind;
    public String domainId;

    /** Event time, epoch ms. */
    public long time;

    public RequestEvent request;
    public ChannelEvent channel;
    public TelemetryEvent telemetry;

    // for INVALID / INVALID_REQUEST
    public String error;
    public String requestId;
    public String userId;
    public byte[] payload;
    public String source;
    public int partition = -1;
    public long offset = -1;

    public InputEvent() {}

    public static InputEvent of(RequestEvent r) {
        InputEvent e = new InputEvent();
        e.kind = REQUEST;
        e.domainId = r.domainId;
        e.time = r.arrivalTime;
        e.request = r;
        return e;
    }

    public static InputEvent of(ChannelEvent c) {
        InputEvent e = new InputEvent();
        e.kind = CHANNEL;
        e.domainId = c.domainId;
        e.time = c.measuredAt;
        e.channel = c;
        return e;
    }

    public static InputEvent of(TelemetryEvent t) {
        InputEvent e = new InputEvent();
        e.kind = TELEMETRY;
        e.domainId = t.domainId;
        e.time = t.time;
        e.telemetry = t;
        return e;
    }

    public static InputEvent invalid(
            String error, byte[] payload, String source, int partition, long offset, long time) {
        InputEvent e = new InputEvent();
        e.kind = INVALID;
        e.error = error;
        e.payload = payload;
        e.source = source;
        e.partition = partition;
        e.offset = offset;
        e.time = time;
        return e;
    }

    public static InputEvent invalidRequest(
            String requestId, String userId, String domainId, String error, long time) {
        InputEvent e = new InputEvent();
        e.kind = INVALID_REQUEST;
        e.requestId = requestId;
        e.userId = userId;
        e.domainId = domainId;
        e.error = error;
        e.time = time;
        return e;
    }

    /** A stable id for ordering events of one instant deterministically. */
    public String sortKey() {
        return switch (kind) {
            case REQUEST -> request.requestId;
            case CHANNEL -> channel.userId + "/" + channel.nodeId;
            case TELEMETRY -> telemetry.nodeId;
            default -> String.valueOf(requestId);
        };
    }
}
