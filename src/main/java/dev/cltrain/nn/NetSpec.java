package dev.cltrain.nn;

import dev.cltrain.core.InputException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network described as {@code --net} does: comma-separated items read from the input towards the output,
 * each {@code name} or {@code name:arg:arg}:
 *
 * <ul>
 *   <li>{@code conv:FILTERS:K} — a K×K convolution to FILTERS channels, "same" padding and stride 1; add
 *       {@code :sS} for stride S and {@code :valid} for no padding, e.g. {@code conv:64:3:s2:valid};
 *   <li>{@code maxpool:P}, {@code avgpool:P} — P×P pooling with stride P;
 *   <li>{@code gap} — global average pooling, H×W×C → C (a dense item may follow it directly);
 *   <li>{@code bn}, {@code batchnorm}, {@code bn:MOMENTUM:EPSILON} — batch normalization per channel (defaults
 *       0.1 and 1e-5, PyTorch's) after a conv, pooling or gap item; an activation item after it is its own;
 *   <li>{@code dropout:RATE} — inverted dropout, 0 ≤ RATE &lt; 1 (after a dense item: that layer's output);
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
  private enum Kind { CONV, MAXPOOL, AVGPOOL, DENSE, DROPOUT, FLATTEN, ACTIVATION, GAP, BN }

  /** One item as parsed: {@code a} is filters, P or N; {@code kernel} and {@code stride} are a conv's. */
  private record Item(int position, String text, Kind kind, int a, int kernel, int stride, boolean valid,
      float rate, Activation activation) {}

  private static final String GRAMMAR = "conv:FILTERS:K[:sS][:valid], maxpool:P, avgpool:P, gap, bn[:MOMENTUM:EPSILON], dropout:RATE, "
      + "flatten, dense:N, relu, sigmoid, tanh, identity";
  private static final Pattern STRIDE = Pattern.compile("s(\\d{1,7})");
  private static final Pattern SHAPE = Pattern.compile("(\\d{1,7})x(\\d{1,7})x(\\d{1,7})");

  private final String text;
  private final List<Item> items;

  private NetSpec(String text, List<Item> items) {
    this.text = text;
    this.items = List.copyOf(items);
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
      throw new InputException("--net: no items; give e.g. conv:32:3,relu,maxpool:2,dense:10 (items: " + GRAMMAR + ")");
    }
    String[] parts = spec.split(",", -1);
    List<Item> items = new ArrayList<>();
    boolean sawDense = false;
    boolean sawFlatten = false;
    for (int i = 0; i < parts.length; i++) {
      String text = parts[i].strip();
      int pos = i + 1;
      Item prev = items.isEmpty() ? null : items.get(items.size() - 1);
      if (text.isEmpty()) {
        throw error(pos, text, "an empty item (two commas in a row, or a comma at an end)");
      }
      String[] f = text.split(":", -1);
      Item item;
      switch (f[0]) {
        case "conv" -> {
          if (f.length < 3) {
            throw error(pos, text, "expected conv:FILTERS:K[:sS][:valid], e.g. conv:32:3");
          }
          int filters = count(f[1], "FILTERS", pos, text);
          int kernel = count(f[2], "K", pos, text);
          int stride = 0;
          boolean valid = false;
          for (int j = 3; j < f.length; j++) {
            Matcher m = STRIDE.matcher(f[j]);
            if (f[j].equals("valid") && !valid) {
              valid = true;
            } else if (m.matches() && stride == 0) {
              stride = Integer.parseInt(m.group(1));
              if (stride == 0) {
                throw error(pos, text, "the stride must be at least 1, got " + f[j]);
              }
            } else {
              throw error(pos, text, "'" + f[j] + "' is not a conv option (sS once for a stride, valid once for no padding)");
            }
          }
          placeStage(sawDense, sawFlatten, "a convolution", pos, text);
          item = new Item(pos, text, Kind.CONV, filters, kernel, stride == 0 ? 1 : stride, valid, 0, null);
        }
        case "maxpool", "avgpool" -> {
          if (f.length != 2) {
            throw error(pos, text, "expected " + f[0] + ":P, e.g. " + f[0] + ":2");
          }
          int size = count(f[1], "P", pos, text);
          placeStage(sawDense, sawFlatten, "pooling", pos, text);
          item = new Item(pos, text, f[0].equals("maxpool") ? Kind.MAXPOOL : Kind.AVGPOOL, size, 0, 0, false, 0, null);
        }
        case "gap" -> item = gapItem(f, sawDense, sawFlatten, pos, text);
        case "bn", "batchnorm" -> item = bnItem(f, sawDense, sawFlatten, pos, text);
        case "dense" -> {
          if (f.length != 2) {
            throw error(pos, text, "expected dense:N, e.g. dense:128");
          }
          item = new Item(pos, text, Kind.DENSE, count(f[1], "N", pos, text), 0, 0, false, 0, null);
          sawDense = true;
        }
        case "dropout" -> {
          if (f.length != 2) {
            throw error(pos, text, "expected dropout:RATE, e.g. dropout:0.5");
          }
          float rate = f[1].matches("\\d*\\.?\\d+([eE][-+]?\\d{1,3})?") ? Float.parseFloat(f[1]) : Float.NaN;
          if (!(rate >= 0f && rate < 1f)) {
            throw error(pos, text, "the dropout rate must be a number in [0, 1), got '" + f[1] + "'");
          }
          if (sawDense) {
            Item dense = prev.kind == Kind.ACTIVATION ? items.get(items.size() - 2) : prev;
            if (dense.kind != Kind.DENSE) {
              throw error(pos, text, prev.kind == Kind.DROPOUT
                  ? "a dense layer takes one dropout (item " + prev.position + " is its dropout)"
                  : "dropout after a dense layer follows it (or its activation) directly");
            }
          }
          item = new Item(pos, text, Kind.DROPOUT, 0, 0, 0, false, rate, null);
        }
        case "flatten" -> {
          if (f.length != 1) {
            throw error(pos, text, "flatten takes no arguments");
          }
          if (sawDense) {
            throw error(pos, text, "flatten comes before the first dense item");
          }
          if (sawFlatten) {
            throw error(pos, text, "flatten is given twice");
          }
          sawFlatten = true;
          item = new Item(pos, text, Kind.FLATTEN, 0, 0, 0, false, 0, null);
        }
        case "relu", "sigmoid", "tanh", "identity", "softmax" -> {
          if (f.length != 1) {
            throw error(pos, text, "an activation takes no arguments");
          }
          Activation a = Activation.parse(f[0], "--net");
          if (prev == null || (prev.kind != Kind.CONV && prev.kind != Kind.DENSE && prev.kind != Kind.BN)) {
            throw error(pos, text, "an activation applies to the conv, bn or dense item just before it"
                + (prev == null ? ", and there is none"
                    : prev.kind == Kind.ACTIVATION ? " (item " + prev.position + " already gives one)"
                    : ", not to '" + prev.text + "'"));
          }
          if (a == Activation.SOFTMAX && prev.kind != Kind.DENSE) {
            throw error(pos, text, "softmax is only the output layer's activation (--loss xent)");
          }
          item = new Item(pos, text, Kind.ACTIVATION, 0, 0, 0, false, 0, a);
        }
        default -> throw error(pos, text, "unknown item (the items are " + GRAMMAR + ")");
      }
      items.add(item);
    }
    int last = lastDense(items);
    if (last < 0) {
      Item end = items.get(items.size() - 1);
      throw error(end.position, end.text, "a net ends with a dense item, the output layer (e.g. ...,dense:10)");
    }
    for (int i = 0; i < last; i++) {
      Item it = items.get(i);
      if (it.kind == Kind.ACTIVATION && it.activation == Activation.SOFTMAX) {
        throw error(it.position, it.text, "softmax is only the output layer's activation (--loss xent)");
      }
    }
    for (int i = last + 1; i < items.size(); i++) {
      Item it = items.get(i);
      if (it.kind == Kind.DROPOUT) {
        throw error(it.position, it.text, "the output layer (the last dense item) cannot have dropout");
      }
    }
    return new NetSpec(spec, items);
  }

  /** A {@code gap} item: global average pooling, a stage. */
  private static Item gapItem(String[] f, boolean sawDense, boolean sawFlatten, int pos, String text) {
    if (f.length != 1) {
      throw error(pos, text, "gap takes no arguments");
    }
    placeStage(sawDense, sawFlatten, "global pooling", pos, text);
    return new Item(pos, text, Kind.GAP, 0, 0, 0, false, 0, null);
  }

  /** A {@code bn[:MOMENTUM:EPSILON]} item: batch normalization, a stage (rate holds the momentum, a the ε bits). */
  private static Item bnItem(String[] f, boolean sawDense, boolean sawFlatten, int pos, String text) {
    if (f.length != 1 && f.length != 3) {
      throw error(pos, text, "expected " + f[0] + " or " + f[0] + ":MOMENTUM:EPSILON, e.g. " + f[0] + ":0.1:1e-5");
    }
    float momentum = f.length == 1 ? BatchNorm.MOMENTUM : number(f[1]);
    float epsilon = f.length == 1 ? BatchNorm.EPSILON : number(f[2]);
    String bad = BatchNorm.check(momentum, epsilon);
    if (bad != null) {
      throw error(pos, text, bad.replace("NaN", "'" + (Float.isNaN(momentum) ? f[1] : f[2]) + "'"));
    }
    if (sawDense) {
      throw error(pos, text, "batch normalization after a dense item is not supported (put it after a conv, "
          + "pooling or gap item)");
    }
    placeStage(false, sawFlatten, "batch normalization", pos, text);
    return new Item(pos, text, Kind.BN, Float.floatToIntBits(epsilon), 0, 0, false, momentum, null);
  }

  /** A non-negative decimal number as --net writes them (e.g. 0.1, 1e-5), else NaN. */
  private static float number(String text) {
    return text.matches("\\d*\\.?\\d+([eE][-+]?\\d{1,3})?") ? Float.parseFloat(text) : Float.NaN;
  }

  private static void placeStage(boolean sawDense, boolean sawFlatten, String what, int pos, String text) {
    if (sawDense) {
      throw error(pos, text, what + " cannot follow a dense item (convolutions and pooling come before the first dense)");
    }
    if (sawFlatten) {
      throw error(pos, text, what + " cannot follow flatten (flatten ends the convolution and pooling stages)");
    }
  }

  private static int lastDense(List<Item> items) {
    for (int i = items.size() - 1; i >= 0; i--) {
      if (items.get(i).kind == Kind.DENSE) {
        return i;
      }
    }
    return -1;
  }

  private static int count(String arg, String name, int pos, String text) {
    if (!arg.matches("\\d{1,7}") || Integer.parseInt(arg) == 0) {
      throw error(pos, text, name + " '" + arg + "' is not a positive integer (at most 7 digits)");
    }
    return Integer.parseInt(arg);
  }

  private static InputException error(int position, String text, String message) {
    return new InputException("--net: item " + position + " '" + text + "': " + message);
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

  /** @return the description as given */
  @Override
  public String toString() {
    return text;
  }

  /** @return the items as given, stripped, in order (item n is at index n − 1) */
  public List<String> items() {
    return items.stream().map(Item::text).toList();
  }

  /** @return whether an item needs the input's image shape: a conv or a pooling */
  public boolean needsImage() {
    return firstImageItem() != null;
  }

  private Item firstImageItem() {
    for (Item it : items) {
      if (it.kind == Kind.CONV || it.kind == Kind.MAXPOOL || it.kind == Kind.AVGPOOL || it.kind == Kind.GAP) {
        return it;
      }
    }
    return null;
  }

  /** @return the number of dense items (layers) */
  public int denseCount() {
    return (int) items.stream().filter(it -> it.kind == Kind.DENSE).count();
  }

  /** @return the output layer's width: the last dense item's N */
  public int outputs() {
    return items.get(lastDense(items)).a;
  }

  /** @return the activation item after the last dense item, or null when there is none */
  public Activation outputActivation() {
    Item it = outputActivationItem();
    return it == null ? null : it.activation;
  }

  private Item outputActivationItem() {
    int last = lastDense(items);
    return last + 1 < items.size() && items.get(last + 1).kind == Kind.ACTIVATION ? items.get(last + 1) : null;
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
    Item first = firstImageItem();
    if (first != null) {
      throw error(first.position, first.text, (first.kind == Kind.CONV ? "a convolution" : "pooling")
          + " needs the input's image shape: give --input-shape HxWxC for these " + inputs + " inputs per row");
    }
    return new Shape(1, 1, inputs);
  }

  /**
   * The checks {@link #build} makes, without drawing any weight: each stage fits its input, no layer is too
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
   * Builds a new network: stages before the first dense item, then the dense layers; weights drawn from
   * {@code random} as {@code init} says ({@link Init}: a conv draws as a dense layer of k·k·C inputs and
   * {@code filters} outputs), the convolutions first in order (weights then bias), then the dense layers. A
   * net of dense items without dropout is a plain dense network (no {@link Network#hasFeatures()}), exactly the
   * one {@link Network#init} draws for the same widths and activations.
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
      Kind k = items.get(i).kind;
      if (k == Kind.CONV || k == Kind.DENSE || k == Kind.BN) {
        hidden.add(activationOf(i));
      }
    }
    Activation representative = hidden.contains(Activation.RELU) ? Activation.RELU
        : hidden.stream().filter(a -> a != Activation.SIGMOID).findFirst().orElse(Activation.SIGMOID);
    return Init.defaultFor(representative, loss);
  }

  /** The activation item just after item index {@code i}, else identity. */
  private Activation activationOf(int i) {
    return i + 1 < items.size() && items.get(i + 1).kind == Kind.ACTIVATION ? items.get(i + 1).activation
        : Activation.IDENTITY;
  }

  /** Checks the shapes (init null) or builds the network (init given). */
  private Network walk(Shape input, int outputs, Loss loss, Activation output, Init init, NumpyRandom random,
      long dropoutSeed) {
    boolean draw = init != null;
    int last = lastDense(items);
    Item outAct = outputActivationItem();
    if (outAct != null) {
      if (!loss.allowsOutput(outAct.activation)) {
        throw error(outAct.position, outAct.text, "the output layer's activation follows --loss " + loss.id + " ("
            + (loss == Loss.MSE ? "sigmoid, or identity with --output identity" : "softmax") + ")");
      }
      if (output != null && outAct.activation != output) {
        throw error(outAct.position, outAct.text, "the output layer's activation is " + output.id
            + " here (--loss " + loss.id + ", --output); leave the item out or make it " + output.id);
      }
    }
    Item outItem = items.get(last);
    if (outItem.a != outputs) {
      throw error(outItem.position, outItem.text, "the output layer has " + outItem.a + " unit"
          + (outItem.a == 1 ? "" : "s") + " but the data has " + outputs + " target" + (outputs == 1 ? "" : "s")
          + " per row (classes count as one output each)");
    }
    // the stages' shapes, then the dense widths
    Shape at = input;
    List<Item> convItems = new ArrayList<>();
    List<Shape> convInputs = new ArrayList<>();
    List<Object> stages = new ArrayList<>(); // Item (a conv, drawn later) or a ready Layer
    int i = 0;
    for (; i < items.size() && items.get(i).kind != Kind.DENSE; i++) {
      Item it = items.get(i);
      switch (it.kind) {
        case CONV -> {
          int k = it.kernel;
          int s = it.stride;
          if (it.valid && (k > at.height() || k > at.width())) {
            throw error(it.position, it.text, "a " + k + "x" + k + " kernel does not fit the " + at.height() + "x"
                + at.width() + " input without padding (valid)");
          }
          long weights = (long) k * k * at.channels() * it.a;
          if (weights > Network.MAX_LAYER_WEIGHTS) {
            throw error(it.position, it.text, k + "x" + k + "x" + at.channels() + " kernels to " + it.a + " filters make "
                + weights + " weights, more than " + Network.MAX_LAYER_WEIGHTS);
          }
          long h = it.valid ? (at.height() - k) / s + 1 : (at.height() + s - 1) / s;
          long w = it.valid ? (at.width() - k) / s + 1 : (at.width() + s - 1) / s;
          if (h * w * it.a > Integer.MAX_VALUE) {
            throw error(it.position, it.text, "its output of " + h + "x" + w + "x" + it.a + " is too large");
          }
          convItems.add(it);
          convInputs.add(at);
          stages.add(it);
          at = new Shape((int) h, (int) w, it.a);
        }
        case MAXPOOL, AVGPOOL -> {
          if (it.a > at.height() || it.a > at.width()) {
            throw error(it.position, it.text, "a " + it.a + "x" + it.a + " pool does not fit the " + at.height() + "x"
                + at.width() + " input");
          }
          Pool pool = new Pool(at, it.kind == Kind.MAXPOOL, it.a);
          stages.add(pool);
          at = pool.output();
        }
        case DROPOUT -> stages.add(new Dropout(at, it.rate));
        case BN -> stages.add(BatchNorm.fresh(at, it.rate, Float.intBitsToFloat(it.a), activationOf(i)));
        case GAP -> {
          GlobalPool gap = new GlobalPool(at);
          stages.add(gap);
          at = gap.output();
        }
        default -> { } // flatten; an activation belongs to the conv before it
      }
    }
    int[] widths = new int[denseCount() + 1];
    float[] denseDropout = new float[denseCount()];
    widths[0] = at.size();
    int l = 0;
    for (; i < items.size(); i++) {
      Item it = items.get(i);
      if (it.kind == Kind.DENSE) {
        long weights = (long) widths[l] * it.a;
        if (weights > Network.MAX_LAYER_WEIGHTS) {
          throw error(it.position, it.text, widths[l] + " inputs to " + it.a + " units make " + weights
              + " weights, more than " + Network.MAX_LAYER_WEIGHTS);
        }
        widths[++l] = it.a;
      } else if (it.kind == Kind.DROPOUT) {
        denseDropout[l - 1] = it.rate;
      }
    }
    if (!draw) {
      return null;
    }
    // draw in list order: the convolutions (all before the first dense layer), then the dense layers
    List<Layer> layers = new ArrayList<>();
    for (Object s : stages) {
      if (s instanceof Item it) { // a conv, drawn now
        Shape in = convInputs.get(convItems.indexOf(it));
        float[][] drawn = init.draw(random, it.kernel * it.kernel * in.channels(), it.a);
        layers.add(new Conv(in, it.a, it.kernel, it.stride, !it.valid, activationOf(items.indexOf(it)), drawn[0],
            drawn[1]));
      } else {
        layers.add((Layer) s);
      }
    }
    int d = 0;
    boolean dropout = false;
    for (int j = 0; j < items.size(); j++) {
      if (items.get(j).kind == Kind.DENSE) {
        float[][] drawn = init.draw(random, widths[d], widths[d + 1]);
        Activation a = j == last ? output : activationOf(j);
        layers.add(new Dense(widths[d], widths[d + 1], a, drawn[0], drawn[1]));
        if (denseDropout[d] != 0f) { // dropout:0 after a dense layer is no dropout
          layers.add(new Dropout(layers.get(layers.size() - 1).output(), denseDropout[d]));
          dropout = true;
        }
        d++;
      }
    }
    boolean dense = stages.isEmpty() && !dropout; // a plain dense network: input 1x1xN, no dropout seed
    return new Network(input, layers, loss, 1f, null, null, dense ? 0 : dropoutSeed);
  }

  /**
   * The {@code --net} of a network's layers, each layer's {@link Layer#netItems()}: what {@link #parse} reads
   * and {@link #build} builds again, with the same shapes and activations (the weights are drawn anew).
   *
   * @param network the network
   * @return e.g. {@code "conv:32:3,relu,maxpool:2,dense:10,softmax"}
   */
  public static String of(Network network) {
    java.util.StringJoiner items = new java.util.StringJoiner(",");
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
    String[] parts = spec.split(",", -1);
    if (parts.length < 2) {
      throw new InputException("--layers " + spec + ": give at least two widths, input and output (e.g. 2,4,1)");
    }
    int[] widths = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].strip();
      if (!p.matches("\\d{1,7}") || Integer.parseInt(p) == 0) {
        throw new InputException("--layers " + spec + ": width " + (i + 1) + " '" + p
            + "' is not a positive integer (at most 7 digits)");
      }
      widths[i] = Integer.parseInt(p);
    }
    checkLayerSizes(widths, "--layers " + spec);
    return widths;
  }

  /**
   * Refuses a layer of more weights than one buffer may hold, counting in long, before anything is drawn.
   *
   * @param widths the widths, input to output
   * @param origin where they came from, for the message
   * @throws InputException naming the two widths and the weights they make
   */
  public static void checkLayerSizes(int[] widths, String origin) {
    for (int i = 1; i < widths.length; i++) {
      long weights = (long) widths[i - 1] * widths[i];
      if (weights > Network.MAX_LAYER_WEIGHTS) {
        throw new InputException(origin + ": widths " + widths[i - 1] + " and " + widths[i] + " make "
            + weights + " weights in one layer (" + 4 * weights + " bytes), more than " + Network.MAX_LAYER_WEIGHTS);
      }
    }
  }
}
