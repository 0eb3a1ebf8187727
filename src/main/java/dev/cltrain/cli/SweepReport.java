package dev.cltrain.cli;

import static dev.cltrain.cli.BenchText.sig;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.bench.DeviceRow;
import dev.cltrain.bench.Sweep;
import dev.cltrain.bench.Workload;
import dev.cltrain.bench.WorkloadResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code cltrain bench --sweep} prints and writes: ms per epoch per size and device, a line per device on
 * where it stands against the reference; the JSON, CSV and the chart of ms per epoch against size.
 */
final class SweepReport {
  private SweepReport() {}

  /** Prints the sweep's table and lines, then writes the files asked for. */
  static void report(PrintWriter out, BenchFiles files, Sweep sweep, int repeat, List<WorkloadResult> results) {
    String parameter = sweep.parameter();
    List<Integer> steps = sweep.steps();
    print(out, parameter, steps, repeat, results);
    ObjectNode root = BenchFiles.facts("sweep");
    root.put("parameter", parameter);
    root.set("sizes", BenchFiles.mapper().valueToTree(steps));
    root.set("workloads", BenchFiles.mapper().valueToTree(results));
    files.write(root, WorkloadReport.csvRows(results, parameter, steps), () -> {
      List<Double> xs = steps.stream().map(Integer::doubleValue).toList();
      Map<String, List<Double>> series = new LinkedHashMap<>();
      for (WorkloadResult r : results) {
        for (DeviceRow d : r.devices()) {
          series.computeIfAbsent(BenchCharts.label(d), k -> new ArrayList<>()).add(d.ok() ? d.msPerEpochMedian() : null);
        }
      }
      BenchCharts.lines(files.plot(), "ms per epoch against " + parameter + " (" + results.get(0).name() + ")",
          parameter.equals(Sweep.WIDTH) ? "hidden width" : "batch size", "ms per epoch (median)", xs, series, true);
    });
  }

  private static void print(PrintWriter out, String parameter, List<Integer> steps, int repeat,
      List<WorkloadResult> results) {
    out.println();
    out.println("sweep of " + parameter + ": " + results.get(0).description().replaceAll("^[0-9,]+ ", "") + "; ms per epoch (median of "
        + repeat + ")");
    List<DeviceRow> first = results.get(0).devices();
    List<String[]> rows = new ArrayList<>();
    String[] header = new String[first.size() + 2];
    header[0] = parameter;
    header[1] = "layers";
    for (int d = 0; d < first.size(); d++) {
      header[d + 2] = first.get(d).id();
    }
    rows.add(header);
    for (int i = 0; i < steps.size(); i++) {
      WorkloadResult r = results.get(i);
      String[] row = new String[header.length];
      row[0] = String.valueOf(steps.get(i));
      row[1] = Workload.joined(r.widths());
      for (int d = 0; d < r.devices().size(); d++) {
        DeviceRow dr = r.devices().get(d);
        row[d + 2] = dr.ok() ? sig(dr.msPerEpochMedian()) + " ms" : "FAILED";
      }
      rows.add(row);
    }
    DevicesCommand.printTable(out, rows);
    for (int d = 1; d < first.size(); d++) {
      out.println(crossover(parameter, steps, results, d));
    }
  }

  /**
   * Where device {@code d} stands against the reference over the sweep, in one line that cannot contradict
   * itself: faster (or slower) everywhere; slower up to one size and faster from the next on (a crossover);
   * faster up to one size and slower after it (no overtaking: the reference overtakes it); or, when faster and
   * slower sizes interleave, the sizes of each and no crossover claimed. Always the best speedup and its size.
   */
  static String crossover(String parameter, List<Integer> steps, List<WorkloadResult> results, int d) {
    String id = results.get(0).devices().get(d).id();
    List<Integer> sizes = new ArrayList<>();
    List<Boolean> isFaster = new ArrayList<>();
    double best = 0;
    int bestAt = -1;
    for (int i = 0; i < steps.size(); i++) {
      DeviceRow row = results.get(i).devices().get(d);
      if (!row.ok()) {
        continue;
      }
      sizes.add(steps.get(i));
      isFaster.add(row.speedup() > 1);
      if (row.speedup() > best) {
        best = row.speedup();
        bestAt = steps.get(i);
      }
    }
    if (bestAt < 0) {
      return id + " failed at every " + parameter + " against the reference";
    }
    String bestText = " (best " + Format.fixed(best, 2) + "x the reference's speed, at " + parameter + " " + bestAt + ")";
    int changes = 0;
    int changeAt = -1;
    for (int i = 1; i < sizes.size(); i++) {
      if (!isFaster.get(i).equals(isFaster.get(i - 1))) {
        changes++;
        changeAt = i;
      }
    }
    if (changes == 0) {
      return id + " is " + (isFaster.get(0) ? "faster" : "slower") + " than the reference at every " + parameter
          + " measured" + bestText;
    }
    if (changes == 1) {
      int before = sizes.get(changeAt - 1);
      int after = sizes.get(changeAt);
      if (isFaster.get(changeAt)) {
        return id + " is slower than the reference up to " + parameter + " " + before + " and faster from " + after
            + " on: it overtakes the reference between " + before + " and " + after + bestText;
      }
      return id + " is faster than the reference up to " + parameter + " " + before + " and slower from " + after
          + " on: the reference overtakes it between " + before + " and " + after + bestText;
    }
    List<Integer> faster = new ArrayList<>();
    List<Integer> slower = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      (isFaster.get(i) ? faster : slower).add(sizes.get(i));
    }
    return id + " is faster than the reference at " + parameter + " " + joinedInts(faster) + " and slower at "
        + joinedInts(slower) + ": no single crossover (the timings are close or noisy; try more --repeat)" + bestText;
  }

  private static String joinedInts(List<Integer> values) {
    return values.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }
}
