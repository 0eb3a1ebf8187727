package dev.cltrain;

import dev.cltrain.core.InputException;
import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Init;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.NetSpec;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Shape;
import java.util.function.UnaryOperator;

/**
 * The network a run starts from, the same for every entry point: {@code cltrain train} (and {@code bench}) and
 * SparkTrain build one from their options and draw it here, so that the same options give the same initial
 * weights, bit for bit. A bad value is an {@link InputException} naming the parameter as Java does
 * ({@link InputException#parameter()}, e.g. "inputShape"), which a command maps to its option.
 *
 * @param net         the network as items from input to output (parsed once, e.g. {@link NetSpec#parse}); null
 *                    for dense layers of {@code layers}
 * @param layers      dense widths from input to output; null for the data's inputs and outputs (no hidden layer);
 *                    not with {@code net}
 * @param inputShape  the image shape of a row for {@code net}'s conv and pool items; null for the data's own
 * @param hidden      the hidden layers' activation with {@code layers}; null for sigmoid, the seed's
 * @param init        how the weights are drawn; null for the default that suits the activations and the loss
 * @param standardize whether each input column is standardized with the training rows' mean and standard
 *                    deviation (kept in the model)
 */
public record NetworkRecipe(NetSpec net, int[] layers, Shape inputShape, Activation hidden, Init init,
    boolean standardize) {
  /** The hidden layers' activation when none is named: the seed's sigmoid. */
  public static final Activation DEFAULT_HIDDEN = Activation.SIGMOID;

  /** Copies {@code layers}, and refuses {@code net} with {@code layers}. */
  public NetworkRecipe {
    if (net != null && layers != null) {
      throw InputException.parameter("net", "and layers exclude each other");
    }
    layers = layers == null ? null : layers.clone();
  }

  /** {@return the widths, a copy; null for the data's inputs and outputs} */
  @Override
  public int[] layers() {
    return layers == null ? null : layers.clone();
  }

  /** {@return the output rule of a network with no other: the activation a net's last item names, else the loss's own} */
  public static UnaryOperator<Activation> outputOf(Loss loss) {
    return item -> item != null ? item : loss.output;
  }

  /**
   * Draws the network for data of {@code inputs} and {@code outputs} per row: the net's stages and layers on the
   * image shape ({@link #inputShape}, whose size must be {@code inputs}, else {@code image}, else 1×1×inputs), or
   * the dense layers of {@link #layers}; weights from {@code random}, left where the draws end.
   *
   * @param inputs     the data's inputs per row
   * @param outputs    the data's targets per row (classes count one each)
   * @param image      the data's own image shape (IDX), or null
   * @param dataName   the data's name, for messages
   * @param loss       the loss
   * @param outputRule the output layer's activation given the activation item after a net's last dense item (null
   *                   when there is none, and always with layers), e.g. {@link #outputOf}; called after that item is
   *                   checked against the loss
   * @param random     the generator to draw from
   * @param seed       the dropout masks' seed
   * @return the network, input scale 1, no class names and no standardization
   * @throws InputException when the network does not fit the data
   */
  public Network draw(int inputs, int outputs, Shape image, String dataName, Loss loss,
      UnaryOperator<Activation> outputRule, NumpyRandom random, long seed) {
    if (net == null) {
      if (inputShape != null) {
        throw InputException.parameter("inputShape", inputShape + " applies to a net of items only (the image shape its "
            + "conv and pool items take)");
      }
      int[] widths = layers != null ? layers : new int[] {inputs, outputs};
      checkFits(widths, inputs, outputs, dataName, "layers", joined(widths));
      return Network.builder(widths).hidden(hidden != null ? hidden : DEFAULT_HIDDEN).loss(loss)
          .output(outputRule.apply(null)).init(init).build(random);
    }
    Shape shape = image;
    if (inputShape != null) {
      shape = inputShape;
      if (shape.size() != inputs) {
        String given = shape.width() == 1 && shape.height() > 1 ? shape.height() + "x" + shape.channels() : shape.toString();
        throw InputException.parameter("inputShape", given + " is " + shape.size() + " values per row but the data ("
            + dataName + ") has " + inputs + " input" + (inputs == 1 ? "" : "s"));
      }
    }
    Shape input = net.inputShape(shape, inputs);
    Activation item = net.outputActivation();
    if (item != null) {
      net.check(input, outputs, loss, null); // an item the loss does not allow, named as the item
    }
    Activation out = outputRule.apply(item);
    net.check(input, outputs, loss, out);
    return net.build(input, outputs, loss, out, init, random, seed);
  }

  /**
   * The run of this network on {@code data}: drawn from {@code np.random.seed(seed)}, the training rows then
   * shuffled by the same generator where the draws end (as {@link Training#of(Network.Builder, TrainingData)}),
   * the data's input scale and class names recorded, standardized if asked.
   *
   * @param data       the data
   * @param loss       the loss
   * @param outputRule the output layer's activation, as {@link #draw} takes it
   * @param seed       np.random.seed of the draws and the shuffling, and the dropout masks' seed
   * @return the run, before its optimizer and batch size ({@link TrainingRecipe#applyTo})
   * @throws InputException when the network does not fit the data
   */
  public Training start(TrainingData data, Loss loss, UnaryOperator<Activation> outputRule, long seed) {
    NumpyRandom random = new NumpyRandom(seed);
    Network network = draw(data.train().inputs(), data.train().outputs(), data.imageShape(), data.train().name(),
        loss, outputRule, random, seed);
    Training training = Training.of(network, data).shuffleWith(random);
    return standardize ? training.standardize() : training;
  }

  /**
   * Refuses a network whose first width is not the data's inputs, or whose last is not its outputs.
   *
   * @param widths    the network's widths (or just its inputs and outputs)
   * @param inputs    the data's inputs per row
   * @param outputs   the data's targets per row
   * @param dataName  the data's name, for the message
   * @param parameter what gave the network, e.g. "layers" or "initModel"
   * @param given     its value, e.g. "2,4,1"
   * @throws InputException naming {@code parameter}
   */
  public static void checkFits(int[] widths, int inputs, int outputs, String dataName, String parameter,
      String given) {
    if (widths[0] != inputs) {
      throw InputException.parameter(parameter, given + ": the first width is " + widths[0] + " but the data ("
          + dataName + ") has " + inputs + " input column" + (inputs == 1 ? "" : "s"));
    }
    int last = widths[widths.length - 1];
    if (last != outputs) {
      throw InputException.parameter(parameter, given + ": the last width is " + last + " but the data (" + dataName
          + ") has " + outputs + " target" + (outputs == 1 ? "" : "s") + " (classes count as one output each)");
    }
  }

  /** {@return widths as a --layers value: "2,4,1"} */
  public static String joined(int[] widths) {
    StringBuilder b = new StringBuilder();
    for (int w : widths) {
      b.append(b.length() == 0 ? "" : ",").append(w);
    }
    return b.toString();
  }
}
