package dev.cltrain;

import dev.cltrain.cmd.OptionNames;
import dev.cltrain.device.Device;
import dev.cltrain.device.DeviceChoice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.OpenClDevice;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@code auto} picks from a list of devices (issue 22): never a simulator. Oclgrind registered as an ICD
 * is a GPU-type device; {@code auto} would train on it at a tiny fraction of the reference's speed.
 */
class DevicesAutoTest {
  private static Device device(int p, String platform, String name, ClDevice.Type type) {
    return new OpenClDevice(new ClDevice(p, 0, platform, name, "test", type, 1, 1L << 30, 1L << 28, 64, 1024,
        "OpenCL 1.2", "1", true, true, true, null, null));
  }

  private static final Device OCLGRIND = device(0, "Oclgrind", "Oclgrind Simulator", ClDevice.Type.GPU);
  private static final Device POCL = device(1, "Portable Computing Language", "pthread", ClDevice.Type.CPU);

  @Test
  void aSimulatorThatCallsItselfAGpuIsNeverPickedAndTheReasonSaysHowToTakeIt() {
    DeviceChoice choice = Devices.autoChoice(List.of(OCLGRIND, POCL), null);
    assertTrue(choice.device().isReference(), choice.toString());
    assertTrue(choice.auto());
    assertEquals("auto: no OpenCL GPU or accelerator; cl:0:0 (Oclgrind Simulator) is a simulator, far slower than the "
        + "Java reference: device cl:0:0 takes it; cl:1:0 (CPU) is available with device cl:1:0",
        choice.reason().toString(), "in Java terms");
    assertEquals("auto: no OpenCL GPU or accelerator; cl:0:0 (Oclgrind Simulator) is a simulator, far slower than the "
        + "Java reference: --device cl:0:0 takes it; cl:1:0 (CPU) is available with --device cl:1:0",
        OptionNames.text(choice.reason()), "on the command line");
    assertNull(choice.warning(), "not a fallback: " + choice);
  }

  @Test
  void aRealGpuAfterTheSimulatorIsPicked() {
    Device gpu = device(2, "NVIDIA CUDA", "NVIDIA H100", ClDevice.Type.GPU);
    DeviceChoice choice = Devices.autoChoice(List.of(OCLGRIND, POCL, gpu), null);
    assertEquals("cl:2:0", choice.device().id(), choice.toString());
    assertEquals("auto: first GPU", choice.reason().toString());
    Device accelerator = device(3, "Accel", "fpga", ClDevice.Type.ACCELERATOR);
    assertEquals("cl:3:0", Devices.autoChoice(List.of(OCLGRIND, accelerator), null).device().id());
  }

  @Test
  void noDeviceFallsBackToTheReferenceWithTheProblemAsItsWarning() {
    DeviceChoice choice = Devices.autoChoice(List.of(), "no OpenCL platform is installed");
    assertTrue(choice.device().isReference());
    assertEquals("warning: no OpenCL platform is installed; falling back to the Java reference", choice.warning());
  }
}
