package dev.cltrain.onnx;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The ONNX messages cltrain reads and writes, as plain records, with the field numbers of the official onnx.proto
 * (github.com/onnx/onnx, onnx/onnx.proto, Apache-2.0): ModelProto, OperatorSetIdProto, StringStringEntryProto,
 * GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto.Tensor, TensorShapeProto. Fields
 * cltrain has no use for are skipped when reading and never written. {@link #decode} and {@link Model#encode} are
 * each other's inverse on the fields kept.
 */
final class OnnxProto {
  /** TensorProto.DataType FLOAT. */
  static final int FLOAT = 1;
  /** TensorProto.DataType INT64. */
  static final int INT64 = 7;
  /** TensorProto.DataType INT32 (sequence_lens). */
  static final int INT32 = 6;
  /** TensorProto.DataType DOUBLE. */
  static final int DOUBLE = 11;

  /** AttributeProto.AttributeType values. */
  static final int ATTR_FLOAT = 1;
  static final int ATTR_INT = 2;
  static final int ATTR_STRING = 3;
  static final int ATTR_TENSOR = 4;
  static final int ATTR_GRAPH = 5;
  static final int ATTR_FLOATS = 6;
  static final int ATTR_INTS = 7;

  private OnnxProto() {}

  /** ModelProto. */
  record Model(long irVersion, Map<String, Long> opsets, String producerName, String producerVersion,
      Graph graph, Map<String, String> metadata) {
    byte[] encode() {
      Wire.Writer w = new Wire.Writer().int64(1, irVersion);
      if (!producerName.isEmpty()) {
        w.string(2, producerName);
      }
      if (!producerVersion.isEmpty()) {
        w.string(3, producerVersion);
      }
      w.message(7, graph.encode());
      for (Map.Entry<String, Long> e : opsets.entrySet()) {
        Wire.Writer opset = new Wire.Writer();
        if (!e.getKey().isEmpty()) {
          opset.string(1, e.getKey());
        }
        w.message(8, opset.int64(2, e.getValue()));
      }
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        w.message(14, new Wire.Writer().string(1, e.getKey()).string(2, e.getValue()));
      }
      return w.toByteArray();
    }
  }

  /** GraphProto. */
  record Graph(String name, List<Node> nodes, List<Tensor> initializers, List<ValueInfo> inputs,
      List<ValueInfo> outputs) {
    Wire.Writer encode() {
      Wire.Writer w = new Wire.Writer();
      for (Node n : nodes) {
        w.message(1, n.encode());
      }
      w.string(2, name);
      for (Tensor t : initializers) {
        w.message(5, t.encode());
      }
      for (ValueInfo v : inputs) {
        w.message(11, v.encode());
      }
      for (ValueInfo v : outputs) {
        w.message(12, v.encode());
      }
      return w;
    }
  }

  /** NodeProto. */
  record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
      List<Attribute> attributes) {
    Wire.Writer encode() {
      Wire.Writer w = new Wire.Writer();
      for (String i : inputs) {
        w.string(1, i);
      }
      for (String o : outputs) {
        w.string(2, o);
      }
      w.string(3, name).string(4, opType);
      for (Attribute a : attributes) {
        w.message(5, a.encode());
      }
      if (!domain.isEmpty()) {
        w.string(7, domain);
      }
      return w;
    }

    /** {@return the attribute of that name, or null} */
    Attribute attribute(String attributeName) {
      for (Attribute a : attributes) {
        if (a.name().equals(attributeName)) {
          return a;
        }
      }
      return null;
    }

    /** {@return "Conv node 'conv_0'"}, how messages name a node */
    String describe() {
      return opType + " node '" + name + "'";
    }
  }

  /** AttributeProto: one of f, i, s, t, floats, ints by {@code type} (a graph-valued one is kept as its type only). */
  record Attribute(String name, int type, float f, long i, String s, Tensor t, float[] floats, long[] ints) {
    static Attribute ofInt(String name, long value) {
      return new Attribute(name, ATTR_INT, 0, value, "", null, new float[0], new long[0]);
    }

    static Attribute ofFloat(String name, float value) {
      return new Attribute(name, ATTR_FLOAT, value, 0, "", null, new float[0], new long[0]);
    }

    static Attribute ofInts(String name, long... values) {
      return new Attribute(name, ATTR_INTS, 0, 0, "", null, new float[0], values.clone());
    }

    static Attribute ofString(String name, String value) {
      return new Attribute(name, ATTR_STRING, 0, 0, value, null, new float[0], new long[0]);
    }

    Wire.Writer encode() {
      Wire.Writer w = new Wire.Writer().string(1, name);
      switch (type) {
        case ATTR_FLOAT -> w.float32(2, f);
        case ATTR_INT -> w.int64(3, i);
        case ATTR_STRING -> w.string(4, s);
        case ATTR_TENSOR -> w.message(5, t.encode());
        case ATTR_FLOATS -> w.bytes(7, Wire.Writer.littleEndian(floats));
        case ATTR_INTS -> w.int64s(8, ints);
        default -> throw new IllegalStateException("attribute type " + type + " is never written");
      }
      return w.int64(20, type);
    }
  }

  /**
   * TensorProto of FLOAT, DOUBLE or INT64 data, from raw_data or the typed fields; doubles are kept as floats
   * rounded to nearest (no cltrain tensor is double). {@code values} holds FLOAT and DOUBLE data, {@code longs}
   * INT64 data; {@code external} marks data kept in another file, which cltrain does not read.
   */
  record Tensor(String name, int dataType, long[] dims, float[] values, long[] longs, boolean external) {
    static Tensor ofFloats(String name, float[] values, long... dims) {
      return new Tensor(name, FLOAT, dims.clone(), values.clone(), new long[0], false);
    }

    static Tensor ofLongs(String name, long[] values, long... dims) {
      return new Tensor(name, INT64, dims.clone(), new float[0], values.clone(), false);
    }

    /** {@return the element count its dims give, or −1 when it overflows or a dim is negative} */
    long elements() {
      long n = 1;
      for (long d : dims) {
        if (d < 0 || (d > 0 && n > Long.MAX_VALUE / d)) {
          return -1;
        }
        n *= d;
      }
      return n;
    }

    Wire.Writer encode() {
      Wire.Writer w = new Wire.Writer().int64s(1, dims).int64(2, dataType).string(8, name);
      if (dataType == FLOAT) {
        w.bytes(9, Wire.Writer.littleEndian(values));
      } else {
        byte[] b = new byte[longs.length * 8];
        for (int k = 0; k < longs.length; k++) {
          for (int j = 0; j < 8; j++) {
            b[8 * k + j] = (byte) (longs[k] >>> (8 * j));
          }
        }
        w.bytes(9, b);
      }
      return w;
    }
  }

  /** ValueInfoProto of a tensor type: its element type and dims, each a number or a name (−1 and the name). */
  record ValueInfo(String name, int elemType, List<Dim> dims, boolean hasShape) {
    Wire.Writer encode() {
      Wire.Writer shape = new Wire.Writer();
      for (Dim d : dims) {
        Wire.Writer dim = new Wire.Writer();
        if (d.param().isEmpty()) {
          dim.int64(1, d.value());
        } else {
          dim.string(2, d.param());
        }
        shape.message(1, dim);
      }
      Wire.Writer tensor = new Wire.Writer().int64(1, elemType).message(2, shape);
      return new Wire.Writer().string(1, name).message(2, new Wire.Writer().message(1, tensor));
    }
  }

  /** TensorShapeProto.Dimension: a fixed size, or a symbolic name (value −1) such as the batch dimension's. */
  record Dim(long value, String param) {
    static Dim of(long value) {
      return new Dim(value, "");
    }

    static Dim named(String param) {
      return new Dim(-1, param);
    }

    @Override
    public String toString() {
      return param.isEmpty() ? (value < 0 ? "?" : Long.toString(value)) : param;
    }
  }

  /**
   * Reads a ModelProto.
   *
   * @param bytes the file's bytes
   * @return the fields cltrain uses
   * @throws Wire.Malformed naming the message and field that is malformed
   */
  static Model decode(byte[] bytes) {
    return OnnxDecoder.model(bytes);
  }

  /**
   * Text from a file made fit for a one-line message: line breaks and other control characters (and the Unicode
   * line and paragraph separators) are written as escapes: backslash-n, backslash-u and four hex digits.
   */
  static String oneLine(String text) {
    StringBuilder b = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean escape = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
      if (escape && b == null) {
        b = new StringBuilder(text.length() + 8).append(text, 0, i);
      }
      if (b != null) {
        if (c == '\n') {
          b.append("\\n");
        } else if (c == '\r') {
          b.append("\\r");
        } else if (c == '\t') {
          b.append("\\t");
        } else if (escape) {
          b.append(String.format("\\u%04x", (int) c));
        } else {
          b.append(c);
        }
      }
    }
    return b == null ? text : b.toString();
  }

  /** {@return the dims as "[N,784]"} */
  static String shape(List<Dim> dims) {
    return dims.toString().replace(" ", "");
  }

  /** {@return the dims as "[32,1,3,3]"} */
  static String shape(long[] dims) {
    return Arrays.toString(dims).replace(" ", "");
  }
}
