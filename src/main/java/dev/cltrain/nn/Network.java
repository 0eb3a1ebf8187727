package dev.cltrain.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * A stack of dense layers and the loss it is trained with; layer l's outputs are layer l+1's inputs. An
 * immutable value. Build a new one with {@link #builder(int...)}:
 *
 * <pre>{@code
 * Network net = Network.builder(784, 128, 10).hidden(Activation.RELU).loss(Loss.XENT).seed(0).build();
 * }</pre>
 *
 * @param loss       the loss it is trained with, which fixes the output layer's activation
 * @param layers     the layers from input to output
 * @param inputScale what raw inputs are multiplied by before the first layer (1/255 for IDX pixels, 1 for CSV),
 *     kept with a saved model so that it predicts from raw inputs with no flags repeated
 * @param classNames the names of the output classes (string labels of a CSV, Fashion-MNIST's), or null
 * @param standardization per-input mean and standard deviation applied to scaled inputs before the first
 *     layer ({@code --standardize}), or null
 * @param features   the convolutions, pooling and dropout before the dense layers and the input's image shape
 *     ({@code --net}), or null for a plain stack of dense layers
 */
public record Network(Loss loss, List<Layer> layers, float inputScale, List<String> classNames,
    Standardization standardization, Features features) {
  /**
   * A network that takes its inputs as they are (input scale 1).
   *
   * @param loss   the loss
   * @param layers the layers from input to output
   */
  public Network(Loss loss, List<Layer> layers) {
    this(loss, layers, 1.0f);
  }

  /**
   * A network with no class names and no standardization.
   *
   * @param loss       the loss
   * @param layers     the layers from input to output
   * @param inputScale what raw inputs are multiplied by before the first layer
   */
  public Network(Loss loss, List<Layer> layers, float inputScale) {
    this(loss, layers, inputScale, null, null, null);
  }

  /**
   * A plain stack of dense layers (no features).
   *
   * @param loss       the loss
   * @param layers     the layers from input to output
   * @param inputScale what raw inputs are multiplied by before the first layer
   * @param classNames the output classes' names, or null
   * @param standardization per-input mean and standard deviation, or null
   */
  public Network(Loss loss, List<Layer> layers, float inputScale, List<String> classNames,
      Standardization standardization) {
    this(loss, layers, inputScale, classNames, standardization, null);
  }

  /**
   * Checks that the layers chain and the scale is positive; copies the list.
   *
   * @param loss       the loss it is trained with
   * @param layers     the layers from input to output, at least one, each taking the previous one's outputs
   * @param inputScale what raw inputs are multiplied by before the first layer; positive and finite
   * @param classNames the output classes' names, or null
   * @param standardization per-input mean and standard deviation, or null
   * @param features   the stages before the dense layers, or null
   * @throws IllegalArgumentException if there are no layers, two neighbours do not chain (the features' output
   *     and the first layer too), or the dense dropouts are not one per layer
   * @throws dev.cltrain.InputException if the scale is not positive and finite
   */
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
    checkInputScale(inputScale);
    layers = List.copyOf(layers);
    classNames = classNames == null ? null : List.copyOf(classNames);
    if (features != null) {
      if (features.output().size() != layers.get(0).inputs()) {
        throw new IllegalArgumentException("the first dense layer takes " + layers.get(0).inputs()
            + " inputs but the stages before it give " + features.output() + " = " + features.output().size());
      }
      if (features.denseDropout().length != layers.size()) {
        throw new IllegalArgumentException(features.denseDropout().length + " dense dropout rates for "
            + layers.size() + " dense layers");
      }
    }
    int inputs = features != null ? features.input().size() : layers.get(0).inputs();
    if (standardization != null && standardization.mean().length != inputs) {
      throw new dev.cltrain.InputException("standardization of " + standardization.mean().length
          + " inputs for a network of " + inputs);
    }
  }

  /** The input scale, refused unless positive and finite. */
  private static float checkInputScale(float scale) {
    if (!(scale > 0) || Float.isInfinite(scale)) {
      throw new dev.cltrain.InputException("the input scale must be positive and finite, got " + scale);
    }
    return scale;
  }

  /**
   * @param scale what raw inputs are multiplied by before the first layer
   * @return the same network with that input scale
   * @throws dev.cltrain.InputException when the scale is not positive and finite
   */
  public Network withInputScale(float scale) {
    return new Network(loss, layers, scale, classNames, standardization, features);
  }

  /**
   * @param names the output classes' names, or null
   * @return the same network with those class names
   */
  public Network withClassNames(List<String> names) {
    return new Network(loss, layers, inputScale, names, standardization, features);
  }

  /**
   * @param s the per-input standardization, or null
   * @return the same network with it
   */
  public Network withStandardization(Standardization s) {
    return new Network(loss, layers, inputScale, classNames, s, features);
  }

  /**
   * @param newLayers layers of the same shapes (e.g. trained weights)
   * @return this network's loss, scale, class names and standardization with those layers
   */
  public Network withLayers(List<Layer> newLayers) {
    return new Network(loss, newLayers, inputScale, classNames, standardization, features);
  }

  /**
   * @param f the stages before the dense layers (same output size), or null
   * @return this network with those features
   */
  public Network withFeatures(Features f) {
    return new Network(loss, layers, inputScale, classNames, standardization, f);
  }

  /** @return the convolutions before the dense layers, in order (empty for a dense network) */
  public List<Conv> convs() {
    return features == null ? List.of() : features.convs();
  }

  /** @return whether this network has stages before its dense layers or dropout ({@code --net} beyond dense) */
  public boolean hasFeatures() {
    return features != null;
  }

  /**
   * The seed's initialisation generalised: for each layer in order, its weights (inputs × outputs,
   * row-major) then its bias, each drawn from {@code np.random.randn} after {@code np.random.seed(seed)}.
   * Sigmoid layers with MSE: the seed's network.
   *
   * @param widths from input to output, at least two
   * @param seed   {@code np.random.seed} of the draws, 0 to 2³²−1
   * @return the new network, input scale 1
   */
  public static Network initNormal(int[] widths, long seed) {
    return init(widths, Activation.SIGMOID, Loss.MSE, Init.NORMAL, new NumpyRandom(seed));
  }

  /** The most weights one layer may have: half of Java's largest array, room for the optimizer's buffers of its size. */
  public static final long MAX_LAYER_WEIGHTS = Integer.MAX_VALUE / 2;

  /**
   * A new network: hidden layers use {@code hidden}, the output layer the loss's activation; weights drawn
   * from {@code random} layer by layer as {@code init} says (the generator is left where the draws end).
   *
   * @param widths from input to output, at least two, each positive
   * @param hidden the hidden layers' activation
   * @param loss   the loss, which fixes the output layer's activation
   * @param init   how the weights are drawn
   * @param random the generator to draw from
   * @return the new network, input scale 1
   * @throws dev.cltrain.InputException if a layer would have more than {@link #MAX_LAYER_WEIGHTS} weights
   */
  public static Network init(int[] widths, Activation hidden, Loss loss, Init init, NumpyRandom random) {
    return init(widths, hidden, loss, loss.output, init, random);
  }

  /**
   * {@link #init(int[], Activation, Loss, Init, NumpyRandom)} with the output layer's activation given: the
   * loss's own, or identity under MSE (regression targets outside [0, 1]).
   *
   * @param widths from input to output, at least two, each positive
   * @param hidden the hidden layers' activation
   * @param loss   the loss
   * @param output the output layer's activation; must be {@link Loss#allowsOutput allowed} by the loss
   * @param init   how the weights are drawn
   * @param random the generator to draw from
   * @return the new network, input scale 1
   * @throws IllegalArgumentException if the loss does not allow that output
   * @throws dev.cltrain.InputException if a layer would have more than {@link #MAX_LAYER_WEIGHTS} weights
   */
  public static Network init(int[] widths, Activation hidden, Loss loss, Activation output, Init init,
      NumpyRandom random) {
    if (!loss.allowsOutput(output)) {
      throw new IllegalArgumentException("loss " + loss.id + " cannot have a " + output.id + " output layer");
    }
    NetSpec.checkLayerSizes(widths, "Network.init" + java.util.Arrays.toString(widths));
    List<Layer> layers = new ArrayList<>();
    for (int l = 1; l < widths.length; l++) {
      float[][] drawn = init.draw(random, widths[l - 1], widths[l]);
      Activation activation = l == widths.length - 1 ? output : hidden;
      layers.add(new Layer(widths[l - 1], widths[l], activation, drawn[0], drawn[1]));
    }
    return new Network(loss, layers);
  }

  /**
   * @return the dense widths from input to output, e.g. {2, 4, 1}: the first dense layer's inputs (the
   *     features' output size when there are features), then each layer's outputs
   */
  public int[] widths() {
    int[] widths = new int[layers.size() + 1];
    widths[0] = layers.get(0).inputs();
    for (int l = 0; l < layers.size(); l++) {
      widths[l + 1] = layers.get(l).outputs();
    }
    return widths;
  }

  /** @return inputs per row: the features' input size, or the first layer's input width */
  public int inputs() {
    return features != null ? features.input().size() : layers.get(0).inputs();
  }

  /** @return outputs per row: the last layer's width */
  public int outputs() {
    return layers.get(layers.size() - 1).outputs();
  }

  /** @return the number of weights and biases, over all layers */
  public long parameterCount() {
    long count = features == null ? 0 : features.parameterCount();
    for (Layer layer : layers) {
      count += layer.weightCount() + layer.outputs();
    }
    return count;
  }

  /**
   * Finds the first weight or bias, layer by layer, that is NaN or infinite.
   *
   * @param network the network to check
   * @return e.g. "weight 3 of layer 2 became NaN" (layers counted from 1, weights row-major from 0), or
   *     null if every parameter is finite
   */
  public static String firstNonFinite(Network network) {
    List<Conv> convs = network.convs();
    for (int c = 0; c < convs.size(); c++) {
      String where = firstNonFinite(convs.get(c).weights(), convs.get(c).bias(), "conv layer " + (c + 1));
      if (where != null) {
        return where;
      }
    }
    for (int l = 0; l < network.layers.size(); l++) {
      Layer layer = network.layers.get(l);
      float[] weights = layer.weights();
      for (int i = 0; i < weights.length; i++) {
        if (!Float.isFinite(weights[i])) {
          return "weight " + i + " of layer " + (l + 1) + " became " + weights[i];
        }
      }
      float[] bias = layer.bias();
      for (int i = 0; i < bias.length; i++) {
        if (!Float.isFinite(bias[i])) {
          return "bias " + i + " of layer " + (l + 1) + " became " + bias[i];
        }
      }
    }
    return null;
  }

  private static String firstNonFinite(float[] weights, float[] bias, String layer) {
    for (int i = 0; i < weights.length; i++) {
      if (!Float.isFinite(weights[i])) {
        return "weight " + i + " of " + layer + " became " + weights[i];
      }
    }
    for (int i = 0; i < bias.length; i++) {
      if (!Float.isFinite(bias[i])) {
        return "bias " + i + " of " + layer + " became " + bias[i];
      }
    }
    return null;
  }

  /**
   * @param a a network
   * @param b a network of the same shape
   * @return the largest |a − b| over every weight and bias (NaN if either side has a NaN there)
   */
  public static float maxAbsDifference(Network a, Network b) {
    float max = 0;
    List<Conv> ac = a.convs();
    List<Conv> bc = b.convs();
    for (int c = 0; c < ac.size(); c++) {
      max = Math.max(max, maxAbs(ac.get(c).weights(), bc.get(c).weights()));
      max = Math.max(max, maxAbs(ac.get(c).bias(), bc.get(c).bias()));
    }
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

  /**
   * A builder of a new network with these widths, from input to output.
   *
   * @param widths at least two: the inputs, any hidden layers' widths, the outputs
   * @return a builder with the defaults: sigmoid hidden layers, MSE, the initialisation that suits them
   *     ({@link Init#defaultFor}), seed 0, input scale 1
   */
  public static Builder builder(int... widths) {
    return new Builder(dev.cltrain.InputException.require(widths, "the widths").clone());
  }

  /**
   * Builds a new network, weights drawn from the NumPy-compatible generator. Not thread-safe; the network it
   * builds is an immutable value.
   */
  public static final class Builder {
    private final int[] widths;
    private Activation hidden = Activation.SIGMOID;
    private Loss loss = Loss.MSE;
    private Activation output;
    private Init init;
    private long seed;
    private float inputScale = 1f;

    private Builder(int[] widths) {
      if (widths.length < 2) {
        throw new dev.cltrain.InputException("a network needs at least two widths, input and output, got "
            + java.util.Arrays.toString(widths));
      }
      for (int w : widths) {
        if (w <= 0) {
          throw new dev.cltrain.InputException("widths must be positive, got " + java.util.Arrays.toString(widths));
        }
      }
      NetSpec.checkLayerSizes(widths, "Network.builder" + java.util.Arrays.toString(widths));
      this.widths = widths;
    }

    /**
     * @param activation the hidden layers' activation (not softmax, which only an xent output layer has)
     * @return this builder
     */
    public Builder hidden(Activation activation) {
      if (dev.cltrain.InputException.require(activation, "the hidden activation") == Activation.SOFTMAX) {
        throw new dev.cltrain.InputException("softmax is only an output activation (use Loss.XENT)");
      }
      this.hidden = activation;
      return this;
    }

    /**
     * @param loss the loss; the output layer's activation follows it (sigmoid for MSE, softmax for XENT)
     * @return this builder
     */
    public Builder loss(Loss loss) {
      this.loss = dev.cltrain.InputException.require(loss, "the loss");
      return this;
    }

    /**
     * @param activation the output layer's activation: null for the loss's own (sigmoid for MSE, softmax for
     *                   XENT); identity is allowed under MSE, for regression targets outside [0, 1]
     * @return this builder
     */
    public Builder output(Activation activation) {
      this.output = activation;
      return this;
    }

    /**
     * @param init how the initial weights are drawn
     * @return this builder
     */
    public Builder init(Init init) {
      this.init = init;
      return this;
    }

    /**
     * @param seed {@code np.random.seed} of the draws, 0 to 2³²−1
     * @return this builder
     */
    public Builder seed(long seed) {
      if (seed < 0 || seed > 0xFFFFFFFFL) {
        throw new dev.cltrain.InputException("the seed must be between 0 and 4294967295, got " + seed);
      }
      this.seed = seed;
      return this;
    }

    /**
     * @param scale what raw inputs are multiplied by before the first layer (1/255f for pixels 0..255)
     * @return this builder
     */
    public Builder inputScale(float scale) {
      this.inputScale = checkInputScale(scale);
      return this;
    }

    /** @return the network, weights drawn from a new generator seeded with the {@link #seed} given */
    public Network build() {
      return build(generator());
    }

    /** {@return a new generator seeded with the {@link #seed} given, as {@link #build()} draws from} */
    public NumpyRandom generator() {
      return new NumpyRandom(seed);
    }

    /**
     * @param random the generator to draw from, left where the draws end (the CLI goes on shuffling with it,
     *               as NumPy's global generator would)
     * @return the network
     */
    public Network build(NumpyRandom random) {
      Init how = init != null ? init : Init.defaultFor(hidden, loss);
      Activation out = output != null ? output : loss.output;
      if (!loss.allowsOutput(out)) {
        throw new dev.cltrain.InputException("loss " + loss.id + " cannot have a " + out.id + " output layer"
            + (loss == Loss.MSE ? " (sigmoid or identity)" : " (softmax only)"));
      }
      return Network.init(widths, hidden, loss, out, how, random).withInputScale(inputScale);
    }
  }
}
