package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import dev.cltrain.testing.Backends;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.OpenClKernelFiles;
import dev.cltrain.testing.OpenClDevices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** `cltrain train` end to end: the seed's golden lines on every device, --verify, and device errors. */
class TrainCommandTest {
  /** What `python3 scripts/seed_xor.py` prints (NumPy 2.4.6), character for character. */
  static final List<String> SEED_LINES = List.of(
      "Epoch 0, Loss: 0.1864",
      "Epoch 1000, Loss: 0.1270",
      "Epoch 2000, Loss: 0.1252",
      "Epoch 3000, Loss: 0.1250",
      "Epoch 4000, Loss: 0.1250",
      "Epoch 5000, Loss: 0.1250",
      "Epoch 6000, Loss: 0.1250",
      "Epoch 7000, Loss: 0.1250",
      "Epoch 8000, Loss: 0.1250",
      "Epoch 9000, Loss: 0.1250");

  static Stream<String> everyDevice() {
    return Backends.all().stream().map(d -> d.id());
  }

  @ParameterizedTest(name = "--device {0}")
  @MethodSource("everyDevice")
  void defaultTrainPrintsTheSeedsTenLinesOnEveryDevice(String device) {
    Cli run = Cli.run("train", "--device", device);
    assertEquals(0, run.exit(), run.toString());
    assertEquals(SEED_LINES, run.outLines().subList(0, 10), run.toString());
    assertTrue(run.out().contains("final loss:  0.1250"), run.toString());
  }

  @Test
  void autoWithNoArgumentsPrintsTheSeedsLinesFirstAndSaysWhichDeviceItTook() {
    Cli run = Cli.run("train");
    assertEquals(0, run.exit(), run.toString());
    assertEquals(SEED_LINES, run.outLines().subList(0, 10));
    assertTrue(run.err().lines().anyMatch(l -> l.startsWith("device: ") && l.contains("auto")), run.toString());
    assertTrue(run.out().contains("predictions:") && run.out().contains("[1, 1] -> ["), run.toString());
  }

  private static final Pattern VERIFY = Pattern.compile("largest weight difference (\\S+), largest loss difference (\\S+)");

  @Test
  void verifyOnPoclReportsADeepXorNetWithinOneTenThousandth() {
    ClDevice cpu = OpenClDevices.firstCpu();
    Cli run = Cli.run("train", "--layers", "2,8,8,1", "--device", cpu.ref(), "--verify");
    assertEquals(0, run.exit(), run.toString());
    Matcher m = VERIFY.matcher(run.out());
    assertTrue(m.find(), run.toString());
    assertTrue(Double.parseDouble(m.group(1)) < dev.cltrain.device.Verification.TOLERANCE, "weight difference " + m.group(1));
    assertTrue(Double.parseDouble(m.group(2)) < dev.cltrain.device.Verification.TOLERANCE, "loss difference " + m.group(2));
    assertTrue(run.out().contains("PASS"), run.toString());
  }

  @Test
  void verifyFailsWithExitOneWhenAKernelIsSubtlyWrong(@TempDir Path dir) throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    // XOR trains in train_small (one launch for many epochs): its sgd step is the one broken
    OpenClKernelFiles.copyWithChange(dir, "small_net.cl", "p[0] = p[0] - learning_rate * g;",
        "p[0] = p[0] - 1.01f * learning_rate * g;");
    // --no-check: the first-use check would refuse the device before --verify could see the difference
    Cli run = Cli.run("train", "--device", cpu.ref(), "--kernels", dir.toString(), "--verify", "--epochs", "2000",
        "--no-check");
    assertEquals(ExitCodes.CHECK_FAILED, run.exit(), run.toString());
    assertTrue(run.out().contains("FAIL"), run.toString());
  }

  @Test
  void aKernelThatDoesNotBuildOnAnExplicitDeviceExitsThreeWithTheBuildLog(@TempDir Path dir) throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    OpenClKernelFiles.copyTo(dir);
    Files.writeString(dir.resolve("loss.cl"), "__kernel void output_delta(const int count) { this is not C }\n");
    Cli run = Cli.run("train", "--device", cpu.ref(), "--kernels", dir.toString(), "--epochs", "5");
    assertEquals(ExitCodes.DEVICE, run.exit(), run.toString());
    assertTrue(run.err().contains("CL_BUILD_PROGRAM_FAILURE"), run.toString());
    assertTrue(run.err().contains("loss.cl"), run.toString());
    assertTrue(run.err().contains("Build log"), run.toString());
    assertTrue(run.err().contains("usable devices"), run.toString());
    assertTrue(!run.err().contains("\tat "), "no stack trace: " + run);
  }

  @Test
  void anAbsentDeviceExitsThreeListingTheUsableOnes() {
    Cli run = Cli.run("train", "--device", "cl:7:3", "--epochs", "1");
    assertEquals(ExitCodes.DEVICE, run.exit(), run.toString());
    assertTrue(run.err().contains("no OpenCL device cl:7:3") && run.err().contains("0 reference"), run.toString());
    Cli index = Cli.run("train", "--device", "99", "--epochs", "1");
    assertEquals(ExitCodes.DEVICE, index.exit(), index.toString());
  }

  @Test
  void withNoOpenClPlatformTrainFallsBackToTheReferenceWithAWarning(@TempDir Path dir) throws Exception {
    Path empty = Files.createDirectory(dir.resolve("no-icds"));
    Cli run = Cli.runInChild(Map.of("OCL_ICD_VENDORS", empty.toString()), dir, "train");
    assertEquals(0, run.exit(), run.toString());
    assertEquals(SEED_LINES, run.outLines().subList(0, 10), run.toString());
    assertTrue(run.err().lines().anyMatch(l -> l.startsWith("warning:") && l.contains("Java reference")),
        run.toString());
    assertTrue(run.out().contains("device:      Java reference"), run.toString());
  }

  @Test
  void csvDataTrainsWithTheGivenLayersAndTargets(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("or2.csv");
    Files.writeString(csv, "a,b,or,and\n0,0,0,0\n0,1,1,0\n1,0,1,0\n1,1,1,1\n");
    Cli run = Cli.run("train", "--data", csv.toString(), "--targets", "2", "--layers", "2,3,2", "--lr", "2",
        "--epochs", "3000", "--device", "reference", "--log-every", "1000");
    assertEquals(0, run.exit(), run.toString());
    assertEquals(3, run.outLines().stream().filter(l -> l.startsWith("Epoch ")).count(), run.toString());
    Matcher loss = Pattern.compile("final loss:  (\\S+)").matcher(run.out());
    assertTrue(loss.find() && Double.parseDouble(loss.group(1)) < 0.05, "learns OR and AND: " + run);
  }
}
