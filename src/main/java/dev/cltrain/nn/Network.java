package dev.cltrain.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * A network: the shape of its input, one list of {@link Layer}s from input to output (dense layers,
 * convolutions, pooling, dropout; the last is the dense output layer), and the loss it is trained with. An
 * immutable value. Build a new dense one with {@link #builder(int...)}, one from a {@code --net} with {@link
 * NetSpec#build}:
 *
 * <pre>{@code
 * Network net = Network.builder(784, 128, 10).hidden(Activation.RELU).loss(Loss.XENT).seed(0).build();
 * }</pre>
 *
 * <p>Convolutions and pooling come before the first dense layer; after it come dense layers, each followed by
 * at most one dropout. Dropout streams: the dropout layers are numbered 0, 1, … in list order; stream s of step
 * t drops value i as {@code kernels/conv.cl dropout} with counter (i, t, s).
 *
 * @param input      the shape of one input sample (its size is the data's input width; 1 × 1 × n for a row of
 *     n values)
 * @param layers     the layers from input to output, each taking what the one before gives
 * @param loss       the loss it is trained with, which fixes the output layer's activation
 * @param inputScale what raw inputs are multiplied by before the first layer (1/255 for IDX pixels, 1 for CSV),
 *     kept with a saved model so that it predicts from raw inputs with no flags repeated
 * @param classNames the names of the output classes (string labels of a CSV, Fashion-MNIST's), or null
 * @param standardization per-input mean and standard deviation applied to scaled inputs before the first
 *     layer ({@code --standardize}), or null
 * @param dropoutSeed the dropout masks' seed, 0 to 2⁶⁴−1 as a long (0 for a network without dropout)
 * @param vocabulary how raw text becomes its input row of token ids ({@code --text-column}), or null when it
 *     takes numbers
 */
public record Network(Shape input, List<Layer> layers, Loss loss, float inputScale, List<String> classNames,
    Standardization standardization, long dropoutSeed, Vocabulary vocabulary) {
  /**
   * A network that takes numbers, not text.
   *
   * @param input      the shape of one input sample
   * @param layers     the layers from input to output
   * @param loss       the loss it is trained with
   * @param inputScale what raw inputs are multiplied by before the first layer
   * @param classNames the output classes' names, or null
   * @param standardization per-input mean and standard deviation, or null
   * @param dropoutSeed the dropout masks' seed
   */
  public Network(Shape input, List<Layer> layers, Loss loss, float inputScale, List<String> classNames,
      Standardization standardization, long dropoutSeed) {
    this(input, layers, loss, inputScale, classNames, standardization, dropoutSeed, null);
  }

  /**
   * A network that takes its inputs as they are (input scale 1), its input shape the first layer's.
   *
   * @param loss   the loss
   * @param layers the layers from input to output
   */
  public Network(Loss loss, List<? extends Layer> layers) {
    this(loss, layers, 1.0f);
  }

  /**
   * A network with no class names and no standardization, its input shape the first layer's.
   *
   * @param loss       the loss
   * @param layers     the layers from input to output
   * @param inputScale what raw inputs are multiplied by before the first layer
   */
  public Network(Loss loss, List<? extends Layer> layers, float inputScale) {
    this(loss, layers, inputScale, null, null);
  }

  /**
   * A network whose input shape is its first layer's, dropout seed 0.
   *
   * @param loss       the loss
   * @param layers     the layers from input to output
   * @param inputScale what raw inputs are multiplied by before the first layer
   * @param classNames the output classes' names, or null
   * @param standardization per-input mean and standard deviation, or null
   */
  public Network(Loss loss, List<? extends Layer> layers, float inputScale, List<String> classNames,
      Standardization standardization) {
    this(NetworkChecks.firstInput(layers), List.copyOf(layers), loss, inputScale, classNames, standardization, 0);
  }

  /**
   * Checks that the layers chain from the input and the scale is positive; copies the lists.
   *
   * @param input      the shape of one input sample
   * @param layers     the layers from input to output, at least one, ending in a dense layer
   * @param loss       the loss it is trained with
   * @param inputScale what raw inputs are multiplied by before the first layer; positive and finite
   * @param classNames the output classes' names, or null
   * @param standardization per-input mean and standard deviation, or null
   * @param dropoutSeed the dropout masks' seed
   * @param vocabulary the text's vocabulary, or null
   * @throws IllegalArgumentException if there are no layers, the last is not dense, two neighbours do not
   *     chain, a convolution or pooling follows a dense layer, or a dense layer has two dropouts
   * @throws dev.cltrain.core.InputException if the scale is not positive and finite
   */
  public Network {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("a network needs at least one layer");
    }
    layers = List.copyOf(layers);
    NetworkChecks.chain(input, layers);
    NetworkChecks.checkInputScale(inputScale);
    classNames = classNames == null ? null : List.copyOf(classNames);
    if (standardization != null && standardization.mean().length != input.size()) {
      throw new dev.cltrain.core.InputException("standardization of " + standardization.mean().length
          + " inputs for a network of " + input.size());
    }
    if (vocabulary != null && vocabulary.seqLen() != input.size()) {
      throw new dev.cltrain.core.InputException("a text of " + vocabulary.seqLen() + " token ids for a network of "
          + input.size() + " inputs");
    }
  }

  /**
   * @param v how raw text becomes the input row, or null
   * @return the same network with it
   */
  public Network withVocabulary(Vocabulary v) {
    return new Network(input, layers, loss, inputScale, classNames, standardization, dropoutSeed, v);
  }

  /**
   * @param scale what raw inputs are multiplied by before the first layer
   * @return the same network with that input scale
   * @throws dev.cltrain.core.InputException when the scale is not positive and finite
   */
  public Network withInputScale(float scale) {
    return new Network(input, layers, loss, scale, classNames, standardization, dropoutSeed, vocabulary);
  }

  /**
   * @param names the output classes' names, or null
   * @return the same network with those class names
   */
  public Network withClassNames(List<String> names) {
    return new Network(input, layers, loss, inputScale, names, standardization, dropoutSeed, vocabulary);
  }

  /**
   * @param s the per-input standardization, or null
   * @return the same network with it
   */
  public Network withStandardization(Standardization s) {
    return new Network(input, layers, loss, inputScale, classNames, s, dropoutSeed, vocabulary);
  }

  /**
   * @param newLayers every layer, from input to output, taking this network's input
   * @return this network's input, loss, scale, class names, standardization and seed with those layers
   */
  public Network withLayers(List<? extends Layer> newLayers) {
    return new Network(input, List.copyOf(newLayers), loss, inputScale, classNames, standardization, dropoutSeed,
        vocabulary);
  }

  /**
   * @param seed the dropout masks' seed
   * @return the same network with that seed
   */
  public Network withDropoutSeed(long seed) {
    return new Network(input, layers, loss, inputScale, classNames, standardization, seed, vocabulary);
  }

  /**
   * @param newDense dense layers of the same shapes, one per {@link #dense()} layer in order (e.g. trained)
   * @return this network with those dense layers in place of its own
   */
  public Network withDense(List<Dense> newDense) {
    List<Layer> all = new ArrayList<>(layers);
    int d = 0;
    for (int l = 0; l < all.size(); l++) {
      if (NetworkChecks.isDense(all.get(l))) {
        all.set(l, newDense.get(d++));
      }
    }
    if (d != newDense.size()) {
      throw new IllegalArgumentException(newDense.size() + " dense layers for a network of " + d);
    }
    return withLayers(all);
  }

  /**
   * @param newStages layers of the same shapes as {@link #stages()} (e.g. trained convolutions)
   * @return this network with those in place of the layers before its first dense layer
   */
  public Network withStages(List<? extends Layer> newStages) {
    List<Layer> all = new ArrayList<>(newStages);
    all.addAll(layers.subList(stages().size(), layers.size()));
    return withLayers(all);
  }

  /**
   * This network with its output layer (the last dense layer) replaced by a fresh one of {@code outputs} units,
   * for fine-tuning on new classes: the same inputs, the activation the old head had (the loss's: softmax under
   * xent), Glorot-normal weights ({@link Init#XAVIER}: inputs × outputs row-major, standard normal ×
   * sqrt(2 / (inputs + outputs))) drawn from {@code np.random.seed(seed)}, biases zero. The class names are
   * dropped (a run takes its data's).
   *
   * <pre>{@code
   * Network pretrained = Network.builder(4, 8, 3).hidden(Activation.RELU).loss(Loss.XENT).build();
   * Network tuned = pretrained.withNewHead(5, 0); // 4, 8, 5: a fresh softmax head of five classes
   * }</pre>
   *
   * @param outputs the new head's units (the new data's classes or targets), at least 1
   * @param seed    {@code np.random.seed} of the draws, 0 to 2³²−1
   * @return the network with the new head
   * @throws dev.cltrain.core.InputException naming "newHead" when {@code outputs} is not positive or the seed is
   *     outside 0..2³²−1
   */
  public Network withNewHead(int outputs, long seed) {
    if (outputs < 1) {
      throw dev.cltrain.core.InputException.parameter("newHead", "must be at least 1, got " + outputs);
    }
    if (seed < 0 || seed > 0xFFFFFFFFL) {
      throw dev.cltrain.core.InputException.parameter("seed", "must be between 0 and 4294967295, got " + seed);
    }
    Dense old = (Dense) layers.get(layers.size() - 1); // the constructor keeps a dense layer last
    NetSpec.checkLayerSizes(new int[] {old.inputs(), outputs}, "newHead " + outputs);
    float[][] drawn = Init.XAVIER.draw(new NumpyRandom(seed), old.inputs(), outputs);
    List<Layer> all = new ArrayList<>(layers.subList(0, layers.size() - 1));
    all.add(new Dense(old.inputs(), outputs, old.activation(), drawn[0], drawn[1]));
    return new Network(input, all, loss, inputScale, null, standardization, dropoutSeed, vocabulary);
  }

  /**
   * Where training starts when the first {@code frozen} layers are frozen ({@code --freeze}): layers are counted
   * as the items of {@link #layers()}, from 0 at the input, every item once whether or not it has parameters
   * (a convolution, a pooling, a dropout, a dense layer; an activation belongs to its convolution or dense
   * layer). Backpropagation stops at the layer this returns.
   *
   * @param frozen the first layers not to train, at least 0
   * @return the index in {@link #layers()} of the first layer with parameters at or after {@code frozen}
   * @throws dev.cltrain.core.InputException naming "freeze" when {@code frozen} is negative, past the last layer,
   *     or leaves no layer with parameters to train
   */
  public int firstTrainable(int frozen) {
    return NetworkChecks.firstTrainable(layers, frozen);
  }

  /** @return the dense layers, in order (the last is the output layer) */
  public List<Dense> dense() {
    List<Dense> dense = new ArrayList<>();
    for (Layer l : layers) {
      if (l instanceof Dense d) {
        dense.add(d);
      }
    }
    return dense;
  }

  /** @return the layers before the first dense layer (convolutions, pooling, dropout), in order */
  public List<Layer> stages() {
    int first = 0;
    while (!NetworkChecks.isDense(layers.get(first))) {
      first++;
    }
    return layers.subList(0, first);
  }

  /** @return per dense layer, the rate of the dropout after it (0 where none follows it) */
  public float[] denseDropout() {
    float[] rates = new float[dense().size()];
    int d = -1;
    for (Layer l : layers) {
      if (NetworkChecks.isDense(l)) {
        d++;
      } else if (d >= 0 && l instanceof Dropout dropout) {
        rates[d] = dropout.rate();
      }
    }
    return rates;
  }

  /** @return the convolutions, in order, a residual block's as {@link Residual#convs()} (empty for a dense network) */
  public List<Conv> convs() {
    List<Conv> convs = new ArrayList<>();
    for (Layer l : layers) {
      if (l instanceof Conv c) {
        convs.add(c);
      } else if (l instanceof Residual r) {
        convs.addAll(r.convs());
      }
    }
    return convs;
  }

  /** @return whether it has layers besides dense ones, what --net adds to --layers (saved as model JSON v2) */
  public boolean hasFeatures() {
    return !layers.stream().allMatch(NetworkChecks::isDense);
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
   * @throws dev.cltrain.core.InputException if a layer would have more than {@link #MAX_LAYER_WEIGHTS} weights
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
   * @throws dev.cltrain.core.InputException if a layer would have more than {@link #MAX_LAYER_WEIGHTS} weights
   */
  public static Network init(int[] widths, Activation hidden, Loss loss, Activation output, Init init,
      NumpyRandom random) {
    if (!loss.allowsOutput(output)) {
      throw new IllegalArgumentException("loss " + loss.id + " cannot have a " + output.id + " output layer");
    }
    NetSpec.checkLayerSizes(widths, "Network.init" + java.util.Arrays.toString(widths));
    List<Dense> layers = new ArrayList<>();
    for (int l = 1; l < widths.length; l++) {
      float[][] drawn = init.draw(random, widths[l - 1], widths[l]);
      Activation activation = l == widths.length - 1 ? output : hidden;
      layers.add(new Dense(widths[l - 1], widths[l], activation, drawn[0], drawn[1]));
    }
    return new Network(loss, layers);
  }

  /**
   * @return the dense widths from input to output, e.g. {2, 4, 1}: the first dense layer's inputs (the size of
   *     what the layers before it give), then each dense layer's outputs
   */
  public int[] widths() {
    List<Dense> dense = dense();
    int[] widths = new int[dense.size() + 1];
    widths[0] = dense.get(0).inputs();
    for (int l = 0; l < dense.size(); l++) {
      widths[l + 1] = dense.get(l).outputs();
    }
    return widths;
  }

  /** @return inputs per row: the input shape's size */
  public int inputs() {
    return input.size();
  }

  /** @return outputs per row: the output layer's width */
  public int outputs() {
    return layers.get(layers.size() - 1).output().size();
  }

  /** @return the number of weights and biases, over all layers */
  public long parameterCount() {
    long count = 0;
    for (Layer layer : layers) {
      count += layer.parameterCount();
    }
    return count;
  }

  /**
   * @param network the network to check
   * @return the first weight or bias that is NaN or infinite, named ({@link Parameters#firstNonFinite}), or null
   */
  public static String firstNonFinite(Network network) {
    return Parameters.firstNonFinite(network);
  }

  /**
   * @param a a network
   * @param b a network of the same shape
   * @return the largest |a − b| over every weight and bias ({@link Parameters#maxAbsDifference})
   */
  public static float maxAbsDifference(Network a, Network b) {
    return Parameters.maxAbsDifference(a, b);
  }

  /**
   * A builder of a new network with these widths, from input to output.
   *
   * @param widths at least two: the inputs, any hidden layers' widths, the outputs
   * @return a builder with the defaults: sigmoid hidden layers, MSE, the initialisation that suits them
   *     ({@link Init#defaultFor}), seed 0, input scale 1
   */
  public static Builder builder(int... widths) {
    return new Builder(dev.cltrain.core.InputException.require(widths, "the widths").clone());
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
        throw new dev.cltrain.core.InputException("a network needs at least two widths, input and output, got "
            + java.util.Arrays.toString(widths));
      }
      for (int w : widths) {
        if (w <= 0) {
          throw new dev.cltrain.core.InputException("widths must be positive, got " + java.util.Arrays.toString(widths));
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
      if (dev.cltrain.core.InputException.require(activation, "the hidden activation") == Activation.SOFTMAX) {
        throw new dev.cltrain.core.InputException("softmax is only an output activation (use Loss.XENT)");
      }
      this.hidden = activation;
      return this;
    }

    /**
     * @param loss the loss; the output layer's activation follows it (sigmoid for MSE, softmax for XENT)
     * @return this builder
     */
    public Builder loss(Loss loss) {
      this.loss = dev.cltrain.core.InputException.require(loss, "the loss");
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
        throw new dev.cltrain.core.InputException("the seed must be between 0 and 4294967295, got " + seed);
      }
      this.seed = seed;
      return this;
    }

    /**
     * @param scale what raw inputs are multiplied by before the first layer (1/255f for pixels 0..255)
     * @return this builder
     */
    public Builder inputScale(float scale) {
      this.inputScale = NetworkChecks.checkInputScale(scale);
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
        throw new dev.cltrain.core.InputException("loss " + loss.id + " cannot have a " + out.id + " output layer"
            + (loss == Loss.MSE ? " (sigmoid or identity)" : " (softmax only)"));
      }
      return Network.init(widths, hidden, loss, out, how, random).withInputScale(inputScale);
    }
  }
}
