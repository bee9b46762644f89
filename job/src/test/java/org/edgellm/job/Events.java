package org.edgellm.job;

/** Builders of validated input events for the tests. */
final class Events {
    private Events() {}

    static InputEvent request(
            String id, String user, String domain, long t, int prompt, int out, double budgetMs) {
        RequestEvent r = new RequestEvent();
        r.requestId = id;
        r.userId = user;
        r.domainId = domain;
        r.arrivalTime = t;
        r.promptTokens = prompt;
        r.maxOutputTokens = out;
        r.deadline = t + budgetMs;
        r.maxPplIncrease = 0.5;
        r.weight = 1;
        r.serviceClass = "standard";
        return InputEvent.of(r);
    }

    static InputEvent channel(String user, String domain, String node, long t, double se) {
        ChannelEvent c = new ChannelEvent();
        c.userId = user;
        c.domainId = domain;
        c.nodeId = node;
        c.measuredAt = t;
        c.uplinkSpectralEfficiency = se;
        c.downlinkSpectralEfficiency = se;
        return InputEvent.of(c);
    }

    static InputEvent heartbeat(String node, String domain, long t, boolean healthy) {
        TelemetryEvent e = new TelemetryEvent();
        e.nodeId = node;
        e.domainId = domain;
        e.time = t;
        e.healthy = healthy;
        return InputEvent.of(e);
    }

    /** A heartbeat of a worker that reports the slot end of the last batch it finished. */
    static InputEvent progress(String node, String domain, long t, long finishedThrough) {
        InputEvent e = heartbeat(node, domain, t, true);
        e.telemetry.finishedThrough = finishedThrough;
        return e;
    }

    /**
     * The configuration of the coordinator harness tests: 100 ms slots, no out-of-orderness, no
     * commit delay (at-least-once, no checkpoints), a search budget in nodes (deterministic), with
     * the given flags on top.
     */
    static JobConfig harnessConfig(java.util.Map<String, String> extra) {
        java.util.Map<String, String> flags =
                new java.util.HashMap<>(
                        java.util.Map.of(
                                "slot-ms", "100",
                                "out-of-orderness-ms", "0",
                                "delivery", "at-least-once",
                                "checkpoint-ms", "0",
                                "budget-micros", "0",
                                "budget-nodes", "10000",
                                "offer-unheard-nodes", "true",
                                // every slot, as these tests were written for (the default judges
                                // near-deadline requests once a second: AdmissionTest)
                                "admission-every-ms", "0"));
        flags.putAll(extra);
        return JobConfig.from(flags);
    }
}
