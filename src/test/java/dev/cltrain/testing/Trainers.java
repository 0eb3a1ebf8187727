package dev.cltrain.testing;

import dev.cltrain.device.Device;
import dev.cltrain.device.Trainer;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.opencl.OpenClDevice;
import dev.cltrain.reference.ReferenceDevice;
import dev.cltrain.train.Backprop;
import dev.cltrain.train.Settings;

/** Trainers for tests: backprop on any device (the Java reference, one OpenCL device), as the devices open them. */
public final class Trainers {
  private Trainers() {}

  /** Backprop on the Java reference. */
  public static Trainer reference(Network initial, DataSet train, Settings settings) {
    return on(ReferenceDevice.INSTANCE, initial, train, settings);
  }

  /** Backprop on the device's kernels ({@link Device#openBackend}). */
  public static Trainer on(Device device, Network initial, DataSet train, Settings settings) {
    return new Backprop<>(device.openBackend(false), initial, train, settings);
  }

  /** Backprop on an OpenCL device, kernels built from {@code source}. */
  public static Trainer openCl(ClDevice device, KernelSource source, Network initial, DataSet train,
      Settings settings) {
    return on(new OpenClDevice(device, source), initial, train, settings);
  }
}
