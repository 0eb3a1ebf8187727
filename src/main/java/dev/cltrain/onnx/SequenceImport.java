package dev.cltrain.onnx;

import dev.cltrain.nn.Embedding;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Recurrent;
import dev.cltrain.nn.Shape;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The sequence side of ONNX import: the readers of the {@link LayerMappings} rows RECURRENT (LSTM, GRU) and
 * EMBEDDING (an int64 Cast of the rows, then Gather), the side chains around them that are no layer (an
 * embedding's lengths for sequence_lens, PyTorch's zero initial states) and the gate order the rows' export
 * shares with import.
 */
final class SequenceImport {
  private SequenceImport() {}


  /** ONNX's gate block g holds PyTorch's block order[g]: LSTM i, o, f, c of i, f, g, o; GRU z, r, h of r, z, n. */
  static int[] onnxGates(Recurrent.Cell cell) {
    return cell == Recurrent.Cell.LSTM ? new int[] {0, 3, 1, 2} : new int[] {1, 0, 2};
  }

  /** Rows of {@code hidden · width} values per gate, block g of the result from block order[g] of {@code a}. */
  static float[] reorder(float[] a, int[] order, int hidden, int width) {
    float[] out = new float[a.length];
    int block = hidden * width;
    for (int g = 0; g < order.length; g++) {
      System.arraycopy(a, order[g] * block, out, g * block, block);
    }
    return out;
  }

  /** The inverse of {@link #reorder}: PyTorch's block order[g] from ONNX's block g. */
  private static float[] restore(float[] a, int[] order, int hidden, int width) {
    float[] out = new float[a.length];
    int block = hidden * width;
    for (int g = 0; g < order.length; g++) {
      System.arraycopy(a, g * block, out, order[g] * block, block);
    }
    return out;
  }

  /** A weight tensor of dims [1, rows, width] (a forward direction's). */
  private static float[] directionWeights(ImportWalk w, OnnxProto.Node node, int index, long rows, long width,
      String what) {
    OnnxProto.Tensor t = w.tensor(node, w.input(node, index));
    long[] d = t.dims();
    if (d.length != 3 || d[0] != 1 || d[1] != rows || d[2] != width) {
      throw w.fail(node, what + " " + OnnxProto.shape(d) + ": cltrain takes [1, " + rows + ", " + width + "]");
    }
    return w.floats(node, t);
  }

  static void recurrent(ImportWalk w, OnnxProto.Node node) {
    Recurrent.Cell cell = node.opType().equals("LSTM") ? Recurrent.Cell.LSTM : Recurrent.Cell.GRU;
    if (w.steps == 0 || !w.timeMajor || !node.inputs().get(0).equals(w.current)) {
      throw w.fail(node, "takes a sequence [T, batch, F] (rows reshaped to [-1, T, F] and transposed 1,0,2, or an "
          + "embedding's); its input here is not one");
    }
    if (!w.stringAttr(node, "direction", "forward").equals("forward") || w.intAttr(node, "layout", 0) != 0) {
      throw w.fail(node, "only direction forward and layout 0 are supported");
    }
    if (cell == Recurrent.Cell.GRU && w.intAttr(node, "linear_before_reset", 0) != 1) {
      throw w.fail(node, "linear_before_reset 0 is not supported (PyTorch's GRU is 1)");
    }
    long hidden = w.intAttr(node, "hidden_size", 0);
    if (hidden < 1 || hidden * cell.gates * Math.max(hidden, w.width) > Network.MAX_LAYER_WEIGHTS) {
      throw w.fail(node, "hidden_size " + hidden + " is not supported");
    }
    int h = (int) hidden;
    int rows = cell.gates * h;
    int[] order = onnxGates(cell);
    float[] wIh = restore(directionWeights(w, node, 1, rows, w.width, "W"), order, h, w.width);
    float[] wHh = restore(directionWeights(w, node, 2, rows, h, "R"), order, h, h);
    float[] bias = new float[2 * rows];
    if (ImportWalk.hasInput(node, 3)) {
      OnnxProto.Tensor b = w.tensor(node, w.input(node, 3));
      if (b.dims().length != 2 || b.dims()[0] != 1 || b.dims()[1] != 2L * rows) {
        throw w.fail(node, "B " + OnnxProto.shape(b.dims()) + ": cltrain takes [1, " + 2 * rows + "]");
      }
      bias = w.floats(node, b);
    }
    float[] bIh = restore(Arrays.copyOfRange(bias, 0, rows), order, h, 1);
    float[] bHh = restore(Arrays.copyOfRange(bias, rows, 2 * rows), order, h, 1);
    if (ImportWalk.hasInput(node, 4) && !node.inputs().get(4).equals(w.lengths)) {
      throw w.fail(node, "sequence_lens '" + node.inputs().get(4) + "' is not an embedding's lengths (cltrain masks "
          + "the steps past each row's first 0 id)");
    }
    for (int i = 5; i < node.inputs().size(); i++) {
      if (ImportWalk.hasInput(node, i) && !(i < 5 + (cell == Recurrent.Cell.LSTM ? 2 : 1)
          && w.zeroStates.contains(node.inputs().get(i)))) {
        throw w.fail(node, "input " + i + " (an initial state or peepholes) is not supported");
      }
    }
    boolean last = node.outputs().size() > 1 && !w.next(node.outputs().get(1)).isEmpty();
    if (last && !w.next(node.outputs().get(0)).isEmpty()) {
      throw w.fail(node, "both Y and Y_h are used; cltrain reads one of them");
    }
    Shape in = new Shape(w.steps, 1, w.width);
    w.add(new Recurrent(cell, in, h, !last, wIh, wHh, bIh, bHh));
    w.advance(node);
    if (last) {
      w.current = node.outputs().get(1);
    }
    List<OnnxProto.Node> next = w.next(w.current);
    boolean squeeze = next.size() == 1 && next.get(0).opType().equals("Squeeze")
        && Arrays.equals(w.longs(next.get(0), w.tensor(next.get(0), w.input(next.get(0), 1))), new long[] {last ? 0 : 1});
    boolean gather = last && next.size() == 1 && next.get(0).opType().equals("Gather") // PyTorch's h_n[-1]
        && next.get(0).inputs().get(0).equals(w.current) && w.intAttr(next.get(0), "axis", 0) == 0
        && Arrays.asList(0L, -1L).contains(w.longs(next.get(0), w.tensor(next.get(0), w.input(next.get(0), 1)))[0]);
    if (!squeeze && !gather) {
      throw w.fail(node, "its output " + (last ? "Y_h" : "Y") + " is read by a Squeeze of axis " + (last ? 0 : 1)
          + (last ? " (or a Gather of index 0 or -1)" : "") + " in cltrain's graphs; here it is not");
    }
    w.advance(next.get(0));
    w.width = h;
    w.steps = last ? 0 : w.steps;
    w.seenLayer = true;
  }

  /**
   * A Cast of the input rows to int64 token ids, the lengths' side nodes passed (a Gather, the embedding, reads
   * the ids next).
   */
  static void ids(ImportWalk w, OnnxProto.Node node) {
    if (w.seenLayer || w.image != null || w.steps > 0 || w.intAttr(node, "to", 0) != OnnxProto.INT64) {
      throw w.fail(node, "cltrain reads a Cast only of the input rows to int64 token ids, for an embedding");
    }
    w.advance(node);
    for (OnnxProto.Node n : w.next(w.current)) {
      if (!n.opType().equals("Gather")) {
        w.lengths = lengthsBranch(w, n);
      }
    }
  }

  /** Gather of the weights by the int64 ids: an embedding, the first layer. */
  static void embedding(ImportWalk w, OnnxProto.Node gather) {
    if (w.seenLayer || w.image != null || w.steps > 0) {
      throw w.fail(gather, "an embedding is the first layer, on rows of token ids");
    }
    if (gather.inputs().size() != 2 || !gather.inputs().get(1).equals(w.current) || w.intAttr(gather, "axis", 0) != 0) {
      throw w.fail(gather, "cltrain reads Gather(weights, ids) of axis 0 as an embedding");
    }
    OnnxProto.Tensor t = w.tensor(gather, w.input(gather, 0));
    long[] d = t.dims();
    if (d.length != 2 || d[0] < 1 || d[1] < 1 || d[0] * d[1] > Network.MAX_LAYER_WEIGHTS) {
      throw w.fail(gather, "weights " + OnnxProto.shape(d) + ": cltrain takes [V, D]");
    }
    try {
      w.add(new Embedding(w.width, (int) d[0], (int) d[1], w.floats(gather, t)));
    } catch (IllegalArgumentException e) {
      throw w.fail(gather, e.getMessage());
    }
    w.advance(gather);
    w.steps = w.width;
    w.width = (int) d[1];
    w.timeMajor = false;
    w.seenLayer = true;
  }

  /**
   * PyTorch's initial states of a recurrent layer, zeros of the batch's shape: Shape of the layer's input, then
   * Gather, Unsqueeze, Concat of constants and these, ConstantOfShape of 0. Passed (the walk stays); the zeros'
   * values are {@link ImportWalk#zeroStates}, which a recurrent node may take as its initial states.
   */
  static void zeroStates(ImportWalk w, OnnxProto.Node shape) {
    if (!shape.opType().equals("Shape")) { // a Transpose whose output only the Shape reads
      w.pass(shape);
      w.next(shape.outputs().get(0)).forEach(n -> zeroStates(w, n));
      return;
    }
    Set<String> known = new HashSet<>();
    Deque<OnnxProto.Node> todo = new ArrayDeque<>(List.of(shape));
    while (!todo.isEmpty()) {
      OnnxProto.Node n = todo.poll();
      if (w.done(n)) {
        continue;
      }
      boolean ready = n == shape || n.inputs().stream().allMatch(v -> v.isEmpty() || known.contains(v)
          || w.constants.containsKey(v));
      if (!List.of("Shape", "Gather", "Unsqueeze", "Concat", "ConstantOfShape").contains(n.opType()) || !ready) {
        throw w.fail(n, "reads the batch's shape; cltrain reads that only as a recurrent layer's zero initial state "
            + "(Shape, Gather, Unsqueeze, Concat, ConstantOfShape of 0)");
      }
      if (n.opType().equals("ConstantOfShape")) {
        OnnxProto.Attribute value = n.attribute("value");
        if (value != null && value.t() != null && !(value.t().values().length == 1 && value.t().values()[0] == 0f
            || value.t().longs().length == 1 && value.t().longs()[0] == 0)) {
          throw w.fail(n, "an initial state other than zeros is not supported");
        }
        w.zeroStates.add(n.outputs().get(0));
      } else {
        known.add(n.outputs().get(0));
        todo.addAll(w.next(n.outputs().get(0)));
      }
      w.pass(n);
    }
  }

  /** {@return whether the node only reads the batch's shape: a Shape, or a Transpose read only by Shapes} */
  static boolean shapeOnly(ImportWalk w, OnnxProto.Node n) {
    return n.opType().equals("Shape") || n.opType().equals("Transpose") && !n.outputs().isEmpty()
        && !w.next(n.outputs().get(0)).isEmpty()
        && w.next(n.outputs().get(0)).stream().allMatch(c -> c.opType().equals("Shape"));
  }

  /** The side nodes an embedding's lengths take (Equal 0, Cast, Pad, ArgMax, Cast), passed; {@return their value} */
  private static String lengthsBranch(ImportWalk w, OnnxProto.Node first) {
    String[] ops = {"Equal", "Cast", "Pad", "ArgMax", "Cast"};
    OnnxProto.Node n = first;
    for (int i = 0; i < ops.length; i++) {
      if (!n.opType().equals(ops[i]) || n.outputs().isEmpty()) {
        throw w.fail(n, "the embedding's ids feed a " + n.opType() + "; cltrain reads their lengths as Equal 0, Cast, "
            + "Pad 1, ArgMax, Cast");
      }
      w.pass(n);
      List<OnnxProto.Node> next = w.next(n.outputs().get(0));
      if (i == ops.length - 1) {
        return n.outputs().get(0);
      }
      if (next.size() != 1) {
        throw w.fail(n, "feeds " + next.size() + " nodes; cltrain reads an embedding's lengths as one chain");
      }
      n = next.get(0);
    }
    throw new IllegalStateException("unreachable");
  }
}
