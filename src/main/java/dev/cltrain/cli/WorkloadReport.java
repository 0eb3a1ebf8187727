package dev.cltrain.cli;

import static dev.cltrain.cli.BenchText.num;
import static dev.cltrain.cli.BenchText.sig;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.core.KernelTime;
import dev.cltrain.bench.DeviceRow;
import dev.cltrain.bench.WorkloadResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What {@code cltrain bench} prints and writes for training workloads: a table per workload with each OpenCL
 * device's per-kernel breakdown and a verdict line; the JSON, CSV rows (shared with the sweep) and the bar chart.
 */
final class WorkloadReport {
  private WorkloadReport() {}

  /** Writes the files asked for. */
  static void write(BenchFiles files, List<WorkloadResult> results) {
    ObjectNode root = BenchFiles.facts("workloads");
    root.set("workloads", BenchFiles.mapper().valueToTree(results));
    files.write(root, csvRows(results, null, null), () -> BenchCharts.bars(files.plot(), results));
  }

  /** One workload's table, a per-kernel table for each device profiled, and the verdict. */
  static void print(PrintWriter out, WorkloadResult r) {
    printTables(out, r);
    out.println();
    out.println(verdict(r));
  }

  private static void printTables(PrintWriter out, WorkloadResult r) {
    out.println();
    out.println("workload " + r.name() + ": " + r.description());
    out.println("  " + r.epochs() + " timed epoch" + (r.epochs() == 1 ? "" : "s") + " x " + r.repeat()
        + " repeats after " + r.warmupEpochs() + " warm-up; " + BenchText.gflop(r.flopsPerEpoch()) + " per epoch");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"device", "name", "ms/epoch", "min", "max", "epochs/s", "GFLOP/s", "H->D/epoch",
        "D->H/epoch", "speedup", "max |dw|"});
    for (DeviceRow d : r.devices()) {
      if (!d.ok()) {
        rows.add(new String[] {d.id(), BenchCharts.shortName(d.name()), "FAILED: " + d.error(), "", "", "", "", "",
            "", "", ""});
        continue;
      }
      rows.add(new String[] {d.id(), BenchCharts.shortName(d.name()), sig(d.msPerEpochMedian()), sig(d.msPerEpochMin()),
          sig(d.msPerEpochMax()), sig(d.epochsPerSecond()), sig(d.gflops()),
          Format.bytes(Math.round(d.bytesToDevicePerEpoch())), Format.bytes(Math.round(d.bytesFromDevicePerEpoch())),
          BenchText.ratio(d.speedup()), BenchText.exp(d.maxWeightDifference())});
    }
    DevicesCommand.printTable(out, rows);
    for (DeviceRow d : r.devices()) {
      if (d.ok() && d.kernelMsPerEpoch() != null) {
        out.println();
        out.println("  " + d.id() + " per kernel (device time from profiling events):");
        double timed = (double) r.epochs() * r.repeat();
        List<KernelTime> times = d.kernels().stream()
            .map(k -> new KernelTime(k.kernel(), (int) k.launches(), Math.round(k.msPerEpoch() * timed * 1e6))).toList();
        double wallSeconds = (d.kernelMsPerEpoch() + d.hostOverheadMsPerEpoch()) * timed / 1000;
        ProfileTable.print(out, times, wallSeconds, (int) timed);
      }
    }
  }

  /**
   * The default run's one line of verdict for one workload: the device to use (the fastest median) and by how
   * much over the runner-up, or that the two cannot be told apart because their min–max ranges overlap.
   */
  static String verdict(WorkloadResult r) {
    List<DeviceRow> ok = r.devices().stream().filter(DeviceRow::ok)
        .sorted(Comparator.comparingDouble(DeviceRow::msPerEpochMedian)).toList();
    if (ok.isEmpty()) {
      return "verdict for " + r.name() + ": every device failed; nothing to recommend";
    }
    DeviceRow best = ok.get(0);
    if (ok.size() == 1) {
      return "verdict for " + r.name() + ": use " + BenchCharts.label(best) + " (" + sig(best.msPerEpochMedian())
          + " ms per epoch); it is the only device that ran";
    }
    DeviceRow next = ok.get(1);
    double ratio = next.msPerEpochMedian() / best.msPerEpochMedian();
    String figures = " (" + sig(best.msPerEpochMedian()) + " against " + sig(next.msPerEpochMedian())
        + " ms per epoch, median of " + r.repeat() + ")";
    if (overlap(best, next)) {
      return "verdict for " + r.name() + ": no clear winner: " + BenchCharts.label(best) + " leads "
          + BenchCharts.label(next) + " by only " + Format.fixed(ratio, 2) + "x" + figures
          + " and their min-max ranges overlap; either will do";
    }
    return "verdict for " + r.name() + ": use " + BenchCharts.label(best) + ", " + Format.fixed(ratio, 2)
        + "x faster than " + BenchCharts.label(next) + figures;
  }

  /** Whether the two rows' min–max ranges over the repeats overlap, so that the order of their medians is noise. */
  static boolean overlap(DeviceRow a, DeviceRow b) {
    double aMin = a.msPerEpochMin() != null ? a.msPerEpochMin() : a.msPerEpochMedian();
    double aMax = a.msPerEpochMax() != null ? a.msPerEpochMax() : a.msPerEpochMedian();
    double bMin = b.msPerEpochMin() != null ? b.msPerEpochMin() : b.msPerEpochMedian();
    double bMax = b.msPerEpochMax() != null ? b.msPerEpochMax() : b.msPerEpochMedian();
    return aMin <= bMax && bMin <= aMax;
  }

  /**
   * The CSV: a header, then a row per workload and device.
   *
   * @param parameter the sweep's parameter, or null
   * @param steps     the sweep's size per workload, or null
   */
  static List<String[]> csvRows(List<WorkloadResult> results, String parameter, List<Integer> steps) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"workload", "description", "sweep", "size", "device", "name", "type", "platform",
        "driver_version", "opencl_version", "compute_units", "status", "error", "flops_per_epoch", "warmup_epochs",
        "epochs", "repeat", "ms_per_epoch_median", "ms_per_epoch_min", "ms_per_epoch_max", "epochs_per_second",
        "gflops", "bytes_to_device_per_epoch", "bytes_from_device_per_epoch", "speedup", "max_weight_difference",
        "kernel_ms_per_epoch", "host_overhead_ms_per_epoch"});
    for (int i = 0; i < results.size(); i++) {
      WorkloadResult r = results.get(i);
      for (DeviceRow d : r.devices()) {
        rows.add(new String[] {r.name(), r.description(), parameter == null ? "" : parameter,
            steps == null ? "" : String.valueOf(steps.get(i)), d.id(), d.name(), d.type(), d.platform(),
            d.driverVersion(), d.openclVersion(), String.valueOf(d.computeUnits()), d.status(), d.error(),
            String.valueOf(r.flopsPerEpoch()), String.valueOf(r.warmupEpochs()), String.valueOf(r.epochs()),
            String.valueOf(r.repeat()), num(d.msPerEpochMedian()), num(d.msPerEpochMin()), num(d.msPerEpochMax()),
            num(d.epochsPerSecond()), num(d.gflops()), num(d.bytesToDevicePerEpoch()), num(d.bytesFromDevicePerEpoch()),
            num(d.speedup()), num(d.maxWeightDifference()), num(d.kernelMsPerEpoch()), num(d.hostOverheadMsPerEpoch())});
      }
    }
    return rows;
  }
}
