package org.edgellm.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A fixed piece of CPU work timed at the start of a benchmark run, so that runs made on different
 * days or machines can be compared: its thread CPU time says how fast a core was (a throttled or
 * slower machine takes longer), its wall time against its CPU time how much other processes took
 * the cores from it. The work: SHA-256 over the same 64 KiB buffer, {@link #ROUNDS} times, in three
 * passes; the least CPU time of the passes and the median wall time are reported.
 */
final class CpuReference {
    static final int BUFFER = 64 * 1024;
    static final int ROUNDS = 1024;
    static final int PASSES = 3;

    /**
     * CPU and wall time of one pass of the work, in ms; digest: its result (the same each time).
     */
    record Result(double cpuMs, double wallMs, String digest) {}

    private CpuReference() {}

    static Result measure() {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        boolean cpu = bean.isCurrentThreadCpuTimeSupported();
        double[] cpus = new double[PASSES];
        double[] walls = new double[PASSES];
        String digest = null;
        for (int p = 0; p < PASSES; p++) {
            long c0 = cpu ? bean.getCurrentThreadCpuTime() : 0;
            long w0 = System.nanoTime();
            digest = work();
            walls[p] = (System.nanoTime() - w0) / 1e6;
            cpus[p] = cpu ? (bean.getCurrentThreadCpuTime() - c0) / 1e6 : Double.NaN;
        }
        Arrays.sort(cpus);
        Arrays.sort(walls);
        return new Result(round1(cpus[0]), round1(walls[PASSES / 2]), digest);
    }

    /** The work: SHA-256 chained over a fixed buffer; returns the final digest in hex. */
    static String work() {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
        byte[] buf = new byte[BUFFER];
        for (int i = 0; i < BUFFER; i++) {
            buf[i] = (byte) (i * 31 + 7);
        }
        byte[] d = new byte[0];
        for (int r = 0; r < ROUNDS; r++) {
            md.update(d);
            md.update(buf);
            d = md.digest();
            buf[r % BUFFER] ^= d[0]; // each round depends on the one before
        }
        StringBuilder sb = new StringBuilder();
        for (byte b : d) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
