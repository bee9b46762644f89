package org.edgellm.job.domain;

import java.util.List;
import org.edgellm.job.PendingQueue;
import org.edgellm.job.RequestEvent;

/** Bounds a domain's pending queue: beyond max-pending the latest deadlines are shed. */
final class Shedding {
    private Shedding() {}

    static void shed(
            String domain, long slotEnd, PendingQueue q, int maxPending, List<Rejected> rejected) {
        while (q.size > maxPending) {
            // the latest deadline first: the earliest deadlines are kept
            RequestEvent r = q.removeLast();
            rejected.add(
                    new Rejected(
                            r.requestId,
                            r.userId,
                            domain,
                            slotEnd,
                            RejectReason.SHED,
                            "pending requests of the domain exceed max-pending " + maxPending));
        }
    }
}
