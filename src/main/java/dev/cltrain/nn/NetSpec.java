package dev.cltrain.nn;

import dev.cltrain.core.InputException;
import dev.cltrain.core.Wording;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network described as {@code --net} does: comma-separated items read from the input towards the output,
 * each {@code name} or {@code name:arg:arg} (a comma inside parentheses, {@code name(ITEMS)}, stays in its item,
 * for a kind that holds its own items). This class holds the generic grammar: the items' split, {@code flatten},
 * the activation items and the output layer; where each item may stand ({@link LayerKind.Place}) is
 * {@code NetPlacement}'s. Each layer kind's item is read by its {@link LayerKind} row ({@link LayerKind#item}),
 * which also checks its shape and builds its layer ({@link NetItem}). The items today:
 *
 * <ul>
 *   <li>{@code conv:FILTERS:K} — a K×K convolution to FILTERS channels, "same" padding and stride 1; add
 *       {@code :sS} for stride S and {@code :valid} for no padding, e.g. {@code conv:64:3:s2:valid};
 *   <li>{@code maxpool:P}, {@code avgpool:P} — P×P pooling with stride P;
 *   <li>{@code gap} — global average pooling, H×W×C → C (a dense item may follow it directly);
 *   <li>{@code bn}, {@code batchnorm}, {@code bn:MOMENTUM:EPSILON} — batch normalization (defaults 0.1 and 1e-5,
 *       PyTorch's): per channel after a conv, pooling or gap item; per unit right after a dense item but the output
 *       layer (or its activation), before its dropout (PyTorch's BatchNorm1d); an activation item after it is its own;
 *   <li>{@code dropout:RATE} — inverted dropout, 0 ≤ RATE &lt; 1 (after a dense item: that layer's output);
 *   <li>{@code residual(ITEMS)} — a residual block ({@link Residual}): ITEMS (conv, pooling and bn items and their
 *       activations) plus the shortcut, x itself or a 1×1 convolution when the shape changes; the activation item
 *       after it applies after the sum, e.g. {@code residual(conv:16:3,relu,conv:16:3),relu};
 *   <li>{@code resblock:FILTERS[:sS]} — the basic block {@code residual(conv:F:3[:sS],bn,relu,conv:F:3,bn),relu}
 *       (relu its own: no activation item follows it);
 *   <li>{@code flatten} — a marker allowed once between the stages and the first dense item (samples are HWC
 *       rows already, so it does nothing and may be left out);
 *   <li>{@code dense:N} — a dense layer of N units; the last dense item is the output layer;
 *   <li>{@code relu}, {@code sigmoid}, {@code tanh}, {@code identity} — the activation of the conv or dense item
 *       just before it (identity when none follows). The output layer's activation follows the loss (and
 *       {@code --output}); an activation item after it must be one the loss allows.
 * </ul>
 *
 * <p>Items before the first dense item become the layers before the first dense layer; conv and pooling may not follow a
 * dense item, and the net ends with a dense item. For example {@code
 * conv:32:3,relu,maxpool:2,conv:64:3,relu,maxpool:2,flatten,dense:128,relu,dropout:0.5,dense:10} on 28×28×1
 * images. Every error is an {@link InputException} of one line naming the item and its 1-based position, e.g.
 * {@code --net: item 3 'maxpool:40': a 40x40 pool does not fit the 14x14 input}.
 *
 * <pre>{@code
 * NetSpec spec = NetSpec.parse("conv:32:3,relu,maxpool:2,dense:10");
 * Network net = spec.build(new Shape(28, 28, 1), 10, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(0), 0);
 * }</pre>
 *
 * <p>An immutable value.
 */
public final class NetSpec {
  /**
   * One item: a layer kind's ({@code layer}, parsed by its {@link LayerKind} row), an activation item
   * ({@code activation}), or {@code flatten} (neither).
   */
  record Entry(NetItem.Text text, NetItem layer, Activation activation) {
    boolean dense() {
      return layer != null && layer.kind().place == LayerKind.Place.DENSE;
    }
  }

  private static final String ACTIVATIONS = "relu, sigmoid, tanh, identity";
  private static final Pattern SHAPE = Pattern.compile("(\\d{1,7})x(\\d{1,7})x(\\d{1,7})");
  private static final Pattern SEQUENCE = Pattern.compile("(\\d{1,7})x(\\d{1,7})");

  private final String text;
  private final List<Entry> items;

  private NetSpec(String text, List<Entry> items) {
    this.text = text;
    this.items = List.copyOf(items);
  }

  /** {@return every item's form, for messages: each kind's row's, then flatten and the activations} */
  static String grammar() {
    StringJoiner forms = new StringJoiner(", ");
    for (LayerKind k : LayerKind.values()) {
      forms.add(k.usage);
    }
    return forms.add("flatten").add(ACTIVATIONS).toString();
  }

  /**
   * Reads a {@code --net} description; the shapes are checked later, by {@link #build}.
   *
   * @param spec the items, comma-separated, e.g. {@code conv:32:3,relu,maxpool:2,dense:10}
   * @return the parsed description
   * @throws InputException naming the item and its position: an unknown item, a missing or bad argument, an
   *     activation not just after a conv or dense item, a conv or pool after a dense item, a dropout rate
   *     outside [0, 1), dropout after the output layer, or no dense item at the end
   */
  public static NetSpec parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw InputException.parameter("net", ": no items; give e.g. conv:32:3,relu,maxpool:2,dense:10 (items: "
          + grammar() + ")");
    }
    NetPlacement placement = new NetPlacement();
    for (NetItem.Text t : split(spec)) {
      if (t.text().isEmpty()) {
        throw t.error("an empty item (two commas in a row, or a comma at an end)");
      }
      if (t.name().equals("flatten")) {
        t.arity(0, 0, "flatten takes no arguments");
        placement.flatten(t);
      } else if (isActivation(t.name())) {
        t.arity(0, 0, "an activation takes no arguments");
        placement.activation(t, Activation.parse(t.name(), "net"));
      } else {
        LayerKind kind = LayerKind.forId(t.name());
        if (kind == null) {
          throw t.error("unknown item (the items are " + grammar() + ")");
        }
        placement.layer(t, kind, kind.item(t));
      }
    }
    return new NetSpec(spec, placement.items());
  }

  static boolean isActivation(String name) {
    return activationNamed(name) != null;
  }

  /** {@return the activation of that id, or null for none} */
  static Activation activationNamed(String name) {
    for (Activation a : Activation.values()) {
      if (a.id.equals(name)) {
        return a;
      }
    }
    return null;
  }

  /**
   * Splits a {@code --net} into its items at the commas outside parentheses, and each item into
   * {@code name[(GROUP)][:arg]*} (a kind may hold its own items in the group).
   */
  static List<NetItem.Text> split(String spec) {
    List<NetItem.Text> texts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i <= spec.length(); i++) {
      char c = i < spec.length() ? spec.charAt(i) : ',';
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
      if (c == ',' && (depth <= 0 || i == spec.length())) {
        texts.add(text(texts.size() + 1, spec.substring(start, i).strip()));
        start = i + 1;
        depth = 0;
      }
    }
    return texts;
  }

  private static NetItem.Text text(int position, String text) {
    int colon = text.indexOf(':');
    int paren = text.indexOf('(');
    int end = paren >= 0 && (colon < 0 || paren < colon) ? paren : colon >= 0 ? colon : text.length();
    String rest = text.substring(end);
    String group = null;
    if (rest.startsWith("(")) {
      int depth = 0;
      int close = -1;
      for (int i = 0; i < rest.length() && close < 0; i++) {
        depth += rest.charAt(i) == '(' ? 1 : rest.charAt(i) == ')' ? -1 : 0;
        close = depth == 0 ? i : -1;
      }
      NetItem.Text plain = new NetItem.Text(position, text, text.substring(0, end), null, List.of());
      if (close < 0) {
        throw plain.error("a '(' without its ')'");
      }
      group = rest.substring(1, close);
      rest = rest.substring(close + 1);
      if (!rest.isEmpty() && !rest.startsWith(":")) {
        throw plain.error("expected ':' or ',' after the ')', got '" + rest + "'");
      }
    }
    List<String> args = rest.isEmpty() ? List.of() : List.of(rest.substring(1).split(":", -1));
    return new NetItem.Text(position, text, text.substring(0, end), group, args);
  }

  /** {@return the index of the last dense item (the output layer), or -1 when there is none} */
  static int lastDense(List<Entry> items) {
    for (int i = items.size() - 1; i >= 0; i--) {
      if (items.get(i).dense()) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Reads an image shape as {@code --input-shape} gives it.
   *
   * @param text  e.g. {@code 28x28x1} (height × width × channels)
   * @param where the option it came from, for the message
   * @return the shape
   * @throws InputException if it is not three positive integers joined by x, or too large
   */
  public static Shape parseShape(String text, String where) {
    Matcher m = SHAPE.matcher(text == null ? "" : text.strip());
    if (m.matches()) {
      long h = Long.parseLong(m.group(1));
      long w = Long.parseLong(m.group(2));
      long c = Long.parseLong(m.group(3));
      if (h > 0 && w > 0 && c > 0 && h * w * c <= Integer.MAX_VALUE) {
        return new Shape((int) h, (int) w, (int) c);
      }
    }
    throw new InputException(where + " " + text + ": expected HEIGHTxWIDTHxCHANNELS, three positive integers, "
        + "e.g. 28x28x1");
  }

  /**
   * Reads the shape of a row as {@code --input-shape} gives it for a net: an image HxWxC ({@link #parseShape}) or
   * a sequence TxF, T steps of F features, the shape T×1×F (a recurrent item reads an image's rows as its steps).
   *
   * @param text  e.g. {@code 28x28x1} or {@code 28x28}
   * @param where the option it came from, for the message
   * @return the shape
   * @throws InputException if it is neither three nor two positive integers joined by x, or too large
   */
  public static Shape parseInputShape(String text, String where) {
    Matcher m = SEQUENCE.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      Matcher image = SHAPE.matcher(text == null ? "" : text.strip());
      if (image.matches()) {
        return parseShape(text, where);
      }
    } else {
      long t = Long.parseLong(m.group(1));
      long f = Long.parseLong(m.group(2));
      if (t > 0 && f > 0 && t * f <= Integer.MAX_VALUE) {
        return new Shape((int) t, 1, (int) f);
      }
    }
    throw new InputException(where + " " + text + ": expected HEIGHTxWIDTHxCHANNELS (an image, e.g. 28x28x1) or "
        + "STEPSxFEATURES (a sequence, e.g. 28x28), positive integers");
  }

  /** @return the description as given */
  @Override
  public String toString() {
    return text;
  }

  /** @return the items as given, stripped, in order (item n is at index n − 1) */
  public List<String> items() {
    return items.stream().map(e -> e.text.text()).toList();
  }

  /** @return whether an item needs the input's image shape: a conv or a pooling */
  public boolean needsImage() {
    return firstImageItem() != null;
  }

  private NetItem firstImageItem() {
    for (Entry e : items) {
      if (e.layer != null && e.layer.kind() == LayerKind.EMBEDDING) {
        return null; // the items after it take its sequence
      }
      if (e.layer != null && e.layer.needsImage()) {
        return e.layer;
      }
    }
    return null;
  }

  /** @return the output layer's width: the last dense item's N */
  public int outputs() {
    return items.get(lastDense(items)).layer.check(new Shape(1, 1, 1)).size(); // 1 × 1 × N from any input
  }

  /** @return the activation item after the last dense item, or null when there is none */
  public Activation outputActivation() {
    Entry e = outputActivationItem();
    return e == null ? null : e.activation;
  }

  private Entry outputActivationItem() {
    int last = lastDense(items);
    return last + 1 < items.size() && items.get(last + 1).activation != null ? items.get(last + 1) : null;
  }

  /**
   * The shape of the input: the data's image shape when it has one, else 1 × 1 × inputs, which only dense,
   * dropout and flatten items accept.
   *
   * @param image  the data's image shape ({@code --input-shape}, an IDX header), or null when it has none
   * @param inputs the data's inputs per row
   * @return the shape to {@link #build} from
   * @throws InputException naming the first conv or pool item when {@code image} is null
   */
  public Shape inputShape(Shape image, int inputs) {
    if (image != null) {
      return image;
    }
    NetItem first = firstImageItem();
    if (first != null && first.givesSequence()) {
      throw first.text().error(Wording.of(first.what(), " needs the input's sequence shape: give ",
          Wording.param("inputShape"), " TxF (steps x features) for these ", inputs, " inputs per row"));
    }
    if (first != null) {
      throw first.text().error(Wording.of(first.what(), " needs the input's image shape: give ",
          Wording.param("inputShape"), " HxWxC for these ", inputs, " inputs per row"));
    }
    return new Shape(1, 1, inputs);
  }

  /**
   * The checks {@link #build} makes, without drawing any weight: each item fits its input, no layer is too
   * large, the output layer has {@code outputs} units and its activation item (if any) is one {@code loss}
   * allows and equals {@code output}.
   *
   * @param input   the shape of one input sample
   * @param outputs the data's targets per row (classes count one each)
   * @param loss    the loss the network is trained with
   * @param output  the output layer's activation (null: only the loss's allowance is checked)
   * @throws InputException naming the item and its position
   */
  public void check(Shape input, int outputs, Loss loss, Activation output) {
    walk(input, outputs, loss, output, null, null, 0);
  }

  /**
   * Builds a new network: each item's layer in order, weights drawn from {@code random} as {@code init} says
   * ({@link Init}: a conv draws as a dense layer of k·k·C inputs and {@code filters} outputs), layer by layer
   * (weights then bias). A net of dense items without dropout is a plain dense network (no
   * {@link Network#hasFeatures()}, dropout seed 0), exactly the one {@link Network#init} draws for the same
   * widths and activations.
   *
   * @param input       the shape of one input sample (its size is the data's inputs per row)
   * @param outputs     the data's targets per row (classes count one each): the last dense item's width
   * @param loss        the loss the network is trained with
   * @param output      the output layer's activation, one the loss allows
   * @param init        how the weights are drawn, or null for the default: {@link Init#defaultFor} with relu if
   *                    any hidden item is relu, else sigmoid if every hidden item is (or there are none), else
   *                    the first hidden activation
   * @param random      the generator to draw from, left where the draws end
   * @param dropoutSeed {@link Network#dropoutSeed()}, the dropout masks' seed (the CLI's --seed)
   * @return the network, input scale 1, no class names and no standardization
   * @throws InputException naming the item and its position when a shape does not fit (see {@link #check})
   * @throws IllegalArgumentException if the loss does not allow {@code output}
   */
  public Network build(Shape input, int outputs, Loss loss, Activation output, Init init, NumpyRandom random,
      long dropoutSeed) {
    if (output == null || !loss.allowsOutput(output)) {
      throw new IllegalArgumentException("loss " + loss.id + " cannot have a " + output + " output layer");
    }
    walk(input, outputs, loss, output, null, null, 0); // every check before the first draw
    return walk(input, outputs, loss, output, init != null ? init : defaultInit(loss), random, dropoutSeed);
  }

  /** The default initialisation for this net's hidden activations, as {@link #build} documents. */
  Init defaultInit(Loss loss) {
    List<Activation> hidden = new ArrayList<>();
    int last = lastDense(items);
    for (int i = 0; i < last; i++) {
      if (items.get(i).layer != null && items.get(i).layer.takesActivation()) {
        hidden.add(activationOf(i));
      } else if (items.get(i).layer != null && items.get(i).layer.ownActivation() != null) {
        hidden.add(items.get(i).layer.ownActivation());
      }
    }
    Activation representative = hidden.contains(Activation.RELU) ? Activation.RELU
        : hidden.stream().filter(a -> a != Activation.SIGMOID).findFirst().orElse(Activation.SIGMOID);
    return Init.defaultFor(representative, loss);
  }

  /** The activation item just after item index {@code i}, else identity. */
  private Activation activationOf(int i) {
    return activationAfter(items, i);
  }

  /** The activation item just after index {@code i} of {@code items}, else identity. */
  static Activation activationAfter(List<Entry> items, int i) {
    return i + 1 < items.size() && items.get(i + 1).activation != null ? items.get(i + 1).activation
        : Activation.IDENTITY;
  }

  /** Checks the shapes (init null) or builds the network (init given). */
  private Network walk(Shape input, int outputs, Loss loss, Activation output, Init init, NumpyRandom random,
      long dropoutSeed) {
    int last = lastDense(items);
    Entry outAct = outputActivationItem();
    if (outAct != null) {
      if (!loss.allowsOutput(outAct.activation)) {
        throw outAct.text.error(Wording.of("the output layer's activation follows ", Wording.param("loss"), " ",
            loss.id, " (", loss == Loss.MSE ? Wording.of("sigmoid, or identity with ", Wording.param("output"),
                " identity") : "softmax", ")"));
      }
      if (output != null && outAct.activation != output) {
        throw outAct.text.error(Wording.of("the output layer's activation is ", output.id, " here (",
            Wording.param("loss"), " ", loss.id, ", ", Wording.param("output"), "); leave the item out or make it ",
            output.id));
      }
    }
    int units = outputs();
    if (units != outputs) {
      throw items.get(last).text.error("the output layer has " + units + " unit" + (units == 1 ? "" : "s")
          + " but the data has " + outputs + " target" + (outputs == 1 ? "" : "s")
          + " per row (classes count as one output each)");
    }
    List<Shape> at = new ArrayList<>(); // what each item takes
    Shape shape = input;
    for (Entry e : items) {
      at.add(shape);
      shape = e.layer == null ? shape : e.layer.check(shape);
    }
    if (init == null) {
      return null;
    }
    List<Layer> layers = new ArrayList<>();
    boolean afterDense = false;
    for (int i = 0; i < items.size(); i++) {
      NetItem item = items.get(i).layer;
      if (item != null) {
        Layer layer = item.build(at.get(i), afterDense, i == last ? output : activationOf(i), init, random);
        if (layer != null) {
          layers.add(layer);
        }
        afterDense |= items.get(i).dense();
      }
    }
    Network network = new Network(input, layers, loss, 1f, null, null, dropoutSeed);
    return network.hasFeatures() ? network : network.withDropoutSeed(0); // a plain dense network: no seed
  }

  /**
   * The {@code --net} of a network's layers, each layer's {@link Layer#netItems()}: what {@link #parse} reads
   * and {@link #build} builds again, with the same shapes and activations (the weights are drawn anew).
   *
   * @param network the network
   * @return e.g. {@code "conv:32:3,relu,maxpool:2,dense:10,softmax"}
   */
  public static String of(Network network) {
    StringJoiner items = new StringJoiner(",");
    for (Layer layer : network.layers()) {
      items.add(layer.netItems());
    }
    return items.toString();
  }

  /**
   * The widths of {@code --layers} (e.g. {@code 784,128,10}): two or more positive integers of at most 7 digits,
   * no layer over {@link Network#MAX_LAYER_WEIGHTS} weights.
   *
   * @param spec the option's value
   * @return the widths, input to output
   * @throws InputException naming the option and the width at fault
   */
  public static int[] parseLayers(String spec) {
    return Widths.parse(spec);
  }

  /**
   * Refuses a layer of more weights than one buffer may hold, counting in long, before anything is drawn.
   *
   * @param widths the widths, input to output
   * @param origin where they came from, for the message
   * @throws InputException naming the two widths and the weights they make
   */
  public static void checkLayerSizes(int[] widths, String origin) {
    Widths.check(widths, origin);
  }



  /** {@return why softmax stands only after the output layer, naming the loss that asks for it} */
  static Wording softmaxOnlyOutput() {
    return Wording.of("softmax is only the output layer's activation (", Wording.param("loss"), " xent)");
  }
}
