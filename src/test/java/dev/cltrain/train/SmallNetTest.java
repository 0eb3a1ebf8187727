package dev.cltrain.train;

import dev.cltrain.testing.Tolerances;
import dev.cltrain.testing.Backends;
import dev.cltrain.device.Device;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.device.Trainer;
import dev.cltrain.device.TrainerState;
import dev.cltrain.backend.Backend;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.OpenClKernels;
import dev.cltrain.opencl.ProgramOptions;
import dev.cltrain.reference.ReferenceKernels;
import dev.cltrain.testing.OpenClDevices;
import dev.cltrain.testing.Trainers;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * train_small (kernels/small_net.cl), many epochs in one launch, against the layer-by-layer path on the same
 * backend: the weights, the optimizer state and the logged losses must be the same bits, on the reference and
 * on every OpenCL device, at awkward shapes (one row, one-wide layers, primes, three layers), with every
 * activation, both losses and every optimizer, and with the epochs split over several launches. Then the
 * kernel itself against its reference method, and which trainings are eligible.
 */
class SmallNetTest {
  /** A network shape, the data's rows, the output activation (MSE) or softmax (XENT), hidden activation, optimizer. */
  record Case(int[] widths, int rows, Loss loss, Activation hidden, Activation output, Optimizer optimizer) {
    @Override
    public String toString() {
      return java.util.Arrays.toString(widths) + " x" + rows + " " + hidden.id + "/" + output.id + "/" + loss.id + "/"
          + optimizer.kind().id + (optimizer.weightDecay() != 0 ? "+decay" : "");
    }
  }

  static final Optimizer SGD = Optimizer.sgd(0.5f);
  static final Optimizer MOMENTUM = Optimizer.momentum(0.1f, 0.9f).withWeightDecay(1e-3f);
  static final Optimizer ADAM = Optimizer.adam(0.01f).withWeightDecay(1e-4f);

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    cases.add(new Case(new int[] {2, 2, 1}, 4, Loss.MSE, Activation.SIGMOID, Activation.SIGMOID, SGD));
    cases.add(new Case(new int[] {1, 1, 1}, 1, Loss.MSE, Activation.TANH, Activation.IDENTITY, MOMENTUM));
    cases.add(new Case(new int[] {3, 5, 2}, 7, Loss.MSE, Activation.RELU, Activation.TANH, ADAM));
    cases.add(new Case(new int[] {7, 1, 3}, 11, Loss.MSE, Activation.IDENTITY, Activation.RELU, SGD));
    cases.add(new Case(new int[] {3, 5, 2}, 1, Loss.MSE, Activation.SIGMOID, Activation.SIGMOID, MOMENTUM));
    cases.add(new Case(new int[] {4, 6, 5, 3}, 13, Loss.XENT, Activation.TANH, Activation.SOFTMAX, ADAM));
    cases.add(new Case(new int[] {5, 3}, 9, Loss.XENT, Activation.RELU, Activation.SOFTMAX, MOMENTUM));
    cases.add(new Case(new int[] {7, 1, 3}, 5, Loss.XENT, Activation.SIGMOID, Activation.SOFTMAX, SGD));
    cases.add(new Case(new int[] {6, 9, 4, 2}, 17, Loss.MSE, Activation.TANH, Activation.SIGMOID, ADAM));
    cases.add(new Case(new int[] {2, 3, 1}, 1, Loss.XENT, Activation.RELU, Activation.SOFTMAX, SGD));
    return cases;
  }

  /** Backends: the reference, then each OpenCL device ({@link Backends#all()}). */
  static Stream<Arguments> backends() {
    List<Arguments> all = new ArrayList<>();
    for (Device d : Backends.all()) {
      for (Case c : cases()) {
        all.add(Arguments.of(d.id(), c));
      }
    }
    return all.stream();
  }

  static Device device(String id) {
    return Backends.all().stream().filter(d -> d.id().equals(id)).findFirst().orElseThrow();
  }

  static DataSet data(Case c, long seed) {
    Random r = new Random(seed);
    int inputs = c.widths()[0];
    int outputs = c.widths()[c.widths().length - 1];
    float[] x = new float[c.rows() * inputs];
    float[] y = new float[c.rows() * outputs];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < c.rows(); i++) {
      if (c.loss() == Loss.XENT) {
        y[i * outputs + r.nextInt(outputs)] = 1;
      } else {
        for (int j = 0; j < outputs; j++) {
          y[i * outputs + j] = r.nextFloat();
        }
      }
    }
    return new DataSet("random", c.rows(), inputs, outputs, x, y);
  }

  static Network network(Case c, long seed) {
    Random r = new Random(seed);
    List<Dense> layers = new ArrayList<>();
    int[] w = c.widths();
    for (int l = 0; l + 1 < w.length; l++) {
      float[] weights = new float[w[l] * w[l + 1]];
      float[] bias = new float[w[l + 1]];
      for (int i = 0; i < weights.length; i++) {
        weights[i] = (float) r.nextGaussian() * 0.7f;
      }
      for (int i = 0; i < bias.length; i++) {
        bias[i] = (float) r.nextGaussian() * 0.1f;
      }
      layers.add(new Dense(w[l], w[l + 1], l + 2 == w.length ? c.output() : c.hidden(), weights, bias));
    }
    return new Network(c.loss(), layers);
  }

  static Trainer open(String backend, Network start, DataSet data, Settings settings) {
    return Trainers.on(device(backend), start, data, settings);
  }

  /** The weights and every optimizer buffer, as one array of floats in a fixed order. */
  static float[] everything(Trainer t) {
    TrainerState s = t.state();
    List<Float> all = new ArrayList<>();
    for (Dense layer : s.network().dense()) {
      for (float v : layer.weights()) {
        all.add(v);
      }
      for (float v : layer.bias()) {
        all.add(v);
      }
    }
    for (List<float[]> layer : s.optimizerState()) {
      for (float[] buffer : layer) {
        for (float v : buffer) {
          all.add(v);
        }
      }
    }
    float[] out = new float[all.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = all.get(i);
    }
    return out;
  }

  static void assertSameBits(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
          what + ": element " + i + " is " + actual[i] + ", layer by layer " + expected[i]);
    }
  }

  static void assertSameBits(float expected, float actual, String what) {
    assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual), what + ": " + actual + " against "
        + expected);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("backends")
  void manyEpochsInFewLaunchesGiveTheLayerByLayerBits(String backend, Case c) {
    DataSet data = data(c, 3);
    Network start = network(c, 5);
    Settings settings = new Settings(c.optimizer(), 0, new NumpyRandom(1));
    try (Trainer layered = open(backend, start, data, settings);
         Trainer fused = open(backend, start, data, settings);
         Trainer single = open(backend, start, data, settings)) {
      ((Backprop<?, ?>) fused).small.trainSmallWhereItFits(); // on the reference, some of these are past its work limit
      ((Backprop<?, ?>) single).small.trainSmallWhereItFits();
      ((Backprop<?, ?>) layered).small.layerByLayer();
      ((Backprop<?, ?>) fused).small.maxEpochsPerLaunch(2);
      // 10 epochs as 3 + 3 + 4 (each a call; the last two calls split into launches of 2), statistics at epochs 2
      // and 9; the same 10 as single epochs through train_small; and layer by layer
      int[] calls = {3, 3, 4};
      boolean[] stats = {true, false, true};
      List<Float> fusedLosses = new ArrayList<>();
      List<Float> fusedAccuracies = new ArrayList<>();
      for (int i = 0; i < calls.length; i++) {
        Trainer.EpochStats s = fused.epochs(calls[i], stats[i]);
        assertTrue(s.complete());
        if (stats[i]) {
          fusedLosses.add(s.loss());
          fusedAccuracies.add(s.accuracy());
        } else {
          assertTrue(Float.isNaN(s.loss()));
        }
      }
      List<Float> layeredLosses = new ArrayList<>();
      List<Float> layeredAccuracies = new ArrayList<>();
      List<Float> singleLosses = new ArrayList<>();
      for (int e = 0; e < 10; e++) {
        boolean measured = e == 2 || e == 9;
        Trainer.EpochStats s = layered.epoch(measured);
        Trainer.EpochStats one = single.epoch(measured);
        if (measured) {
          layeredLosses.add(s.loss());
          layeredAccuracies.add(s.accuracy());
          singleLosses.add(one.loss());
        }
      }
      for (int i = 0; i < 2; i++) {
        assertSameBits(layeredLosses.get(i), fusedLosses.get(i), "loss " + i);
        assertSameBits(layeredAccuracies.get(i), fusedAccuracies.get(i), "accuracy " + i);
        assertSameBits(layeredLosses.get(i), singleLosses.get(i), "single epochs' loss " + i);
      }
      float[] expected = everything(layered);
      assertSameBits(expected, everything(fused), "weights and state after 3 + 3 + 4 epochs");
      assertSameBits(expected, everything(single), "weights and state after 10 single epochs");
      assertEquals(10, fused.state().epoch());
      assertEquals(10, fused.state().step());
      // evaluate and a checkpoint's round trip in between: the packed and the layers' buffers stay in step
      assertSameBits(layered.evaluate(data, true).outputs(), fused.evaluate(data, true).outputs(), "outputs");
      TrainerState saved = fused.state();
      fused.restore(saved);
      layered.epochs(2, false);
      fused.epochs(2, false);
      assertSameBits(everything(layered), everything(fused), "after 2 more epochs past a restore");
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("backends")
  void switchingBetweenThePathsMidwayChangesNoBits(String backend, Case c) {
    DataSet data = data(c, 8);
    Network start = network(c, 9);
    Settings settings = new Settings(c.optimizer(), 0, new NumpyRandom(1));
    try (Trainer layered = open(backend, start, data, settings);
         Trainer mixed = open(backend, start, data, settings)) {
      ((Backprop<?, ?>) mixed).small.trainSmallWhereItFits();
      ((Backprop<?, ?>) layered).small.layerByLayer();
      mixed.epochs(4, false);
      ((Backprop<?, ?>) mixed).small.layerByLayer();
      mixed.epochs(3, true);
      layered.epochs(7, true);
      assertSameBits(everything(layered), everything(mixed), "4 fused then 3 layer by layer");
    }
  }

  /** The kernel against its reference method on raw buffers (as verify checks it). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void trainSmallMatchesItsReferenceMethod(Device device) {
    ReferenceKernels reference = new ReferenceKernels();
    try (Backend<?, ?> cl = device.openBackend(false)) {
      boolean exact = Tolerances.exactOn(device);
      for (int[] s : new int[][] {{1, 1, 1}, {3, 5, 7}, {17, 13, 29}, {5, 5, 2}, {40, 2, 3}}) {
        for (int activation : new int[] {0, 1, 2, 3}) {
          float[] expected = dev.cltrain.train.DeviceCheckAccess.exec("train_small", reference, s, activation, 11);
          float[] actual = dev.cltrain.train.DeviceCheckAccess.exec("train_small", cl, s, activation, 11);
          String at = s[0] + "x" + s[1] + "x" + s[2] + " activation " + activation;
          if (exact) {
            assertSameBits(expected, actual, "train_small at " + at);
          } else {
            assertTrue(dev.cltrain.train.DeviceCheckAccess.excess("train_small", expected, actual) <= 0, at);
          }
        }
      }
    }
  }

  static List<Device> devices() {
    return Backends.others();
  }

  @Test
  void largeNetworksAndMiniBatchesTrainLayerByLayer() {
    Case xor = cases().get(0);
    Function<Settings, String> plan = settings -> {
      try (Trainer t = Trainers.reference(network(xor, 1), data(xor, 1), settings)) {
        return t.launchPlan().toString();
      }
    };
    assertTrue(plan.apply(Settings.fullBatchSgd(0.5f)).startsWith("one launch per"));
    Case mid = new Case(new int[] {8, 16, 4}, 32, Loss.MSE, Activation.TANH, Activation.SIGMOID, SGD);
    try (Trainer t = Trainers.reference(network(mid, 1), data(mid, 1), Settings.fullBatchSgd(0.1f))) {
      assertTrue(t.launchPlan().toString()
          .startsWith("layer by layer (an epoch's 18432 multiply-adds run faster layer by"),
          "the reference's vectorised loops win here: " + t.launchPlan());
    }
    assertEquals("layer by layer (mini-batches)", plan.apply(new Settings(SGD, 2, new NumpyRandom(1))));
    Case wide = new Case(new int[] {30, 200, 10}, 50, Loss.XENT, Activation.RELU, Activation.SOFTMAX, ADAM);
    try (Trainer t = Trainers.reference(network(wide, 1), data(wide, 1), new Settings(ADAM, 0, new NumpyRandom(1)))) {
      assertTrue(t.launchPlan().toString().startsWith("layer by layer (the network and data take "), t.launchPlan().toString());
    }
    Case busy = new Case(new int[] {8, 16, 4}, 800, Loss.MSE, Activation.TANH, Activation.SIGMOID, SGD);
    try (Trainer t = Trainers.reference(network(busy, 1), data(busy, 1), Settings.fullBatchSgd(0.1f))) {
      String p = t.launchPlan().toString();
      assertFalse(p.startsWith("one launch"), p);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void theSeedsXorTrainsInTrainSmallOnEveryDevice(Device device) {
    Case xor = cases().get(0);
    try (Trainer t = open(device.id(), network(xor, 1), data(xor, 1), Settings.fullBatchSgd(0.5f))) {
      assertTrue(t.launchPlan().toString().startsWith("one launch per up to "), t.launchPlan().toString());
    }
  }

  @Test
  void theDeviceSizesItsLocalMemoryForTheNetwork() {
    for (ClDevice d : OpenClDevices.all()) {
      int floats = ProgramOptions.smallNetFloats(d, 256);
      assertTrue(floats == 0 || 4L * floats + 4 * 256 <= d.localMemBytes(), d + ": " + floats + " floats");
    }
  }
}
