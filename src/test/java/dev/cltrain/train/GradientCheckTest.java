package dev.cltrain.train;

import dev.cltrain.testing.Trainers;

import dev.cltrain.device.Trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Init;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.testing.Tolerances;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Central differences against the analytic gradients of a 3-layer net (3,4,3,2) on the reference, for every
 * hidden activation × loss. The analytic gradient is read off one SGD step with η = 1: g = (w − w') / η.
 * With mse the seed's formulas divide by the number of samples, not of output elements, so they are the
 * gradient of Σ½(a − y)² / samples; with xent, of the mean over samples of −Σ y·log p. Those are the
 * functions differentiated here, in double, from the network's float32 outputs.
 */
class GradientCheckTest {
  private static final int[] WIDTHS = {3, 4, 3, 2};
  private static final int SAMPLES = 5;

  static Stream<Arguments> pairs() {
    return Stream.of(Activation.SIGMOID, Activation.TANH, Activation.RELU, Activation.IDENTITY)
        .flatMap(a -> Stream.of(Loss.MSE, Loss.XENT).map(l -> Arguments.of(a, l)));
  }

  private static DataSet data(Loss loss) {
    Random r = new Random(42);
    float[] x = new float[SAMPLES * WIDTHS[0]];
    float[] y = new float[SAMPLES * WIDTHS[3]];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int s = 0; s < SAMPLES; s++) {
      if (loss == Loss.XENT) {
        y[s * WIDTHS[3] + r.nextInt(WIDTHS[3])] = 1;
      } else {
        for (int c = 0; c < WIDTHS[3]; c++) {
          y[s * WIDTHS[3] + c] = r.nextFloat();
        }
      }
    }
    return new DataSet("random", SAMPLES, WIDTHS[0], WIDTHS[3], x, y);
  }

  /** The function the analytic gradient belongs to, in double. */
  private static double objective(Network net, DataSet data) {
    try (Trainer t = Trainers.reference(net, data, Settings.fullBatchSgd(1.0f))) {
      float[] a = t.evaluate(data, true).outputs();
      double sum = 0;
      for (int i = 0; i < a.length; i++) {
        if (net.loss() == Loss.XENT) {
          sum -= data.y()[i] == 0 ? 0 : data.y()[i] * Math.log(a[i]);
        } else {
          double e = (double) a[i] - data.y()[i];
          sum += 0.5 * e * e;
        }
      }
      return sum / data.rows();
    }
  }

  private static List<float[]> parameterArrays(Network net) {
    List<float[]> arrays = new ArrayList<>();
    for (Dense layer : net.dense()) {
      arrays.add(layer.weights());
      arrays.add(layer.bias());
    }
    return arrays;
  }

  @ParameterizedTest(name = "{0} hidden layers, {1} loss")
  @MethodSource("pairs")
  void analyticGradientsOfAThreeLayerNetMatchCentralDifferences(Activation hidden, Loss loss) {
    DataSet data = data(loss);
    Network start = Network.init(WIDTHS, hidden, loss, Init.NORMAL, new NumpyRandom(3));
    Network stepped;
    try (Trainer t = Trainers.reference(start, data, Settings.fullBatchSgd(1.0f))) {
      t.epoch(false);
      stepped = t.network();
    }
    List<float[]> before = parameterArrays(start);
    List<float[]> after = parameterArrays(stepped);
    int checked = 0;
    for (int p = 0; p < before.size(); p++) {
      for (int i = 0; i < before.get(p).length; i++) {
        double analytic = (double) before.get(p)[i] - after.get(p)[i];
        double[] plus = shifted(start, p, i, +Tolerances.GRADIENT_EPSILON, data);
        double[] minus = shifted(start, p, i, -Tolerances.GRADIENT_EPSILON, data);
        double numeric = (plus[0] - minus[0]) / (plus[1] - minus[1]);
        double diff = Math.abs(analytic - numeric);
        double relative = diff / (Math.abs(analytic) + Math.abs(numeric));
        assertTrue(diff <= Tolerances.GRADIENT_ABSOLUTE || relative <= Tolerances.GRADIENT_RELATIVE,
            "parameter array " + p + " index " + i + ": analytic " + analytic + " numeric " + numeric
                + " relative error " + relative);
        checked++;
      }
    }
    assertEquals(3 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2, checked, "every parameter checked");
  }

  /** The objective with one parameter moved by about {@code by}, and the parameter's actual float value. */
  private static double[] shifted(Network start, int array, int index, double by, DataSet data) {
    List<float[]> arrays = parameterArrays(start); // copies: a network is an immutable value
    float[] target = arrays.get(array);
    target[index] = (float) (target[index] + by);
    List<Dense> layers = new ArrayList<>();
    for (int l = 0; l < start.dense().size(); l++) {
      Dense layer = start.dense().get(l);
      layers.add(new Dense(layer.inputs(), layer.outputs(), layer.activation(), arrays.get(2 * l), arrays.get(2 * l + 1)));
    }
    Network copy = new Network(start.loss(), layers);
    return new double[] {objective(copy, data), target[index]};
  }

}
