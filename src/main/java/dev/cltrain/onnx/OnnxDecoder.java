package dev.cltrain.onnx;

import dev.cltrain.onnx.OnnxProto.Attribute;
import dev.cltrain.onnx.OnnxProto.Dim;
import dev.cltrain.onnx.OnnxProto.Graph;
import dev.cltrain.onnx.OnnxProto.Model;
import dev.cltrain.onnx.OnnxProto.Node;
import dev.cltrain.onnx.OnnxProto.Tensor;
import dev.cltrain.onnx.OnnxProto.ValueInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@link OnnxProto} messages from protobuf bytes ({@link OnnxProto#decode}): the fields cltrain uses,
 * by the field numbers of the official onnx.proto; the others are skipped.
 */
final class OnnxDecoder {
  private OnnxDecoder() {}

  /**
   * Reads a ModelProto.
   *
   * @param bytes the file's bytes
   * @return the fields cltrain uses
   * @throws Wire.Malformed naming the message and field that is malformed
   */
  static Model model(byte[] bytes) {
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
      type = OnnxProto.ATTR_GRAPH;
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
    if (dataType == OnnxProto.DOUBLE) {
      values = doubles.toArray();
    }
    if (raw != null) {
      int width = dataType == OnnxProto.FLOAT ? 4 : dataType == OnnxProto.DOUBLE || dataType == OnnxProto.INT64 ? 8 : 1;
      if (raw.length % width != 0) {
        throw new Wire.Malformed("TensorProto '" + OnnxProto.oneLine(name) + "': raw_data of " + raw.length + " bytes for elements of "
            + width + " bytes");
      }
      if (dataType == OnnxProto.FLOAT) {
        values = new float[raw.length / 4];
        for (int k = 0; k < values.length; k++) {
          values[k] = Float.intBitsToFloat(Wire.littleInt(raw, 4 * k));
        }
      } else if (dataType == OnnxProto.DOUBLE) {
        values = new float[raw.length / 8];
        for (int k = 0; k < values.length; k++) {
          values[k] = (float) Double.longBitsToDouble(Wire.littleLong(raw, 8 * k));
        }
      } else if (dataType == OnnxProto.INT64) {
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
}
