package org.edgellm.job;

import java.io.Serializable;

/**
 * A service class: what a request of this class asks for when it does not say itself.
 *
 * @param name class name
 * @param latencyBudgetMs deadline = arrival + budget
 * @param maxPplIncrease tolerated perplexity increase
 * @param weight profit weight
 * @param share share of the requests of a replayed trace given this class (seeded)
 */
public record ServiceClass(
        String name, double latencyBudgetMs, double maxPplIncrease, double weight, double share)
        implements Serializable {}
