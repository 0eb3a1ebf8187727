package dev.cltrain.onnx;

import dev.cltrain.nn.LayerKind;
import dev.cltrain.nn.Network;
import java.util.List;
import java.util.Map;

/** What tests outside this package ask of its layer table ({@link LayerMappings}, package-private). */
public final class OnnxRows {
  private OnnxRows() {}

  /** {@return the ONNX operators the row of a kind reads back as its layers (its import side), or null: no row} */
  public static List<String> readOperators(LayerKind kind) {
    LayerMapping row = LayerMapping.of(kind);
    return row == null ? null : row.operators.stream().map(LayerMapping.Operator::type).toList();
  }

  /** {@return the op_type of every node of the network's exported graph, in order} */
  public static List<String> exportedOperators(Network network) {
    return OnnxProto.decode(Onnx.toBytes(network, Map.of())).graph().nodes().stream()
        .map(OnnxProto.Node::opType).toList();
  }
}
