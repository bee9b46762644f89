package org.edgellm.job.domain;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.edgellm.job.RequestEvent;
import org.edgellm.job.UserChannels;
import org.edgellm.scheduler.Channel;
import org.edgellm.scheduler.Request;

/** A pending request as the scheduler sees it: with its user's fresh channels to the nodes. */
final class RequestView {
    private RequestView() {}

    static Request of(RequestEvent r, List<String> nodeIds, long freshSince, DomainState state) {
        Map<String, Channel> ch = new HashMap<>();
        UserChannels u = state.channels(r.userId);
        if (u != null) {
            for (String node : nodeIds) {
                int i = u.indexOf(node);
                if (i >= 0 && u.measuredAt[i] >= freshSince) {
                    ch.put(node, new Channel(u.uplink[i], u.downlink[i]));
                }
            }
        }
        return new Request(
                r.requestId,
                r.arrivalTime,
                r.promptTokens,
                r.maxOutputTokens,
                r.deadline,
                r.maxPplIncrease,
                r.weight,
                r.uplinkBytes < 0 ? Double.NaN : r.uplinkBytes,
                ch);
    }
}
