package io.stepwise.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time and resident memory of other processes (the replicas, nginx, Redis) from Linux's /proc, so that a load
 * cell reports what the server side spent, not only what the client saw. Clock ticks are assumed to be 100 per
 * second (USER_HZ on every mainstream Linux build).
 */
final class ProcStats {
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {
    }

    /** User + system CPU seconds of the process, or NaN when it is gone. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name may hold spaces; the fields after its closing parenthesis are fixed.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static double cpuSeconds(List<Long> pids) {
        double sum = 0;
        for (long pid : pids) {
            double s = cpuSeconds(pid);
            if (!Double.isNaN(s)) {
                sum += s;
            }
        }
        return sum;
    }

    /** Resident set size in MiB, or NaN when the process is gone. */
    static double rssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** The largest resident set size of {@code pids} in MiB; 0 when none of them is running. */
    static double maxRssMiB(List<Long> pids) {
        double max = 0;
        for (long pid : pids) {
            double r = rssMiB(pid);
            if (!Double.isNaN(r)) {
                max = Math.max(max, r);
            }
        }
        return max;
    }

    /** The 1-minute load average of the machine. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
