package dev.cltrain.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * A stack of dense layers and the loss it is trained with; layer l's outputs are layer l+1's inputs.
 *
 * @param inputScale what raw inputs are multiplied by before the first layer (1/255 for IDX pixels, 1 for CSV),
 *     kept with a saved model so that it predicts from raw inputs with no flags repeated
 */
public record Network(Loss loss, List<Layer> layers, float inputScale) {
  public Network(Loss loss, List<Layer> layers) {
    this(loss, layers, 1.0f);
  }

  public Network {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("a network needs at least one layer");
    }
    for (int l = 1; l < layers.size(); l++) {
      if (layers.get(l).inputs() != layers.get(l - 1).outputs()) {
        throw new IllegalArgumentException("layer " + l + " takes " + layers.get(l).inputs()
            + " inputs but layer " + (l - 1) + " gives " + layers.get(l - 1).outputs());
      }
    }
    if (!(inputScale > 0) || Float.isInfinite(inputScale)) {
      throw new IllegalArgumentException("input scale must be positive and finite: " + inputScale);
    }
    layers = List.copyOf(layers);
  }

  /** The same network with another input scale. */
  public Network withInputScale(float scale) {
    return new Network(loss, layers, scale);
  }

  /**
   * The seed's initialisation generalised: for each layer in order, its weights (inputs × outputs,
   * row-major) then its bias, each drawn from {@code np.random.randn} after {@code np.random.seed(seed)}.
   * Sigmoid layers with MSE: the seed's network.
   */
  public static Network initNormal(int[] widths, long seed) {
    return init(widths, Activation.SIGMOID, Loss.MSE, Init.NORMAL, new NumpyRandom(seed));
  }

  /**
   * A new network: hidden layers use {@code hidden}, the output layer the loss's activation; weights drawn
   * from {@code random} layer by layer as {@code init} says (the generator is left where the draws end).
   */
  public static Network init(int[] widths, Activation hidden, Loss loss, Init init, NumpyRandom random) {
    List<Layer> layers = new ArrayList<>();
    for (int l = 1; l < widths.length; l++) {
      float[][] drawn = init.draw(random, widths[l - 1], widths[l]);
      Activation activation = l == widths.length - 1 ? loss.output : hidden;
      layers.add(new Layer(widths[l - 1], widths[l], activation, drawn[0], drawn[1]));
    }
    return new Network(loss, layers);
  }

  /** Widths from input to output, e.g. {2, 4, 1}. */
  public int[] widths() {
    int[] widths = new int[layers.size() + 1];
    widths[0] = layers.get(0).inputs();
    for (int l = 0; l < layers.size(); l++) {
      widths[l + 1] = layers.get(l).outputs();
    }
    return widths;
  }

  public int inputs() {
    return layers.get(0).inputs();
  }

  public int outputs() {
    return layers.get(layers.size() - 1).outputs();
  }

  /** Number of weights and biases. */
  public long parameterCount() {
    long count = 0;
    for (Layer layer : layers) {
      count += layer.weights().length + layer.bias().length;
    }
    return count;
  }

  /** Largest |a − b| over every weight and bias of two networks of the same shape. */
  /** "weight 3 of layer 2 became NaN" for the first weight or bias that is NaN or infinite, else null. */
  public static String firstNonFinite(Network network) {
    for (int l = 0; l < network.layers.size(); l++) {
      Layer layer = network.layers.get(l);
      for (int i = 0; i < layer.weights().length; i++) {
        if (!Float.isFinite(layer.weights()[i])) {
          return "weight " + i + " of layer " + (l + 1) + " became " + layer.weights()[i];
        }
      }
      for (int i = 0; i < layer.bias().length; i++) {
        if (!Float.isFinite(layer.bias()[i])) {
          return "bias " + i + " of layer " + (l + 1) + " became " + layer.bias()[i];
        }
      }
    }
    return null;
  }

  public static float maxAbsDifference(Network a, Network b) {
    float max = 0;
    for (int l = 0; l < a.layers.size(); l++) {
      max = Math.max(max, maxAbs(a.layers.get(l).weights(), b.layers.get(l).weights()));
      max = Math.max(max, maxAbs(a.layers.get(l).bias(), b.layers.get(l).bias()));
    }
    return max;
  }

  private static float maxAbs(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      float d = Math.abs(a[i] - b[i]);
      if (Float.isNaN(d)) {
        return Float.NaN; // a NaN on either side is the largest difference there is
      }
      max = Math.max(max, d);
    }
    return max;
  }
}
