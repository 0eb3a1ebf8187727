package dev.cltrain.train;

import dev.cltrain.testing.Tolerances;
import dev.cltrain.testing.Backends;
import dev.cltrain.device.Device;
import dev.cltrain.testing.Trainers;

import dev.cltrain.device.Trainer;
import dev.cltrain.nn.Optimizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Init;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Training on every OpenCL device against the reference in lockstep, with shuffled mini-batches (odd batch
 * size, shorter last batch), each activation, both losses and every optimizer. The shuffled order comes from
 * the same seeded generator on both sides, so the runs must agree: bit for bit on a device with correctly
 * rounded division and sqrt (every kernel then does exactly the reference's float operations), and within
 * --verify's tolerance (1e-4) on any other.
 */
class LockstepTest {
  private static final float VERIFY_TOLERANCE = dev.cltrain.device.Verification.TOLERANCE;

  /** The default widths 17,19,11,4 (6 parameter arrays: one update launch); 5 layers have 10 (two launches). */
  record Setup(Activation hidden, Loss loss, Optimizer optimizer, int batch, int[] widths) {
    Setup(Activation hidden, Loss loss, Optimizer optimizer, int batch) {
      this(hidden, loss, optimizer, batch, new int[] {17, 19, 11, 4});
    }

    @Override
    public String toString() {
      return hidden.id + "/" + loss.id + "/" + optimizer.kind().id + "/batch " + batch + "/"
          + (widths.length - 1) + " layers";
    }
  }

  static Stream<Arguments> cases() {
    Setup[] setups = {
        new Setup(Activation.RELU, Loss.XENT, Optimizer.adam(0.01f).withWeightDecay(1e-4f), 7),
        new Setup(Activation.TANH, Loss.XENT, Optimizer.momentum(0.05f, 0.9f), 13),
        new Setup(Activation.SIGMOID, Loss.MSE, Optimizer.sgd(0.5f), 16),
        new Setup(Activation.IDENTITY, Loss.MSE, Optimizer.adam(0.001f), 0),
        new Setup(Activation.RELU, Loss.XENT, Optimizer.adam(0.01f).withWeightDecay(1e-4f), 9,
            new int[] {17, 23, 9, 13, 5, 4}),
        new Setup(Activation.TANH, Loss.MSE, Optimizer.momentum(0.05f, 0.9f).withWeightDecay(1e-3f), 8,
            new int[] {17, 6, 7, 8, 9, 4}),
        new Setup(Activation.SIGMOID, Loss.XENT, Optimizer.sgd(0.3f), 10, new int[] {17, 5, 6, 7, 8, 4}),
    };
    return Backends.others().stream().flatMap(d -> Stream.of(setups).map(s -> Arguments.of(d, s)));
  }

  private static DataSet data() {
    Random r = new Random(9);
    int rows = 61;
    float[] x = new float[rows * 17];
    float[] y = new float[rows * 4];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < rows; i++) {
      y[i * 4 + r.nextInt(4)] = 1;
    }
    return new DataSet("random", rows, 17, 4, x, y);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("cases")
  void deviceTrainingFollowsTheReference(Device device, Setup setup) {
    DataSet data = data();
    NumpyRandom random = new NumpyRandom(4);
    Network start = Network.init(setup.widths(), setup.hidden(), setup.loss(), Init.defaultFor(setup.hidden(), setup.loss()), random);
    Settings settings = new Settings(setup.optimizer(), setup.batch(), random);
    try (Trainer onDevice = Trainers.on(device, start, data, settings);
         Trainer reference = Trainers.reference(start, data, settings)) {
      for (int epoch = 0; epoch < 5; epoch++) {
        Trainer.EpochStats a = onDevice.epoch(true);
        Trainer.EpochStats b = reference.epoch(true);
        assertTrue(Math.abs(a.loss() - b.loss()) <= VERIFY_TOLERANCE, "epoch " + epoch + " loss " + a + " vs " + b);
        assertEquals(b.accuracy(), a.accuracy(), 0f, "epoch " + epoch + " accuracy");
      }
      float difference = Network.maxAbsDifference(onDevice.network(), reference.network());
      if (Tolerances.exactOn(device)) {
        assertEquals(0f, difference, 0f, "bit for bit on a device with correctly rounded division and sqrt");
      } else {
        assertTrue(difference <= VERIFY_TOLERANCE, "largest weight difference " + difference);
      }
      Trainer.Evaluation e1 = onDevice.evaluate(data, true);
      Trainer.Evaluation e2 = reference.evaluate(data, true);
      assertEquals(e2.accuracy(), e1.accuracy(), 0f);
    }
  }
}
