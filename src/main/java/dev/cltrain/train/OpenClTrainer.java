package dev.cltrain.train;

import dev.cltrain.DeviceException;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;
import dev.cltrain.opencl.ClBuffer;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.KernelSource;

/** Backprop on one OpenCL device: data and weights stay in device buffers for the whole run. */
public final class OpenClTrainer extends Backprop<ClBuffer> {
  public OpenClTrainer(ClDevice device, KernelSource source, Network initial, DataSet data, float learningRate) {
    super(open(device, source, initial, data), initial, data, learningRate);
  }

  private static OpenClKernels open(ClDevice device, KernelSource source, Network network, DataSet data) {
    long needed = bytesNeeded(network, data);
    if (needed > device.globalMemBytes()) {
      throw new DeviceException("the network and data need " + needed + " bytes but " + device.ref() + " has "
          + device.globalMemBytes() + " bytes of global memory");
    }
    return new OpenClKernels(device, source);
  }
}
