package dev.cltrain.train;

import dev.cltrain.testing.Trainers;

import dev.cltrain.device.Trainer;
import dev.cltrain.nn.Optimizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Init;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A mini-batch epoch is, bit for bit, full-batch steps on the batches of the epoch's shuffled order:
 * np.random.permutation from the seeded generator, batches in that order, the last shorter batch used (not
 * dropped) and its gradient divided by its own size; the logged loss is the batches' mean weighted by size.
 */
class MiniBatchTest {
  private static DataSet data(int rows) {
    Random r = new Random(5);
    float[] x = new float[rows * 3];
    float[] y = new float[rows * 2];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < rows; i++) {
      y[i * 2 + r.nextInt(2)] = 1;
    }
    return new DataSet("random", rows, 3, 2, x, y);
  }

  @Test
  void twoEpochsOfTenRowsInBatchesOfFourAreStepsOfFourFourAndTwoRowsInEachEpochsNewOrder() {
    DataSet data = data(10);
    Network start = Network.init(new int[] {3, 5, 2}, Activation.TANH, Loss.XENT, Init.XAVIER, new NumpyRandom(1));
    NumpyRandom shuffler = new NumpyRandom(77);
    Settings batches = new Settings(Optimizer.sgd(0.5f), 4, shuffler);

    Network batched;
    float[] epochLoss = new float[2];
    try (Trainer t = Trainers.reference(start, data, batches)) {
      epochLoss[0] = t.epoch(true).loss();
      epochLoss[1] = t.epoch(true).loss();
      batched = t.network();
    }

    NumpyRandom replay = shuffler.copy();
    Network stepwise = start;
    for (int epoch = 0; epoch < 2; epoch++) {
      int[] order = replay.permutation(10);
      double lossSum = 0;
      for (int[] range : new int[][] {{0, 4}, {4, 8}, {8, 10}}) {
        DataSet batch = data.rows(Arrays.copyOfRange(order, range[0], range[1]), "batch");
        try (Trainer t = Trainers.reference(stepwise, batch, Settings.fullBatchSgd(0.5f))) {
          lossSum += (double) t.epoch(true).loss() * batch.rows();
          stepwise = t.network();
        }
      }
      assertEquals((float) (lossSum / 10), epochLoss[epoch], 1e-7f, "epoch " + epoch + " loss = batches' losses weighted by rows");
    }
    for (int l = 0; l < 2; l++) {
      Dense a = batched.dense().get(l);
      Dense b = stepwise.dense().get(l);
      assertArrayEquals(b.weights(), a.weights(), 0f, "layer " + l + " weights");
      assertArrayEquals(b.bias(), a.bias(), 0f, "layer " + l + " bias");
    }
  }
}
