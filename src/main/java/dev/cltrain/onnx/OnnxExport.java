package dev.cltrain.onnx;

import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.LayerKind;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Network} as an ONNX graph (opset {@link Onnx#OPSET}), node by node, in the order cltrain computes:
 * <pre>
 * input [batch, inputs]  raw values, as cltrain predict takes them
 *   Div by input_divisor (or Mul by input_scale)      the model's input scale, e.g. ÷255 for IDX pixels
 *   Sub input_mean, Div input_std                     --standardize
 *   Reshape [-1, H, W, C], Transpose 0,3,1,2          HWC rows to NCHW images          (convolutional nets)
 *   Reshape [-1, T, F], Transpose 1,0,2               rows to [T, batch, F] sequences  (a recurrent first layer)
 *   Cast, Gather, Transpose 1,0,2                     an embedding's ids to [T, batch, D]; lengths: Equal 0, Cast,
 *                                                     Pad 1, ArgMax, Cast (int32), the recurrent layers' sequence_lens
 *   LSTM / GRU, Squeeze                                 Y ([T, batch, H], :seq) or Y_h ([batch, H])
 *   Transpose 1,0,2, Flatten                          a sequence to rows of T·H, before a dense layer
 *   Conv (OIHW weights, explicit pads), Relu/Tanh/Sigmoid; MaxPool / AveragePool; GlobalAveragePool;
 *   BatchNormalization (training_mode 0: the running statistics); Dropout
 *   Transpose 0,2,3,1, Flatten                        back to HWC order, as the dense weights expect
 *   Gemm (weights inputs × outputs, transB 0), activation, Dropout     per dense layer
 *   Softmax (xent) or Sigmoid (mse)
 * output [batch, outputs]
 * </pre>
 * Each layer's nodes are its kind's row of {@link LayerMappings}; the input handling and the layout changes around
 * them are written here. Dropout nodes carry their ratio and compute nothing at inference (ONNX Dropout without
 * training_mode), so the model imports back with its dropout for further training. The division by the input
 * divisor is the one the data loader does, so the graph sees the very floats cltrain's first layer sees.
 */
final class OnnxExport {
  private final List<OnnxProto.Node> nodes = new ArrayList<>();
  private final List<OnnxProto.Tensor> initializers = new ArrayList<>();
  private final Map<String, Integer> counts = new LinkedHashMap<>();
  /** The value the next node reads: the output of the last node written. */
  String last = Onnx.INPUT;
  /** The name of the last dense layer exported, null before the first. */
  String lastDense;
  /** Whether the last value is NCHW images. */
  boolean image;
  /** Whether the last value is a sequence, time-major [T, batch, F] (a recurrent layer's input and :seq output). */
  boolean timeMajor;
  /** The rows' lengths (int32 [batch], from an embedding's ids) that mask the recurrent layers; null for none. */
  String lengths;

  private OnnxExport() {}

  static OnnxProto.Model model(Network network, Map<String, String> metadata) {
    OnnxExport e = new OnnxExport();
    e.graph(network);
    List<OnnxProto.Dim> in = List.of(OnnxProto.Dim.named(Onnx.BATCH), OnnxProto.Dim.of(network.inputs()));
    List<OnnxProto.Dim> out = List.of(OnnxProto.Dim.named(Onnx.BATCH), OnnxProto.Dim.of(network.outputs()));
    // the last node writes the graph's output
    OnnxProto.Node tail = e.nodes.remove(e.nodes.size() - 1);
    List<String> outputs = new ArrayList<>(tail.outputs());
    outputs.set(0, Onnx.OUTPUT);
    e.nodes.add(new OnnxProto.Node(tail.name(), tail.opType(), tail.domain(), tail.inputs(), outputs, tail.attributes()));
    OnnxProto.Graph graph = new OnnxProto.Graph("cltrain", e.nodes, e.initializers,
        List.of(new OnnxProto.ValueInfo(Onnx.INPUT, OnnxProto.FLOAT, in, true)),
        List.of(new OnnxProto.ValueInfo(Onnx.OUTPUT, OnnxProto.FLOAT, out, true)));
    return new OnnxProto.Model(Onnx.IR_VERSION, Map.of("", (long) Onnx.OPSET), Onnx.PRODUCER, Onnx.producerVersion(),
        graph, metadata);
  }

  private void graph(Network network) {
    float scale = network.inputScale();
    if (scale != 1f) {
      float divisor = Math.round(1 / scale);
      if (divisor > 0 && 1 / divisor == scale) { // as TrainingData.scaleInputs: raw ÷ 255, not raw × (1/255)
        node("Div", "scale", List.of(last, constant("input_divisor", new float[] {divisor})));
      } else {
        node("Mul", "scale", List.of(last, constant("input_scale", new float[] {scale})));
      }
    }
    if (network.standardization() != null) {
      int n = network.inputs();
      node("Sub", "standardize", List.of(last, constant("input_mean", network.standardization().mean(), n)));
      node("Div", "standardize", List.of(last, constant("input_std", network.standardization().std(), n)));
    }
    Layer first = network.layers().get(0);
    image = network.hasFeatures() && first.kind() != LayerKind.RECURRENT && first.kind() != LayerKind.EMBEDDING;
    if (first.kind() == LayerKind.RECURRENT) { // rows of T·F values to [T, batch, F]
      Shape in = first.input();
      node("Reshape", "to_sequence", List.of(last, longs("sequence_shape", new long[] {-1, in.height(),
          in.width() * in.channels()})));
      node("Transpose", "to_time_major", List.of(last), OnnxProto.Attribute.ofInts("perm", 1, 0, 2));
      timeMajor = true;
    }
    if (image) {
      Shape in = network.input();
      node("Reshape", "to_image", List.of(last, longs("image_shape", new long[] {-1, in.height(), in.width(),
          in.channels()})));
      node("Transpose", "to_nchw", List.of(last), OnnxProto.Attribute.ofInts("perm", 0, 3, 1, 2));
    }
    for (Layer layer : network.layers()) {
      LayerMapping mapping = LayerMapping.of(layer.kind());
      if (mapping == null) {
        throw new IllegalStateException("no ONNX mapping for layer kind " + layer.kind() + " (onnx/LayerMappings)");
      }
      if (timeMajor && mapping.takesRows) { // [T, batch, F] to rows of T·F, step by step
        node("Transpose", "to_batch_major", List.of(last), OnnxProto.Attribute.ofInts("perm", 1, 0, 2));
        node("Flatten", "flatten", List.of(last), OnnxProto.Attribute.ofInt("axis", 1));
        timeMajor = false;
      }
      if (timeMajor && layer.kind() != LayerKind.RECURRENT && layer.kind() != LayerKind.DROPOUT
          || image && layer.kind() == LayerKind.RECURRENT) {
        throw new dev.cltrain.core.InputException("ONNX export: " + layer.spec() + (timeMajor ? " after a recurrent "
            + "layer" : " after convolutions or pooling") + " is not supported (a recurrent layer takes the input "
            + "rows, an embedding's or a recurrent layer's output)");
      }
      if (image && mapping.takesRows) {
        node("Transpose", "to_nhwc", List.of(last), OnnxProto.Attribute.ofInts("perm", 0, 2, 3, 1));
        node("Flatten", "flatten", List.of(last), OnnxProto.Attribute.ofInt("axis", 1));
        image = false;
      }
      mapping.export(this, layer);
    }
  }

  /** {@return the next name for a layer of this kind: "conv0", "conv1", …} */
  String next(String name) {
    return name + (counts.merge(name, 1, Integer::sum) - 1);
  }

  void activation(Activation a, String after) {
    switch (a) {
      case IDENTITY -> { }
      case SIGMOID -> node("Sigmoid", after + "_sigmoid", List.of(last));
      case TANH -> node("Tanh", after + "_tanh", List.of(last));
      case RELU -> node("Relu", after + "_relu", List.of(last));
      case SOFTMAX -> node("Softmax", after + "_softmax", List.of(last), OnnxProto.Attribute.ofInt("axis", 1));
    }
  }

  /** A node of several outputs, named {@code name_out0}, …; {@link #last} becomes output {@code next}. */
  List<String> nodeOutputs(String op, String name, List<String> inputs, int outputs, int next,
      OnnxProto.Attribute... attributes) {
    node(op, name, inputs, attributes);
    OnnxProto.Node n = nodes.remove(nodes.size() - 1);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < outputs; i++) {
      names.add(n.name() + "_out" + i);
    }
    nodes.add(new OnnxProto.Node(n.name(), op, "", inputs, names, List.of(attributes)));
    last = names.get(next);
    return names;
  }

  /** A node off the chain (it leaves {@link #last} as it was). {@return its output} */
  String side(String op, String name, List<String> inputs, OnnxProto.Attribute... attributes) {
    String chain = last;
    node(op, name, inputs, attributes);
    String out = last;
    last = chain;
    return out;
  }

  void node(String op, String name, List<String> inputs, OnnxProto.Attribute... attributes) {
    String unique = nodes.stream().anyMatch(n -> n.name().equals(name)) ? name + "_" + nodes.size() : name;
    String output = unique + "_out";
    nodes.add(new OnnxProto.Node(unique, op, "", inputs, List.of(output), List.of(attributes)));
    last = output;
  }

  /** An initializer of floats; no dims makes a scalar. {@return its name} */
  String constant(String name, float[] values, long... dims) {
    initializers.add(OnnxProto.Tensor.ofFloats(name, values, dims));
    return name;
  }

  String longs(String name, long[] values) {
    initializers.add(OnnxProto.Tensor.ofLongs(name, values, values.length));
    return name;
  }
}
