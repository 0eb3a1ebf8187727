package dev.cltrain.device;

import dev.cltrain.backend.Backend;

import java.util.List;

/** DeviceCheck's kernel runner for tests in other packages (the simulator test). */
public final class DeviceCheckAccess {
  private DeviceCheckAccess() {}

  public static List<String> kernels() {
    return List.of(DeviceCheck.KERNELS);
  }

  public static <B, I> float[] exec(String kernel, Backend<B, I> k, int[] shape, int activation, long seed) {
    return DeviceCheck.exec(kernel, k, shape, activation, seed);
  }

  public static double excess(String kernel, float[] expected, float[] actual) {
    return DeviceCheck.excess(kernel, expected, actual);
  }
}
