package org.edgellm.scheduler;

import java.util.List;

/**
 * An edge node: a base station with a GPU server (spec section 1).
 *
 * @param id node id
 * @param memoryBytes C_j
 * @param reserveBytes R_j: runtime, activations, fragmentation
 * @param memoryBandwidth W_j in byte/s
 * @param peakFlops16 dense FLOP/s at 16-bit activations
 * @param peakFlops8 dense FLOP/s at 8-bit activations
 * @param peakFlops4 dense FLOP/s at 4-bit activations
 * @param efficiency eta_j in (0, 1]
 * @param uplinkHz B^U_j
 * @param downlinkHz B^D_j
 * @param busyUntil F_j, absolute ms at which the current batch ends
 * @param variants resident variants (all of them occupy memory)
 */
public record EdgeNode(
        String id,
        double memoryBytes,
        double reserveBytes,
        double memoryBandwidth,
        double peakFlops16,
        double peakFlops8,
        double peakFlops4,
        double efficiency,
        double uplinkHz,
        double downlinkHz,
        double busyUntil,
        List<Variant> variants) {

    public EdgeNode {
        variants = List.copyOf(variants);
    }

    /** Peak FLOP/s at an activation precision of 4, 8 or 16 bits. */
    public double peakFlops(int activationBits) {
        return switch (activationBits) {
            case 4 -> peakFlops4;
            case 8 -> peakFlops8;
            default -> peakFlops16;
        };
    }

    /** This node with another busy-until time (everything else the same). */
    public EdgeNode withBusyUntil(double busy) {
        return new EdgeNode(
                id,
                memoryBytes,
                reserveBytes,
                memoryBandwidth,
                peakFlops16,
                peakFlops8,
                peakFlops4,
                efficiency,
                uplinkHz,
                downlinkHz,
                busy,
                variants);
    }

    /** This node with another memory and other uplink and downlink bands. */
    public EdgeNode withResources(double memory, double uplink, double downlink) {
        return new EdgeNode(
                id,
                memory,
                reserveBytes,
                memoryBandwidth,
                peakFlops16,
                peakFlops8,
                peakFlops4,
                efficiency,
                uplink,
                downlink,
                busyUntil,
                variants);
    }
}
