package dev.cltrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cltrain.core.KernelTime;
import dev.cltrain.device.Trainer;
import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Profiled;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Init;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.reference.ReferenceKernels;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The optimizer step is one *_update_layers launch per eight parameter arrays (each layer has two: weights and
 * biases), so ⌈2L/8⌉ launches a batch, and the single-array kernels are not launched by training at all.
 */
class UpdateLaunchesTest {
  @ParameterizedTest(name = "{0} with {1}: {2} launches a batch")
  @CsvSource({"3,adam,1", "4,adam,1", "5,adam,2", "5,momentum,2", "9,sgd,3", "1,sgd,1"})
  void oneUpdateLaunchPerBatchForEveryEightParameterArrays(int layers, String optimizer, int perBatch) {
    int[] widths = new int[layers + 1];
    for (int l = 0; l <= layers; l++) {
      widths[l] = l == 0 ? 5 : l == layers ? 3 : 4 + l;
    }
    Random r = new Random(1);
    int rows = 23;
    float[] x = new float[rows * widths[0]];
    float[] y = new float[rows * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < rows; i++) {
      y[i * 3 + r.nextInt(3)] = 1;
    }
    DataSet data = new DataSet("random", rows, widths[0], 3, x, y);
    Network start = Network.init(widths, Activation.RELU, Loss.XENT, Init.HE, new NumpyRandom(2));
    Optimizer o = Optimizer.of(optimizer, new Optimizer.Options(0.01f, 0.9f, 0.9f, 0.999f, 1e-8f, 1e-4f));
    Backend<float[], int[]> profiled = Profiled.wrap(new ReferenceKernels());
    try (Trainer trainer = new Backprop<>(profiled, start, data, new Settings(o, 5, new NumpyRandom(3)))) {
      profiled.takeProfile();
      trainer.epoch(true);
      Map<String, Integer> launches = profiled.takeProfile().stream()
          .collect(Collectors.toMap(KernelTime::kernel, KernelTime::launches));
      int batches = 5;
      assertEquals(batches * perBatch, launches.getOrDefault(optimizer + "_update_layers", 0), launches.toString());
      assertEquals(0, launches.getOrDefault(optimizer + "_update", 0), launches.toString());
    }
  }
}
