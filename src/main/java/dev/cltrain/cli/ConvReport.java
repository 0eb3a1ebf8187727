package dev.cltrain.cli;

import static dev.cltrain.cli.BenchText.num;
import static dev.cltrain.cli.BenchText.sig;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.bench.ConvBench;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code cltrain bench --conv} prints and writes: a row per shape and device against the device's matmul,
 * where each pass's time goes per kernel; the JSON, CSV and the bar chart of GFLOP/s per shape.
 *
 * @param repeat     timed passes per shape
 * @param matmulSize the yardstick matmul's m = n = k
 */
record ConvReport(int repeat, int matmulSize) {
  /** Prints {@code result}, then writes the files asked for. */
  void report(PrintWriter out, BenchFiles files, ConvBench.Result result) {
    List<ConvBench.Row> rows = result.rows();
    print(out, rows);
    printShares(out, rows, true);
    printShares(out, rows, false);
    ObjectNode root = BenchFiles.facts("conv");
    root.put("matmulSize", matmulSize);
    root.put("flops", "forward 2*N*outH*outW*k*k*C*F; backward twice that (dW and dX products)");
    root.set("matmuls", BenchFiles.mapper().valueToTree(result.matmuls()));
    root.set("conv", BenchFiles.mapper().valueToTree(rows));
    files.write(root, csvRows(rows), () -> BenchCharts.convBars(files.plot(), rows, result.matmuls()));
  }

  private void print(PrintWriter out, List<ConvBench.Row> rows) {
    out.println();
    out.println("convolution layers alone (relu, as training runs them), median of " + repeat
        + " passes each waited for; FLOPs: forward 2.N.outH.outW.k.k.C.F (the patch matmul), backward twice that"
        + " (the dW and dX products; im2col, activation_delta, column_sum and conv_filter_rows count none)");
    out.println("forward = im2col + matmul_bias_activation (conv_direct for patches k.k.C <= "
        + dev.cltrain.backend.Kernels.DIRECT_PATCH + "); backward = activation_delta + conv_weight_gradient (dW)"
        + " + column_sum (db) + conv_filter_rows + conv_input_gradient (dX)");
    out.println("matmul " + matmulSize + "^3 = the device's matmul kernel in this run (as --gemm); vs mm = conv GFLOP/s"
        + " over it (target: forward >= 0.6x); max rel diff = against the reference (forward output; backward dW, db, dX)");
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"shape", "out", "device", "fwd ms", "fwd GFLOP/s", "bwd ms", "bwd GFLOP/s",
        "matmul " + matmulSize + "^3", "fwd vs mm", "bwd vs mm", "fwd max rel diff", "bwd max rel diff"});
    for (ConvBench.Row r : rows) {
      String outShape = r.outHeight() + "x" + r.outWidth() + "x" + r.filters();
      if (!r.ok()) {
        table.add(new String[] {r.shape(), outShape, r.id(), "FAILED: " + r.error(), "", "", "", "", "", "", "", ""});
        continue;
      }
      table.add(new String[] {r.shape(), outShape, r.id(), sig(r.forwardMs()), sig(r.forwardGflops()),
          sig(r.backwardMs()), sig(r.backwardGflops()), r.matmulGflops() == null ? "" : sig(r.matmulGflops()),
          BenchText.ratio(r.forwardVsMatmul()), BenchText.ratio(r.backwardVsMatmul()),
          BenchText.exp(r.maxRelativeDifference()), BenchText.exp(r.backwardMaxRelativeDifference())});
    }
    DevicesCommand.printTable(out, table);
  }

  /** Where each pass's time goes: a row per shape and device, a column per kernel, its share in percent. */
  private static void printShares(PrintWriter out, List<ConvBench.Row> rows, boolean forward) {
    List<String> kernels = forward ? ConvBench.FORWARD : ConvBench.BACKWARD;
    out.println();
    out.println((forward ? "forward" : "backward") + ": share of the pass's time per kernel (reference: "
        + ConvBench.SHARES_WALL + "; OpenCL: " + ConvBench.SHARES_EVENTS + ", a separate profiled pass)");
    List<String[]> table = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("shape", "device"));
    header.addAll(kernels);
    table.add(header.toArray(String[]::new));
    for (ConvBench.Row r : rows) {
      Map<String, Double> shares = forward ? r.forwardShares() : r.backwardShares();
      if (!r.ok() || shares == null) {
        continue;
      }
      List<String> line = new ArrayList<>(List.of(r.shape(), r.id()));
      for (String k : kernels) {
        Double share = shares.get(k);
        line.add(share == null ? "-" : Format.fixed(100 * share, 1) + " %");
      }
      table.add(line.toArray(String[]::new));
    }
    DevicesCommand.printTable(out, table);
  }

  private static List<String[]> csvRows(List<ConvBench.Row> rows) {
    List<String[]> csvRows = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("shape", "device", "name", "status", "error", "forward_flops",
        "backward_flops", "forward_ms_median", "forward_ms_min", "forward_ms_max", "forward_gflops", "backward_ms_median",
        "backward_ms_min", "backward_ms_max", "backward_gflops", "matmul_gflops", "forward_vs_matmul",
        "backward_vs_matmul", "max_relative_difference", "backward_max_relative_difference"));
    ConvBench.FORWARD.forEach(k -> header.add("forward_share_" + k));
    ConvBench.BACKWARD.forEach(k -> header.add("backward_share_" + k));
    csvRows.add(header.toArray(String[]::new));
    for (ConvBench.Row r : rows) {
      List<String> line = new ArrayList<>(List.of(r.shape(), r.id(), r.name(), r.status(), r.error() == null ? "" : r.error(),
          "" + r.forwardFlops(), "" + r.backwardFlops(), num(r.forwardMs()), num(r.forwardMsMin()), num(r.forwardMsMax()),
          num(r.forwardGflops()), num(r.backwardMs()), num(r.backwardMsMin()), num(r.backwardMsMax()),
          num(r.backwardGflops()), num(r.matmulGflops()), num(r.forwardVsMatmul()), num(r.backwardVsMatmul()),
          num(r.maxRelativeDifference()), num(r.backwardMaxRelativeDifference())));
      ConvBench.FORWARD.forEach(k -> line.add(num(r.forwardShares() == null ? null : r.forwardShares().get(k))));
      ConvBench.BACKWARD.forEach(k -> line.add(num(r.backwardShares() == null ? null : r.backwardShares().get(k))));
      csvRows.add(line.toArray(String[]::new));
    }
    return csvRows;
  }
}
