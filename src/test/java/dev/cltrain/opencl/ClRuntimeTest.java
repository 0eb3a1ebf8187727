package dev.cltrain.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jocl.CL;
import org.jocl.CLException;
import org.junit.jupiter.api.Test;

/**
 * Discovery (issue 22): the device-type mask it asks every platform for, and one failing platform costing only
 * its own devices. No real driver fails on demand, so a fake {@link ClRuntime.Platforms} throws for one.
 */
class ClRuntimeTest {
  @Test
  void everyDeviceTypeIsAskedForWithTheSpecificationsThirtyTwoBitMask() {
    // CL_DEVICE_TYPE_ALL is 0xFFFFFFFF, a cl_bitfield (64 bits) with the low 32 set; JOCL's constant widens the
    // int literal with its sign, every bit set, which Mesa's Rusticl refuses with CL_INVALID_DEVICE_TYPE
    assertEquals(0xFFFFFFFFL, ClRuntime.DEVICE_TYPE_ALL, "the mask passed to clGetDeviceIDs");
    assertEquals(-1L, CL.CL_DEVICE_TYPE_ALL, "JOCL's constant, which must not be passed, is every bit set");
  }

  private static ClDevice device(int p, int d, String platform, String name, ClDevice.Type type) {
    return new ClDevice(p, d, platform, name, "test", type, 1, 1L << 30, 1L << 28, 64, 1024, "OpenCL 3.0", "1", true,
        true, true, null, null);
  }

  /** Three platforms; those in {@code failing} throw when their devices are listed, as Rusticl did. */
  private static ClRuntime.Platforms platforms(List<String> names, List<Integer> failing) {
    return new ClRuntime.Platforms() {
      @Override
      public int count() {
        return names.size();
      }

      @Override
      public String name(int p) {
        return names.get(p);
      }

      @Override
      public List<ClDevice> devices(int p, String name) {
        if (failing.contains(p)) {
          throw new ClException("clGetDeviceIDs", new CLException("CL_INVALID_DEVICE_TYPE", CL.CL_INVALID_DEVICE_TYPE));
        }
        return List.of(device(p, 0, name, name + "-device", ClDevice.Type.CPU));
      }
    };
  }

  @Test
  void aPlatformThatFailsIsNamedInOneWarningAndTheOthersKeepTheirDevicesAndIds() {
    ClRuntime.Discovery found = ClRuntime.collect(platforms(List.of("PoCL", "rusticl", "Clover"), List.of(1)));
    assertEquals(List.of("cl:0:0", "cl:2:0"), found.devices().stream().map(ClDevice::ref).toList(), found.toString());
    assertNull(found.problem(), "devices were found: " + found);
    assertEquals("left out OpenCL platform 1 (rusticl): clGetDeviceIDs failed: CL_INVALID_DEVICE_TYPE; the other "
        + "platforms' devices are listed", found.warning());
  }

  @Test
  void whenEveryPlatformFailsTheProblemNamesEachAndTheirErrors() {
    ClRuntime.Discovery found = ClRuntime.collect(platforms(List.of("A", "B"), List.of(0, 1)));
    assertTrue(found.devices().isEmpty(), found.toString());
    assertEquals("OpenCL discovery failed: platform 0 (A): clGetDeviceIDs failed: CL_INVALID_DEVICE_TYPE; platform 1 "
        + "(B): clGetDeviceIDs failed: CL_INVALID_DEVICE_TYPE", found.problem());
    ClRuntime.Discovery fine = ClRuntime.collect(platforms(List.of("A", "B"), List.of()));
    assertEquals(2, fine.devices().size(), fine.toString());
    assertNull(fine.warning(), fine.toString());
    assertNull(fine.problem(), fine.toString());
  }
}
