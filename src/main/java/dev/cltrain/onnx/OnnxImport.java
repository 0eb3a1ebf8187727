package dev.cltrain.onnx;

import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Shape;
import dev.cltrain.nn.Standardization;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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
 *       MaxPool and AveragePool (square, stride = size, no padding), GlobalAveragePool, BatchNormalization (its
 *       running statistics, also with training_mode 1 as PyTorch's training-mode export writes it), Pad of zeros
 *       (PyTorch writes one before AveragePool), Dropout, Relu, Tanh, Sigmoid;</li>
 *   <li>residual blocks: a value that feeds two branches meeting again in an Add, one of them the identity or a 1x1
 *       Conv (with or without a BatchNormalization, the shortcut bn), the other the block's layers
 *       ({@link LayerMappings#residual});</li>
 *   <li>Flatten, or Reshape to [-1, n], after images in NCHW (the next dense layer's rows are then reordered from
 *       CHW to cltrain's HWC) or after Transpose 0,2,3,1 (as cltrain exports);</li>
 *   <li>Gemm (transA 0, alpha 1, beta 1, transB 0 or 1) or MatMul then Add, with weights and bias as
 *       initializers or Constant nodes (or an Identity of one); the output layer ends in Softmax (loss xent),
 *       Sigmoid or nothing (mse).</li>
 * </ul>
 * Anything else fails with one line naming the first unsupported operator or attribute and its node. This class
 * reads the graph and walks its chain ({@link ImportWalk}): the operators that are no layer are
 * {@link ImportSteps}, each layer kind's are read by its row of {@link LayerMappings} (a value feeding two nodes
 * by the residual row's); then it builds the network.
 */
final class OnnxImport {
  /** The ai.onnx operator sets read: those whose operators above mean what this class takes them to mean. */
  static final int MIN_OPSET = 7;
  static final int MAX_OPSET = 23;

  private final String name;
  private final ImportWalk w;

  private OnnxImport(String name, Map<String, String> metadata) {
    this.name = name;
    this.w = new ImportWalk(name, metadata);
  }

  static Network network(OnnxProto.Model model, String name) {
    return imported(model, name).network();
  }

  /** The network, and what the file left unsaid: its input scale, and whether its output is logits. */
  static Onnx.Imported imported(OnnxProto.Model model, String name) {
    OnnxImport walk = new OnnxImport(name, model.metadata());
    Network network = walk.read(model);
    List<Dense> dense = walk.w.dense();
    boolean scaleStated = walk.w.sawScale || model.metadata().containsKey(OnnxMetadata.INPUT_SCALE);
    boolean logits = network.loss() == Loss.MSE && !model.metadata().containsKey(OnnxMetadata.LOSS)
        && dense.get(dense.size() - 1).activation() == Activation.IDENTITY;
    return new Onnx.Imported(network, model.metadata(), scaleStated, logits);
  }

  private Network read(OnnxProto.Model model) {
    Long opset = model.opsets().containsKey("") ? model.opsets().get("") : model.opsets().get("ai.onnx");
    if (opset == null) {
      throw w.fail("no ai.onnx operator set imported (opset_import)");
    }
    if (opset < MIN_OPSET || opset > MAX_OPSET) {
      throw w.fail("operator set " + opset + ": cltrain reads ai.onnx opsets " + MIN_OPSET + " to " + MAX_OPSET);
    }
    OnnxProto.Graph graph = model.graph();
    for (OnnxProto.Tensor t : graph.initializers()) {
      w.constants.put(t.name(), t);
    }
    List<OnnxProto.Node> chain = new ArrayList<>();
    for (OnnxProto.Node n : graph.nodes()) {
      if (!n.domain().isEmpty() && !n.domain().equals("ai.onnx")) {
        throw w.fail(n, "operator domain '" + n.domain() + "' is not supported (only ai.onnx)");
      }
      if (n.opType().equals("Constant")) {
        constant(n);
        continue;
      }
      if (n.opType().equals("Identity") && n.inputs().size() == 1 && n.outputs().size() == 1
          && w.constants.containsKey(n.inputs().get(0))) { // PyTorch names one initializer twice so: a constant
        w.constants.put(n.outputs().get(0), w.constants.get(n.inputs().get(0)));
        continue;
      }
      chain.add(n);
      for (String in : n.inputs()) {
        if (!in.isEmpty() && !w.constants.containsKey(in)) {
          w.consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
      }
    }
    OnnxProto.ValueInfo input = graphInput(graph);
    if (graph.outputs().size() != 1) {
      throw w.fail("the graph has " + graph.outputs().size() + " outputs; cltrain reads graphs with one");
    }
    String output = graph.outputs().get(0).name();
    w.current = input.name();
    while (!w.current.equals(output)) {
      List<OnnxProto.Node> next = w.next(w.current).stream().filter(n -> !w.done(n)).toList(); // not side nodes passed
      if (next.isEmpty()) {
        throw w.fail("value '" + w.current + "' leads to no node, and is not the graph's output '" + output + "'");
      }
      if (next.size() > 1 && next.stream().anyMatch(n -> SequenceImport.shapeOnly(w, n))) {
        next.stream().filter(n -> SequenceImport.shapeOnly(w, n)).forEach(n -> SequenceImport.zeroStates(w, n));
      } else if (next.size() > 1) {
        LayerMappings.residual(w, next);
      } else {
        ImportSteps.step(w, next.get(0));
      }
    }
    for (OnnxProto.Node n : chain) {
      if (!w.done(n)) {
        throw w.fail(n, "not on the path from input '" + input.name() + "' to output '" + output + "'");
      }
    }
    return build();
  }

  private void constant(OnnxProto.Node n) {
    OnnxProto.Attribute value = n.attribute("value");
    if (value == null || value.type() != OnnxProto.ATTR_TENSOR || n.outputs().size() != 1) {
      throw w.fail(n, "only Constant nodes with a tensor 'value' are supported");
    }
    w.constants.put(n.outputs().get(0), value.t());
  }

  private OnnxProto.ValueInfo graphInput(OnnxProto.Graph graph) {
    List<OnnxProto.ValueInfo> inputs = new ArrayList<>();
    for (OnnxProto.ValueInfo v : graph.inputs()) {
      if (!w.constants.containsKey(v.name())) {
        inputs.add(v);
      }
    }
    if (inputs.size() != 1) {
      throw w.fail("the graph has " + inputs.size() + " inputs besides its weights; cltrain reads graphs with one");
    }
    OnnxProto.ValueInfo in = inputs.get(0);
    if (in.elemType() != OnnxProto.FLOAT) {
      throw w.fail("input '" + in.name() + "' has element type " + in.elemType() + "; cltrain reads float (1) inputs");
    }
    List<OnnxProto.Dim> dims = in.dims();
    if (dims.size() == 2 && dims.get(1).value() > 0 && dims.get(1).value() <= Integer.MAX_VALUE) {
      w.width = (int) dims.get(1).value();
      w.inputWidth = w.width;
      return in;
    }
    if (dims.size() == 4 && dims.stream().skip(1).allMatch(d -> d.value() > 0 && d.value() <= Integer.MAX_VALUE)) {
      int a = (int) dims.get(1).value();
      int b = (int) dims.get(2).value();
      int c = (int) dims.get(3).value();
      List<OnnxProto.Node> next = w.next(in.name());
      boolean channelsLast = next.size() == 1 && next.get(0).opType().equals("Transpose")
          && Arrays.equals(w.ints(next.get(0), "perm", null), new long[] {0, 3, 1, 2});
      Shape shape;
      try {
        shape = channelsLast ? new Shape(a, b, c) : new Shape(b, c, a);
      } catch (IllegalArgumentException e) {
        throw w.fail("input '" + in.name() + "' " + OnnxProto.shape(dims) + ": " + e.getMessage());
      }
      if (!channelsLast && a != 1) {
        throw w.fail("input '" + in.name() + "' " + OnnxProto.shape(dims) + " is channels-first with " + a
            + " channels; cltrain takes rows in HWC order (channels last), so export the model with a [batch, H, W, C] "
            + "input");
      }
      w.image = shape;
      w.nchw = !channelsLast;
      w.inputShape = shape;
      w.inputWidth = shape.size();
      w.seenImage = true;
      return in;
    }
    throw w.fail("input '" + in.name() + "' has shape " + OnnxProto.shape(dims)
        + "; cltrain reads [batch, n] rows or [batch, 1, H, W] / [batch, H, W, C] images");
  }

  // ---- the network ------------------------------------------------------------------------------------------------

  private Network build() {
    List<Dense> dense = w.dense();
    if (dense.isEmpty()) {
      throw w.fail("no dense layer (Gemm or MatMul): cltrain's networks end in one");
    }
    if (w.image != null) {
      throw w.fail("the graph's output is " + w.image + " images; cltrain's networks end in a dense layer");
    }
    for (int l = 0; l < dense.size() - 1; l++) {
      if (dense.get(l).activation() == Activation.SOFTMAX) {
        throw w.fail("dense layer " + l + " has a Softmax, which cltrain applies only to the output layer");
      }
    }
    Dense output = dense.get(dense.size() - 1);
    Activation out = output.activation();
    Loss inferred = out == Activation.SOFTMAX ? Loss.XENT : Loss.MSE;
    if (!inferred.allowsOutput(out)) {
      throw w.fail("the output layer's activation is " + out.id + "; cltrain's output layer has Softmax (loss xent), "
          + "Sigmoid or none (loss mse)");
    }
    String declared = w.metadata.get(OnnxMetadata.LOSS);
    if (declared != null && !declared.equals(inferred.id)) {
      throw w.fail("metadata says loss '" + declared + "' but the output activation " + out.id + " is loss '"
          + inferred.id + "''s");
    }
    List<Layer> firm = w.firmLayers();
    Layer tail = firm.get(firm.size() - 1);
    if (tail != output) {
      throw w.fail("a " + LayerMapping.of(tail.kind()).operators.get(0).type()
          + " after the output layer is not supported");
    }
    Standardization standardization = null;
    if (w.mean != null || w.std != null) {
      try {
        standardization = new Standardization(w.mean != null ? w.mean : new float[w.inputWidth],
            w.std != null ? w.std : ImportSteps.filled(w.inputWidth, 1f));
      } catch (IllegalArgumentException e) {
        throw w.fail("the input's standardization: " + e.getMessage());
      }
    }
    List<String> names = OnnxMetadata.classNames(w.metadata);
    if (names != null && names.size() != output.outputs()) {
      names = null;
    }
    boolean plain = firm.size() == dense.size(); // dense layers only: the version 1 model of the dense layers
    try {
      Network network = plain ? new Network(inferred, dense, w.inputScale, names, standardization)
          : new Network(w.inputShape != null ? w.inputShape : new Shape(1, 1, w.inputWidth), w.layers(), inferred,
              w.inputScale, names, standardization, dropoutSeed());
      return network.withVocabulary(OnnxMetadata.vocabulary(w.metadata, network.inputs()));
    } catch (IllegalArgumentException e) {
      throw w.fail(e.getMessage());
    }
  }

  private long dropoutSeed() {
    String seed = w.metadata.get(OnnxMetadata.DROPOUT_SEED);
    if (seed == null) {
      return 0;
    }
    try {
      return Long.parseUnsignedLong(seed);
    } catch (NumberFormatException e) {
      throw w.fail("metadata " + OnnxMetadata.DROPOUT_SEED + " '" + seed + "' is not an unsigned 64-bit integer");
    }
  }
}
