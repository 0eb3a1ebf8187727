package dev.cltrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.data.DataSet;
import dev.cltrain.device.Trainer;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Init;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.nn.Regularization;
import dev.cltrain.testing.Tolerances;
import dev.cltrain.testing.Trainers;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Central differences (float64 sums of the reference's float32 outputs, {@link Tolerances}' epsilon and bounds, as
 * GradientCheckTest) against one SGD step at η = 1 with each regularisation: g = w − w'. Weight decay is the
 * gradient of loss + λ/2·Σw² over the weights (and the biases with decayAll); label smoothing of the mean over
 * rows of −Σ t·log p with t = (1 − E)·y + E/K; clipping is the numeric gradient vector scaled by
 * min(1, C / (‖g‖ + 1e-6)), with C small enough that it clips.
 */
class RegularizationGradientCheckTest {
  private static final int[] WIDTHS = {3, 4, 3};
  private static final int SAMPLES = 5;

  private static DataSet data() {
    Random r = new Random(7);
    float[] x = new float[SAMPLES * WIDTHS[0]];
    float[] y = new float[SAMPLES * WIDTHS[2]];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int s = 0; s < SAMPLES; s++) {
      y[s * WIDTHS[2] + r.nextInt(WIDTHS[2])] = 1;
    }
    return new DataSet("random", SAMPLES, WIDTHS[0], WIDTHS[2], x, y);
  }

  private static final Network START = Network.init(WIDTHS, Activation.TANH, Loss.XENT, Init.NORMAL, new NumpyRandom(5));

  /** The objective in double: mean cross-entropy on targets smoothed by E, plus λ/2 Σ w² over the decaying arrays. */
  private static double objective(Network net, DataSet data, float lambda, boolean decayAll, float smoothing) {
    double sum = 0;
    try (Trainer t = Trainers.reference(net, data, Settings.fullBatchSgd(1.0f))) {
      float[] p = t.evaluate(data, true).outputs();
      for (int i = 0; i < p.length; i++) {
        double target = (1.0 - smoothing) * data.y()[i] + (double) smoothing / WIDTHS[2];
        sum -= target == 0 ? 0 : target * Math.log(p[i]);
      }
    }
    double objective = sum / data.rows();
    List<float[]> arrays = arrays(net);
    for (int a = 0; a < arrays.size(); a++) {
      if (a % 2 == 0 || decayAll) {
        for (float w : arrays.get(a)) {
          objective += 0.5 * lambda * w * w;
        }
      }
    }
    return objective;
  }

  private static List<float[]> arrays(Network net) {
    List<float[]> arrays = new ArrayList<>();
    for (Dense layer : net.dense()) {
      arrays.add(layer.weights());
      arrays.add(layer.bias());
    }
    return arrays;
  }

  private static Network with(Network start, int array, int index, float value) {
    List<float[]> arrays = arrays(start);
    arrays.get(array)[index] = value;
    List<Dense> layers = new ArrayList<>();
    for (int l = 0; l < start.dense().size(); l++) {
      Dense d = start.dense().get(l);
      layers.add(new Dense(d.inputs(), d.outputs(), d.activation(), arrays.get(2 * l), arrays.get(2 * l + 1)));
    }
    return new Network(start.loss(), layers);
  }

  /** Central differences of the objective, one per parameter in table order. */
  private static double[] numeric(DataSet data, float lambda, boolean decayAll, float smoothing) {
    List<Double> g = new ArrayList<>();
    List<float[]> arrays = arrays(START);
    for (int a = 0; a < arrays.size(); a++) {
      for (int i = 0; i < arrays.get(a).length; i++) {
        float w = arrays.get(a)[i];
        float up = (float) (w + Tolerances.GRADIENT_EPSILON);
        float down = (float) (w - Tolerances.GRADIENT_EPSILON);
        g.add((objective(with(START, a, i, up), data, lambda, decayAll, smoothing)
            - objective(with(START, a, i, down), data, lambda, decayAll, smoothing)) / ((double) up - down));
      }
    }
    return g.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The analytic gradient: one sgd step at η = 1 with {@code optimizer}'s decay and regularization. */
  private static double[] analytic(DataSet data, Optimizer optimizer) {
    Network stepped;
    try (Trainer t = Trainers.reference(START, data, new Settings(optimizer, 0, new NumpyRandom(0)))) {
      t.epoch(false);
      stepped = t.network();
    }
    List<Double> g = new ArrayList<>();
    List<float[]> before = arrays(START);
    List<float[]> after = arrays(stepped);
    for (int a = 0; a < before.size(); a++) {
      for (int i = 0; i < before.get(a).length; i++) {
        g.add((double) before.get(a)[i] - after.get(a)[i]);
      }
    }
    return g.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void assertGradientsAgree(double[] analytic, double[] numeric) {
    assertEquals(3 * 4 + 4 + 4 * 3 + 3, analytic.length, "every parameter checked");
    for (int i = 0; i < analytic.length; i++) {
      double diff = Math.abs(analytic[i] - numeric[i]);
      double relative = diff / (Math.abs(analytic[i]) + Math.abs(numeric[i]));
      assertTrue(diff <= Tolerances.GRADIENT_ABSOLUTE || relative <= Tolerances.GRADIENT_RELATIVE,
          "parameter " + i + ": analytic " + analytic[i] + " numeric " + numeric[i] + " relative error " + relative);
    }
  }

  @Test
  void weightDecayIsTheGradientOfHalfLambdaTimesTheWeightsSquares() {
    DataSet data = data();
    assertGradientsAgree(analytic(data, Optimizer.sgd(1f).withWeightDecay(0.3f)), numeric(data, 0.3f, false, 0));
  }

  @Test
  void decayAllAddsTheBiasesSquaresToo() {
    DataSet data = data();
    Optimizer sgd = Optimizer.sgd(1f).withWeightDecay(0.3f).withRegularization(new Regularization(true, 0, 0));
    assertGradientsAgree(analytic(data, sgd), numeric(data, 0.3f, true, 0));
  }

  @Test
  void labelSmoothingIsTheGradientOfCrossEntropyOnSmoothedTargets() {
    DataSet data = data();
    Optimizer sgd = Optimizer.sgd(1f).withRegularization(new Regularization(false, 0, 0.2f));
    assertGradientsAgree(analytic(data, sgd), numeric(data, 0, false, 0.2f));
  }

  @Test
  void clippingScalesTheWholeGradientToTheNormGiven() {
    DataSet data = data();
    double[] numeric = numeric(data, 0, false, 0);
    double norm = 0;
    for (double g : numeric) {
      norm += g * g;
    }
    norm = Math.sqrt(norm);
    float clip = (float) (norm / 4); // well below the norm: it clips
    double factor = clip / (norm + 1e-6);
    for (int i = 0; i < numeric.length; i++) {
      numeric[i] *= factor;
    }
    double[] analytic = analytic(data, Optimizer.sgd(1f).withRegularization(new Regularization(false, clip, 0)));
    assertGradientsAgree(analytic, numeric);
    double analyticNorm = 0;
    for (double g : analytic) {
      analyticNorm += g * g;
    }
    assertEquals(clip, Math.sqrt(analyticNorm), 1e-5 * clip, "the clipped gradient's norm is C");
  }
}
