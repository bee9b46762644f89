package org.edgellm.scheduler;

/** The five feasibility constraints of spec section 2. */
public enum Constraint {
    /** Accuracy: the variant's perplexity increase is within every member's tolerance. */
    C1,
    /** Memory: all resident weights, the reserve and the padded KV cache fit. */
    C2,
    /** Downlink deadline: compute ends strictly before every member's deadline. */
    C3,
    /** Downlink band: the deadline-driven band demand fits the node's downlink band. */
    C4,
    /** Channel: every member has a channel to the node. */
    C5
}
