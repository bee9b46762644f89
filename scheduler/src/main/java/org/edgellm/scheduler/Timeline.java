package org.edgellm.scheduler;

import java.util.Map;

/**
 * The predicted timeline of a batch (absolute ms unless named otherwise).
 *
 * @param uplinkMs duration of the FDMA uplink phase T^U
 * @param computeStartMs max(t0 + T^U, busyUntil)
 * @param computeMs T^C
 * @param computeEndMs computeStart + T^C
 * @param finishMs predicted finish per request id; empty unless C3 and C4 hold
 * @param uplinkShareHz uplink band per request id (FDMA split); empty when a channel is missing
 * @param downlinkShareHz downlink band per request id; empty unless C3 and C4 hold
 */
public record Timeline(
        double uplinkMs,
        double computeStartMs,
        double computeMs,
        double computeEndMs,
        Map<String, Double> finishMs,
        Map<String, Double> uplinkShareHz,
        Map<String, Double> downlinkShareHz) {}
