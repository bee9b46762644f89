package org.edgellm.job.domain;

/** Why a request ends without a decision (the names of the Rejection schema's reasons). */
public enum RejectReason {
    DEADLINE_UNREACHABLE,
    ACCURACY_UNSATISFIABLE,
    NO_CHANNEL,
    TOO_LARGE,
    EXPIRED,
    SHED,
    INVALID,
    UNFINISHED
}
