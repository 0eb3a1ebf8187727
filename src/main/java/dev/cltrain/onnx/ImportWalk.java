package dev.cltrain.onnx;

import dev.cltrain.core.InputException;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One import's walk along an ONNX graph's chain of nodes ({@link OnnxImport} drives it): where it stands (the
 * current value, rows or images and their layout), the layers read so far, and what every step reads with (the
 * constants, attributes, the nodes a value feeds, and the one-line failures naming the node). The steps of
 * {@link ImportSteps} and the readers of {@link LayerMappings} move it on.
 */
final class ImportWalk {
  /** The attributes read of each operator that is no layer; a layer kind's are in its {@link LayerMappings} row. */
  private static final Map<String, List<String>> ATTRIBUTES = Map.of(
      "Reshape", List.of("allowzero"),
      "Transpose", List.of("perm"),
      "Flatten", List.of("axis"),
      "Softmax", List.of("axis"),
      "Pad", List.of("mode"),
      "Cast", List.of("to"));

  private final String name;
  final Map<String, String> metadata;
  /** Initializers and Constant nodes' values, by name. */
  final Map<String, OnnxProto.Tensor> constants = new HashMap<>();
  /** The nodes each value feeds (constants feed none). */
  final Map<String, List<OnnxProto.Node>> consumers = new HashMap<>();
  private final Set<OnnxProto.Node> done = Collections.newSetFromMap(new IdentityHashMap<>());

  // where the walk stands
  String current;
  int width;              // values per row when flat
  Shape image;            // the image shape when an image
  boolean nchw;           // the image's layout: channels first (else channels last)
  Shape chwFlat;          // flat rows in CHW order of this shape (Flatten of NCHW), reordered at the next dense layer
  boolean seenLayer;      // a Conv or dense layer has been read (no more input handling)
  boolean seenImage;
  Shape inputShape;
  int steps;              // T when the value is a sequence (of width features per step), else 0
  boolean timeMajor;      // the sequence's layout: [T, batch, F] (else [batch, T, F])
  String lengths;         // the rows' lengths an embedding's side nodes compute, for sequence_lens
  final Set<String> zeroStates = new HashSet<>(); // zeros of the batch's shape (PyTorch's initial states)
  int inputWidth;
  float inputScale = 1f;
  boolean sawScale;       // a Div or Mul by a scalar on the input: the graph states its input scale
  float[] mean;
  float[] std;

  // what it has read
  private final List<Layer> layers = new ArrayList<>();
  private final List<Dense> dense = new ArrayList<>();
  private final Set<Layer> unlessPlain = Collections.newSetFromMap(new IdentityHashMap<>());

  ImportWalk(String name, Map<String, String> metadata) {
    this.name = name;
    this.metadata = metadata;
  }

  // ---- the layers read ---------------------------------------------------------------------------------------------

  /** Appends a layer. */
  void add(Layer layer) {
    layers.add(layer);
  }

  /** Appends a dense layer: cltrain's networks end in one, the output layer. */
  void addDense(Dense layer) {
    layers.add(layer);
    dense.add(layer);
  }

  /** Appends a layer that a plain dense network (one of dense layers only, once the walk ends) leaves out. */
  void addUnlessPlain(Layer layer) {
    layers.add(layer);
    unlessPlain.add(layer);
  }

  /** {@return the last layer read, or null before the first} */
  Layer last() {
    return layers.isEmpty() ? null : layers.get(layers.size() - 1);
  }

  /** Takes back the last layer read. */
  void removeLast() {
    unlessPlain.remove(layers.remove(layers.size() - 1));
  }

  /** {@return how many layers have been read} */
  int layerCount() {
    return layers.size();
  }

  /** Takes back the layers read from index {@code start} on (a residual block's, read as the walk's own first). */
  List<Layer> takeFrom(int start) {
    List<Layer> taken = new ArrayList<>(layers.subList(start, layers.size()));
    for (int i = layers.size() - 1; i >= start; i--) {
      removeLast();
    }
    return taken;
  }

  /** {@return every layer read, in order} */
  List<Layer> layers() {
    return Collections.unmodifiableList(layers);
  }

  /** {@return the layers read, less those a plain dense network leaves out} */
  List<Layer> firmLayers() {
    return layers.stream().filter(l -> !unlessPlain.contains(l)).toList();
  }

  /** {@return the dense layers read, in order} */
  List<Dense> dense() {
    return Collections.unmodifiableList(dense);
  }

  // ---- moving on ---------------------------------------------------------------------------------------------------

  /** {@return the nodes that read a value} */
  List<OnnxProto.Node> next(String value) {
    return consumers.getOrDefault(value, List.of());
  }

  /** Moves past a node, checking its attributes are all read: its first output becomes the current value. */
  void advance(OnnxProto.Node node) {
    if (!done.add(node)) {
      throw fail(node, "reached twice: the graph has a cycle");
    }
    List<String> known = attributes(node.opType());
    for (OnnxProto.Attribute a : node.attributes()) {
      if (!known.contains(a.name())) {
        throw fail(node, "attribute " + a.name() + " is not supported" + (known.isEmpty() ? "" : " (only "
            + String.join(", ", known) + ")"));
      }
    }
    if (node.outputs().isEmpty() || node.outputs().get(0).isEmpty()) {
      throw fail(node, "has no output");
    }
    current = node.outputs().get(0);
  }

  /** Passes a node off the chain (the walk stays where it is): it counts as reached. */
  void pass(OnnxProto.Node node) {
    if (!done.add(node)) {
      throw fail(node, "reached twice: the graph has a cycle");
    }
  }

  /** {@return whether the walk has moved past a node} */
  boolean done(OnnxProto.Node node) {
    return done.contains(node);
  }

  private static List<String> attributes(String opType) {
    List<String> generic = ATTRIBUTES.get(opType);
    if (generic != null) {
      return generic;
    }
    LayerMapping.Operator op = LayerMapping.operator(opType);
    return op == null ? List.of() : op.attributes();
  }

  /** Images become rows: in HWC order from NHWC, in CHW order (reordered at the next dense layer) from NCHW. */
  void toRows() {
    if (nchw && image.channels() > 1 && image.height() * image.width() > 1) {
      chwFlat = image;
    }
    width = image.size();
    image = null;
  }

  /** {@return where row {@code i} of the current rows sits in cltrain's HWC order: itself, unless CHW-flattened} */
  int hwcRow(int i) {
    if (chwFlat == null) {
      return i;
    }
    int hw = chwFlat.height() * chwFlat.width();
    int c = i / hw;
    int pixel = i - c * hw;
    return pixel * chwFlat.channels() + c;
  }

  /** A layer on rows checks it has them, and that it reads the current value. */
  void needRows(OnnxProto.Node node) {
    if (image != null) {
      throw fail(node, "a dense layer on " + image + " images; flatten them first (Flatten)");
    }
    if (!node.inputs().get(0).equals(current)) {
      throw fail(node, "takes the layer's input as its first operand and the weights as its second; this one does not");
    }
  }

  /** A layer on images checks they are NCHW and come before the dense layers. */
  void needNchw(OnnxProto.Node node) {
    if (image == null || !nchw) {
      throw fail(node, "needs images in NCHW layout, but its input is " + (image == null ? "rows of " + width
          + " values" : "NHWC images") + (dense.isEmpty() ? "" : " (after a dense layer)"));
    }
    if (!dense.isEmpty()) {
      throw fail(node, "convolutions and pooling after a dense layer are not supported");
    }
  }

  /**
   * The activation node that consumes the current value (and only it), or identity.
   *
   * @param softmaxRefused the message refusing a Softmax here, or null where the layer may end in one
   */
  Activation activationAfter(String softmaxRefused) {
    List<OnnxProto.Node> next = next(current);
    if (next.size() != 1) {
      return Activation.IDENTITY;
    }
    OnnxProto.Node n = next.get(0);
    return switch (n.opType()) {
      case "Relu" -> Activation.RELU;
      case "Tanh" -> Activation.TANH;
      case "Sigmoid" -> Activation.SIGMOID;
      case "Softmax" -> {
        long axis = intAttr(n, "axis", -1);
        if (axis != 1 && axis != -1) {
          throw fail(n, "attribute axis=" + axis + " is not supported (the class axis, 1 or -1)");
        }
        if (softmaxRefused != null) {
          throw fail(n, softmaxRefused);
        }
        yield Activation.SOFTMAX;
      }
      case "LeakyRelu", "Elu", "Selu", "Gelu", "HardSigmoid", "Softplus", "LogSoftmax", "PRelu" ->
          throw fail(n, "activation " + n.opType() + " is not supported (Relu, Tanh, Sigmoid, Softmax)");
      default -> Activation.IDENTITY;
    };
  }

  /** Moves past the activation node {@link #activationAfter} read, if any. */
  void skipActivation(Activation a) {
    if (a != Activation.IDENTITY) {
      advance(consumers.get(current).get(0));
    }
  }

  // ---- reading constants and attributes ----------------------------------------------------------------------------

  InputException fail(String message) {
    return new InputException(name + ": " + OnnxProto.oneLine(message));
  }

  InputException fail(OnnxProto.Node node, String message) {
    return new InputException(name + ": " + OnnxProto.oneLine(node.describe() + ": " + message));
  }

  String input(OnnxProto.Node node, int index) {
    if (node.inputs().size() <= index || node.inputs().get(index).isEmpty()) {
      throw fail(node, "input " + index + " is missing");
    }
    return node.inputs().get(index);
  }

  /** {@return whether the node has a non-empty input {@code index}} */
  static boolean hasInput(OnnxProto.Node node, int index) {
    return node.inputs().size() > index && !node.inputs().get(index).isEmpty();
  }

  OnnxProto.Tensor tensor(OnnxProto.Node node, String value) {
    OnnxProto.Tensor t = constants.get(value);
    if (t == null) {
      throw fail(node, "input '" + value + "' is not an initializer or Constant; cltrain reads weights and shapes "
          + "as constants");
    }
    if (t.external()) {
      throw fail(node, "tensor '" + t.name() + "' keeps its data in an external file, which cltrain does not read");
    }
    return t;
  }

  float[] floats(OnnxProto.Node node, OnnxProto.Tensor t) {
    if (t.dataType() != OnnxProto.FLOAT && t.dataType() != OnnxProto.DOUBLE) {
      throw fail(node, "tensor '" + t.name() + "' has data type " + t.dataType() + "; cltrain reads float (1) weights");
    }
    if (t.elements() != t.values().length) {
      throw fail(node, "tensor '" + t.name() + "' of shape " + OnnxProto.shape(t.dims()) + " holds "
          + t.values().length + " values");
    }
    for (int i = 0; i < t.values().length; i++) {
      if (!Float.isFinite(t.values()[i])) {
        throw fail(node, "tensor '" + t.name() + "' holds " + t.values()[i] + " at index " + i);
      }
    }
    return t.values();
  }

  long[] longs(OnnxProto.Node node, OnnxProto.Tensor t) {
    if (t.dataType() != OnnxProto.INT64) {
      throw fail(node, "tensor '" + t.name() + "' has data type " + t.dataType() + "; a shape is int64 (7)");
    }
    if (t.elements() != t.longs().length) {
      throw fail(node, "tensor '" + t.name() + "' of shape " + OnnxProto.shape(t.dims()) + " holds "
          + t.longs().length + " values");
    }
    return t.longs();
  }

  long[] ints(OnnxProto.Node node, String attribute, long[] absent) {
    OnnxProto.Attribute a = attribute(node, attribute, OnnxProto.ATTR_INTS, "a list of integers");
    return a == null ? absent : a.ints();
  }

  long intAttr(OnnxProto.Node node, String attribute, long absent) {
    OnnxProto.Attribute a = attribute(node, attribute, OnnxProto.ATTR_INT, "an integer");
    return a == null ? absent : a.i();
  }

  String stringAttr(OnnxProto.Node node, String attribute, String absent) {
    OnnxProto.Attribute a = attribute(node, attribute, OnnxProto.ATTR_STRING, "a string");
    return a == null ? absent : a.s();
  }

  /** {@return the node's attribute of that name, or null; one of another type fails, saying it is not {@code what}} */
  private OnnxProto.Attribute attribute(OnnxProto.Node node, String name, int type, String what) {
    OnnxProto.Attribute a = node.attribute(name);
    if (a != null && a.type() != type) {
      throw fail(node, "attribute " + name + " is not " + what);
    }
    return a;
  }
}
