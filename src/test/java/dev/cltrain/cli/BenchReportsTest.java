package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cltrain.bench.DeviceRow;
import dev.cltrain.bench.Sweep;
import dev.cltrain.bench.WorkloadResult;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bench's tables, verdicts, sweep lines and CSV rows, for fixed results, are byte for byte what they were
 * before BenchCommand was split by mode: {@code bench/reports-ae93654.txt} was printed by BenchCommand at
 * ae93654 (its private printWorkload, verdict, printSweep and csvRows, called by reflection on these results).
 */
class BenchReportsTest {
  private static DeviceRow row(String id, String name, double ms, double min, double max, double speedup, boolean ok,
      boolean kernels) {
    if (!ok) {
      return new DeviceRow(id, name, "GPU", "p", "v", "d", "3.0", 4, 1L << 30, DeviceRow.FAILED,
          "CL_OUT_OF_RESOURCES, at x", null, null, null, null, null, null, null, null, null, List.of(), null, null);
    }
    List<DeviceRow.KernelShare> k = kernels ? List.of(new DeviceRow.KernelShare("matmul", 12, ms * 0.5, 0.5),
        new DeviceRow.KernelShare("sgd_update", 6, ms * 0.125, 0.125)) : List.of();
    return new DeviceRow(id, name, id.equals("reference") ? "CPU" : "GPU", "plat, form", "v", "drv", "3.0", 8, 1L << 30,
        DeviceRow.OK, null, ms, min, max, 1000 / ms, 123.456 / ms, 1234567.0, 89.0, speedup, 3.1e-7, k,
        kernels ? ms * 0.625 : null, kernels ? ms * 0.375 : null);
  }

  /** A result with the reference, an OpenCL device (profiled) and a failed device; ms = {hidden width, ref, device}. */
  private static WorkloadResult result(String name, double... ms) {
    return new WorkloadResult(name, "9,11,3 relu, xent, sgd η 0.1, batch 20, 50 rows", new int[] {9, (int) ms[0], 3},
        50, 20, 3, 1234567L, 1, 3, 2, List.of(row("reference", "Java reference", ms[1], ms[1] * 0.9, ms[1] * 1.1, 1, true, false),
            row("cl:0:0", "pthread-skylake-avx512-AMD EPYC 7B13 64-Core Processor", ms[2], ms[2] * 0.95, ms[2] * 1.3,
                ms[1] / ms[2], true, true),
            row("cl:0:1", "gpu", 1, 1, 1, 1, false, false)));
  }

  private static void csv(List<String[]> rows, PrintWriter out) {
    for (String[] r : rows) {
      out.println(String.join("|", Arrays.stream(r).map(String::valueOf).toList()));
    }
  }

  @Test
  void tablesVerdictsSweepLinesAndCsvRowsAreByteForByteTheUnsplitCommands() throws Exception {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text, true);
    List<WorkloadResult> results = List.of(result("random:50x9x3", 11, 0.0312, 4.51), result("xor", 12, 1234.5, 12.25));
    List<WorkloadResult> sweep = List.of(result("a", 4, 5, 10), result("a", 8, 20, 10), result("a", 16, 40, 10),
        result("a", 32, 40, 50));
    List<Integer> steps = List.of(4, 8, 16, 32);
    for (WorkloadResult r : results) {
      WorkloadReport.print(out, r);
    }
    SweepReport.report(out, new BenchFiles(null, null, null, out), new Sweep(Sweep.WIDTH, steps), 2, sweep);
    csv(WorkloadReport.csvRows(sweep, Sweep.WIDTH, steps), out);
    csv(WorkloadReport.csvRows(results, null, null), out);
    String expected;
    try (InputStream in = BenchReportsTest.class.getResourceAsStream("/bench/reports-ae93654.txt")) {
      expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(expected, text.toString());
  }
}
