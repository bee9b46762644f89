package org.edgellm.scheduler;

import java.util.List;

/**
 * One node's batch in a slot decision, with its predicted timeline.
 *
 * @param node node id
 * @param variant variant name
 * @param requests request ids
 * @param timeline predicted uplink, compute and finish times
 */
public record ScheduledBatch(
        String node, String variant, List<String> requests, Timeline timeline) {
    public ScheduledBatch {
        requests = List.copyOf(requests);
    }
}
