package io.auditwatch.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of this JVM, which hosts everything a bench phase runs. */
final class ProcessStats {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessStats() {
    }

    /** CPU time of the whole process so far, in nanoseconds (all threads, all cores). */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Resident set size in MiB, or -1 where /proc is not there (not Linux). */
    static long rssMiB() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Heap in use after asking for full collections; good to a few MiB, enough for a footprint. */
    static long usedHeapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /**
     * Time the JIT compilers have spent so far, in milliseconds (summed over compiler threads): what a pass adds
     * says whether the JVM was still warming up during it.
     */
    static long compileMillis() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    /** The 1-minute load average, which says how much else the machine was doing. */
    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
