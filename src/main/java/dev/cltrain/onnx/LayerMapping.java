package dev.cltrain.onnx;

import dev.cltrain.nn.Layer;
import dev.cltrain.nn.LayerKind;
import java.util.ArrayList;
import java.util.List;

/**
 * One layer kind's ONNX mapping, both ways: a row of {@link LayerMappings#TABLE}. Export writes a layer's nodes
 * and initializers after {@link OnnxExport#last}; import reads a layer from a node of one of its
 * {@link #operators} at the {@link ImportWalk}'s current value. The lookups below answer for the whole table.
 */
abstract class LayerMapping {
  /**
   * An ONNX operator read as a layer.
   *
   * @param type       its op_type
   * @param listed     how the "not supported" message lists it among what cltrain reads (e.g. "MatMul+Add")
   * @param attributes the attributes its reader reads; any other fails the import, naming the node
   */
  record Operator(String type, String listed, List<String> attributes) {
    Operator(String type, String... attributes) {
      this(type, type, List.of(attributes));
    }
  }

  final LayerKind kind;
  /** Whether its layers take rows: images before one are transposed back to HWC order and flattened. */
  final boolean takesRows;
  /** The operators read as a layer of this kind, the first the one it is exported as. */
  final List<Operator> operators;

  LayerMapping(LayerKind kind, boolean takesRows, Operator... operators) {
    this.kind = kind;
    this.takesRows = takesRows;
    this.operators = List.of(operators);
  }

  /** Appends the layer's nodes and initializers after {@link OnnxExport#last}. */
  abstract void export(OnnxExport e, Layer layer);

  /** Reads a layer from {@code node} (of one of {@link #operators}) at the walk's current value; moves past it. */
  abstract void read(ImportWalk w, OnnxProto.Node node);

  /** {@return the row of a kind, or null where the table has none} */
  static LayerMapping of(LayerKind kind) {
    return LayerMappings.TABLE.get(kind);
  }

  /** {@return the row that reads an ONNX operator, or null for an operator that is no layer} */
  static LayerMapping reading(String opType) {
    for (LayerMapping m : LayerMappings.TABLE.values()) {
      for (Operator op : m.operators) {
        if (op.type().equals(opType)) {
          return m;
        }
      }
    }
    return null;
  }

  /** {@return the operator of that type a row reads, or null} */
  static Operator operator(String opType) {
    LayerMapping m = reading(opType);
    return m == null ? null : m.operators.stream().filter(op -> op.type().equals(opType)).findFirst().orElseThrow();
  }

  /** {@return the operators read as layers, as the "not supported" message lists them, in table order} */
  static List<String> listed() {
    List<String> listed = new ArrayList<>();
    for (LayerMapping m : LayerMappings.TABLE.values()) {
      m.operators.forEach(op -> listed.add(op.listed()));
    }
    return listed;
  }
}
