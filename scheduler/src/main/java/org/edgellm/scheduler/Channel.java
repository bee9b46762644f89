package org.edgellm.scheduler;

/**
 * The radio channel between one user and one edge node.
 *
 * @param uplinkSpectralEfficiency e^U in bit/s/Hz, positive
 * @param downlinkSpectralEfficiency e^D in bit/s/Hz, positive
 */
public record Channel(double uplinkSpectralEfficiency, double downlinkSpectralEfficiency) {}
