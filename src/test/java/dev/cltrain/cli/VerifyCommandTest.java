package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.OpenClKernelFiles;
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
    int checked = dev.cltrain.device.DeviceCheckAccess.kernels().size();
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
    assertEquals(Main.EXIT_CHECK_FAILED, run.exit(), run.toString());
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

  private void assertSabotageFails(ClDevice cpu, String file, String from, String to, String kernel) throws Exception {
    Path copy = Files.createTempDirectory(dir, kernel);
    OpenClKernelFiles.copyWithChange(copy, file, from, to);
    Cli run = Cli.run("verify", "--device", cpu.ref(), "--kernels", copy.toString());
    assertEquals(Main.EXIT_CHECK_FAILED, run.exit(), kernel + " sabotaged: " + run);
    assertTrue(run.out().contains(cpu.ref() + ": " + kernel + " differs from the reference"), run.toString());
    assertTrue(run.out().lines().anyMatch(l -> l.startsWith(cpu.ref()) && l.endsWith("FAIL")), run.toString());
  }

  @Test
  void eachDeviceIsJudgedByBitsWhenItRoundsCorrectlyAndSaysSo() {
    Cli run = Cli.run("verify");
    assertEquals(0, run.exit(), run.toString());
    for (ClDevice d : OpenClDevices.all()) {
      String judgement = d.correctlyRoundedDivideSqrt() ? " bits " : " tolerance ";
      assertTrue(run.out().lines().anyMatch(l -> l.startsWith(d.ref() + " ") && l.contains(judgement)),
          d.ref() + " judged by" + judgement + ": " + run.out());
      if (d.correctlyRoundedDivideSqrt()) {
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
    assertEquals(Main.EXIT_CHECK_FAILED, run.exit(), run.toString());
    assertTrue(run.out().contains("FAIL: ") && run.out().contains("CL_BUILD_PROGRAM_FAILURE"), run.toString());
  }

  @Test
  void anUnknownDeviceIsBadInput() {
    Cli run = Cli.run("verify", "--device", "cl:9:9");
    assertEquals(Main.EXIT_BAD_INPUT, run.exit(), run.toString());
    assertEquals(1, run.err().lines().count(), run.toString());
  }
}
