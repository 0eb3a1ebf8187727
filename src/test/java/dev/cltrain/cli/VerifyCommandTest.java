package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.OpenClKernelFiles;
import dev.cltrain.testing.CacheFolder;
import dev.cltrain.testing.OpenClDevices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {
  @TempDir
  Path dir;

  @Test
  void everyDevicePassesWithTheKernelsAsShipped() {
    List<ClDevice> devices = OpenClDevices.all();
    Cli run = Cli.run("verify");
    assertEquals(0, run.exit(), run.toString());
    int checked = dev.cltrain.train.DeviceCheckAccess.kernels().size();
    for (ClDevice d : devices) {
      assertTrue(run.out().lines().anyMatch(l -> l.startsWith(d.ref() + " ") && l.contains(checked + "/" + checked + " pass")
          && l.endsWith("PASS")), d.ref() + ": " + run.out());
    }
  }

  @Test
  void aSubtlyWrongKernelFailsWithExitOneAndIsNamed() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    OpenClKernelFiles.copyWithChange(dir, "update.cl", "w[i] = w[i] - learning_rate * g;",
        "w[i] = w[i] - 1.0001f * learning_rate * g;");
    Cli run = Cli.run("verify", "--device", cpu.ref(), "--kernels", dir.toString());
    assertEquals(ExitCodes.CHECK_FAILED, run.exit(), run.toString());
    assertTrue(run.out().contains("sgd_update differs from the reference"), run.toString());
    assertTrue(run.out().lines().anyMatch(l -> l.startsWith(cpu.ref()) && l.endsWith("FAIL")), run.toString());
  }

  /** Sabotages found to pass the old verify (issue 11, item 13): each must now fail, naming its kernel. */
  @Test
  void aGatherThatSkipsColumn400AndAnAdamWithEpsilonDoubledFailNamingTheKernel() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    assertSabotageFails(cpu, "batch.cl", "if (r < rows && c < cols) {", "if (r < rows && c < cols && c != 400) {",
        "gather_rows");
    assertSabotageFails(cpu, "update.cl", "(sqrt(v1 / correction2) + epsilon)",
        "(sqrt(v1 / correction2) + 2.0f * epsilon)", "adam_update");
  }

  /**
   * Issue 23 item 5: verify ran only the plan of small products and widths up to 784, so a matmul wrong only on
   * the large products' plan, and a gather_rows wrong past 1,000 columns, passed 29/29. The plans are planted in
   * a cache of the test's own (the large one stages KC = 512 values, the other 128); the sabotage scales only what
   * the KC = 512 build stores.
   */
  @Test
  void aMatmulWrongOnlyOnTheLargePlanAndAGatherWrongPast1000ColumnsFailNamingTheKernel() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    assertSabotageFails(cpu, "batch.cl", "if (r < rows && c < cols) {", "if (r < rows && c < cols && c < 1000) {",
        "gather_rows");
    Path cache = Files.createTempDirectory(dir, "cache");
    try (CacheFolder use = CacheFolder.use(cache)) {
      plantPlans(cache, cpu);
      assertSabotageFails(cpu, "matmul.cl", LARGE_PLAN_LINE, LARGE_PLAN_SABOTAGE, "matmul");
    }
  }

  /** A line of matmul.cl's blocked kernel, and the same line wrong only in a build with KC = 512. */
  static final String LARGE_PLAN_LINE = "store_lanes(c, at, cols - v * VN, alpha * acc[r][v]);";
  static final String LARGE_PLAN_SABOTAGE = "store_lanes(c, at, cols - v * VN, alpha * acc[r][v] * (KC == 512 ? 1.001f : 1.0f));";

  /**
   * Caches for {@code cpu}'s products the tuner's first candidate (what the suite's tunings keep with their budget
   * of 0 s, so the other files' builds are warm), blocked:6x16x4/192x512 for its large products (the only plan
   * with KC = 512) and the default convolution plan: a run with this cache tunes nothing.
   */
  static void plantPlans(Path cache, ClDevice cpu) throws java.io.IOException {
    String key = dev.cltrain.opencl.MatmulTuner.key(cpu);
    String first = dev.cltrain.opencl.MatmulTuner.candidates(cpu).get(0).spec();
    Files.writeString(cache.resolve("matmul-plans.json"), "{\"" + key + "\": \"" + first + "\", \"" + key
        + " | large\": \"blocked:6x16x4/192x512\", " + dev.cltrain.opencl.PlantedPlans.convEntry(cpu) + "}\n");
  }

  private void assertSabotageFails(ClDevice cpu, String file, String from, String to, String kernel) throws Exception {
    Path copy = Files.createTempDirectory(dir, kernel);
    OpenClKernelFiles.copyWithChange(copy, file, from, to);
    Cli run = Cli.run("verify", "--device", cpu.ref(), "--kernels", copy.toString());
    assertEquals(ExitCodes.CHECK_FAILED, run.exit(), kernel + " sabotaged: " + run);
    assertTrue(run.out().contains(cpu.ref() + ": " + kernel + " differs from the reference"), run.toString());
    assertTrue(run.out().lines().anyMatch(l -> l.startsWith(cpu.ref()) && l.endsWith("FAIL")), run.toString());
  }

  @Test
  void eachDeviceIsJudgedByBitsWhenItRoundsCorrectlyAndSaysSo() {
    Cli run = Cli.run("verify");
    assertEquals(0, run.exit(), run.toString());
    for (ClDevice d : OpenClDevices.all()) {
      String judgement = d.roundsAsTheReference() ? " bits " : " tolerance ";
      assertTrue(run.out().lines().anyMatch(l -> l.startsWith(d.ref() + " ") && l.contains(judgement)),
          d.ref() + " judged by" + judgement + ": " + run.out());
      if (d.roundsAsTheReference()) {
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith(d.ref() + " ") && l.contains(" 0.0e+00 ")),
            "the lockstep weights are identical: " + run.out());
      }
    }
  }

  @Test
  void aKernelThatDoesNotBuildFailsNamingTheOpenClError() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    OpenClKernelFiles.copyTo(dir);
    Files.writeString(dir.resolve("loss.cl"), "__kernel void mse_loss(const int count) { not C }\n");
    Cli run = Cli.run("verify", "--device", cpu.ref(), "--kernels", dir.toString());
    assertEquals(ExitCodes.CHECK_FAILED, run.exit(), run.toString());
    assertTrue(run.out().contains("FAIL: ") && run.out().contains("CL_BUILD_PROGRAM_FAILURE"), run.toString());
  }

  @Test
  void anUnknownDeviceIsBadInput() {
    Cli run = Cli.run("verify", "--device", "cl:9:9");
    assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
    assertEquals(1, run.err().lines().count(), run.toString());
  }
}
