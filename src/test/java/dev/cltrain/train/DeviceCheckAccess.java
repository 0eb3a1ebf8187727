package dev.cltrain.train;

import dev.cltrain.backend.Backend;

import java.util.List;

/** DeviceCheck's kernel runner for tests in other packages (the simulator test). */
public final class DeviceCheckAccess {
  private DeviceCheckAccess() {}

  public static List<String> kernels() {
    return List.of(DeviceCheck.KERNELS);
  }

  /** {@return whether the kernel is one of conv.cl's, whose cases are (rows, height, width, channels, k, stride, same)} */
  public static boolean conv(String kernel) {
    return DeviceCheck.conv(kernel);
  }

  /** {@return whether the kernel is one of recurrent.cl's, whose cases are {@link SequenceCases#RECURRENT_SHAPES}'s} */
  public static boolean recurrent(String kernel) {
    return SequenceCases.RECURRENT_KERNELS.contains(kernel);
  }

  public static int[][] shapesFor(String kernel) {
    return DeviceCheck.shapesFor(kernel);
  }

  public static String describe(String kernel, int[] shape) {
    return DeviceCheck.describe(kernel, shape);
  }

  public static <B, I> float[] exec(String kernel, Backend<B, I> k, int[] shape, int activation, long seed) {
    return KernelCases.exec(kernel, k, shape, activation, seed);
  }

  public static double excess(String kernel, float[] expected, float[] actual) {
    return DeviceCheck.excess(kernel, expected, actual);
  }
}
