package org.edgellm.worker;

import java.util.List;
import org.edgellm.events.BatchDecision;
import org.edgellm.events.Completion;

/** Executes one batch and measures it: one completion per request. */
public interface Backend {
    List<Completion> run(BatchDecision decision) throws InterruptedException;
}
