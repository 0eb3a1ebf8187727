package dev.cltrain.train;

import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;

/** Backprop on the plain-Java reference kernels: the fallback when no OpenCL device can be used, and the judge. */
public final class ReferenceTrainer extends Backprop<float[]> {
  public ReferenceTrainer(Network initial, DataSet data, float learningRate) {
    super(new ReferenceKernels(), initial, data, learningRate);
  }
}
