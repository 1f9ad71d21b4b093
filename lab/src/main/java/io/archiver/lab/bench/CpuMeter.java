package io.archiver.lab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU seconds used so far by this JVM and by a PostgreSQL server (the postmaster and every backend),
 * read from {@code /proc/<pid>/stat}. On a 2-core machine the write path is CPU-bound, so CPU per
 * record on each side says more than wall time about where a change helps.
 */
final class CpuMeter {

    /** Clock ticks per second of utime and stime in /proc; 100 on Linux x86-64. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final long postmasterPid;

    CpuMeter(long postmasterPid) {
        this.postmasterPid = postmasterPid;
    }

    record Sample(double jvmSeconds, double postgresSeconds) {
        Sample minus(Sample earlier) {
            return new Sample(jvmSeconds - earlier.jvmSeconds, postgresSeconds - earlier.postgresSeconds);
        }
    }

    Sample sample() {
        double jvm = seconds(ProcessHandle.current().pid(), false);
        double postgres = ProcessHandle.of(postmasterPid)
                .map(p -> Stream.concat(Stream.of(p), p.descendants()).mapToDouble(h -> seconds(h.pid(), false)).sum())
                .orElse(0.0);
        // Backends that already exited are counted in the postmaster's cutime/cstime.
        postgres += seconds(postmasterPid, true);
        return new Sample(jvm, postgres);
    }

    private static double seconds(long pid, boolean children) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17
            int first = children ? 13 : 11;
            return (Long.parseLong(fields[first]) + Long.parseLong(fields[first + 1])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
