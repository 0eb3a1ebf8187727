package dev.cltrain.onnx;

import dev.cltrain.nn.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * The import steps of the operators that are no layer: the input's scale and standardization (Div, Mul, Sub
 * before the first layer), the layout between rows and images (Reshape, Transpose, Flatten) and a Pad of zeros.
 * Each reads one node at the {@link ImportWalk}'s current value and moves it on; {@link #step} reads any node of the
 * chain, these or a layer's (by its kind's row of {@link LayerMappings}).
 */
final class ImportSteps {
  private ImportSteps() {}

  /** Reads one node of the chain and moves the walk to its output. */
  static void step(ImportWalk w, OnnxProto.Node node) {
    String op = node.opType();
    switch (op) {
      case "Div", "Mul", "Sub" -> arithmetic(w, node);
      case "Reshape" -> reshape(w, node);
      case "Transpose" -> transpose(w, node);
      case "Flatten" -> flatten(w, node);
      case "Identity" -> w.advance(node);
      case "Pad" -> pad(w, node);
      case "Cast" -> SequenceImport.ids(w, node);
      case "Relu", "Tanh", "Sigmoid", "Softmax" -> throw w.fail(node, "an activation with no Conv, Gemm or "
          + "MatMul before it; cltrain applies activations only to layers");
      default -> {
        LayerMapping row = LayerMapping.reading(op);
        if (row == null) {
          throw w.fail(node, "operator " + op + " is not supported (cltrain reads "
              + String.join(", ", LayerMapping.listed()) + ", Pad of zeros, Flatten, Reshape, Transpose, Relu, Tanh, "
              + "Sigmoid, Softmax, and Div, Mul, Sub on the input)");
        }
        row.read(w, node);
      }
    }
  }

  static void arithmetic(ImportWalk w, OnnxProto.Node node) {
    if (w.seenLayer) {
      throw w.fail(node, node.opType() + " after the first layer is not supported (only on the input, for its scale "
          + "and standardization)");
    }
    float[] operand = operand(w, node);
    String op = node.opType();
    int n = w.image != null ? w.image.size() : w.width;
    if (operand.length != 1 && (operand.length != n || w.image != null)) {
      throw w.fail(node, "a constant of " + operand.length + " values; cltrain takes one, or one per input (" + n
          + ") on rows");
    }
    float[] perInput = operand.length == 1 ? filled(n, operand[0]) : operand;
    if (w.mean == null && w.std == null && operand.length == 1 && (op.equals("Div") || op.equals("Mul"))) {
      if (w.inputScale != 1f) {
        throw w.fail(node, "a second input scale (after " + w.inputScale + ")");
      }
      float scale = op.equals("Div") ? 1f / operand[0] : operand[0];
      if (!(scale > 0) || Float.isInfinite(scale)) {
        throw w.fail(node, "input scale " + scale + " is not positive and finite");
      }
      w.inputScale = scale;
      w.sawScale = true;
    } else if (op.equals("Sub") && w.mean == null && w.std == null) {
      w.mean = perInput;
    } else if (op.equals("Div") && w.std == null) {
      w.std = perInput;
    } else {
      throw w.fail(node, op + " here does not fit the input handling cltrain reads: Div or Mul by a scalar "
          + "(scale), then Sub (mean), then Div (standard deviation)");
    }
    w.advance(node);
  }

  /** The constant operand of an element-wise node whose other operand is the current value. */
  private static float[] operand(ImportWalk w, OnnxProto.Node node) {
    if (node.inputs().size() != 2 || !node.inputs().get(0).equals(w.current)) {
      throw w.fail(node, "takes the input as its first operand and a constant as its second; this one does not");
    }
    OnnxProto.Tensor t = w.tensor(node, node.inputs().get(1));
    return w.floats(node, t);
  }

  static void reshape(ImportWalk w, OnnxProto.Node node) {
    long[] shape = w.longs(node, w.tensor(node, w.input(node, 1)));
    if (node.attribute("allowzero") != null && node.attribute("allowzero").i() != 0) {
      throw w.fail(node, "attribute allowzero=1 is not supported");
    }
    int width = w.width;
    if (w.image == null && shape.length == 4) { // rows to images
      long a = shape[1];
      long b = shape[2];
      long c = shape[3];
      if (a <= 0 || b <= 0 || c <= 0 || a > width || b > width || a * b > width || a * b * c != width
          || !(shape[0] == -1 || shape[0] == 0)) { // a, b and a * b at most width: a * b * c cannot overflow
        throw w.fail(node, "shape " + OnnxProto.shape(shape) + " for rows of " + width + " values");
      }
      if (w.seenLayer || w.seenImage) {
        throw w.fail(node, "a Reshape to images after the first layer is not supported");
      }
      boolean channelsLast = !(a == 1);
      List<OnnxProto.Node> next = w.next(node.outputs().isEmpty() ? "" : node.outputs().get(0));
      boolean transposed = next.size() == 1 && next.get(0).opType().equals("Transpose");
      if (a == 1 && transposed) {
        channelsLast = true; // [-1, 1, W, C]... read as HWC and transposed: only the Transpose decides
      }
      if (channelsLast && !transposed) {
        throw w.fail(node, "shape " + OnnxProto.shape(shape) + " with no Transpose 0,3,1,2 after it: cltrain reads "
            + "rows as [-1, H, W, C] images transposed to NCHW, or as [-1, 1, H, W] (one channel, channels first)");
      }
      try {
        w.image = channelsLast ? new Shape((int) a, (int) b, (int) c) : new Shape((int) b, (int) c, 1);
      } catch (IllegalArgumentException e) {
        throw w.fail(node, e.getMessage());
      }
      w.nchw = !channelsLast;
      w.inputShape = w.image;
      w.seenImage = true;
      w.advance(node);
      return;
    }
    if (w.image != null && shape.length == 2 && (shape[0] == -1 || shape[0] == 0)
        && (shape[1] == w.image.size() || shape[1] == -1)) { // images to rows: a flatten
      w.toRows();
      w.advance(node);
      return;
    }
    if (w.image == null && w.steps == 0 && !w.seenLayer && !w.seenImage && shape.length == 3
        && (shape[0] == -1 || shape[0] == 0) && shape[1] > 0 && shape[2] > 0 && shape[1] <= width
        && shape[1] * shape[2] == width) { // rows to [batch, T, F] sequences
      w.steps = (int) shape[1];
      w.width = (int) shape[2];
      w.timeMajor = false;
      w.inputShape = new Shape(w.steps, 1, w.width);
      w.seenImage = true;
      w.advance(node);
      return;
    }
    if (w.image == null && shape.length == 2 && (shape[0] == -1 || shape[0] == 0) && (shape[1] == width || shape[1] == -1)) {
      w.advance(node); // rows to the same rows
      return;
    }
    throw w.fail(node, "shape " + OnnxProto.shape(shape) + " is not supported here (rows to [-1, H, W, C] or "
        + "[-1, 1, H, W] images, images to [-1, n] rows)");
  }

  static void transpose(ImportWalk w, OnnxProto.Node node) {
    long[] perm = w.ints(node, "perm", null);
    if (w.steps > 0 && Arrays.equals(perm, new long[] {1, 0, 2})) {
      w.timeMajor = !w.timeMajor;
    } else if (w.image != null && !w.nchw && Arrays.equals(perm, new long[] {0, 3, 1, 2})) {
      w.nchw = true;
    } else if (w.image != null && w.nchw && Arrays.equals(perm, new long[] {0, 2, 3, 1})) {
      w.nchw = false;
    } else {
      throw w.fail(node, "perm " + (perm == null ? "(reverse)" : OnnxProto.shape(perm)) + " on "
          + (w.image == null ? "rows" : (w.nchw ? "NCHW" : "NHWC") + " images")
          + " is not supported (0,3,1,2 on NHWC images, 0,2,3,1 on NCHW ones)");
    }
    w.advance(node);
  }

  static void flatten(ImportWalk w, OnnxProto.Node node) {
    long axis = w.intAttr(node, "axis", 1);
    if (axis != 1) {
      throw w.fail(node, "attribute axis=" + axis + " is not supported (only 1)");
    }
    if (w.image != null) {
      w.toRows();
    }
    if (w.steps > 0) {
      if (w.timeMajor) {
        throw w.fail(node, "a Flatten of a time-major sequence; cltrain reads Transpose 1,0,2 then Flatten");
      }
      w.width = w.steps * w.width;
      w.steps = 0;
    }
    w.advance(node);
  }

  /**
   * A Pad that pads nothing, as PyTorch 1.13 writes before every AveragePool (AvgPool2d exports as Pad with
   * zero pads, then AveragePool): read as no operation. Any nonzero pad fails.
   */
  static void pad(ImportWalk w, OnnxProto.Node node) {
    if (!w.input(node, 0).equals(w.current)) {
      throw w.fail(node, "takes the current value as its first input; this one does not");
    }
    long[] pads = w.longs(node, w.tensor(node, w.input(node, 1)));
    for (long p : pads) {
      if (p != 0) {
        throw w.fail(node, "pads " + OnnxProto.shape(pads) + " are not supported (only a Pad of zeros, which PyTorch "
            + "writes before AveragePool; pad in the Conv instead)");
      }
    }
    w.advance(node);
  }

  static float[] filled(int n, float v) {
    float[] a = new float[n];
    Arrays.fill(a, v);
    return a;
  }
}
