package dev.cltrain.onnx;

import static dev.cltrain.onnx.SequenceImport.onnxGates;
import static dev.cltrain.onnx.SequenceImport.reorder;

import dev.cltrain.nn.Activation;
import dev.cltrain.nn.BatchNorm;
import dev.cltrain.nn.Conv;
import dev.cltrain.nn.Conv1d;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Dropout;
import dev.cltrain.nn.GlobalPool;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.LayerKind;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Pool;
import dev.cltrain.nn.Pool1d;
import dev.cltrain.nn.Shape;
import dev.cltrain.nn.Residual;
import dev.cltrain.nn.Embedding;
import dev.cltrain.nn.Recurrent;
import dev.cltrain.onnx.LayerMapping.Operator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * THE ONNX side's table of layer kinds: one row per {@link LayerKind}, holding both directions of its mapping.
 * Export: the nodes and initializers a layer of the kind becomes, appended after {@link OnnxExport#last}. Import:
 * the ONNX operators that start a layer of the kind (with the attributes its reader reads; any other fails,
 * naming the node) and the reader that builds the layer from the node at the {@link ImportWalk}'s current value.
 * What is no layer (the graph walk, constants, the input's scale and standardization, Reshape/Transpose/Flatten
 * between rows and images, activations, metadata) is generic ({@link OnnxExport}, {@link OnnxImport},
 * {@link ImportSteps}, {@link ImportWalk}). A new kind adds one row here; {@code LayerKindCoverageTest} fails
 * until it has one.
 */
final class LayerMappings {
  private LayerMappings() {}

  /** The table: one row per kind, in {@link LayerKind} order. */
  static final Map<LayerKind, LayerMapping> TABLE = table(new LayerMapping(LayerKind.DENSE, true,
      new Operator("Gemm", "alpha", "beta", "transA", "transB"), new Operator("MatMul", "MatMul+Add", List.of())) {
    @Override
    void export(OnnxExport e, Layer layer) {
      Dense d = (Dense) layer;
      String id = e.next("dense");
      String w = e.constant(id + "_weight", d.weights(), d.inputs(), d.outputs());
      String b = e.constant(id + "_bias", d.bias(), d.outputs());
      e.node("Gemm", id, List.of(e.last, w, b));
      e.activation(d.activation(), id);
      e.lastDense = id;
    }

    @Override
    void read(ImportWalk w, OnnxProto.Node node) {
      if (node.opType().equals("Gemm")) {
        gemm(w, node);
      } else {
        matmul(w, node);
      }
    }
  }, new LayerMapping(LayerKind.CONV, false, new Operator("Conv", "auto_pad", "dilations", "group", "kernel_shape",
      "pads", "strides")) {
    @Override
    void export(OnnxExport e, Layer layer) {
      Conv c = (Conv) layer;
      String id = e.next("conv");
      int k = c.kernel();
      int channels = c.input().channels();
      int f = c.filters();
      e.node("Conv", id, List.of(e.last, e.constant(id + "_weight", KernelLayout.oihw(c.weights(), k, channels, f), f,
              channels, k, k), e.constant(id + "_bias", c.bias(), f)),
          OnnxProto.Attribute.ofInts("kernel_shape", k, k), OnnxProto.Attribute.ofInts("strides", c.stride(), c.stride()),
          OnnxProto.Attribute.ofInts("pads", c.padTop(), c.padLeft(), c.padBottom(), c.padRight()));
      e.activation(c.activation(), id);
    }

    @Override
    void read(ImportWalk w, OnnxProto.Node node) {
      conv(w, node);
    }
  }, new LayerMapping(LayerKind.POOL, false,
      new Operator("MaxPool", "auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"),
      new Operator("AveragePool", "auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads",
          "strides")) {
    @Override
    void export(OnnxExport e, Layer layer) {
      Pool p = (Pool) layer;
      String id = e.next(p.max() ? "maxpool" : "avgpool");
      e.node(p.max() ? "MaxPool" : "AveragePool", id, List.of(e.last),
          OnnxProto.Attribute.ofInts("kernel_shape", p.size(), p.size()),
          OnnxProto.Attribute.ofInts("strides", p.size(), p.size()));
    }

    @Override
    void read(ImportWalk w, OnnxProto.Node node) {
      pool(w, node);
    }
  }, new LayerMapping(LayerKind.DROPOUT, false, new Operator("Dropout", "ratio", "seed")) {
    @Override
    void export(OnnxExport e, Layer layer) {
      Dropout d = (Dropout) layer;
      String after = e.lastDense == null ? e.next("dropout") : e.lastDense; // after a dense layer: named after it
      if (e.lastDense == null || d.rate() > 0) { // after a dense layer, a rate of 0 is no node
        e.node("Dropout", after + "_dropout", List.of(e.last, e.constant(after + "_dropout_ratio",
            new float[] {d.rate()})));
      }
    }

    @Override
    void read(ImportWalk w, OnnxProto.Node node) {
      dropout(w, node);
    }
  }, new LayerMapping(LayerKind.GAP, false, new Operator("GlobalAveragePool")) {
    @Override
    void export(OnnxExport e, Layer layer) {
      e.node("GlobalAveragePool", e.next("gap"), List.of(e.last));
    }

    @Override
    void read(ImportWalk w, OnnxProto.Node node) {
      w.needNchw(node);
      GlobalPool gap = new GlobalPool(w.image);
      w.add(gap);
      w.image = gap.output();
      w.advance(node);
    }
  }, new LayerMapping(LayerKind.BATCHNORM, false, new Operator("BatchNormalization", "epsilon", "momentum",
      "training_mode", "spatial")) {
    /**
     * BatchNormalization in inference mode (training_mode 0: the running statistics), ONNX's momentum being
     * 1 − cltrain's (PyTorch's), then its activation.
     */
    @Override
    void export(OnnxExport e, Layer layer) {
      BatchNorm b = (BatchNorm) layer;
      String id = e.next("bn");
      int c = b.input().channels();
      e.node("BatchNormalization", id, List.of(e.last, e.constant(id + "_scale", b.gamma(), c),
              e.constant(id + "_bias", b.beta(), c), e.constant(id + "_mean", b.runningMean(), c),
              e.constant(id + "_var", b.runningVariance(), c)),
          OnnxProto.Attribute.ofFloat("epsilon", b.epsilon()),
          OnnxProto.Attribute.ofFloat("momentum", (float) (1.0 - b.momentum())),
          OnnxProto.Attribute.ofInt("training_mode", 0));
      e.activation(b.activation(), id);
    }

    @Override
    void read(ImportWalk w, OnnxProto.Node node) {
      batchNorm(w, node);
    }
  }, new LayerMapping(LayerKind.RESIDUAL, false, new Operator("Add", "Add (residual)", List.of())) {
    /**
     * The inner layers' nodes (each by its kind's row), the shortcut's Conv and BatchNormalization (if any), Add,
     * the activation.
     */
    @Override
    void export(OnnxExport e, Layer layer) {
      Residual r = (Residual) layer;
      String x = e.last;
      for (Layer inner : r.layers()) {
        LayerMapping.of(inner.kind()).export(e, inner);
      }
      String h = e.last;
      String id = e.next("residual");
      if (r.projection() != null) {
        e.last = x;
        LayerMapping.of(LayerKind.CONV).export(e, r.projection());
        if (r.projectionNorm() != null) {
          LayerMapping.of(LayerKind.BATCHNORM).export(e, r.projectionNorm());
        }
      }
      e.node("Add", id, List.of(h, r.projection() == null ? x : e.last));
      e.activation(r.activation(), id);
    }

    /**
     * An Add the walk meets on its chain: not where two branches from one value meet (those are read at the value,
     * {@link #residual}), so no residual block's sum.
     */
    @Override
    void read(ImportWalk w, OnnxProto.Node node) {
      throw w.fail(node, "adds " + node.inputs().stream().map(v -> "'" + v + "'").toList() + ", which are not two "
          + "branches from one value; cltrain reads Add as a residual block's sum (and after MatMul as its bias)");
    }
  }, new LayerMapping(LayerKind.CONV1D, false, new Operator("Conv", "Conv of kx1 kernels on a sequence",
      List.of("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"))) {
    /** A Conv of k×1 kernels on the sequence as an NCHW image (N, F, T, 1): weights [filters, F, k, 1]. */
    @Override
    void export(OnnxExport e, Layer layer) {
      Conv1d c = (Conv1d) layer;
      String id = e.next("conv1d");
      int k = c.kernel();
      int features = c.input().channels();
      int f = c.filters();
      float[] w = c.weights();
      float[] oihw = new float[w.length];
      for (int o = 0; o < f; o++) {
        for (int ch = 0; ch < features; ch++) {
          for (int j = 0; j < k; j++) {
            oihw[(o * features + ch) * k + j] = w[(j * features + ch) * f + o];
          }
        }
      }
      e.node("Conv", id, List.of(e.last, e.constant(id + "_weight", oihw, f, features, k, 1),
              e.constant(id + "_bias", c.bias(), f)),
          OnnxProto.Attribute.ofInts("kernel_shape", k, 1), OnnxProto.Attribute.ofInts("strides", c.stride(), 1),
          OnnxProto.Attribute.ofInts("pads", c.padLeft(), 0, c.padRight(), 0));
      e.activation(c.activation(), id);
    }

    @Override
    void read(ImportWalk w, OnnxProto.Node node) {
      conv(w, node); // the Conv row reads a Conv node: k×1 kernels on a sequence become a Conv1d there
    }
  }, new LayerMapping(LayerKind.MAXPOOL1D, false, new Operator("MaxPool", "MaxPool of px1 windows on a sequence",
      List.of("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"))) {
    /** A MaxPool of P×1 windows, stride (P, 1), on the sequence as an NCHW image (N, F, T, 1). */
    @Override
    void export(OnnxExport e, Layer layer) {
      Pool1d p = (Pool1d) layer;
      e.node("MaxPool", e.next("maxpool1d"), List.of(e.last), OnnxProto.Attribute.ofInts("kernel_shape", p.size(), 1),
          OnnxProto.Attribute.ofInts("strides", p.size(), 1));
    }

    @Override
    void read(ImportWalk w, OnnxProto.Node node) {
      pool(w, node); // the Pool row reads a MaxPool node: P×1 windows on a sequence become a Pool1d there
    }
  }, new LayerMapping(LayerKind.RECURRENT, false, new Operator("LSTM", "hidden_size", "direction", "layout"),
      new Operator("GRU", "hidden_size", "direction", "layout", "linear_before_reset")) {
    /**
     * LSTM (gates reordered to ONNX's i, o, f, c) or GRU (z, r, h; linear_before_reset 1, PyTorch's n), the
     * embedding's lengths as sequence_lens, then Squeeze of Y (every step) or Y_h (the last).
     */
    @Override
    void export(OnnxExport e, Layer layer) {
      Recurrent r = (Recurrent) layer;
      String id = e.next(r.cell().id);
      int[] order = onnxGates(r.cell());
      int rows = r.gateRows();
      float[] bias = new float[2 * rows];
      System.arraycopy(reorder(r.inputBias(), order, r.hidden(), 1), 0, bias, 0, rows);
      System.arraycopy(reorder(r.recurrentBias(), order, r.hidden(), 1), 0, bias, rows, rows);
      List<String> inputs = new ArrayList<>(List.of(e.last,
          e.constant(id + "_W", reorder(r.inputWeights(), order, r.hidden(), r.features()), 1, rows, r.features()),
          e.constant(id + "_R", reorder(r.recurrentWeights(), order, r.hidden(), r.hidden()), 1, rows, r.hidden()),
          e.constant(id + "_B", bias, 1, 2L * rows)));
      if (e.lengths != null) {
        inputs.add(e.lengths);
      }
      List<OnnxProto.Attribute> attributes = new ArrayList<>(List.of(OnnxProto.Attribute.ofInt("hidden_size",
          r.hidden())));
      if (r.cell() == Recurrent.Cell.GRU) {
        attributes.add(OnnxProto.Attribute.ofInt("linear_before_reset", 1));
      }
      e.nodeOutputs(r.cell() == Recurrent.Cell.LSTM ? "LSTM" : "GRU", id, inputs, 2, r.sequence() ? 0 : 1,
          attributes.toArray(OnnxProto.Attribute[]::new));
      e.node("Squeeze", id + "_squeeze", List.of(e.last, e.longs(id + "_axes", new long[] {r.sequence() ? 1 : 0})));
      e.timeMajor = r.sequence();
    }

    @Override
    void read(ImportWalk w, OnnxProto.Node node) {
      SequenceImport.recurrent(w, node);
    }
  }, new LayerMapping(LayerKind.EMBEDDING, false, new Operator("Gather", "axis")) {
    /** Cast to int64, Gather, Transpose to [T, batch, D]; off the chain, the rows' lengths for sequence_lens. */
    @Override
    void export(OnnxExport e, Layer layer) {
      Embedding m = (Embedding) layer;
      String id = e.next("embedding");
      e.node("Cast", id + "_ids", List.of(e.last), OnnxProto.Attribute.ofInt("to", OnnxProto.INT64));
      String ids = e.last;
      String padding = e.side("Equal", id + "_padding", List.of(ids, e.longs(id + "_zero", new long[] {0})));
      String flags = e.side("Cast", id + "_flags", List.of(padding), OnnxProto.Attribute.ofInt("to", OnnxProto.FLOAT));
      String ended = e.side("Pad", id + "_ended", List.of(flags, e.longs(id + "_pads", new long[] {0, 0, 0, 1}),
          e.constant(id + "_one", new float[] {1f})));
      String length = e.side("ArgMax", id + "_length", List.of(ended), OnnxProto.Attribute.ofInt("axis", 1),
          OnnxProto.Attribute.ofInt("keepdims", 0));
      e.lengths = e.side("Cast", id + "_lengths", List.of(length), OnnxProto.Attribute.ofInt("to", OnnxProto.INT32));
      e.node("Gather", id, List.of(e.constant(id + "_weight", m.weights(), m.vocabulary(), m.dims()), ids),
          OnnxProto.Attribute.ofInt("axis", 0));
      e.node("Transpose", id + "_time_major", List.of(e.last), OnnxProto.Attribute.ofInts("perm", 1, 0, 2));
      e.timeMajor = true;
    }

    @Override
    void read(ImportWalk w, OnnxProto.Node node) {
      SequenceImport.embedding(w, node);
    }
  });

  private static Map<LayerKind, LayerMapping> table(LayerMapping... rows) {
    Map<LayerKind, LayerMapping> t = new EnumMap<>(LayerKind.class);
    for (LayerMapping row : rows) {
      t.put(row.kind, row);
    }
    return Collections.unmodifiableMap(t);
  }

  // ---- dense: Gemm, or MatMul then Add ---------------------------------------------------------------------------

  private static void gemm(ImportWalk w, OnnxProto.Node node) {
    w.needRows(node);
    if (w.intAttr(node, "transA", 0) != 0) {
      throw w.fail(node, "attribute transA=1 is not supported");
    }
    for (String a : new String[] {"alpha", "beta"}) {
      if (node.attribute(a) != null && node.attribute(a).f() != 1f) {
        throw w.fail(node, "attribute " + a + "=" + node.attribute(a).f() + " is not supported (only 1)");
      }
    }
    boolean transB = w.intAttr(node, "transB", 0) != 0;
    float[] bias = ImportWalk.hasInput(node, 2) ? w.floats(node, w.tensor(node, node.inputs().get(2))) : null;
    Dense dense = dense(w, node, w.tensor(node, w.input(node, 1)), transB, bias);
    w.advance(node);
    addDense(w, dense);
  }

  private static void matmul(ImportWalk w, OnnxProto.Node node) {
    w.needRows(node);
    if (!node.inputs().get(0).equals(w.current)) {
      throw w.fail(node, "takes the layer's input as its first operand and the weights as its second; this one does not");
    }
    OnnxProto.Tensor weights = w.tensor(node, w.input(node, 1));
    w.advance(node);
    List<OnnxProto.Node> next = w.next(w.current);
    if (next.size() == 1 && next.get(0).opType().equals("Add")) {
      OnnxProto.Node add = next.get(0);
      if (add.inputs().size() != 2) {
        throw w.fail(add, "takes " + add.inputs().size() + " inputs");
      }
      String other = add.inputs().get(0).equals(w.current) ? add.inputs().get(1) : add.inputs().get(0);
      OnnxProto.Tensor b = w.constants.get(other);
      if (b == null) {
        throw w.fail(add, "adds '" + other + "', which is not a constant (cltrain reads Add as a dense layer's bias)");
      }
      Dense dense = dense(w, node, weights, false, w.floats(add, b));
      w.advance(add);
      addDense(w, dense);
    } else {
      addDense(w, dense(w, node, weights, false, null));
    }
  }

  /**
   * Checks a dense layer's weights and bias against the rows it takes; the walk moves on to its outputs.
   *
   * @return the layer, its weights in cltrain's layout (inputs × outputs, rows in HWC order), no activation yet
   */
  private static Dense dense(ImportWalk w, OnnxProto.Node node, OnnxProto.Tensor t, boolean transposed,
      float[] bias) {
    float[] values = w.floats(node, t);
    long[] d = t.dims();
    if (d.length != 2 || d[0] < 1 || d[1] < 1) {
      throw w.fail(node, "weights " + OnnxProto.shape(d) + ": cltrain takes a matrix");
    }
    long in = transposed ? d[1] : d[0];
    long out = transposed ? d[0] : d[1];
    if (in != w.width) {
      throw w.fail(node, "weights " + OnnxProto.shape(d) + (transposed ? " (transB=1)" : "") + " take " + in
          + " inputs, but the value before it has " + w.width);
    }
    if (in * out > Network.MAX_LAYER_WEIGHTS) { // no overflow: the weights tensor holds in·out values
      throw w.fail(node, "weights " + OnnxProto.shape(d) + " exceed cltrain's largest layer");
    }
    int inputs = (int) in;
    int outputs = (int) out;
    float[] weights = new float[inputs * outputs];
    for (int i = 0; i < inputs; i++) {
      int row = w.hwcRow(i);
      for (int j = 0; j < outputs; j++) {
        weights[row * outputs + j] = transposed ? values[j * inputs + i] : values[i * outputs + j];
      }
    }
    w.chwFlat = null;
    if (bias == null) {
      bias = new float[outputs];
    }
    if (bias.length != outputs) {
      throw w.fail(node, "bias of " + bias.length + " values for " + outputs + " outputs");
    }
    w.width = outputs;
    w.seenLayer = true;
    return new Dense(inputs, outputs, Activation.IDENTITY, weights, bias);
  }

  /** Adds the dense layer just read, with the activation node after it, if any (the walk is past the layer). */
  private static void addDense(ImportWalk w, Dense l) {
    Activation a = w.activationAfter(null);
    w.addDense(new Dense(l.inputs(), l.outputs(), a, l.weights(), l.bias()));
    w.skipActivation(a);
  }

  // ---- convolution ---------------------------------------------------------------------------------------------

  private static void conv(ImportWalk w, OnnxProto.Node node) {
    w.needNchw(node);
    long group = w.intAttr(node, "group", 1);
    if (group != 1) {
      throw w.fail(node, "attribute group=" + group + " is not supported (only 1)");
    }
    OnnxProto.Tensor t = w.tensor(node, w.input(node, 1));
    float[] oihw = w.floats(node, t);
    long[] d = t.dims();
    int channels = w.image.channels();
    if (d.length == 4 && d[2] > 1 && d[3] == 1 && w.image.width() == 1 && d[1] == channels && d[2] <= Integer.MAX_VALUE
        && d[0] >= 1 && d[0] <= Integer.MAX_VALUE) {
      conv1d(w, node, oihw, (int) d[0], (int) d[2]);
      return;
    }
    if (d.length != 4 || d[2] != d[3] || d[1] != channels || d[0] < 1 || d[2] < 1 || d[0] > Integer.MAX_VALUE
        || d[2] > Integer.MAX_VALUE) {
      throw w.fail(node, "weights " + OnnxProto.shape(d) + ": cltrain takes [filters, " + channels
          + ", k, k] for " + w.image + " input");
    }
    int f = (int) d[0];
    int k = (int) d[2];
    float[] bias = ImportWalk.hasInput(node, 2) ? w.floats(node, w.tensor(node, node.inputs().get(2))) : new float[f];
    if (bias.length != f) {
      throw w.fail(node, "bias of " + bias.length + " values for " + f + " filters");
    }
    long[] kernelShape = w.ints(node, "kernel_shape", null);
    if (kernelShape != null && !Arrays.equals(kernelShape, new long[] {k, k})) {
      throw w.fail(node, "attribute kernel_shape " + OnnxProto.shape(kernelShape) + " does not match weights " + k
          + "x" + k);
    }
    noDilation(w, node);
    long[] strides = w.ints(node, "strides", new long[] {1, 1});
    if (strides.length != 2 || strides[0] != strides[1] || strides[0] < 1 || strides[0] > Integer.MAX_VALUE) {
      throw w.fail(node, "attribute strides " + OnnxProto.shape(strides) + " is not supported (equal strides only)");
    }
    int stride = (int) strides[0];
    String autoPad = w.stringAttr(node, "auto_pad", "NOTSET");
    long[] pads = w.ints(node, "pads", new long[] {0, 0, 0, 0});
    float[] hwio = KernelLayout.hwio(oihw, k, channels, f);
    w.advance(node);
    Activation activation = w.activationAfter("softmax after a convolution is not supported");
    Conv same = conv(w, node, f, k, stride, true, activation, hwio, bias);
    long[] samePads = {same.padTop(), same.padLeft(), same.padBottom(), same.padRight()};
    boolean isSame = switch (autoPad) {
      case "SAME_UPPER" -> true;
      case "SAME_LOWER" -> samePads[0] == samePads[2] && samePads[1] == samePads[3];
      case "VALID" -> false;
      case "NOTSET" -> !Arrays.equals(pads, new long[] {0, 0, 0, 0});
      default -> throw w.fail(node, "attribute auto_pad '" + autoPad + "' is not supported");
    };
    if (autoPad.equals("SAME_LOWER") && !isSame) {
      throw w.fail(node, "auto_pad SAME_LOWER pads the top and left more than cltrain's 'same', which pads the "
          + "bottom and right");
    }
    if (autoPad.equals("NOTSET") && isSame && !Arrays.equals(pads, samePads)) {
      throw w.fail(node, "attribute pads " + OnnxProto.shape(pads) + " is not supported: cltrain pads none or 'same' ("
          + OnnxProto.shape(samePads) + " here, the extra row and column at the bottom and right)");
    }
    Conv c = isSame ? same : conv(w, node, f, k, stride, false, activation, hwio, bias);
    w.add(c);
    try {
      w.image = c.output();
    } catch (IllegalArgumentException e) { // more output values (rows x columns x filters) than an int counts
      throw w.fail(node, e.getMessage());
    }
    w.seenLayer = true;
    w.skipActivation(activation);
  }

  /**
   * A Conv of k×1 kernels (weights [f, F, k, 1]) on a sequence T×1×F: a {@link Conv1d}, stride (s, 1), pads none
   * or its 'same' ones (the extra step at the end), then its activation.
   */
  private static void conv1d(ImportWalk w, OnnxProto.Node node, float[] oihw, int f, int k) {
    int features = w.image.channels();
    float[] bias = ImportWalk.hasInput(node, 2) ? w.floats(node, w.tensor(node, node.inputs().get(2))) : new float[f];
    if (bias.length != f) {
      throw w.fail(node, "bias of " + bias.length + " values for " + f + " filters");
    }
    long[] kernelShape = w.ints(node, "kernel_shape", null);
    if (kernelShape != null && !Arrays.equals(kernelShape, new long[] {k, 1})) {
      throw w.fail(node, "attribute kernel_shape " + OnnxProto.shape(kernelShape) + " does not match weights " + k
          + "x1");
    }
    noDilation(w, node);
    long[] strides = w.ints(node, "strides", new long[] {1, 1});
    if (strides.length != 2 || strides[1] != 1 || strides[0] < 1 || strides[0] > Integer.MAX_VALUE) {
      throw w.fail(node, "attribute strides " + OnnxProto.shape(strides) + " is not supported on a sequence (s,1)");
    }
    String autoPad = w.stringAttr(node, "auto_pad", "NOTSET");
    if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
      throw w.fail(node, "attribute auto_pad '" + autoPad + "' is not supported on a sequence (give pads)");
    }
    long[] pads = w.ints(node, "pads", new long[] {0, 0, 0, 0});
    float[] weights = new float[oihw.length];
    for (int o = 0; o < f; o++) {
      for (int ch = 0; ch < features; ch++) {
        for (int j = 0; j < k; j++) {
          weights[(j * features + ch) * f + o] = oihw[(o * features + ch) * k + j];
        }
      }
    }
    w.advance(node);
    Activation activation = w.activationAfter("softmax after a convolution is not supported");
    boolean same = autoPad.equals("NOTSET") && !Arrays.equals(pads, new long[] {0, 0, 0, 0});
    Conv1d c;
    try {
      c = new Conv1d(w.image, f, k, (int) strides[0], same, activation, weights, bias);
    } catch (IllegalArgumentException e) {
      throw w.fail(node, e.getMessage());
    }
    if (same && !Arrays.equals(pads, new long[] {c.padLeft(), 0, c.padRight(), 0})) {
      throw w.fail(node, "attribute pads " + OnnxProto.shape(pads) + " is not supported: cltrain pads none or 'same' ("
          + c.padLeft() + ",0," + c.padRight() + ",0 here, the extra step at the end)");
    }
    w.add(c);
    w.image = c.output();
    w.seenLayer = true;
    w.skipActivation(activation);
  }

  private static Conv conv(ImportWalk w, OnnxProto.Node node, int f, int k, int stride, boolean same,
      Activation activation, float[] hwio, float[] bias) {
    try {
      return new Conv(w.image, f, k, stride, same, activation, hwio, bias);
    } catch (IllegalArgumentException e) {
      throw w.fail(node, e.getMessage());
    }
  }

  private static void noDilation(ImportWalk w, OnnxProto.Node node) {
    long[] dilations = w.ints(node, "dilations", new long[] {1, 1});
    if (!Arrays.equals(dilations, new long[] {1, 1})) {
      throw w.fail(node, "attribute dilations " + OnnxProto.shape(dilations) + " is not supported (only 1,1)");
    }
  }

  // ---- pooling -------------------------------------------------------------------------------------------------

  private static void pool(ImportWalk w, OnnxProto.Node node) {
    w.needNchw(node);
    long[] kernel = w.ints(node, "kernel_shape", null);
    if (kernel != null && kernel.length == 2 && kernel[1] == 1 && kernel[0] > 1 && kernel[0] <= Integer.MAX_VALUE
        && w.image.width() == 1 && node.opType().equals("MaxPool")) {
      pool1d(w, node, (int) kernel[0]);
      return;
    }
    if (kernel == null || kernel.length != 2 || kernel[0] != kernel[1] || kernel[0] < 1 || kernel[0] > Integer.MAX_VALUE) {
      throw w.fail(node, "attribute kernel_shape " + (kernel == null ? "missing" : OnnxProto.shape(kernel))
          + " is not supported (square only)");
    }
    int size = (int) kernel[0];
    long[] strides = w.ints(node, "strides", new long[] {1, 1});
    if (!Arrays.equals(strides, kernel)) {
      throw w.fail(node, "attribute strides " + OnnxProto.shape(strides) + " is not supported (cltrain pools with "
          + "stride = size, " + size + ")");
    }
    long[] pads = w.ints(node, "pads", new long[] {0, 0, 0, 0});
    String autoPad = w.stringAttr(node, "auto_pad", "NOTSET");
    if (!Arrays.equals(pads, new long[] {0, 0, 0, 0}) || !(autoPad.equals("NOTSET") || autoPad.equals("VALID"))) {
      throw w.fail(node, "padding (pads " + OnnxProto.shape(pads) + ", auto_pad " + autoPad + ") is not supported");
    }
    noDilation(w, node);
    if (w.intAttr(node, "ceil_mode", 0) != 0 && (w.image.height() % size != 0 || w.image.width() % size != 0)) {
      throw w.fail(node, "attribute ceil_mode=1 keeps partial windows of the " + w.image + " input; cltrain drops them");
    }
    if (w.intAttr(node, "storage_order", 0) != 0) {
      throw w.fail(node, "attribute storage_order=1 is not supported");
    }
    if (node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()) {
      throw w.fail(node, "the Indices output is not supported");
    }
    Pool p;
    try {
      p = new Pool(w.image, node.opType().equals("MaxPool"), size);
    } catch (IllegalArgumentException e) {
      throw w.fail(node, e.getMessage());
    }
    w.add(p);
    w.image = p.output();
    w.advance(node);
  }

  /** A MaxPool of P×1 windows, stride (P, 1), no padding, on a sequence T×1×F: a {@link Pool1d}. */
  private static void pool1d(ImportWalk w, OnnxProto.Node node, int size) {
    long[] strides = w.ints(node, "strides", new long[] {1, 1});
    if (!Arrays.equals(strides, new long[] {size, 1})) {
      throw w.fail(node, "attribute strides " + OnnxProto.shape(strides) + " is not supported (cltrain pools a "
          + "sequence with stride = size, " + size + ",1)");
    }
    long[] pads = w.ints(node, "pads", new long[] {0, 0, 0, 0});
    String autoPad = w.stringAttr(node, "auto_pad", "NOTSET");
    if (!Arrays.equals(pads, new long[] {0, 0, 0, 0}) || !(autoPad.equals("NOTSET") || autoPad.equals("VALID"))) {
      throw w.fail(node, "padding (pads " + OnnxProto.shape(pads) + ", auto_pad " + autoPad + ") is not supported");
    }
    noDilation(w, node);
    if (w.intAttr(node, "ceil_mode", 0) != 0 && w.image.height() % size != 0) {
      throw w.fail(node, "attribute ceil_mode=1 keeps a partial window of the " + w.image + " input; cltrain drops it");
    }
    if (w.intAttr(node, "storage_order", 0) != 0 || node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()) {
      throw w.fail(node, "storage_order=1 and the Indices output are not supported");
    }
    Pool1d p;
    try {
      p = new Pool1d(w.image, size);
    } catch (IllegalArgumentException e) {
      throw w.fail(node, e.getMessage());
    }
    w.add(p);
    w.image = p.output();
    w.advance(node);
  }

  // ---- dropout -------------------------------------------------------------------------------------------------

  /**
   * Dropout on images is a layer of its own; after a dense layer it is that layer's dropout (one at most), where a
   * ratio of +0 is no layer and one of −0 is kept only in a network with layers besides dense ones.
   */
  private static void dropout(ImportWalk w, OnnxProto.Node node) {
    float rate = 0.5f;
    if (node.attribute("ratio") != null) {
      rate = node.attribute("ratio").f();
    }
    if (ImportWalk.hasInput(node, 1)) {
      float[] r = w.floats(node, w.tensor(node, node.inputs().get(1)));
      if (r.length != 1) {
        throw w.fail(node, "ratio of " + r.length + " values");
      }
      rate = r[0];
    }
    if (ImportWalk.hasInput(node, 2)) {
      OnnxProto.Tensor mode = w.tensor(node, node.inputs().get(2));
      throw w.fail(node, "input training_mode ('" + mode.name() + "') is not supported");
    }
    if (node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()
        && w.consumers.containsKey(node.outputs().get(1))) {
      throw w.fail(node, "its mask output is used; cltrain reads Dropout as a layer only");
    }
    if (!(rate >= 0f && rate < 1f)) {
      throw w.fail(node, "ratio " + rate + " is outside [0, 1)");
    }
    if (!w.dense().isEmpty()) {
      if (w.last() instanceof Dropout before) { // the dense layer's dropout so far, of a rate of −0
        if (before.rate() != 0f) {
          throw w.fail(node, "a second Dropout after the same dense layer");
        }
        w.removeLast();
      }
      Dense dense = w.dense().get(w.dense().size() - 1);
      if (rate > 0) {
        w.add(new Dropout(dense.output(), rate));
      } else if (Float.floatToRawIntBits(rate) != 0) {
        w.addUnlessPlain(new Dropout(dense.output(), rate));
      }
    } else if (w.image != null) {
      w.add(new Dropout(w.image, rate));
    } else if (w.steps > 0) {
      w.add(new Dropout(new Shape(w.steps, 1, w.width), rate));
    } else if (w.chwFlat == null && w.seenImage) {
      throw w.fail(node, "Dropout between the flatten and the first dense layer is not supported");
    } else {
      throw w.fail(node, "Dropout before the first layer is not supported");
    }
    w.advance(node);
  }

  // ---- batch normalization -------------------------------------------------------------------------------------

  /**
   * BatchNormalization: a {@link BatchNorm} stage with its running statistics (inputs input_mean, input_var) and the
   * activation node after it. training_mode 1, as PyTorch's training-mode export writes it (in ONNX, normalizing
   * with the batch's statistics and giving the updated running statistics as two more outputs), is read the same:
   * as the layer, which trains on batch statistics and predicts with the running ones; the extra outputs must feed
   * nothing. ONNX's momentum is 1 − cltrain's: read back as the decimal 1 − momentum where that
   * gives the same float again (0.9 → 0.1), else as 1 − momentum in double.
   */
  private static void batchNorm(ImportWalk w, OnnxProto.Node node) {
    w.needNchw(node);
    w.intAttr(node, "training_mode", 0); // 1 (PyTorch's training-mode export): read with its running statistics
    for (String out : node.outputs().subList(1, node.outputs().size())) {
      if (!out.isEmpty() && w.consumers.containsKey(out)) {
        throw w.fail(node, "its output '" + out + "' (running statistics) is used; cltrain reads the normalized "
            + "output only");
      }
    }
    if (w.intAttr(node, "spatial", 1) != 1) {
      throw w.fail(node, "attribute spatial=0 is not supported (per channel only)");
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
      throw w.fail(node, bad);
    }
    int c = w.image.channels();
    float[][] arrays = new float[4][];
    String[] names = {"scale", "B", "input_mean", "input_var"};
    for (int a = 0; a < 4; a++) {
      arrays[a] = w.floats(node, w.tensor(node, w.input(node, a + 1)));
      if (arrays[a].length != c) {
        throw w.fail(node, names[a] + " of " + arrays[a].length + " values for " + c + " channels");
      }
    }
    w.advance(node);
    Activation activation = w.activationAfter("softmax after a batch normalization is not supported");
    w.add(new BatchNorm(w.image, momentum, epsilon, activation, arrays[0], arrays[1], arrays[2], arrays[3]));
    w.skipActivation(activation);
  }

  // ---- residual blocks -----------------------------------------------------------------------------------------

  /**
   * A branch from a value: its nodes in order up to the node where it meets another branch (none for the identity),
   * and that node (a residual block's Add).
   */
  private record Branch(List<OnnxProto.Node> nodes, OnnxProto.Node add) {
    /** {@return the value the branch gives the Add: its last node's output, or the value it starts from} */
    String end(String from) {
      return nodes.isEmpty() ? from : nodes.get(nodes.size() - 1).outputs().get(0);
    }

    /** {@return whether it is a projection shortcut: a 1x1 Conv, alone or followed by a BatchNormalization} */
    boolean projection(ImportWalk w) {
      if (nodes.isEmpty() || nodes.size() > 2 || !nodes.get(0).opType().equals("Conv")
          || nodes.size() == 2 && !nodes.get(1).opType().equals("BatchNormalization")) {
        return false;
      }
      OnnxProto.Node conv = nodes.get(0);
      OnnxProto.Tensor weights = conv.inputs().size() > 1 ? w.constants.get(conv.inputs().get(1)) : null;
      return weights != null && weights.dims().length == 4 && weights.dims()[2] == 1 && weights.dims()[3] == 1;
    }
  }

  /**
   * A residual block where the walk's current value x feeds two nodes: the two branches from x must meet again in
   * one Add. The branch of layers is the block's items (read node by node as on the chain); the other is its
   * shortcut: x itself (the Add reads x), or a 1x1 Conv with or without a BatchNormalization after it, the
   * projection (and its batch norm, the block's {@code projectionNorm}). The Add's operands may come in either order (PyTorch writes them in the order of the
   * code's {@code +}); the activation node after the Add is the block's.
   *
   * @param next the nodes that read x
   */
  static void residual(ImportWalk w, List<OnnxProto.Node> next) {
    String x = w.current;
    Branch a = next.size() == 2 ? branch(w, next.get(0)) : null;
    Branch b = next.size() == 2 ? branch(w, next.get(1)) : null;
    if (a == null || b == null || a.add() != b.add()) {
      throw w.fail("value '" + x + "' feeds " + next.size() + " nodes (" + next.get(0).describe() + ", "
          + next.get(1).describe() + "); cltrain reads a chain of layers, and residual blocks: two branches from "
          + "one value that meet in an Add");
    }
    OnnxProto.Node add = a.add();
    if (!add.opType().equals("Add")) {
      throw w.fail(add, "the two branches from '" + x + "' meet in a " + add.opType() + "; cltrain reads residual "
          + "blocks, whose branches meet in an Add");
    }
    if (add.inputs().size() != 2 || a.nodes().isEmpty() && b.nodes().isEmpty()) {
      throw w.fail(add, (add.inputs().size() != 2 ? "adds " + add.inputs().size() + " values" : "adds '" + x
          + "' to itself") + "; a residual block's sum adds its branch and its shortcut");
    }
    boolean aIsShortcut = a.nodes().isEmpty() || a.projection(w) && !(b.nodes().isEmpty()
        || b.projection(w) && add.inputs().get(1).equals(b.end(x))); // both 1x1 Convs: the second operand
    Branch items = aIsShortcut ? b : a;
    Branch shortcut = aIsShortcut ? a : b;
    if (!shortcut.nodes().isEmpty() && !shortcut.projection(w)) {
      throw w.fail(add, "joins two branches from '" + x + "' (" + a.nodes().get(0).describe() + ", "
          + b.nodes().get(0).describe() + ") of which neither is the identity or a 1x1 Conv (with or without a "
          + "BatchNormalization after it); cltrain reads Add as a residual block's sum");
    }
    w.needNchw(items.nodes().get(0));
    Shape in = w.image;
    int start = w.layerCount();
    String end = items.end(x);
    ImportSteps.step(w, items.nodes().get(0));
    while (!w.current.equals(end)) { // the chain branch() walked, unless a step read past its end
      List<OnnxProto.Node> on = w.next(w.current);
      if (on.size() != 1 || w.done(add)) {
        throw w.fail(add, "the branch from '" + x + "' is not read as layers that end where it meets the shortcut");
      }
      ImportSteps.step(w, on.get(0));
    }
    List<Layer> inner = w.takeFrom(start);
    if (w.image == null) {
      throw w.fail(add, "the block's branch from '" + x + "' ends in rows; cltrain's residual blocks take and give "
          + "images");
    }
    Conv projection = null;
    BatchNorm projectionNorm = null;
    if (!shortcut.nodes().isEmpty()) {
      Shape out = w.image;
      w.current = x;
      w.image = in;
      conv(w, shortcut.nodes().get(0));
      if (shortcut.nodes().size() == 2) {
        batchNorm(w, shortcut.nodes().get(1));
      }
      List<Layer> read = w.takeFrom(start);
      projection = (Conv) read.get(0);
      projectionNorm = read.size() == 2 ? (BatchNorm) read.get(1) : null; // the block's shortcut bn, as ResNet's
      if (projectionNorm != null && projectionNorm.activation() != Activation.IDENTITY) {
        throw w.fail(shortcut.nodes().get(1), "an activation on a projection shortcut is not supported (the block's "
            + "comes after the Add)");
      }
      // "same" (as cltrain's projections are): a 1x1 kernel pads nothing and gives the same shape either way
      w.image = in;
      projection = conv(w, shortcut.nodes().get(0), projection.filters(), 1, projection.stride(), true,
          projection.activation(), projection.weights(), projection.bias());
      w.image = out;
    }
    w.advance(add);
    Activation activation = w.activationAfter("softmax after a residual block is not supported");
    Residual block;
    try {
      block = new Residual(in, inner, projection, projectionNorm, activation);
    } catch (IllegalArgumentException e) {
      throw w.fail(add, e.getMessage());
    }
    w.add(block);
    w.image = block.output();
    w.seenLayer = true;
    w.skipActivation(activation);
  }

  /**
   * {@return the branch from x that starts at {@code first}, up to the node where it meets another (the first that
   * reads two values that are not constants, or an Add), or null when the chain forks or ends before one}
   */
  private static Branch branch(ImportWalk w, OnnxProto.Node first) {
    List<OnnxProto.Node> nodes = new ArrayList<>();
    OnnxProto.Node n = first;
    while (!n.opType().equals("Add") && n.inputs().stream().filter(v -> !v.isEmpty() && !w.constants.containsKey(v))
        .count() < 2) {
      nodes.add(n);
      List<OnnxProto.Node> next = n.outputs().isEmpty() ? List.of() : w.next(n.outputs().get(0));
      if (next.size() != 1 || nodes.size() > w.consumers.size()) { // a fork, an end, or a cycle
        return null;
      }
      n = next.get(0);
    }
    return new Branch(nodes, n);
  }
}
