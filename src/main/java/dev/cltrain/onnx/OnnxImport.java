package dev.cltrain.onnx;

import dev.cltrain.core.InputException;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Conv;
import dev.cltrain.nn.Dropout;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.BatchNorm;
import dev.cltrain.nn.GlobalPool;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Pool;
import dev.cltrain.nn.Shape;
import dev.cltrain.nn.Standardization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX graph read back into a cltrain {@link Network}, by walking it as the chain of layers cltrain trains. It
 * reads what {@link OnnxExport} writes and the plain MLPs and small CNNs PyTorch's and Keras's exporters write:
 * <ul>
 *   <li>input [batch, n] rows; or [batch, 1, H, W] images (PyTorch; channels-first with one channel has the same
 *       rows as cltrain's HWC); or [batch, H, W, C] followed by Transpose 0,3,1,2 (Keras);</li>
 *   <li>before the first layer: Div or Mul by a scalar (the input scale), Sub then Div by a scalar or one value
 *       per input (standardization); Reshape of rows to [-1, H, W, C] (then Transpose 0,3,1,2) or to
 *       [-1, 1, H, W];</li>
 *   <li>Conv (square kernel, equal strides, no dilation, one group, no padding or "same" padding as cltrain pads),
 *       MaxPool and AveragePool (square, stride = size, no padding), GlobalAveragePool, Pad of zeros (PyTorch writes one before
 *       AveragePool), Dropout, Relu, Tanh, Sigmoid;</li>
 *   <li>Flatten, or Reshape to [-1, n], after images in NCHW (the next dense layer's rows are then reordered from
 *       CHW to cltrain's HWC) or after Transpose 0,2,3,1 (as cltrain exports);</li>
 *   <li>Gemm (transA 0, alpha 1, beta 1, transB 0 or 1) or MatMul then Add, with weights and bias as
 *       initializers or Constant nodes; the output layer ends in Softmax (loss xent), Sigmoid or nothing (mse).</li>
 * </ul>
 * Anything else fails with one line naming the first unsupported operator or attribute and its node.
 */
final class OnnxImport {
  /** The ai.onnx operator sets read: those whose operators above mean what this class takes them to mean. */
  static final int MIN_OPSET = 7;
  static final int MAX_OPSET = 23;

  /** The attributes read of each operator; any other fails the import, naming it. */
  private static final Map<String, List<String>> ATTRIBUTES = Map.of(
      "Reshape", List.of("allowzero"),
      "Transpose", List.of("perm"),
      "Conv", List.of("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"),
      "MaxPool", List.of("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"),
      "AveragePool", List.of("auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"),
      "Dropout", List.of("ratio", "seed"),
      "Flatten", List.of("axis"),
      "Gemm", List.of("alpha", "beta", "transA", "transB"),
      "Softmax", List.of("axis"),
      "Pad", List.of("mode"));
  /** BatchNormalization's attributes read ({@link #ATTRIBUTES} holds the ten Map.of takes). */
  private static final List<String> BATCH_NORM_ATTRIBUTES = List.of("epsilon", "momentum", "training_mode", "spatial");

  private final String name;
  private final Map<String, OnnxProto.Tensor> constants = new HashMap<>();
  private final Map<String, List<OnnxProto.Node>> consumers = new HashMap<>();
  private final Map<String, String> metadata;
  private final Set<OnnxProto.Node> done = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  // the walk's state: what the current value is
  private String current;
  private int width;              // values per row when flat
  private Shape image;            // the image shape when an image
  private boolean nchw;           // the image's layout: channels first (else channels last)
  private Shape chwFlat;          // flat rows in CHW order of this shape (Flatten of NCHW), reordered at the next dense layer
  private boolean seenLayer;      // a Conv or dense layer has been read (no more input handling)
  private boolean seenImage;
  private Shape inputShape;
  private int inputWidth;
  private float inputScale = 1f;
  private boolean sawScale;       // a Div or Mul by a scalar on the input: the graph states its input scale
  private float[] mean;
  private float[] std;
  private final List<Layer> stages = new ArrayList<>();
  private final List<Dense> layers = new ArrayList<>();
  private final List<Float> denseDropout = new ArrayList<>();
  private Loss loss;

  private OnnxImport(String name, Map<String, String> metadata) {
    this.name = name;
    this.metadata = metadata;
  }

  static Network network(OnnxProto.Model model, String name) {
    return imported(model, name).network();
  }

  /** The network, and what the file left unsaid: its input scale, and whether its output is logits. */
  static Onnx.Imported imported(OnnxProto.Model model, String name) {
    OnnxImport walk = new OnnxImport(name, model.metadata());
    Network network = walk.read(model);
    boolean scaleStated = walk.sawScale || model.metadata().containsKey(OnnxMetadata.INPUT_SCALE);
    boolean logits = network.loss() == Loss.MSE && !model.metadata().containsKey(OnnxMetadata.LOSS)
        && walk.layers.get(walk.layers.size() - 1).activation() == Activation.IDENTITY;
    return new Onnx.Imported(network, model.metadata(), scaleStated, logits);
  }

  private InputException fail(String message) {
    return new InputException(name + ": " + OnnxProto.oneLine(message));
  }

  private InputException fail(OnnxProto.Node node, String message) {
    return new InputException(name + ": " + OnnxProto.oneLine(node.describe() + ": " + message));
  }

  private Network read(OnnxProto.Model model) {
    Long opset = model.opsets().containsKey("") ? model.opsets().get("") : model.opsets().get("ai.onnx");
    if (opset == null) {
      throw fail("no ai.onnx operator set imported (opset_import)");
    }
    if (opset < MIN_OPSET || opset > MAX_OPSET) {
      throw fail("operator set " + opset + ": cltrain reads ai.onnx opsets " + MIN_OPSET + " to " + MAX_OPSET);
    }
    OnnxProto.Graph graph = model.graph();
    for (OnnxProto.Tensor t : graph.initializers()) {
      constants.put(t.name(), t);
    }
    List<OnnxProto.Node> chain = new ArrayList<>();
    for (OnnxProto.Node n : graph.nodes()) {
      if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
        throw fail(n, "operator domain '" + n.domain() + "' is not supported (only ai.onnx)");
      }
      if (n.opType().equals("Constant")) {
        constant(n);
        continue;
      }
      chain.add(n);
      for (String in : n.inputs()) {
        if (!in.isEmpty() && !constants.containsKey(in)) {
          consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
      }
    }
    OnnxProto.ValueInfo input = graphInput(graph);
    if (graph.outputs().size() != 1) {
      throw fail("the graph has " + graph.outputs().size() + " outputs; cltrain reads graphs with one");
    }
    String output = graph.outputs().get(0).name();
    current = input.name();
    while (!current.equals(output)) {
      List<OnnxProto.Node> next = consumers.getOrDefault(current, List.of());
      if (next.isEmpty()) {
        throw fail("value '" + current + "' leads to no node, and is not the graph's output '" + output + "'");
      }
      if (next.size() > 1) {
        throw fail("value '" + current + "' feeds " + next.size() + " nodes (" + next.get(0).describe() + ", "
            + next.get(1).describe() + "); cltrain reads a chain of layers");
      }
      step(next.get(0));
    }
    if (chain.size() != done.size()) {
      for (OnnxProto.Node n : chain) {
        if (!done.contains(n)) {
          throw fail(n, "not on the path from input '" + input.name() + "' to output '" + output + "'");
        }
      }
    }
    return build();
  }

  private void constant(OnnxProto.Node n) {
    OnnxProto.Attribute value = n.attribute("value");
    if (value == null || value.type() != OnnxProto.ATTR_TENSOR || n.outputs().size() != 1) {
      throw fail(n, "only Constant nodes with a tensor 'value' are supported");
    }
    constants.put(n.outputs().get(0), value.t());
  }

  private OnnxProto.ValueInfo graphInput(OnnxProto.Graph graph) {
    List<OnnxProto.ValueInfo> inputs = new ArrayList<>();
    for (OnnxProto.ValueInfo v : graph.inputs()) {
      if (!constants.containsKey(v.name())) {
        inputs.add(v);
      }
    }
    if (inputs.size() != 1) {
      throw fail("the graph has " + inputs.size() + " inputs besides its weights; cltrain reads graphs with one");
    }
    OnnxProto.ValueInfo in = inputs.get(0);
    if (in.elemType() != OnnxProto.FLOAT) {
      throw fail("input '" + in.name() + "' has element type " + in.elemType() + "; cltrain reads float (1) inputs");
    }
    List<OnnxProto.Dim> dims = in.dims();
    if (dims.size() == 2 && dims.get(1).value() > 0 && dims.get(1).value() <= Integer.MAX_VALUE) {
      width = (int) dims.get(1).value();
      inputWidth = width;
      return in;
    }
    if (dims.size() == 4 && dims.stream().skip(1).allMatch(d -> d.value() > 0 && d.value() <= Integer.MAX_VALUE)) {
      int a = (int) dims.get(1).value();
      int b = (int) dims.get(2).value();
      int c = (int) dims.get(3).value();
      List<OnnxProto.Node> next = consumers.getOrDefault(in.name(), List.of());
      boolean channelsLast = next.size() == 1 && next.get(0).opType().equals("Transpose")
          && Arrays.equals(ints(next.get(0), "perm", null), new long[] {0, 3, 1, 2});
      Shape shape;
      try {
        shape = channelsLast ? new Shape(a, b, c) : new Shape(b, c, a);
      } catch (IllegalArgumentException e) {
        throw fail("input '" + in.name() + "' " + OnnxProto.shape(dims) + ": " + e.getMessage());
      }
      if (!channelsLast && a != 1) {
        throw fail("input '" + in.name() + "' " + OnnxProto.shape(dims) + " is channels-first with " + a
            + " channels; cltrain takes rows in HWC order (channels last), so export the model with a [batch, H, W, C] "
            + "input");
      }
      image = shape;
      nchw = !channelsLast;
      inputShape = shape;
      inputWidth = shape.size();
      seenImage = true;
      return in;
    }
    throw fail("input '" + in.name() + "' has shape " + OnnxProto.shape(dims)
        + "; cltrain reads [batch, n] rows or [batch, 1, H, W] / [batch, H, W, C] images");
  }

  /** Reads one node of the chain and moves {@link #current} to its output. */
  private void step(OnnxProto.Node node) {
    String op = node.opType();
    switch (op) {
      case "Div", "Mul", "Sub" -> arithmetic(node);
      case "Reshape" -> reshape(node);
      case "Transpose" -> transpose(node);
      case "Conv" -> conv(node);
      case "MaxPool", "AveragePool" -> pool(node);
      case "GlobalAveragePool" -> globalPool(node);
      case "BatchNormalization" -> batchNorm(node);
      case "Dropout" -> dropout(node);
      case "Flatten" -> flatten(node);
      case "Gemm" -> gemm(node);
      case "MatMul" -> matmul(node);
      case "Identity" -> advance(node);
      case "Pad" -> pad(node);
      case "Relu", "Tanh", "Sigmoid", "Softmax" -> throw fail(node, "an activation with no Conv, Gemm or MatMul "
          + "before it; cltrain applies activations only to layers");
      default -> throw fail(node, "operator " + op + " is not supported (cltrain reads Gemm, MatMul+Add, Conv, "
          + "MaxPool, AveragePool, GlobalAveragePool, BatchNormalization, Pad of zeros, Flatten, Reshape, Transpose, Dropout, Relu, Tanh, Sigmoid, Softmax, and Div, Mul, "
          + "Sub on the input)");
    }
  }

  // ---- input handling -------------------------------------------------------------------------------------------

  private void arithmetic(OnnxProto.Node node) {
    if (seenLayer) {
      throw fail(node, node.opType() + " after the first layer is not supported (only on the input, for its scale "
          + "and standardization)");
    }
    float[] operand = operand(node);
    String op = node.opType();
    int n = image != null ? image.size() : width;
    if (operand.length != 1 && (operand.length != n || image != null)) {
      throw fail(node, "a constant of " + operand.length + " values; cltrain takes one, or one per input (" + n
          + ") on rows");
    }
    float[] perInput = operand.length == 1 ? filled(n, operand[0]) : operand;
    if (mean == null && std == null && operand.length == 1 && (op.equals("Div") || op.equals("Mul"))) {
      if (inputScale != 1f) {
        throw fail(node, "a second input scale (after " + inputScale + ")");
      }
      float scale = op.equals("Div") ? 1f / operand[0] : operand[0];
      if (!(scale > 0) || Float.isInfinite(scale)) {
        throw fail(node, "input scale " + scale + " is not positive and finite");
      }
      inputScale = scale;
      sawScale = true;
    } else if (op.equals("Sub") && mean == null && std == null) {
      mean = perInput;
    } else if (op.equals("Div") && std == null) {
      std = perInput;
    } else {
      throw fail(node, op + " here does not fit the input handling cltrain reads: Div or Mul by a scalar "
          + "(scale), then Sub (mean), then Div (standard deviation)");
    }
    advance(node);
  }

  /** The constant operand of an element-wise node whose other operand is the current value. */
  private float[] operand(OnnxProto.Node node) {
    if (node.inputs().size() != 2 || !node.inputs().get(0).equals(current)) {
      throw fail(node, "takes the input as its first operand and a constant as its second; this one does not");
    }
    OnnxProto.Tensor t = tensor(node, node.inputs().get(1));
    return floats(node, t);
  }

  private void reshape(OnnxProto.Node node) {
    long[] shape = longs(node, tensor(node, input(node, 1)));
    if (node.attribute("allowzero") != null && node.attribute("allowzero").i() != 0) {
      throw fail(node, "attribute allowzero=1 is not supported");
    }
    if (image == null && shape.length == 4) { // rows to images
      long a = shape[1];
      long b = shape[2];
      long c = shape[3];
      if (a <= 0 || b <= 0 || c <= 0 || a > width || b > width || a * b > width || a * b * c != width
          || !(shape[0] == -1 || shape[0] == 0)) { // a, b and a * b at most width: a * b * c cannot overflow
        throw fail(node, "shape " + OnnxProto.shape(shape) + " for rows of " + width + " values");
      }
      if (seenLayer || seenImage) {
        throw fail(node, "a Reshape to images after the first layer is not supported");
      }
      boolean channelsLast = !(a == 1);
      List<OnnxProto.Node> next = consumers.getOrDefault(node.outputs().isEmpty() ? "" : node.outputs().get(0), List.of());
      boolean transposed = next.size() == 1 && next.get(0).opType().equals("Transpose");
      if (a == 1 && transposed) {
        channelsLast = true; // [-1, 1, W, C]... read as HWC and transposed: only the Transpose decides
      }
      if (channelsLast && !transposed) {
        throw fail(node, "shape " + OnnxProto.shape(shape) + " with no Transpose 0,3,1,2 after it: cltrain reads "
            + "rows as [-1, H, W, C] images transposed to NCHW, or as [-1, 1, H, W] (one channel, channels first)");
      }
      try {
        image = channelsLast ? new Shape((int) a, (int) b, (int) c) : new Shape((int) b, (int) c, 1);
      } catch (IllegalArgumentException e) {
        throw fail(node, e.getMessage());
      }
      nchw = !channelsLast;
      inputShape = image;
      seenImage = true;
      advance(node);
      return;
    }
    if (image != null && shape.length == 2 && (shape[0] == -1 || shape[0] == 0)
        && (shape[1] == image.size() || shape[1] == -1)) { // images to rows: a flatten
      toRows();
      advance(node);
      return;
    }
    if (image == null && shape.length == 2 && (shape[0] == -1 || shape[0] == 0) && (shape[1] == width || shape[1] == -1)) {
      advance(node); // rows to the same rows
      return;
    }
    throw fail(node, "shape " + OnnxProto.shape(shape) + " is not supported here (rows to [-1, H, W, C] or "
        + "[-1, 1, H, W] images, images to [-1, n] rows)");
  }

  private void transpose(OnnxProto.Node node) {
    long[] perm = ints(node, "perm", null);
    if (image != null && !nchw && Arrays.equals(perm, new long[] {0, 3, 1, 2})) {
      nchw = true;
    } else if (image != null && nchw && Arrays.equals(perm, new long[] {0, 2, 3, 1})) {
      nchw = false;
    } else {
      throw fail(node, "perm " + (perm == null ? "(reverse)" : OnnxProto.shape(perm)) + " on "
          + (image == null ? "rows" : (nchw ? "NCHW" : "NHWC") + " images")
          + " is not supported (0,3,1,2 on NHWC images, 0,2,3,1 on NCHW ones)");
    }
    advance(node);
  }

  // ---- features ---------------------------------------------------------------------------------------------------

  private void needNchw(OnnxProto.Node node) {
    if (image == null || !nchw) {
      throw fail(node, "needs images in NCHW layout, but its input is " + (image == null ? "rows of " + width
          + " values" : "NHWC images") + (layers.isEmpty() ? "" : " (after a dense layer)"));
    }
    if (!layers.isEmpty()) {
      throw fail(node, "convolutions and pooling after a dense layer are not supported");
    }
  }

  private void conv(OnnxProto.Node node) {
    needNchw(node);
    long group = intAttr(node, "group", 1);
    if (group != 1) {
      throw fail(node, "attribute group=" + group + " is not supported (only 1)");
    }
    OnnxProto.Tensor w = tensor(node, input(node, 1));
    float[] oihw = floats(node, w);
    long[] d = w.dims();
    if (d.length != 4 || d[2] != d[3] || d[1] != image.channels() || d[0] < 1 || d[2] < 1 || d[0] > Integer.MAX_VALUE
        || d[2] > Integer.MAX_VALUE) {
      throw fail(node, "weights " + OnnxProto.shape(d) + ": cltrain takes [filters, " + image.channels()
          + ", k, k] for " + image + " input");
    }
    int f = (int) d[0];
    int k = (int) d[2];
    int channels = image.channels();
    float[] bias = node.inputs().size() > 2 && !node.inputs().get(2).isEmpty()
        ? floats(node, tensor(node, node.inputs().get(2))) : new float[f];
    if (bias.length != f) {
      throw fail(node, "bias of " + bias.length + " values for " + f + " filters");
    }
    long[] kernelShape = ints(node, "kernel_shape", null);
    if (kernelShape != null && !Arrays.equals(kernelShape, new long[] {k, k})) {
      throw fail(node, "attribute kernel_shape " + OnnxProto.shape(kernelShape) + " does not match weights " + k + "x" + k);
    }
    long[] dilations = ints(node, "dilations", new long[] {1, 1});
    if (!Arrays.equals(dilations, new long[] {1, 1})) {
      throw fail(node, "attribute dilations " + OnnxProto.shape(dilations) + " is not supported (only 1,1)");
    }
    long[] strides = ints(node, "strides", new long[] {1, 1});
    if (strides.length != 2 || strides[0] != strides[1] || strides[0] < 1 || strides[0] > Integer.MAX_VALUE) {
      throw fail(node, "attribute strides " + OnnxProto.shape(strides) + " is not supported (equal strides only)");
    }
    int stride = (int) strides[0];
    String autoPad = stringAttr(node, "auto_pad", "NOTSET");
    long[] pads = ints(node, "pads", new long[] {0, 0, 0, 0});
    float[] hwio = KernelLayout.hwio(oihw, k, channels, f);
    advance(node);
    Activation activation = activationAfter(node);
    Conv same;
    Conv valid;
    try {
      same = new Conv(image, f, k, stride, true, activation, hwio, bias);
    } catch (IllegalArgumentException e) {
      throw fail(node, e.getMessage());
    }
    long[] samePads = {same.padTop(), same.padLeft(), same.padBottom(), same.padRight()};
    boolean isSame = switch (autoPad) {
      case "SAME_UPPER" -> true;
      case "SAME_LOWER" -> samePads[0] == samePads[2] && samePads[1] == samePads[3];
      case "VALID" -> false;
      case "NOTSET" -> !Arrays.equals(pads, new long[] {0, 0, 0, 0});
      default -> throw fail(node, "attribute auto_pad '" + autoPad + "' is not supported");
    };
    if (autoPad.equals("SAME_LOWER") && !isSame) {
      throw fail(node, "auto_pad SAME_LOWER pads the top and left more than cltrain's 'same', which pads the bottom "
          + "and right");
    }
    if (autoPad.equals("NOTSET") && isSame && !Arrays.equals(pads, samePads)) {
      throw fail(node, "attribute pads " + OnnxProto.shape(pads) + " is not supported: cltrain pads none or 'same' ("
          + OnnxProto.shape(samePads) + " here, the extra row and column at the bottom and right)");
    }
    if (isSame) {
      stages.add(same);
    } else {
      try {
        valid = new Conv(image, f, k, stride, false, activation, hwio, bias);
      } catch (IllegalArgumentException e) {
        throw fail(node, e.getMessage());
      }
      stages.add(valid);
    }
    try {
      image = stages.get(stages.size() - 1).output();
    } catch (IllegalArgumentException e) { // more output values (rows x columns x filters) than an int counts
      throw fail(node, e.getMessage());
    }
    seenLayer = true;
    skipActivation(activation);
  }

  private void pool(OnnxProto.Node node) {
    needNchw(node);
    long[] kernel = ints(node, "kernel_shape", null);
    if (kernel == null || kernel.length != 2 || kernel[0] != kernel[1] || kernel[0] < 1 || kernel[0] > Integer.MAX_VALUE) {
      throw fail(node, "attribute kernel_shape " + (kernel == null ? "missing" : OnnxProto.shape(kernel))
          + " is not supported (square only)");
    }
    int size = (int) kernel[0];
    long[] strides = ints(node, "strides", new long[] {1, 1});
    if (!Arrays.equals(strides, kernel)) {
      throw fail(node, "attribute strides " + OnnxProto.shape(strides) + " is not supported (cltrain pools with stride "
          + "= size, " + size + ")");
    }
    long[] pads = ints(node, "pads", new long[] {0, 0, 0, 0});
    String autoPad = stringAttr(node, "auto_pad", "NOTSET");
    if (!Arrays.equals(pads, new long[] {0, 0, 0, 0}) || !(autoPad.equals("NOTSET") || autoPad.equals("VALID"))) {
      throw fail(node, "padding (pads " + OnnxProto.shape(pads) + ", auto_pad " + autoPad + ") is not supported");
    }
    long[] dilations = ints(node, "dilations", new long[] {1, 1});
    if (!Arrays.equals(dilations, new long[] {1, 1})) {
      throw fail(node, "attribute dilations " + OnnxProto.shape(dilations) + " is not supported (only 1,1)");
    }
    if (intAttr(node, "ceil_mode", 0) != 0 && (image.height() % size != 0 || image.width() % size != 0)) {
      throw fail(node, "attribute ceil_mode=1 keeps partial windows of the " + image + " input; cltrain drops them");
    }
    if (intAttr(node, "storage_order", 0) != 0) {
      throw fail(node, "attribute storage_order=1 is not supported");
    }
    if (node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()) {
      throw fail(node, "the Indices output is not supported");
    }
    try {
      stages.add(new Pool(image, node.opType().equals("MaxPool"), size));
    } catch (IllegalArgumentException e) {
      throw fail(node, e.getMessage());
    }
    image = stages.get(stages.size() - 1).output();
    advance(node);
  }

  /** GlobalAveragePool: a {@link GlobalPool} stage, N×C×H×W → N×C×1×1. */
  private void globalPool(OnnxProto.Node node) {
    needNchw(node);
    stages.add(new GlobalPool(image));
    image = stages.get(stages.size() - 1).output();
    advance(node);
  }

  /**
   * BatchNormalization in inference mode (training_mode 0; its one output): a {@link BatchNorm} stage with the
   * activation node after it. ONNX's momentum is 1 − cltrain's: read back as the decimal 1 − momentum where that
   * gives the same float again (0.9 → 0.1), else as 1 − momentum in double.
   */
  private void batchNorm(OnnxProto.Node node) {
    needNchw(node);
    if (intAttr(node, "training_mode", 0) != 0 || node.outputs().size() > 1) {
      throw fail(node, "training_mode=1 (batch statistics) is not supported: export the model in eval mode");
    }
    if (intAttr(node, "spatial", 1) != 1) {
      throw fail(node, "attribute spatial=0 is not supported (per channel only)");
    }
    float epsilon = node.attribute("epsilon") != null ? node.attribute("epsilon").f() : BatchNorm.EPSILON;
    float momentum = BatchNorm.MOMENTUM;
    if (node.attribute("momentum") != null) {
      float onnx = node.attribute("momentum").f();
      momentum = (float) (1.0 - onnx);
      try {
        float decimal = new java.math.BigDecimal(1).subtract(new java.math.BigDecimal(Float.toString(onnx))).floatValue();
        momentum = (float) (1.0 - decimal) == onnx ? decimal : momentum;
      } catch (NumberFormatException e) { // NaN or infinite: BatchNorm.check refuses it below
        momentum = Float.NaN;
      }
    }
    String bad = BatchNorm.check(momentum, epsilon);
    if (bad != null) {
      throw fail(node, bad);
    }
    int c = image.channels();
    float[][] arrays = new float[4][];
    String[] names = {"scale", "B", "input_mean", "input_var"};
    for (int a = 0; a < 4; a++) {
      arrays[a] = floats(node, tensor(node, input(node, a + 1)));
      if (arrays[a].length != c) {
        throw fail(node, names[a] + " of " + arrays[a].length + " values for " + c + " channels");
      }
    }
    advance(node);
    Activation activation = activationAfter(node);
    stages.add(new BatchNorm(image, momentum, epsilon, activation, arrays[0], arrays[1], arrays[2], arrays[3]));
    skipActivation(activation);
  }

  /**
   * A Pad that pads nothing, as PyTorch 1.13 writes before every AveragePool (AvgPool2d exports as Pad with
   * zero pads, then AveragePool): read as no operation. Any nonzero pad fails.
   */
  private void pad(OnnxProto.Node node) {
    if (!input(node, 0).equals(current)) {
      throw fail(node, "takes the current value as its first input; this one does not");
    }
    long[] pads = longs(node, tensor(node, input(node, 1)));
    for (long p : pads) {
      if (p != 0) {
        throw fail(node, "pads " + OnnxProto.shape(pads) + " are not supported (only a Pad of zeros, which PyTorch "
            + "writes before AveragePool; pad in the Conv instead)");
      }
    }
    advance(node);
  }

  private void dropout(OnnxProto.Node node) {
    float rate = 0.5f;
    if (node.attribute("ratio") != null) {
      rate = node.attribute("ratio").f();
    }
    if (node.inputs().size() > 1 && !node.inputs().get(1).isEmpty()) {
      float[] r = floats(node, tensor(node, node.inputs().get(1)));
      if (r.length != 1) {
        throw fail(node, "ratio of " + r.length + " values");
      }
      rate = r[0];
    }
    if (node.inputs().size() > 2 && !node.inputs().get(2).isEmpty()) {
      OnnxProto.Tensor mode = tensor(node, node.inputs().get(2));
      throw fail(node, "input training_mode ('" + mode.name() + "') is not supported");
    }
    if (node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()
        && consumers.containsKey(node.outputs().get(1))) {
      throw fail(node, "its mask output is used; cltrain reads Dropout as a layer only");
    }
    if (!(rate >= 0f && rate < 1f)) {
      throw fail(node, "ratio " + rate + " is outside [0, 1)");
    }
    if (!layers.isEmpty()) {
      int last = layers.size() - 1;
      if (denseDropout.get(last) != 0f) {
        throw fail(node, "a second Dropout after the same dense layer");
      }
      denseDropout.set(last, rate);
    } else if (image != null) {
      stages.add(new Dropout(image, rate));
    } else if (chwFlat == null && seenImage) {
      throw fail(node, "Dropout between the flatten and the first dense layer is not supported");
    } else {
      throw fail(node, "Dropout before the first layer is not supported");
    }
    advance(node);
  }

  private void flatten(OnnxProto.Node node) {
    long axis = intAttr(node, "axis", 1);
    if (axis != 1) {
      throw fail(node, "attribute axis=" + axis + " is not supported (only 1)");
    }
    if (image != null) {
      toRows();
    }
    advance(node);
  }

  /** Images become rows: in HWC order from NHWC, in CHW order (reordered at the next dense layer) from NCHW. */
  private void toRows() {
    if (nchw && image.channels() > 1 && image.height() * image.width() > 1) {
      chwFlat = image;
    }
    width = image.size();
    image = null;
  }

  // ---- dense layers -----------------------------------------------------------------------------------------------

  private void gemm(OnnxProto.Node node) {
    needRows(node);
    if (intAttr(node, "transA", 0) != 0) {
      throw fail(node, "attribute transA=1 is not supported");
    }
    for (String a : new String[] {"alpha", "beta"}) {
      if (node.attribute(a) != null && node.attribute(a).f() != 1f) {
        throw fail(node, "attribute " + a + "=" + node.attribute(a).f() + " is not supported (only 1)");
      }
    }
    boolean transB = intAttr(node, "transB", 0) != 0;
    float[] bias = node.inputs().size() > 2 && !node.inputs().get(2).isEmpty()
        ? floats(node, tensor(node, node.inputs().get(2))) : null;
    dense(node, tensor(node, input(node, 1)), transB, bias);
    advance(node);
    finishDense(node);
  }

  private void matmul(OnnxProto.Node node) {
    needRows(node);
    if (!node.inputs().get(0).equals(current)) {
      throw fail(node, "takes the layer's input as its first operand and the weights as its second; this one does not");
    }
    OnnxProto.Tensor w = tensor(node, input(node, 1));
    advance(node);
    float[] bias = null;
    List<OnnxProto.Node> next = consumers.getOrDefault(current, List.of());
    if (next.size() == 1 && next.get(0).opType().equals("Add")) {
      OnnxProto.Node add = next.get(0);
      if (add.inputs().size() != 2) {
        throw fail(add, "takes " + add.inputs().size() + " inputs");
      }
      String other = add.inputs().get(0).equals(current) ? add.inputs().get(1) : add.inputs().get(0);
      OnnxProto.Tensor b = constants.get(other);
      if (b == null) {
        throw fail(add, "adds '" + other + "', which is not a constant (cltrain reads Add as a dense layer's bias)");
      }
      bias = floats(add, b);
      dense(node, w, false, bias);
      advance(add);
    } else {
      dense(node, w, false, null);
    }
    finishDense(node);
  }

  private void needRows(OnnxProto.Node node) {
    if (image != null) {
      throw fail(node, "a dense layer on " + image + " images; flatten them first (Flatten)");
    }
    if (!node.inputs().get(0).equals(current)) {
      throw fail(node, "takes the layer's input as its first operand and the weights as its second; this one does not");
    }
  }

  private void dense(OnnxProto.Node node, OnnxProto.Tensor w, boolean transposed, float[] bias) {
    float[] values = floats(node, w);
    long[] d = w.dims();
    if (d.length != 2 || d[0] < 1 || d[1] < 1) {
      throw fail(node, "weights " + OnnxProto.shape(d) + ": cltrain takes a matrix");
    }
    long in = transposed ? d[1] : d[0];
    long out = transposed ? d[0] : d[1];
    if (in != width) {
      throw fail(node, "weights " + OnnxProto.shape(d) + (transposed ? " (transB=1)" : "") + " take " + in
          + " inputs, but the value before it has " + width);
    }
    if (in * out > Network.MAX_LAYER_WEIGHTS) { // no overflow: the weights tensor holds in·out values
      throw fail(node, "weights " + OnnxProto.shape(d) + " exceed cltrain's largest layer");
    }
    int inputs = (int) in;
    int outputs = (int) out;
    float[] weights = new float[inputs * outputs];
    for (int i = 0; i < inputs; i++) {
      int row = chwFlat == null ? i : chwRow(i, chwFlat);
      for (int j = 0; j < outputs; j++) {
        weights[row * outputs + j] = transposed ? values[j * inputs + i] : values[i * outputs + j];
      }
    }
    chwFlat = null;
    if (bias == null) {
      bias = new float[outputs];
    }
    if (bias.length != outputs) {
      throw fail(node, "bias of " + bias.length + " values for " + outputs + " outputs");
    }
    layers.add(new Dense(inputs, outputs, Activation.IDENTITY, weights, bias));
    denseDropout.add(0f);
    width = outputs;
    seenLayer = true;
  }

  /** Where CHW row {@code i} of {@code s} sits in HWC order. */
  private static int chwRow(int i, Shape s) {
    int hw = s.height() * s.width();
    int c = i / hw;
    int pixel = i - c * hw;
    return pixel * s.channels() + c;
  }

  /** Reads the activation after the dense layer just added, if any, into it. */
  private void finishDense(OnnxProto.Node layerNode) {
    Activation a = activationAfter(layerNode);
    Dense l = layers.remove(layers.size() - 1);
    layers.add(new Dense(l.inputs(), l.outputs(), a, l.weights(), l.bias()));
    skipActivation(a);
  }

  /** The activation node that consumes the current value (and only it), or identity. */
  private Activation activationAfter(OnnxProto.Node layerNode) {
    List<OnnxProto.Node> next = consumers.getOrDefault(current, List.of());
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
        if (!(layerNode.opType().equals("Gemm") || layerNode.opType().equals("MatMul"))) {
          throw fail(n, "softmax after a convolution is not supported");
        }
        yield Activation.SOFTMAX;
      }
      case "LeakyRelu", "Elu", "Selu", "Gelu", "HardSigmoid", "Softplus", "LogSoftmax", "PRelu" ->
          throw fail(n, "activation " + n.opType() + " is not supported (Relu, Tanh, Sigmoid, Softmax)");
      default -> Activation.IDENTITY;
    };
  }

  private void skipActivation(Activation a) {
    if (a != Activation.IDENTITY) {
      advance(consumers.get(current).get(0));
    }
  }

  // ---- the network ------------------------------------------------------------------------------------------------

  private Network build() {
    if (layers.isEmpty()) {
      throw fail("no dense layer (Gemm or MatMul): cltrain's networks end in one");
    }
    if (image != null) {
      throw fail("the graph's output is " + image + " images; cltrain's networks end in a dense layer");
    }
    for (int l = 0; l < layers.size() - 1; l++) {
      if (layers.get(l).activation() == Activation.SOFTMAX) {
        throw fail("dense layer " + l + " has a Softmax, which cltrain applies only to the output layer");
      }
    }
    Activation out = layers.get(layers.size() - 1).activation();
    Loss inferred = out == Activation.SOFTMAX ? Loss.XENT : Loss.MSE;
    if (!inferred.allowsOutput(out)) {
      throw fail("the output layer's activation is " + out.id + "; cltrain's output layer has Softmax (loss xent), "
          + "Sigmoid or none (loss mse)");
    }
    String declared = metadata.get(OnnxMetadata.LOSS);
    if (declared != null && !declared.equals(inferred.id)) {
      throw fail("metadata says loss '" + declared + "' but the output activation " + out.id + " is loss '"
          + inferred.id + "''s");
    }
    loss = inferred;
    float[] rates = new float[denseDropout.size()];
    boolean anyDropout = false;
    for (int l = 0; l < rates.length; l++) {
      rates[l] = denseDropout.get(l);
      anyDropout |= rates[l] > 0;
    }
    if (rates[rates.length - 1] != 0f) {
      throw fail("a Dropout after the output layer is not supported");
    }
    boolean features = !stages.isEmpty() || anyDropout;
    List<Layer> all = new ArrayList<>(stages);
    for (int l = 0; l < layers.size(); l++) {
      all.add(layers.get(l));
      if (rates[l] > 0 || (features && Float.floatToRawIntBits(rates[l]) != 0)) { // a rate of +0 is no dropout
        all.add(new Dropout(layers.get(l).output(), rates[l]));
      }
    }
    Standardization standardization = null;
    if (mean != null || std != null) {
      try {
        standardization = new Standardization(mean != null ? mean : new float[inputWidth],
            std != null ? std : filled(inputWidth, 1f));
      } catch (IllegalArgumentException e) {
        throw fail("the input's standardization: " + e.getMessage());
      }
    }
    List<String> names = OnnxMetadata.classNames(metadata);
    if (names != null && names.size() != layers.get(layers.size() - 1).outputs()) {
      names = null;
    }
    try {
      return features ? new Network(inputShape != null ? inputShape : new Shape(1, 1, inputWidth), all, loss, inputScale,
          names, standardization, dropoutSeed()) : new Network(loss, layers, inputScale, names, standardization);
    } catch (IllegalArgumentException e) {
      throw fail(e.getMessage());
    }
  }

  private long dropoutSeed() {
    String seed = metadata.get(OnnxMetadata.DROPOUT_SEED);
    if (seed == null) {
      return 0;
    }
    try {
      return Long.parseUnsignedLong(seed);
    } catch (NumberFormatException e) {
      throw fail("metadata " + OnnxMetadata.DROPOUT_SEED + " '" + seed + "' is not an unsigned 64-bit integer");
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------------------------

  /** Moves past a node, checking its attributes are all read: its first output becomes the current value. */
  private void advance(OnnxProto.Node node) {
    if (!done.add(node)) {
      throw fail(node, "reached twice: the graph has a cycle");
    }
    List<String> known = node.opType().equals("BatchNormalization") ? BATCH_NORM_ATTRIBUTES
        : ATTRIBUTES.getOrDefault(node.opType(), List.of());
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

  private String input(OnnxProto.Node node, int index) {
    if (node.inputs().size() <= index || node.inputs().get(index).isEmpty()) {
      throw fail(node, "input " + index + " is missing");
    }
    return node.inputs().get(index);
  }

  private OnnxProto.Tensor tensor(OnnxProto.Node node, String value) {
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

  private float[] floats(OnnxProto.Node node, OnnxProto.Tensor t) {
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

  private long[] longs(OnnxProto.Node node, OnnxProto.Tensor t) {
    if (t.dataType() != OnnxProto.INT64) {
      throw fail(node, "tensor '" + t.name() + "' has data type " + t.dataType() + "; a shape is int64 (7)");
    }
    if (t.elements() != t.longs().length) {
      throw fail(node, "tensor '" + t.name() + "' of shape " + OnnxProto.shape(t.dims()) + " holds "
          + t.longs().length + " values");
    }
    return t.longs();
  }

  private long[] ints(OnnxProto.Node node, String attribute, long[] absent) {
    OnnxProto.Attribute a = node.attribute(attribute);
    if (a == null) {
      return absent;
    }
    if (a.type() != OnnxProto.ATTR_INTS) {
      throw fail(node, "attribute " + attribute + " is not a list of integers");
    }
    return a.ints();
  }

  private long intAttr(OnnxProto.Node node, String attribute, long absent) {
    OnnxProto.Attribute a = node.attribute(attribute);
    if (a == null) {
      return absent;
    }
    if (a.type() != OnnxProto.ATTR_INT) {
      throw fail(node, "attribute " + attribute + " is not an integer");
    }
    return a.i();
  }

  private String stringAttr(OnnxProto.Node node, String attribute, String absent) {
    OnnxProto.Attribute a = node.attribute(attribute);
    if (a == null) {
      return absent;
    }
    if (a.type() != OnnxProto.ATTR_STRING) {
      throw fail(node, "attribute " + attribute + " is not a string");
    }
    return a.s();
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    Arrays.fill(a, v);
    return a;
  }
}
