package dev.cltrain.train;

import dev.cltrain.opencl.OpenClKernels;

import dev.cltrain.DeviceException;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;
import dev.cltrain.opencl.ClBuffer;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.KernelSource;

/** Backprop on one OpenCL device: data, weights and optimizer state stay in device buffers for the whole run. */
public final class OpenClTrainer extends Backprop<ClBuffer, ClBuffer> {
  public OpenClTrainer(ClDevice device, KernelSource source, Network initial, DataSet train, Settings settings) {
    this(device, source, initial, train, settings, false);
  }

  /** @param profiling keep a profiling event per kernel launch, for {@link #takeProfile()} */
  public OpenClTrainer(ClDevice device, KernelSource source, Network initial, DataSet train, Settings settings,
      boolean profiling) {
    super(open(device, source, initial, train, settings, profiling), initial, train, settings);
  }

  /** Checks the sizes against the device's limits before anything is allocated, then builds the kernels. */
  private static OpenClKernels open(ClDevice device, KernelSource source, Network network, DataSet data,
      Settings settings, boolean profiling) {
    long needed = Backprop.bytesNeeded(network, data, settings);
    if (needed > device.globalMemBytes()) {
      throw new DeviceException("the network and data need " + needed + " bytes of device memory but "
          + device.ref() + " has " + device.globalMemBytes());
    }
    long largest = Backprop.largestBuffer(network, data, settings);
    if (largest > device.maxAllocBytes()) {
      throw new DeviceException("the largest buffer needs " + largest + " bytes but " + device.ref()
          + " allocates at most " + device.maxAllocBytes() + " bytes at once (try a smaller --batch-size)");
    }
    return new OpenClKernels(device, source, profiling);
  }
}
