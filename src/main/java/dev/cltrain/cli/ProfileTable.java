package dev.cltrain.cli;

import dev.cltrain.TrainingResult;
import dev.cltrain.TrainingRun;
import dev.cltrain.core.KernelTime;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The per-kernel breakdown that {@code train --profile} and {@code bench} print: time per kernel name, its
 * share of the wall time, and the host overhead (wall time minus the kernels' time: enqueueing, transfers,
 * waiting, Java); for {@code train --profile}, the lines above it too ({@link #printTraining}).
 */
final class ProfileTable {
  private ProfileTable() {}

  /** Sum of the kernels' time in nanoseconds. */
  static long kernelNanos(List<KernelTime> times) {
    return times.stream().filter(t -> !host(t)).mapToLong(KernelTime::nanos).sum();
  }

  /** Whether an entry is time the host spent (its name in parentheses, e.g. waiting for streamed rows), not a kernel. */
  private static boolean host(KernelTime t) {
    return t.kernel().startsWith("(");
  }

  static void print(PrintWriter out, List<KernelTime> times, double wallSeconds, int epochs) {
    List<KernelTime> sorted = new ArrayList<>(times);
    sorted.sort(Comparator.comparingLong(KernelTime::nanos).reversed());
    double wallMs = wallSeconds * 1e3;
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"kernel", "launches", "total ms", "ms/epoch", "share"});
    List<KernelTime> host = sorted.stream().filter(ProfileTable::host).toList();
    sorted.removeAll(host);
    for (KernelTime t : sorted) {
      double ms = t.nanos() / 1e6;
      rows.add(new String[] {t.kernel(), String.valueOf(t.launches()), Format.fixed(ms, 3),
          Format.fixed(ms / epochs, 4), Format.fixed(100 * ms / wallMs, 1) + " %"});
    }
    double kernelsMs = kernelNanos(times) / 1e6;
    double waitMs = host.stream().mapToLong(KernelTime::nanos).sum() / 1e6;
    double hostMs = Math.max(0, wallMs - kernelsMs - waitMs);
    rows.add(new String[] {"(all kernels)", "", Format.fixed(kernelsMs, 3), Format.fixed(kernelsMs / epochs, 4),
        Format.fixed(100 * kernelsMs / wallMs, 1) + " %"});
    for (KernelTime t : host) { // e.g. waiting for streamed rows: host time apart from compute
      double ms = t.nanos() / 1e6;
      rows.add(new String[] {t.kernel(), String.valueOf(t.launches()), Format.fixed(ms, 3),
          Format.fixed(ms / epochs, 4), Format.fixed(100 * ms / wallMs, 1) + " %"});
    }
    rows.add(new String[] {"(host overhead)", "", Format.fixed(hostMs, 3), Format.fixed(hostMs / epochs, 4),
        Format.fixed(100 * hostMs / wallMs, 1) + " %"});
    DevicesCommand.printTable(out, rows);
  }

  /**
   * {@code train --profile}'s part of the summary: a heading, how the epochs were launched, the device's vector
   * widths, for data-parallel training the gradients' exchange, and the per-kernel table.
   *
   * @param out        where the lines go
   * @param result     the finished run
   * @param launchPlan how the run launched its epochs
   * @param exchange   the data-parallel run's gradient exchange, or null
   */
  static void printTraining(PrintWriter out, TrainingResult result, String launchPlan, TrainingRun.Exchange exchange) {
    out.println();
    out.println("profile of the " + result.epochsRun() + " epochs (" + (result.device().isReference()
        ? "wall time per call" : "device time from profiling events") + "):");
    out.println("launches:    " + launchPlan);
    out.println("vectors:     " + DevicesCommand.vectors(result.device()));
    if (exchange != null && exchange.steps() > 0) {
      out.println(String.format(java.util.Locale.ROOT, "exchange:    %d bytes of gradients per step, %d steps: "
          + "%.3f s (%.1f%%) moving and adding gradients after the backward passes, %.3f s (%.1f%%) waiting for the "
          + "shards, of %.3f s",
          exchange.bytesPerStep(), exchange.steps(), exchange.seconds(), 100 * exchange.seconds() / result.seconds(),
          exchange.waitSeconds(), 100 * exchange.waitSeconds() / result.seconds(), result.seconds()));
    }
    print(out, result.profile(), result.seconds(), result.epochsRun());
  }
}
