package org.edgellm.job;

/**
 * A validated inference request inside the job (a Flink POJO). Deadlines and tolerances are
 * resolved from the service class at validation. Written field by field by {@link StateFields} (on
 * the network and in keyed state): a field added here goes there too.
 */
public class RequestEvent {
    public String requestId;
    public String userId;
    public String domainId;
    public long arrivalTime;
    public int promptTokens;
    public int maxOutputTokens;

    /** Absolute deadline, epoch ms. */
    public double deadline;

    public double maxPplIncrease;
    public double weight = 1.0;

    /** Prompt payload in bytes, or -1 for the default. */
    public long uplinkBytes = -1;

    public String serviceClass;
    public String promptText;

    public RequestEvent() {}
}
