package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import dev.cltrain.testing.Backends;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.DeviceException;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.Generated;
import dev.cltrain.nn.Network;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.opencl.OpenClKernelFiles;
import dev.cltrain.testing.OpenClDevices;
import dev.cltrain.device.DeviceChoice;
import dev.cltrain.opencl.OpenClDevice;
import dev.cltrain.train.Opening;
import dev.cltrain.train.Settings;
import dev.cltrain.device.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The faults of the reliability issue, each with what the user sees. */
class FaultsTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "batch size {0}")
  @ValueSource(ints = {0, 16})
  void divergenceStopsWithExitFourNamingTheEpochAndLeavesSaveUntouched(int batch) throws Exception {
    for (String device : devicesAndReference()) {
      Path model = dir.resolve("model.json");
      Files.writeString(model, "the previous model");
      List<String> args = new ArrayList<>(List.of("train", "--data", "random:100x5x3", "--layers", "5,8,3",
          "--activation", "relu", "--lr", "1e6", "--epochs", "50", "--device", device, "--save", model.toString()));
      if (batch > 0) {
        args.addAll(List.of("--batch-size", String.valueOf(batch)));
      }
      Cli run = Cli.run(args.toArray(String[]::new));
      assertEquals(ExitCodes.DIVERGED, run.exit(), device + ": " + run);
      String line = run.err().lines().filter(l -> l.startsWith("cltrain train: ")).findFirst().orElseThrow();
      assertTrue(line.matches(".*(at|by|after) (epoch \\d+|the last epoch).*"), "names the epoch: " + line);
      assertTrue(line.contains("try a smaller --lr") && line.contains(model + " was not written"), line);
      assertEquals("the previous model", Files.readString(model), device + ": --save left as it was");
    }
  }

  @Test
  void aNetworkTooLargeForTheDeviceIsRefusedBeforeAllocatingAndAutoFallsBack() {
    ClDevice real = OpenClDevices.firstCpu();
    ClDevice small = new ClDevice(real.platformIndex(), real.deviceIndex(), real.platformName(), real.name(),
        real.vendor(), real.type(), real.computeUnits(), 4096, 4096, real.maxWorkGroup(), real.localMemBytes(),
        real.openclVersion(), real.driverVersion(), real.fp64(), real.correctlyRoundedDivideSqrt(), real.fma(), real.platform(),
        real.id());
    DataSet data = Generated.load("random:100x20x3", 1);
    Network net = Network.initNormal(new int[] {20, 64, 3}, 1);
    Settings settings = Settings.fullBatchSgd(0.1f);
    OpenClDevice tooSmall = new OpenClDevice(small, KernelSource.classpath());
    DeviceException explicit = assertThrows(DeviceException.class, () -> Opening.trainer(
        new DeviceChoice(tooSmall, false, "test"), net, data, settings, false));
    assertTrue(explicit.getMessage().contains("bytes of device memory") && explicit.getMessage().contains("4096"),
        explicit.getMessage());
    List<String> warnings = new ArrayList<>();
    Opening<Trainer> opening = Opening.trainer(new DeviceChoice(tooSmall, true, "auto"), net, data, settings, false);
    try (Trainer fallback = opening.opened()) {
      assertTrue(opening.device().isReference(), "fell back to " + opening.device());
      warnings.add(opening.warning());
    }
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("falling back to the Java reference") && warnings.get(0).contains("bytes"),
        warnings.get(0));
  }

  @Test
  void aKernelThatDoesNotBuildMakesAutoFallBackWithOneWarning() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    OpenClKernelFiles.copyTo(dir);
    Files.writeString(dir.resolve("activation.cl"), "__kernel void bias_activation(const int rows) { broken }\n");
    List<String> warnings = new ArrayList<>();
    DataSet data = Generated.load("random:10x4x2", 1);
    Opening<Trainer> opening = Opening.trainer(new DeviceChoice(new OpenClDevice(cpu, KernelSource.folder(dir)), true,
        "auto"), Network.initNormal(new int[] {4, 2}, 1), data, Settings.fullBatchSgd(0.1f), false);
    try (Trainer fallback = opening.opened()) {
      assertTrue(opening.device().isReference(), "fell back to " + opening.device());
      warnings.add(opening.warning());
    }
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("CL_BUILD_PROGRAM_FAILURE") && warnings.get(0).contains("activation.cl"),
        warnings.get(0));
  }

  private static List<String> devicesAndReference() {
    return Backends.all().stream().map(d -> d.id()).toList();
  }
}
