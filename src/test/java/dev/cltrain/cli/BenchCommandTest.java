package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.OpenClKernelFiles;
import dev.cltrain.testing.OpenClDevices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
  /** Every figure issue #4 names, per device row of the JSON. */
  static final List<String> DEVICE_FIELDS = List.of("id", "name", "type", "platform", "driverVersion",
      "computeUnits", "status", "msPerEpochMedian", "msPerEpochMin", "msPerEpochMax", "epochsPerSecond", "gflops",
      "bytesToDevicePerEpoch", "bytesFromDevicePerEpoch", "speedup", "maxWeightDifference", "kernels",
      "kernelMsPerEpoch", "hostOverheadMsPerEpoch");

  @TempDir
  Path dir;

  @Test
  void jsonCsvAndPlotHoldEveryFigureForEveryDevice() throws Exception {
    List<ClDevice> devices = OpenClDevices.all();
    Path json = dir.resolve("bench.json");
    Path csv = dir.resolve("bench.csv");
    Path png = dir.resolve("bench.png");
    Cli run = Cli.run("bench", "--data", "random:50x9x3", "--layers", "9,11,3", "--batch-size", "20", "--epochs", "3",
        "--repeat", "2", "--json", json.toString(), "--csv", csv.toString(), "--plot", png.toString());
    assertEquals(0, run.exit(), run.toString());
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    for (String fact : List.of("cltrain", "java", "os", "cpuThreads", "date")) {
      assertTrue(root.hasNonNull(fact), "machine fact " + fact + " in " + root);
    }
    JsonNode workload = root.get("workloads").get(0);
    assertEquals("random:50x9x3", workload.get("name").asText());
    assertEquals(2 * (50L * 9 * 11 * 2 + 50L * 11 * 3 * 3), workload.get("flopsPerEpoch").asLong(), "hand count");
    assertEquals(3, workload.get("batchesPerEpoch").asInt());
    JsonNode rows = workload.get("devices");
    assertEquals(1 + devices.size(), rows.size());
    for (JsonNode row : rows) {
      for (String field : DEVICE_FIELDS) {
        assertTrue(row.has(field), "field " + field + " in " + row);
      }
      assertEquals("ok", row.get("status").asText(), row.toString());
      boolean opencl = !row.get("id").asText().equals("reference");
      assertEquals(opencl, row.get("kernels").size() > 0, "per-kernel breakdown on OpenCL only: " + row);
      assertEquals(opencl, row.hasNonNull("hostOverheadMsPerEpoch"), row.toString());
      assertTrue(row.get("maxWeightDifference").asDouble() <= dev.cltrain.device.Verification.TOLERANCE, row.toString());
    }
    for (ClDevice d : devices) {
      assertTrue(rows.toString().contains(d.driverVersion()), "driver version of " + d.ref());
    }
    List<String> lines = Files.readAllLines(csv);
    assertEquals(1 + rows.size(), lines.size(), "a header and one row per device");
    assertTrue(lines.get(0).contains("ms_per_epoch_median") && lines.get(0).contains("max_weight_difference"));
    assertPng(png);
    assertTrue(run.out().contains("ms/epoch") && run.out().contains("speedup"), run.out());
    for (ClDevice d : devices) {
      assertTrue(run.out().contains(d.ref() + " per kernel"), "breakdown for " + d.ref() + ": " + run.out());
      assertTrue(run.out().contains("(host overhead)"), run.out());
    }
  }

  @Test
  void aDeviceWhoseKernelsDoNotBuildIsAFailedRowAndTheReferenceStillCompletes() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    OpenClKernelFiles.copyTo(dir);
    Files.writeString(dir.resolve("update.cl"), "__kernel void sgd_update(const int count) { not C at all }\n");
    Path json = dir.resolve("bench.json");
    Cli run = Cli.run("bench", "--device", cpu.ref(), "--kernels", dir.toString(), "--epochs", "3", "--repeat", "1",
        "--json", json.toString());
    assertEquals(0, run.exit(), "a failed device does not fail the bench: " + run);
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("workloads").get(0).get("devices");
    assertEquals("ok", rows.get(0).get("status").asText(), rows.toString());
    assertTrue(rows.get(0).get("msPerEpochMedian").asDouble() > 0);
    JsonNode failed = rows.get(1);
    assertEquals("failed", failed.get("status").asText(), failed.toString());
    assertTrue(failed.get("error").asText().contains("CL_BUILD_PROGRAM_FAILURE"), failed.toString());
    assertTrue(failed.get("msPerEpochMedian").isNull(), failed.toString());
    assertTrue(run.out().contains("FAILED: ") && run.out().contains("CL_BUILD_PROGRAM_FAILURE"), run.toString());
  }

  @Test
  void aFastButWrongKernelStandsOutInTheWeightDifference() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    OpenClKernelFiles.copyTo(dir);
    // XOR trains in train_small (small_net.cl), larger nets in sgd_update (update.cl): break the step in both
    Path update = dir.resolve("update.cl");
    String source = Files.readString(update);
    String wrong = source.replace("w[i] = w[i] - learning_rate * g;", "w[i] = w[i] - 1.01f * learning_rate * g;");
    assertFalse(wrong.equals(source), "the sgd_update line to break was found");
    Files.writeString(update, wrong);
    Path small = dir.resolve("small_net.cl");
    String smallSource = Files.readString(small);
    String smallWrong = smallSource.replace("p[0] = p[0] - learning_rate * g;", "p[0] = p[0] - 1.01f * learning_rate * g;");
    assertFalse(smallWrong.equals(smallSource), "train_small's sgd line to break was found");
    Files.writeString(small, smallWrong);
    Path json = dir.resolve("bench.json");
    Cli run = Cli.run("bench", "--data", "xor", "--device", cpu.ref(), "--kernels", dir.toString(), "--epochs", "500",
        "--repeat", "1", "--json", json.toString());
    assertEquals(0, run.exit(), run.toString());
    JsonNode row = new ObjectMapper().readTree(json.toFile()).get("workloads").get(0).get("devices").get(1);
    assertTrue(row.get("maxWeightDifference").asDouble() > dev.cltrain.device.Verification.TOLERANCE, "1 % too large a step shows: " + row);
  }

  @Test
  void aWidthSweepWritesItsFilesAndSaysWhereEachDeviceStands() throws Exception {
    List<ClDevice> devices = OpenClDevices.all();
    Path json = dir.resolve("sweep.json");
    Path csv = dir.resolve("sweep.csv");
    Path png = dir.resolve("sweep.png");
    Cli run = Cli.run("bench", "--sweep", "width=2:10", "--data", "random:40x6x3", "--activation", "relu",
        "--epochs", "2", "--repeat", "1", "--json", json.toString(), "--csv", csv.toString(), "--plot", png.toString());
    assertEquals(0, run.exit(), run.toString());
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertEquals("width", root.get("parameter").asText());
    assertEquals("[2,4,8,10]", root.get("sizes").toString());
    JsonNode workloads = root.get("workloads");
    assertEquals(4, workloads.size());
    assertEquals("[6,8,8,3]", workloads.get(2).get("widths").toString(), "every hidden layer takes the size");
    assertEquals(1 + 4 * (1 + devices.size()), Files.readAllLines(csv).size());
    assertPng(png);
    for (ClDevice d : devices) {
      assertTrue(run.out().lines().anyMatch(l -> l.startsWith(d.ref() + " ") && l.contains("reference")),
          "a crossover line for " + d.ref() + ": " + run.out());
    }
  }

  @Test
  void aBatchSweepUsesEachBatchSize() throws Exception {
    Path json = dir.resolve("sweep.json");
    Cli run = Cli.run("bench", "--sweep", "batch=8:32", "--data", "random:40x6x3", "--layers", "6,5,3",
        "--epochs", "1", "--repeat", "1", "--device", "reference", "--json", json.toString());
    assertEquals(0, run.exit(), run.toString());
    JsonNode workloads = new ObjectMapper().readTree(json.toFile()).get("workloads");
    assertEquals(3, workloads.size());
    assertEquals(32, workloads.get(2).get("batchSize").asInt());
    assertEquals(2, workloads.get(2).get("batchesPerEpoch").asInt(), "40 rows in batches of 32");
  }

  @Test
  void gemmChecksEveryDevicesProductAtAwkwardShapes() throws Exception {
    List<ClDevice> devices = OpenClDevices.all();
    Path json = dir.resolve("gemm.json");
    Path png = dir.resolve("gemm.png");
    Cli run = Cli.run("bench", "--gemm", "--shapes", "1x1x1,17x13x7,31x5x67:tn,3x37x19:nt", "--repeat", "2",
        "--peak", "100", "--no-numpy", "--json", json.toString(), "--plot", png.toString());
    assertEquals(0, run.exit(), run.toString());
    JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("gemm");
    assertEquals(4 * (1 + 2 * devices.size()), rows.size(), "reference, then ours and CLBlast's on each device");
    for (JsonNode row : rows) {
      assertEquals("ok", row.get("status").asText(), row.toString());
      assertTrue(row.get("gflops").asDouble() > 0, row.toString());
      if (row.get("impl").asText().equals("clblast")) {
        // CLBlast sums in its own order with fused multiply-adds: a few float32 ulps of the largest element
        assertTrue(row.get("maxRelativeDifference").asDouble() <= 1e-5, row.toString());
      } else {
        // ours sums in the reference's order without fused multiply-adds: the same bits
        assertEquals(0.0, row.get("maxRelativeDifference").asDouble(), 0.0, row.toString());
      }
      assertEquals(row.get("impl").asText().equals("cltrain"), row.hasNonNull("vsClblast"), row.toString());
    }
    assertPng(png);
    Path plain = dir.resolve("plain.json");
    Cli without = Cli.run("bench", "--gemm", "--shapes", "5x6x7", "--repeat", "1", "--no-clblast", "--no-numpy", "--json",
        plain.toString());
    assertEquals(0, without.exit(), without.toString());
    for (JsonNode row : new ObjectMapper().readTree(plain.toFile()).get("gemm")) {
      assertFalse(row.get("impl").asText().equals("clblast"), row.toString());
    }
  }

  @Test
  void gemmWithoutAPeakPrintsItsTable() {
    Cli run = Cli.run("bench", "--gemm", "--sizes", "3:12", "--repeat", "1", "--device", "reference", "--no-numpy");
    assertEquals(0, run.exit(), run.toString());
    for (String shape : List.of("3x3x3", "6x6x6", "12x12x12")) {
      assertTrue(run.out().lines().anyMatch(l -> l.startsWith(shape + " ") && l.contains("reference")), shape + ": " + run.out());
    }
  }

  @Test
  void badOptionsExitTwoWithOneLine() {
    for (String[] args : List.of(
        new String[] {"bench", "--device", "cl:9:9"},
        new String[] {"bench", "--device", "banana"},
        new String[] {"bench", "--sweep", "width=64:32"},
        new String[] {"bench", "--sweep", "depth=1:4"},
        new String[] {"bench", "--sweep", "width=4:8", "--data", "xor", "--layers", "2,1"},
        new String[] {"bench", "--gemm", "--sizes", "0:8"},
        new String[] {"bench", "--gemm", "--shapes", "4x4"},
        new String[] {"bench", "--gemm", "--data", "xor"},
        new String[] {"bench", "--gemm", "--peak", "fast"},
        new String[] {"bench", "--gemm", "--peak", "-3"},
        new String[] {"bench", "--repeat", "0"},
        new String[] {"bench", "--json", "/nonexistent/folder/b.json"})) {
      Cli run = Cli.run(args);
      assertEquals(ExitCodes.BAD_INPUT, run.exit(), String.join(" ", args) + ": " + run);
      assertEquals(1, run.err().lines().count(),
          String.join(" ", args) + " prints one line: " + run.err());
      assertFalse(run.err().contains("\tat "), run.toString());
    }
  }

  // ---- --gemm's comparison with NumPy, through a stand-in Python that prints canned figures ----

  /** A stand-in for python3: records its arguments after "-c SCRIPT", then prints what NumPy's script would. */
  private Path fakePython(String... lines) throws Exception {
    Path script = dir.resolve("fake-python");
    StringBuilder text = new StringBuilder("#!/bin/sh\nshift 2\necho \"$@\" > \"$(dirname \"$0\")/python-args\"\n");
    for (String line : lines) {
      text.append("echo '").append(line).append("'\n");
    }
    Files.writeString(script, text.toString());
    assertTrue(script.toFile().setExecutable(true));
    return script;
  }

  @Test
  void gemmAddsANumpyRowPerShapeAndEachOtherRowsRatioToIt() throws Exception {
    Path python = fakePython("{\"numpy\": \"9.8.7\", \"blas\": \"fakeblas 1.2\", \"python\": \"3.99.0\"}",
        "{\"shape\": 0, \"ms\": [1.0, 4.0]}", "{\"shape\": 1, \"ms\": [2.0, 2.0]}");
    Path json = dir.resolve("gemm.json");
    Cli run = Cli.runInChild(java.util.Map.of(dev.cltrain.bench.NumpyGemm.ENVIRONMENT, python.toString()), dir,
        "bench", "--gemm", "--shapes", "8x8x8,16x4x8:tn", "--repeat", "2", "--no-clblast", "--json", json.toString());
    assertEquals(0, run.exit(), run.toString());
    assertEquals("2 8,8,8,nn 16,4,8,tn", Files.readString(dir.resolve("python-args")).strip(),
        "the repeat and every shape go to the script");
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertEquals("9.8.7", root.get("numpy").get("version").asText(), root.toString());
    JsonNode rows = root.get("gemm");
    double[] numpyGflops = {2.0 * 8 * 8 * 8 / 2.5e-3 / 1e9, 2.0 * 16 * 4 * 8 / 2e-3 / 1e9}; // medians 2.5 and 2 ms
    int numpyRows = 0;
    int compared = 0;
    for (JsonNode row : rows) {
      int s = row.get("shape").asText().equals("8x8x8") ? 0 : 1;
      if (row.get("id").asText().equals("numpy")) {
        numpyRows++;
        assertEquals("numpy", row.get("impl").asText(), row.toString());
        assertEquals(numpyGflops[s], row.get("gflops").asDouble(), 1e-9, row.toString());
        assertTrue(row.get("maxRelativeDifference").isNull(), "other inputs: not compared " + row);
        assertTrue(row.get("vsNumpy").isNull(), row.toString());
      } else if (row.get("status").asText().equals("ok")) {
        compared++;
        assertEquals(row.get("gflops").asDouble() / numpyGflops[s], row.get("vsNumpy").asDouble(), 1e-9, row.toString());
      }
    }
    assertEquals(2, numpyRows, rows.toString());
    assertTrue(compared >= 2, "the reference's rows at least: " + rows);
    assertTrue(run.out().contains("vs NumPy") && run.out().contains("NumPy 9.8.7, fakeblas 1.2"), run.out());
    assertTrue(run.out().lines().anyMatch(l -> l.startsWith("8x8x8 ") && l.contains("numpy 9.8.7 (fakeblas)")
        && (l + " ").contains(" - ")), "the NumPy row, its difference '-': " + run.out());
    assertTrue(run.out().lines().anyMatch(l -> l.startsWith("16x4x8:tn ") && l.contains("reference") && l.endsWith("x")),
        "the reference's row ends with its ratio to NumPy: " + run.out());
  }

  @Test
  void gemmWithoutAUsablePythonSaysSoOnceAndCarriesOn() throws Exception {
    Path json = dir.resolve("gemm.json");
    Cli run = Cli.runInChild(java.util.Map.of(dev.cltrain.bench.NumpyGemm.ENVIRONMENT, dir.resolve("no-such-python").toString()),
        dir, "bench", "--gemm", "--shapes", "8x8x8", "--repeat", "1", "--device", "reference", "--json", json.toString());
    assertEquals(0, run.exit(), run.toString());
    assertEquals(1, run.err().lines().filter(l -> l.contains("NumPy")).count(), run.err());
    assertTrue(run.err().contains("bench: no NumPy row: cannot run " + dir.resolve("no-such-python")), run.err());
    assertFalse(run.out().contains("vs NumPy"), run.out());
    for (JsonNode row : new ObjectMapper().readTree(json.toFile()).get("gemm")) {
      assertFalse(row.get("id").asText().equals("numpy"), row.toString());
    }
    Path broken = fakePython("{\"numpy\": \"9.8.7\", \"blas\": \"\", \"python\": \"3.99.0\"}");
    Cli stopped = Cli.runInChild(java.util.Map.of(dev.cltrain.bench.NumpyGemm.ENVIRONMENT, broken.toString()),
        dir, "bench", "--gemm", "--shapes", "8x8x8", "--repeat", "1", "--device", "reference");
    assertEquals(0, stopped.exit(), stopped.toString());
    assertTrue(stopped.err().contains("bench: no NumPy row: " + broken + " stopped after 0 of 1 shapes"), stopped.err());
  }

  @Test
  void noNumpyLeavesThePythonUnrun() throws Exception {
    Path python = fakePython("{\"numpy\": \"9.8.7\", \"blas\": \"\", \"python\": \"3.99.0\"}",
        "{\"shape\": 0, \"ms\": [1.0]}");
    Cli run = Cli.runInChild(java.util.Map.of(dev.cltrain.bench.NumpyGemm.ENVIRONMENT, python.toString()), dir,
        "bench", "--gemm", "--shapes", "8x8x8", "--repeat", "1", "--device", "reference", "--no-numpy");
    assertEquals(0, run.exit(), run.toString());
    assertFalse(Files.exists(dir.resolve("python-args")), "the stand-in was not started");
    assertFalse(run.out().contains("numpy") || run.out().contains("NumPy"), run.out());
    assertFalse(run.err().contains("NumPy"), run.err());
  }

  @Test
  void gemmTimesTheRealNumpyWhenPresent() throws Exception {
    Process probe;
    try {
      probe = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      org.junit.jupiter.api.Assumptions.assumeTrue(false, "no python3: " + e.getMessage());
      return;
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(probe.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)
        && probe.exitValue() == 0, "python3 has no NumPy");
    Path json = dir.resolve("gemm.json");
    Cli run = Cli.run("bench", "--gemm", "--shapes", "9x7x5:tn,3x4x5:nt", "--repeat", "2", "--device", "reference",
        "--json", json.toString());
    assertEquals(0, run.exit(), run.toString());
    List<JsonNode> numpy = new java.util.ArrayList<>();
    new ObjectMapper().readTree(json.toFile()).get("gemm").forEach(r -> {
      if (r.get("id").asText().equals("numpy")) {
        numpy.add(r);
      }
    });
    assertEquals(2, numpy.size(), run.toString());
    for (JsonNode r : numpy) {
      assertTrue(r.get("gflops").asDouble() > 0 && r.get("msMin").asDouble() <= r.get("msMax").asDouble(), r.toString());
    }
  }

  // ---- --peak without a figure: each device's measured ----

  @Test
  void peakAloneMeasuresEveryDevicesFusedMultiplyAddPeak() throws Exception {
    List<ClDevice> devices = OpenClDevices.all();
    Path json = dir.resolve("gemm.json");
    Cli run = Cli.run("bench", "--gemm", "--shapes", "16x16x16", "--repeat", "1", "--peak", "--no-numpy", "--no-clblast",
        "--json", json.toString());
    assertEquals(0, run.exit(), run.toString());
    String line = run.out().lines().filter(l -> l.startsWith("peak (fused multiply-adds, measured): ")).findFirst()
        .orElseThrow(() -> new AssertionError("a peak line: " + run.out()));
    List<String> ids = new java.util.ArrayList<>(List.of("reference"));
    devices.forEach(d -> ids.add(d.ref()));
    for (String id : ids) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:: |, )" + java.util.regex.Pattern.quote(id)
          + " ([0-9.]+) GFLOP/s").matcher(line);
      assertTrue(m.find() && Double.parseDouble(m.group(1)) > 0, id + " in " + line);
    }
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    assertEquals(ids.size(), root.get("peaks").size(), root.get("peaks").toString());
    for (JsonNode p : root.get("peaks")) {
      assertTrue(p.get("gflops").asDouble() > 0, p.toString());
    }
    for (JsonNode row : root.get("gemm")) {
      assertTrue(row.get("peakShare").asDouble() > 0, "a share of its device's peak: " + row);
    }
    assertTrue(run.out().contains("of peak"), run.out());
  }

  private static void assertPng(Path png) throws Exception {
    byte[] bytes = Files.readAllBytes(png);
    assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', png + " is a PNG");
  }

  // ---- the verdicts, on made-up figures ----

  private static dev.cltrain.bench.DeviceRow row(String id, double median, double min, double max, double speedup) {
    return new dev.cltrain.bench.DeviceRow(id, id.equals("reference") ? "Java" : "pthread-cpu", "CPU", "p", "v", "d", "3.0",
        1, 1L, dev.cltrain.bench.DeviceRow.OK, null, median, min, max, 1000 / median, 1.0, 0.0, 0.0, speedup, 0.0,
        List.of(), null, null);
  }

  private static dev.cltrain.bench.WorkloadResult result(dev.cltrain.bench.DeviceRow... rows) {
    return new dev.cltrain.bench.WorkloadResult("w", "d", new int[] {2, 3, 1}, 4, 4, 1, 10, 1, 1, 3, List.of(rows));
  }

  /** Reference 10 ms at every size; the device's times given. */
  private static List<dev.cltrain.bench.WorkloadResult> sweep(double... deviceMs) {
    List<dev.cltrain.bench.WorkloadResult> results = new java.util.ArrayList<>();
    for (double ms : deviceMs) {
      results.add(result(row("reference", 10, 10, 10, 1), row("cl:0:0", ms, ms, ms, 10 / ms)));
    }
    return results;
  }

  @Test
  void theSweepVerdictNeverSaysADeviceOvertakesWhereItFallsBehind() {
    // faster at the small width, slower after: the old line said "it first overtakes it at 4"
    String line = SweepReport.crossover("width", List.of(4, 8, 16), sweep(5, 20, 40), 1);
    assertFalse(line.contains("it first overtakes it at 4"), line);
    assertEquals("cl:0:0 is faster than the reference up to width 4 and slower from 8 on: the reference overtakes it"
        + " between 4 and 8 (best 2.00x the reference's speed, at width 4)", line);
    assertEquals("cl:0:0 is slower than the reference up to width 8 and faster from 16 on: it overtakes the reference"
        + " between 8 and 16 (best 4.00x the reference's speed, at width 16)",
        SweepReport.crossover("width", List.of(4, 8, 16), sweep(20, 12.5, 2.5), 1));
    String mixed = SweepReport.crossover("width", List.of(4, 8, 16, 32), sweep(5, 20, 5, 20), 1);
    assertFalse(mixed.contains("overtakes"), mixed);
    assertTrue(mixed.contains("faster than the reference at width 4, 16 and slower at 8, 32: no single crossover"), mixed);
    assertEquals("cl:0:0 is faster than the reference at every width measured (best 2.00x the reference's speed,"
        + " at width 4)", SweepReport.crossover("width", List.of(4, 8), sweep(5, 8), 1));
  }

  @Test
  void theVerdictNamesTheDeviceToUseAndByHowMuchInOneLine() {
    String clear = WorkloadReport.verdict(result(row("reference", 30, 28, 33, 1), row("cl:0:0", 10, 9, 12, 3)));
    assertEquals("verdict for w: use cl:0:0 pthread-cpu, 3.00x faster than Java reference (10.0 against 30.0 ms per"
        + " epoch, median of 3)", clear);
    String close = WorkloadReport.verdict(result(row("reference", 10, 8, 20, 1), row("cl:0:0", 11, 9, 22, 0.91)));
    assertTrue(close.startsWith("verdict for w: no clear winner: Java reference leads cl:0:0 pthread-cpu by only 1.10x"),
        close);
    assertFalse(close.contains("\n"), close);
  }

  @Test
  void theBarsShowTheMedianWithAMinToMaxErrorBarAndTheTitleNamesTheMachineAndDate() throws Exception {
    dev.cltrain.bench.WorkloadResult r = result(row("reference", 0.0165, 0.015, 0.018, 1), row("cl:0:0", 0.301, 0.15, 0.35, 0.05));
    org.knowm.xchart.CategoryChart chart = BenchCharts.barCharts(List.of(r)).get(0);
    org.knowm.xchart.CategorySeries range = chart.getSeriesMap().get("min to max");
    assertTrue(range != null, "an error-bar series: " + chart.getSeriesMap().keySet());
    double[] mid = range.getYData().stream().mapToDouble(Number::doubleValue).toArray();
    double[] half = range.getExtraValues().stream().mapToDouble(Number::doubleValue).toArray();
    assertEquals(0.015, mid[0] - half[0], 1e-12, "the reference's bar starts at its fastest repeat");
    assertEquals(0.018, mid[0] + half[0], 1e-12, "and ends at its slowest");
    assertEquals(0.15, mid[1] - half[1], 1e-12);
    assertEquals(0.35, mid[1] + half[1], 1e-12);
    assertTrue(chart.getStyler().isLabelsVisible(), "values on the bars");
    assertEquals("0.017", new java.text.DecimalFormat(chart.getStyler().getYAxisDecimalPattern(),
        java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT)).format(0.0165), "the reference's bar label");
    List<String> ticks = CurvePlotTest.tickLabels(chart, false, BenchCharts.WIDTH, BenchCharts.HEIGHT);
    assertFalse(ticks.isEmpty());
    for (String tick : ticks) {
      assertFalse(tick.startsWith("."), "leading zero: " + ticks);
    }
    String title = BenchCharts.machineTitle("cltrain bench", java.time.LocalDate.of(2026, 11, 28));
    assertTrue(title.contains(BenchCharts.cpuModel()) && title.endsWith("2026-11-28"), title);
    Path png = dir.resolve("bars.png");
    BenchCharts.bars(png, List.of(r, r));
    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
    assertEquals(2 * BenchCharts.WIDTH, image.getWidth());
    assertEquals(BenchCharts.TITLE_HEIGHT + BenchCharts.HEIGHT, image.getHeight(), "the title line above the panels");
  }

  @Test
  void theSweepChartLabelsEverySizeMeasured() throws Exception {
    // XChart's own log axis labelled only 1 and 10 for a sweep of width 4 to 64; now every power of two
    List<Double> xs = List.of(4.0, 8.0, 16.0, 32.0, 64.0, 1024.0);
    java.util.Map<String, List<Double>> series = new java.util.LinkedHashMap<>();
    series.put("Java reference", List.of(0.7, 1.2, 7.2, 12.5, 44.5, 900.0));
    series.put("cl:0:0", List.of(0.97, 2.1, 9.7, 6.1, 4.8, 30.0));
    org.knowm.xchart.XYChart chart = BenchCharts.lineChart("t", "hidden width", "ms per epoch", xs, series, true);
    assertEquals(List.of("4", "8", "16", "32", "64", "128", "256", "512", "1,024"),
        CurvePlotTest.tickLabels(chart, true, BenchCharts.WIDTH, BenchCharts.HEIGHT));
  }
}
