package dev.cltrain.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
    Wire.Reader r = new Wire.Reader(bytes, 0, bytes.length, "ModelProto");
    long ir = 0;
    Map<String, Long> opsets = new LinkedHashMap<>();
    String producer = "";
    String version = "";
    Graph graph = null;
    Map<String, String> metadata = new LinkedHashMap<>();
    while (r.next()) {
      switch (r.field()) {
        case 1 -> ir = r.int64();
        case 2 -> producer = r.string();
        case 3 -> version = r.string();
        case 7 -> graph = graph(r.message("GraphProto"));
        case 8 -> {
          Wire.Reader o = r.message("OperatorSetIdProto");
          String domain = "";
          long v = 0;
          while (o.next()) {
            switch (o.field()) {
              case 1 -> domain = o.string();
              case 2 -> v = o.int64();
              default -> o.skip();
            }
          }
          opsets.put(domain, v);
        }
        case 14 -> {
          Wire.Reader e = r.message("StringStringEntryProto");
          String key = "";
          String value = "";
          while (e.next()) {
            switch (e.field()) {
              case 1 -> key = e.string();
              case 2 -> value = e.string();
              default -> e.skip();
            }
          }
          metadata.put(key, value);
        }
        default -> r.skip();
      }
    }
    if (graph == null) {
      throw new Wire.Malformed("ModelProto has no graph (field 7): not an ONNX model");
    }
    return new Model(ir, opsets, producer, version, graph, metadata);
  }

  private static Graph graph(Wire.Reader r) {
    List<Node> nodes = new ArrayList<>();
    List<Tensor> initializers = new ArrayList<>();
    List<ValueInfo> inputs = new ArrayList<>();
    List<ValueInfo> outputs = new ArrayList<>();
    String name = "";
    while (r.next()) {
      switch (r.field()) {
        case 1 -> nodes.add(node(r.message("NodeProto")));
        case 2 -> name = r.string();
        case 5 -> initializers.add(tensor(r.message("TensorProto")));
        case 11 -> inputs.add(valueInfo(r.message("ValueInfoProto")));
        case 12 -> outputs.add(valueInfo(r.message("ValueInfoProto")));
        case 15 -> throw new Wire.Malformed("GraphProto holds a sparse initializer, which cltrain does not read");
        default -> r.skip();
      }
    }
    return new Graph(name, nodes, initializers, inputs, outputs);
  }

  private static Node node(Wire.Reader r) {
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    List<Attribute> attributes = new ArrayList<>();
    String name = "";
    String op = "";
    String domain = "";
    while (r.next()) {
      switch (r.field()) {
        case 1 -> inputs.add(r.string());
        case 2 -> outputs.add(r.string());
        case 3 -> name = r.string();
        case 4 -> op = r.string();
        case 5 -> attributes.add(attribute(r.message("AttributeProto")));
        case 7 -> domain = r.string();
        default -> r.skip();
      }
    }
    return new Node(name, op, domain, inputs, outputs, attributes);
  }

  private static Attribute attribute(Wire.Reader r) {
    String name = "";
    int type = 0;
    float f = 0;
    long i = 0;
    String s = "";
    Tensor t = null;
    Wire.FloatList floats = new Wire.FloatList();
    Wire.LongList ints = new Wire.LongList();
    boolean graph = false;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> name = r.string();
        case 20 -> type = r.int32();
        case 2 -> f = r.float32();
        case 3 -> i = r.int64();
        case 4 -> s = new String(r.bytes(), java.nio.charset.StandardCharsets.UTF_8);
        case 5 -> t = tensor(r.message("TensorProto"));
        case 6, 11 -> {
          graph = true;
          r.skip();
        }
        case 7 -> r.floats(floats);
        case 8 -> r.int64s(ints);
        default -> r.skip();
      }
    }
    if (type == 0 && graph) {
      type = ATTR_GRAPH;
    }
    return new Attribute(name, type, f, i, s, t, floats.toArray(), ints.toArray());
  }

  private static Tensor tensor(Wire.Reader r) {
    Wire.LongList dims = new Wire.LongList();
    int dataType = 0;
    String name = "";
    byte[] raw = null;
    Wire.FloatList floats = new Wire.FloatList();
    Wire.LongList longs = new Wire.LongList();
    Wire.FloatList doubles = new Wire.FloatList();
    boolean external = false;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> r.int64s(dims);
        case 2 -> dataType = r.int32();
        case 4 -> r.floats(floats);
        case 7 -> r.int64s(longs);
        case 8 -> name = r.string();
        case 9 -> raw = r.bytes();
        case 10 -> doubles(r, doubles);
        case 13 -> {
          external = true;
          r.skip();
        }
        case 14 -> external |= r.int64() == 1;
        default -> r.skip();
      }
    }
    float[] values = floats.toArray();
    long[] longValues = longs.toArray();
    if (dataType == DOUBLE) {
      values = doubles.toArray();
    }
    if (raw != null) {
      int width = dataType == FLOAT ? 4 : dataType == DOUBLE || dataType == INT64 ? 8 : 1;
      if (raw.length % width != 0) {
        throw new Wire.Malformed("TensorProto '" + oneLine(name) + "': raw_data of " + raw.length + " bytes for elements of "
            + width + " bytes");
      }
      if (dataType == FLOAT) {
        values = new float[raw.length / 4];
        for (int k = 0; k < values.length; k++) {
          values[k] = Float.intBitsToFloat(Wire.littleInt(raw, 4 * k));
        }
      } else if (dataType == DOUBLE) {
        values = new float[raw.length / 8];
        for (int k = 0; k < values.length; k++) {
          values[k] = (float) Double.longBitsToDouble(Wire.littleLong(raw, 8 * k));
        }
      } else if (dataType == INT64) {
        longValues = new long[raw.length / 8];
        for (int k = 0; k < longValues.length; k++) {
          longValues[k] = Wire.littleLong(raw, 8 * k);
        }
      }
    }
    return new Tensor(name, dataType, dims.toArray(), values, longValues, external);
  }

  /** TensorProto.double_data, packed or not, each rounded to a float. */
  private static void doubles(Wire.Reader r, Wire.FloatList out) {
    Wire.LongList bits = new Wire.LongList();
    r.fixed64s(bits);
    long[] b = bits.toArray();
    for (long v : b) {
      out.add((float) Double.longBitsToDouble(v));
    }
  }

  private static ValueInfo valueInfo(Wire.Reader r) {
    String name = "";
    int elemType = 0;
    List<Dim> dims = new ArrayList<>();
    boolean hasShape = false;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> name = r.string();
        case 2 -> {
          Wire.Reader type = r.message("TypeProto");
          while (type.next()) {
            if (type.field() != 1) {
              type.skip();
              continue;
            }
            Wire.Reader tensor = type.message("TypeProto.Tensor");
            while (tensor.next()) {
              switch (tensor.field()) {
                case 1 -> elemType = tensor.int32();
                case 2 -> {
                  hasShape = true;
                  Wire.Reader shape = tensor.message("TensorShapeProto");
                  while (shape.next()) {
                    if (shape.field() != 1) {
                      shape.skip();
                      continue;
                    }
                    Wire.Reader dim = shape.message("TensorShapeProto.Dimension");
                    long value = -1;
                    String param = "";
                    while (dim.next()) {
                      switch (dim.field()) {
                        case 1 -> value = dim.int64();
                        case 2 -> param = dim.string();
                        default -> dim.skip();
                      }
                    }
                    dims.add(new Dim(param.isEmpty() ? value : -1, param));
                  }
                }
                default -> tensor.skip();
              }
            }
          }
        }
        default -> r.skip();
      }
    }
    return new ValueInfo(name, elemType, dims, hasShape);
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
