package org.edgellm.job.domain;

/** One request's final rejection, with its reason and a detail for people. */
public record Rejected(
        String requestId,
        String userId,
        String domainId,
        long time,
        RejectReason reason,
        String detail) {}
