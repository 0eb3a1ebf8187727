package dev.cltrain.train;

import dev.cltrain.backend.Profiled;
import dev.cltrain.reference.ReferenceKernels;

import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Network;

/** Backprop on the plain-Java reference kernels: the fallback when no OpenCL device can be used, and the judge. */
public final class ReferenceTrainer extends Backprop<float[], int[]> {
  public ReferenceTrainer(Network initial, DataSet train, Settings settings) {
    this(initial, train, settings, false);
  }

  /** @param profiling time every kernel call, for {@link #takeProfile()} */
  public ReferenceTrainer(Network initial, DataSet train, Settings settings, boolean profiling) {
    super(profiling ? Profiled.wrap(new ReferenceKernels()) : new ReferenceKernels(), initial, train, settings);
  }
}
