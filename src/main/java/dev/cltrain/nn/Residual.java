package dev.cltrain.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.core.InputException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * A residual block, {@code residual(ITEMS)}: y = f(F(x) + S(x)), where F is the block's own layers (ITEMS, each
 * taking what the one before gives), S the shortcut — x itself when F gives x's shape, else {@code projection},
 * a 1×1 convolution with the block's stride and no activation, then {@code projectionNorm}, a batch norm without
 * activation, when the block's layers hold one (ResNet's projection shortcut) — and f the block's activation
 * (the item after the block, e.g. {@code residual(...),relu}).
 *
 * <p>Its trainable arrays ({@link #parameters()}, the checkpoint's and the training run's order): each inner
 * layer's in order (weights then biases), then the projection's, then its batch norm's; its state
 * ({@link #state()}): the inner batch norms' running statistics in order, then the projection's batch norm's.
 *
 * <pre>{@code
 * Shape in = new Shape(8, 8, 4);
 * Conv a = new Conv(in, 4, 3, 1, true, Activation.RELU, new float[144], new float[4]);
 * Conv b = new Conv(in, 4, 3, 1, true, Activation.IDENTITY, new float[144], new float[4]);
 * Residual block = new Residual(in, java.util.List.of(a, b), null, Activation.RELU);
 * String items = block.netItems(); // "residual(conv:4:3,relu,conv:4:3),relu"
 * }</pre>
 *
 * @param input      the shape taken
 * @param layers     the inner layers, at least one, each a convolution, a pooling or a batch normalization,
 *                   chained from {@code input}
 * @param projection the shortcut's 1×1 convolution (identity activation) from {@code input} to the inner
 *                   layers' output shape; null when those shapes are equal (the identity shortcut)
 * @param projectionNorm the batch norm (identity activation) after the projection, or null for none ({@link
 *                   NetSpec} adds one when the layers hold a batch norm; a model file without one keeps none)
 * @param activation applied after the sum (not softmax)
 */
public record Residual(Shape input, List<Layer> layers, Conv projection, BatchNorm projectionNorm,
    Activation activation) implements Layer {
  /**
   * A block whose projection shortcut (if any) has no batch norm.
   *
   * @param input      the shape taken
   * @param layers     the inner layers
   * @param projection the shortcut's 1×1 convolution, or null for the identity
   * @param activation applied after the sum
   */
  public Residual(Shape input, List<Layer> layers, Conv projection, Activation activation) {
    this(input, layers, projection, null, activation);
  }

  /**
   * Checks that the layers chain, the shortcut fits and the activation is a hidden one; copies the list.
   *
   * @throws IllegalArgumentException naming what does not fit
   */
  public Residual {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("a residual block needs at least one layer");
    }
    layers = List.copyOf(layers);
    Shape at = input;
    for (Layer layer : layers) {
      if (!allowedInside(layer.kind())) {
        throw new IllegalArgumentException(layer.spec() + " cannot stand inside a residual block");
      }
      if (!layer.takes(at)) {
        throw new IllegalArgumentException("inside the block, " + layer.spec() + " takes " + layer.input()
            + " but is given " + at);
      }
      at = layer.output();
    }
    if (projection == null ? !at.equals(input)
        : projection.kernel() != 1 || !projection.input().equals(input) || !projection.output().equals(at)
            || projection.activation() != Activation.IDENTITY) {
      throw new IllegalArgumentException("the shortcut of a block from " + input + " to " + at + " is "
          + (projection == null ? "the identity" : projection.spec() + " " + projection.activation().id + " giving "
              + projection.output()) + (at.equals(input) ? ", not the identity" : ", not a 1x1 identity conv to it"));
    }
    if (projectionNorm != null && (projection == null || !projectionNorm.input().equals(at)
        || projectionNorm.activation() != Activation.IDENTITY)) {
      throw new IllegalArgumentException("the shortcut's batch norm " + projectionNorm.spec() + " "
          + projectionNorm.activation().id + " of " + projectionNorm.input() + " needs a projection to " + at
          + " and no activation");
    }
    if (activation == Activation.SOFTMAX) {
      throw new IllegalArgumentException("softmax is only an output activation");
    }
  }

  /**
   * The batch norm a projection shortcut gets when the block's layers hold one (ResNet's projection shortcut):
   * a fresh one with the momentum and ε of the block's last batch norm, no activation.
   *
   * @param layers the block's inner layers
   * @param output the projection's output shape
   * @return the batch norm, or null when no inner layer is one
   */
  public static BatchNorm shortcutNorm(List<Layer> layers, Shape output) {
    BatchNorm last = null;
    for (Layer layer : layers) {
      last = layer instanceof BatchNorm b ? b : last;
    }
    return last == null ? null : BatchNorm.fresh(output, last.momentum(), last.epsilon(), Activation.IDENTITY);
  }

  /**
   * @param kind a layer kind
   * @return whether a residual block may hold layers of it: convolutions, pooling and batch normalization (no
   *     dense layer, no dropout, no global pooling and no block inside a block)
   */
  static boolean allowedInside(LayerKind kind) {
    return kind == LayerKind.CONV || kind == LayerKind.POOL || kind == LayerKind.BATCHNORM;
  }

  /**
   * The stride of a block's projection shortcut: the ratio of the input's height to the inner layers' output
   * height, rounded up (their strides and pooling sizes multiplied, for sizes they divide).
   *
   * @param input  the block's input
   * @param output the inner layers' output
   * @return the stride S with ⌈H/S⌉ = the output's height, or 0 when there is none
   */
  static int projectionStride(Shape input, Shape output) {
    for (int s = 1; s <= input.height(); s++) {
      if ((input.height() + s - 1) / s == output.height() && (input.width() + s - 1) / s == output.width()) {
        return s;
      }
    }
    return 0;
  }

  @Override
  public Shape output() {
    return layers.get(layers.size() - 1).output();
  }

  @Override
  public LayerKind kind() {
    return LayerKind.RESIDUAL;
  }

  @Override
  public long parameterCount() {
    long count = projection == null ? 0 : projection.parameterCount();
    count += projectionNorm == null ? 0 : projectionNorm.parameterCount();
    for (Layer layer : layers) {
      count += layer.parameterCount();
    }
    return count;
  }

  /**
   * @return the inner layers' arrays in order, then the projection's (weights then biases each), then its batch
   *     norm's (γ then β)
   */
  @Override
  public List<float[]> parameters() {
    List<float[]> all = new ArrayList<>();
    for (Layer layer : layers) {
      all.addAll(layer.parameters());
    }
    if (projection != null) {
      all.addAll(projection.parameters());
    }
    if (projectionNorm != null) {
      all.addAll(projectionNorm.parameters());
    }
    return all;
  }

  @Override
  public Residual withParameters(List<float[]> values) {
    List<Layer> inner = new ArrayList<>();
    int at = 0;
    for (Layer layer : layers) {
      int n = layer.parameters().size();
      inner.add(n == 0 ? layer : layer.withParameters(values.subList(at, at + n)));
      at += n;
    }
    Conv shortcut = projection == null ? null : projection.withParameters(values.subList(at, at + 2));
    at += projection == null ? 0 : 2;
    BatchNorm norm = projectionNorm == null ? null : projectionNorm.withParameters(values.subList(at, at + 2));
    if (at + (projectionNorm == null ? 0 : 2) != values.size()) {
      throw new IllegalArgumentException(values.size() + " arrays for a block of " + parameters().size());
    }
    return new Residual(input, inner, shortcut, norm, activation);
  }

  /** @return the inner layers' parts in order, then the projection and its batch norm (each its own optimizer entry) */
  @Override
  public List<Layer> trainedParts() {
    List<Layer> parts = new ArrayList<>();
    layers.forEach(l -> parts.addAll(l.trainedParts()));
    if (projection != null) {
      parts.add(projection);
    }
    if (projectionNorm != null) {
      parts.add(projectionNorm);
    }
    return parts;
  }

  /**
   * @return the inner layers' state arrays in order (a batch normalization's running statistics), then the
   *     projection's batch norm's
   */
  @Override
  public List<float[]> state() {
    List<float[]> all = new ArrayList<>();
    layers.forEach(l -> all.addAll(l.state()));
    if (projectionNorm != null) {
      all.addAll(projectionNorm.state());
    }
    return all;
  }

  @Override
  public Residual withState(List<float[]> values) {
    List<Layer> inner = new ArrayList<>();
    int at = 0;
    for (Layer layer : layers) {
      int n = layer.state().size();
      inner.add(n == 0 ? layer : layer.withState(values.subList(at, at + n)));
      at += n;
    }
    BatchNorm norm = projectionNorm == null ? null : projectionNorm.withState(values.subList(at, at + 2));
    at += projectionNorm == null ? 0 : 2;
    if (at != values.size()) {
      throw new IllegalArgumentException(values.size() + " state arrays for a block of " + at);
    }
    return new Residual(input, inner, projection, norm, activation);
  }

  /** @return the convolutions inside the block in order, then the projection (the checkpoint's order) */
  public List<Conv> convs() {
    List<Conv> convs = new ArrayList<>();
    for (Layer layer : layers) {
      if (layer instanceof Conv c) {
        convs.add(c);
      }
    }
    if (projection != null) {
      convs.add(projection);
    }
    return convs;
  }

  /** @return e.g. "residual(conv:4:3,relu,conv:4:3)" (the shortcut follows from the shapes) */
  @Override
  public String spec() {
    StringBuilder items = new StringBuilder("residual(");
    for (int i = 0; i < layers.size(); i++) {
      items.append(i == 0 ? "" : ",").append(layers.get(i).netItems());
    }
    return items.append(')').toString();
  }

  @Override
  public String netItems() {
    return spec() + (activation == Activation.IDENTITY ? "" : "," + activation.id);
  }

  /**
   * @return e.g. "residual(conv:4:3,relu,conv:4:3) relu", "+ conv:8:1:s2" after it for a projection ("+
   *     conv:8:1:s2,bn" with its batch norm)
   */
  @Override
  public String describe() {
    return spec() + " " + activation.id + (projection == null ? "" : " + " + projection.spec())
        + (projectionNorm == null ? "" : "," + projectionNorm.spec());
  }

  /** {@link LayerKind#RESIDUAL}'s {@code --net} item: {@code residual(ITEMS)} or {@code resblock:F[:sS]}. */
  static NetItem item(NetItem.Text t, LayerKind kind) {
    if (t.name().equals("resblock")) {
      return basicBlock(t, kind);
    }
    if (!t.args().isEmpty()) {
      throw t.error("expected residual(ITEMS), e.g. residual(conv:16:3,relu,conv:16:3),relu");
    }
    return block(t, kind, NetGroup.parse(t, Residual::allowedInside, "a residual block"), null);
  }

  /**
   * {@code resblock:F[:sS]}: the basic block {@code residual(conv:F:3[:sS],bn,relu,conv:F:3,bn),relu}, relu its
   * own (it takes no activation item).
   */
  private static NetItem basicBlock(NetItem.Text t, LayerKind kind) {
    String usage = "expected resblock:FILTERS[:sS], e.g. resblock:16 or resblock:32:s2";
    if (t.group() != null) {
      throw t.error(usage);
    }
    t.arity(1, 2, usage);
    int filters = t.count(0, "FILTERS");
    String stride = "";
    if (t.args().size() == 2) {
      String option = t.args().get(1);
      Matcher m = LayerKind.STRIDE.matcher(option);
      if (!m.matches() || Integer.parseInt(m.group(1)) == 0) {
        throw t.error("'" + option + "' is not a stride (sS, S at least 1), e.g. resblock:32:s2");
      }
      stride = ":" + option;
    }
    String conv = "conv:" + filters + ":3";
    NetItem.Text written = new NetItem.Text(t.position(), t.text(), t.name(),
        conv + stride + ",bn,relu," + conv + ",bn", List.of());
    return block(t, kind, NetGroup.parse(written, Residual::allowedInside, "a residual block"), Activation.RELU);
  }

  /** The block's item; {@code own}: its activation when the item has one (resblock), else null (the next item's). */
  private static NetItem block(NetItem.Text t, LayerKind kind, NetGroup group, Activation own) {
    return new LayerKind.Item(t, kind, "a residual block", own == null, true) {
      @Override
      public Activation ownActivation() {
        return own;
      }

      @Override
      public Shape check(Shape at) {
        Shape out = group.check(at);
        if (!out.equals(at) && Residual.projectionStride(at, out) == 0) {
          throw t.error("no 1x1 convolution with a stride takes the block's input " + at + " to its items' output "
              + out + " (the projection shortcut)");
        }
        return out;
      }

      @Override
      public Layer build(Shape at, boolean afterDense, Activation activation, Init init, NumpyRandom random) {
        List<Layer> layers = group.build(at, init, random);
        Shape out = layers.get(layers.size() - 1).output();
        Conv projection = null;
        if (!out.equals(at)) { // drawn after the inner layers, as a dense layer of C inputs and F outputs
          float[][] drawn = init.draw(random, at.channels(), out.channels());
          projection = new Conv(at, out.channels(), 1, Residual.projectionStride(at, out), true,
              Activation.IDENTITY, drawn[0], drawn[1]);
        }
        return new Residual(at, layers, projection, projection == null ? null : Residual.shortcutNorm(layers, out),
            own != null ? own : activation);
      }
    };
  }

  /** Writes {@code r} as {@link LayerKind#RESIDUAL}'s model-JSON entry. */
  static void write(Residual r, ObjectNode node) {
    node.put("type", "residual");
    ModelJson.putShape(node.putArray("inputShape"), r.input());
    node.put("activation", r.activation().id);
    ArrayNode inner = node.putArray("layers");
    for (Layer l : r.layers()) {
      l.kind().write(l, inner.addObject());
    }
    if (r.projection() == null) {
      node.putNull("shortcut");
    } else {
      LayerKind.CONV.write(r.projection(), node.putObject("shortcut"));
    }
    if (r.projectionNorm() != null) { // absent when none: the files of blocks without one stay as they were
      LayerKind.BATCHNORM.write(r.projectionNorm(), node.putObject("shortcutNorm"));
    }
  }

  /** Reads {@link LayerKind#RESIDUAL}'s model-JSON entry, as {@link #write} writes it. */
  static Residual read(JsonNode node, String type, Shape at, String where) {
    if (!type.equals("residual")) {
      throw new InputException(where + ".type: '" + type + "' is a shorthand, not a model file's type (residual)");
    }
    Shape input = ModelJson.shape(node.get("inputShape"), where + ".inputShape");
    if (!input.equals(at)) {
      throw new InputException(where + ".inputShape: " + input + " but the layers before it give " + at);
    }
    Activation activation = Activation.parse(ModelJson.text(node, "activation", where), where + ".activation");
    JsonNode inner = node.get("layers");
    if (inner == null || !inner.isArray() || inner.isEmpty()) {
      throw new InputException(where + ".layers: expected a non-empty array of conv, pooling and batchnorm layers");
    }
    List<Layer> layers = new ArrayList<>();
    Shape shape = at;
    for (int i = 0; i < inner.size(); i++) {
      String w = where + ".layers[" + i + "]";
      JsonNode entry = inner.get(i);
      String innerType = entry.isObject() ? ModelJson.text(entry, "type", w) : "";
      LayerKind kind = LayerKind.forId(innerType);
      if (kind == null || !Residual.allowedInside(kind)) {
        throw new InputException(w + ".type: '" + innerType + "' cannot stand inside a residual block (conv, "
            + "maxpool, avgpool, batchnorm)");
      }
      Layer l = kind.read(entry, innerType, shape, w);
      layers.add(l);
      shape = l.output();
    }
    JsonNode shortcut = node.get("shortcut");
    Conv projection = null;
    if (shortcut != null && !shortcut.isNull()) {
      if (!shortcut.isObject() || !"conv".equals(shortcut.path("type").asText())) {
        throw new InputException(where + ".shortcut: expected null or a conv entry");
      }
      projection = (Conv) LayerKind.CONV.read(shortcut, "conv", at, where + ".shortcut");
    }
    JsonNode norm = node.get("shortcutNorm");
    BatchNorm projectionNorm = null;
    if (norm != null && !norm.isNull()) {
      if (projection == null || !norm.isObject() || !"batchnorm".equals(norm.path("type").asText())) {
        throw new InputException(where + ".shortcutNorm: expected a batchnorm entry after a conv shortcut");
      }
      projectionNorm = (BatchNorm) LayerKind.BATCHNORM.read(norm, "batchnorm", projection.output(),
          where + ".shortcutNorm");
    }
    try {
      return new Residual(at, layers, projection, projectionNorm, activation);
    } catch (IllegalArgumentException e) {
      throw new InputException(where + ": " + e.getMessage());
    }
  }
}
