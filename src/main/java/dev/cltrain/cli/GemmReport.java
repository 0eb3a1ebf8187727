package dev.cltrain.cli;

import static dev.cltrain.cli.BenchText.num;
import static dev.cltrain.cli.BenchText.sig;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.Devices;
import dev.cltrain.bench.GemmBench;
import dev.cltrain.bench.GemmShape;
import dev.cltrain.bench.NumpyGemm;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code cltrain bench --gemm} prints and writes: the measured peaks, a row per shape, device and
 * implementation; the JSON, CSV and the chart of GFLOP/s against size.
 *
 * @param repeat      timed calls per shape
 * @param peakGiven   {@code --peak GFLOPS}, or null
 * @param measurePeak whether each device's peak was measured
 * @param clblast     whether CLBlast's rows were asked for
 */
record GemmReport(int repeat, Double peakGiven, boolean measurePeak, boolean clblast) {
  /** Prints {@code result}, then writes the files asked for. */
  void report(PrintWriter out, BenchFiles files, List<GemmShape> shapes, GemmBench.Result result) {
    List<GemmBench.Row> rows = result.rows();
    NumpyGemm.Result numpy = result.numpy();
    print(out, result);
    ObjectNode root = BenchFiles.facts("gemm");
    if (peakGiven != null) {
      root.put("peakGflops", peakGiven);
    }
    if (measurePeak) {
      root.set("peaks", BenchFiles.mapper().valueToTree(result.peaks()));
    }
    if (numpy != null) {
      ObjectNode n = root.putObject("numpy");
      n.put("version", numpy.version());
      n.put("blas", numpy.blas());
      n.put("python", numpy.python());
    }
    root.set("gemm", BenchFiles.mapper().valueToTree(rows));
    files.write(root, csvRows(rows), () -> plot(files, shapes, result));
  }

  private void print(PrintWriter out, GemmBench.Result result) {
    List<GemmBench.Row> rows = result.rows();
    NumpyGemm.Result numpy = result.numpy();
    out.println();
    if (!result.peaks().isEmpty()) {
      printPeaks(out, result.peaks(), rows.stream().anyMatch(r -> r.id().equals(NumpyGemm.ID) && r.peakShare() != null));
    }
    out.println("matmul alone: c = a.b, median of " + repeat + " calls each waited for; max rel diff against the reference's product"
        + (!clblast ? "" : "; vs CLBlast = our GFLOP/s over CLBlast's SGEMM on the same device, buffers and shape")
        + (numpy == null ? "" : "; vs NumPy = GFLOP/s over " + numpy.describe() + ", a @ b in float32 at the same shape"));
    boolean anyPeak = peakGiven != null || measurePeak;
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"shape", "device", "impl", "ms", "min", "max", "GFLOP/s", anyPeak ? "of peak" : "",
        "max rel diff", !clblast ? "" : "vs CLBlast", numpy == null ? "" : "vs NumPy"});
    for (GemmBench.Row r : rows) {
      String impl = r.impl().equals(GemmBench.NUMPY) && numpy != null ? numpy.label() : r.impl();
      if (!"ok".equals(r.status())) {
        table.add(new String[] {r.shape(), r.id(), impl, "FAILED: " + r.error(), "", "", "", "", "", "", ""});
        continue;
      }
      table.add(new String[] {r.shape(), r.id(), impl, sig(r.msMedian()), sig(r.msMin()), sig(r.msMax()),
          sig(r.gflops()), r.peakShare() == null ? "" : Format.fixed(100 * r.peakShare(), 1) + " %",
          r.maxRelativeDifference() == null ? "-" : BenchText.exp(r.maxRelativeDifference()),
          BenchText.ratio(r.vsClblast()), BenchText.ratio(r.vsNumpy())});
    }
    DevicesCommand.printTable(out, table);
  }

  /**
   * The measured peaks: one line naming every device's figure, then how each was measured. NumPy's rows are
   * stated as a share of the reference's, since both run on the host CPU (unless the reference's is scalar).
   */
  private static void printPeaks(PrintWriter out, List<GemmBench.Peak> peaks, boolean numpyShares) {
    out.println("peak (fused multiply-adds, measured): " + peaks.stream()
        .map(p -> p.id() + " " + (p.gflops() == null ? "unknown" : sig(p.gflops()) + " GFLOP/s"))
        .collect(Collectors.joining(", ")));
    for (GemmBench.Peak p : peaks) {
      out.println("  " + p.id() + ": " + p.method()
          + (numpyShares && p.id().equals(Devices.reference().id()) ? " (NumPy's rows too: the same CPU)" : ""));
    }
  }

  private static List<String[]> csvRows(List<GemmBench.Row> rows) {
    List<String[]> csvRows = new ArrayList<>();
    csvRows.add(new String[] {"shape", "variant", "m", "n", "k", "device", "name", "impl", "status", "error",
        "ms_median", "ms_min", "ms_max", "gflops", "peak_share", "max_relative_difference", "vs_clblast", "vs_numpy"});
    for (GemmBench.Row r : rows) {
      csvRows.add(new String[] {r.shape(), r.variant(), "" + r.m(), "" + r.n(), "" + r.k(), r.id(), r.name(), r.impl(),
          r.status(), r.error(), num(r.msMedian()), num(r.msMin()), num(r.msMax()), num(r.gflops()), num(r.peakShare()),
          num(r.maxRelativeDifference()), num(r.vsClblast()), num(r.vsNumpy())});
    }
    return csvRows;
  }

  /** GFLOP/s against size, a line per device and implementation, and a flat line per peak. */
  private void plot(BenchFiles files, List<GemmShape> shapes, GemmBench.Result result) {
    NumpyGemm.Result numpy = result.numpy();
    List<String> labels = shapes.stream().map(GemmShape::label).toList();
    List<Double> xs = shapes.stream().map(s -> Math.cbrt((double) s.m() * s.n() * s.k())).toList();
    Map<String, List<Double>> series = new LinkedHashMap<>();
    for (GemmBench.Row r : result.rows()) {
      String label = r.id().equals(Devices.reference().id()) ? "Java reference"
          : r.id().equals(NumpyGemm.ID) && numpy != null ? "NumPy " + numpy.version()
          : r.id() + " " + r.impl() + " " + BenchCharts.shortName(r.name());
      series.computeIfAbsent(label, k -> new ArrayList<>()).add(r.gflops());
    }
    if (peakGiven != null) {
      series.put("peak " + Format.fixed(peakGiven, 0) + " GFLOP/s", xs.stream().map(x -> peakGiven).toList());
    }
    for (GemmBench.Peak p : result.peaks()) {
      if (p.gflops() != null) {
        series.put("peak " + p.id() + " " + Format.fixed(p.gflops(), 0) + " GFLOP/s (measured)",
            xs.stream().map(x -> p.gflops()).toList());
      }
    }
    BenchCharts.lines(files.plot(), "matmul GFLOP/s against size (" + String.join(", ", labels.size() > 4
        ? List.of(labels.get(0), "...", labels.get(labels.size() - 1)) : labels) + ")",
        "size (cube root of m.n.k)", "GFLOP/s", xs, series, false);
  }
}
