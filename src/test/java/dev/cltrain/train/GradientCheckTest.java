package dev.cltrain.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.Network;
import dev.cltrain.testing.Tolerances;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Central differences against the analytic gradients of a 3-layer net (3,4,3,2) on the reference.
 * The analytic gradient is read off one SGD step with η = 1: g = (w − w') / η. The seed's formulas divide
 * by the number of samples, not of output elements, so they are the gradient of outputs × (mean loss),
 * i.e. of Σ½(a − y)² / samples; that is the function differentiated here, in double.
 */
class GradientCheckTest {
  private static final int[] WIDTHS = {3, 4, 3, 2};
  private static final int SAMPLES = 5;

  private static DataSet data() {
    Random r = new Random(42);
    float[] x = new float[SAMPLES * WIDTHS[0]];
    float[] y = new float[SAMPLES * WIDTHS[3]];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = r.nextFloat();
    }
    return new DataSet("random", SAMPLES, WIDTHS[0], WIDTHS[3], x, y);
  }

  /** Σ½(a − y)² / samples in double, from the network's float32 outputs. */
  private static double objective(Network net, DataSet data) {
    try (Trainer t = new ReferenceTrainer(net, data, Settings.fullBatchSgd(1.0f))) {
      float[] a = t.evaluate(data, true).outputs();
      double sum = 0;
      for (int i = 0; i < a.length; i++) {
        double e = (double) a[i] - data.y()[i];
        sum += 0.5 * e * e;
      }
      return sum / data.rows();
    }
  }

  /** Flat views of every parameter: weights then bias of each layer, as (array, index) pairs. */
  private static List<float[]> parameterArrays(Network net) {
    List<float[]> arrays = new ArrayList<>();
    for (Layer layer : net.layers()) {
      arrays.add(layer.weights());
      arrays.add(layer.bias());
    }
    return arrays;
  }

  @Test
  void analyticGradientsOfAThreeLayerNetMatchCentralDifferences() {
    DataSet data = data();
    Network start = Network.initNormal(WIDTHS, 3);
    Network stepped;
    try (Trainer t = new ReferenceTrainer(start, data, Settings.fullBatchSgd(1.0f))) {
      t.epoch(false);
      stepped = t.network();
    }
    List<float[]> before = parameterArrays(start);
    List<float[]> after = parameterArrays(stepped);
    int checked = 0;
    double worst = 0;
    for (int p = 0; p < before.size(); p++) {
      for (int i = 0; i < before.get(p).length; i++) {
        double analytic = (double) before.get(p)[i] - after.get(p)[i];
        double numeric = (shifted(start, p, i, +Tolerances.GRADIENT_EPSILON, data)
            - shifted(start, p, i, -Tolerances.GRADIENT_EPSILON, data)) / (2 * Tolerances.GRADIENT_EPSILON);
        double diff = Math.abs(analytic - numeric);
        double relative = diff / (Math.abs(analytic) + Math.abs(numeric));
        if (diff > Tolerances.GRADIENT_ABSOLUTE) {
          worst = Math.max(worst, relative);
          assertTrue(relative <= Tolerances.GRADIENT_RELATIVE, "parameter array " + p + " index " + i
              + ": analytic " + analytic + " numeric " + numeric + " relative error " + relative);
        }
        checked++;
      }
    }
    assertTrue(checked == 3 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2, "every parameter checked, got " + checked);
    assertTrue(worst < Tolerances.GRADIENT_RELATIVE, "worst relative error " + worst);
  }

  private static double shifted(Network start, int array, int index, double by, DataSet data) {
    List<Layer> layers = new ArrayList<>();
    for (Layer layer : start.layers()) {
      layers.add(layer.copy());
    }
    Network copy = new Network(start.loss(), layers);
    float[] target = parameterArrays(copy).get(array);
    target[index] = (float) (target[index] + by);
    return objective(copy, data);
  }
}
