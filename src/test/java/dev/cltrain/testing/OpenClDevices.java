package dev.cltrain.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.ClRuntime;
import java.util.List;

/**
 * The OpenCL devices tests run on: every device present. With CI=true, finding none is a failure (CI has
 * PoCL); elsewhere tests that need a device are skipped with the reason.
 */
public final class OpenClDevices {
  private OpenClDevices() {}

  public static boolean ci() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Every device, for {@code @MethodSource}; an empty list fails under CI and skips otherwise. */
  public static List<ClDevice> all() {
    ClRuntime.Discovery discovery = ClRuntime.discover();
    if (discovery.devices().isEmpty()) {
      String why = "no OpenCL device: " + discovery.problem();
      if (ci()) {
        fail(why + " (CI=true: install pocl-opencl-icd and ocl-icd-libopencl1)");
      }
      assumeTrue(false, why);
    }
    return discovery.devices();
  }

  /** The first CPU-type device (PoCL), for tests that need one and run `--device cpu`. */
  public static ClDevice firstCpu() {
    for (ClDevice d : all()) {
      if (d.type() == ClDevice.Type.CPU) {
        return d;
      }
    }
    if (ci()) {
      fail("no OpenCL CPU device (CI=true expects PoCL)");
    }
    assumeTrue(false, "no OpenCL CPU device");
    return null;
  }
}
