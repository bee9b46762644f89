package org.edgellm.scheduler;

import java.util.Map;

/**
 * One user's LLM inference request (spec section 1).
 *
 * @param id request id
 * @param arrival a_i, absolute ms
 * @param promptTokens s_i, at least 1
 * @param maxOutputTokens n_i, at least 1
 * @param deadline D_i, absolute ms by which the whole answer must be back at the user
 * @param maxPplIncrease A_i, the largest tolerated perplexity increase
 * @param weight w_i, positive
 * @param uplinkBytes prompt payload in bytes, or NaN for the default {@code bitsPerToken * s_i / 8}
 * @param channels channel per reachable node id
 */
public record Request(
        String id,
        double arrival,
        int promptTokens,
        int maxOutputTokens,
        double deadline,
        double maxPplIncrease,
        double weight,
        double uplinkBytes,
        Map<String, Channel> channels) {

    public Request {
        channels = Map.copyOf(channels);
    }

    /** U_i: bits to upload, from {@code uplinkBytes} or the default payload. */
    public double uplinkBits(double bitsPerToken) {
        return Double.isNaN(uplinkBytes) ? bitsPerToken * promptTokens : 8.0 * uplinkBytes;
    }

    /** The same request with weight {@code w}. */
    public Request withWeight(double w) {
        return new Request(
                id,
                arrival,
                promptTokens,
                maxOutputTokens,
                deadline,
                maxPplIncrease,
                w,
                uplinkBytes,
                channels);
    }

    /** O_i: bits of the answer. */
    public double downlinkBits(double bitsPerToken) {
        return bitsPerToken * maxOutputTokens;
    }
}
