package dev.cltrain.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cltrain.nn.Layer;
import dev.cltrain.nn.ModelJson;
import dev.cltrain.nn.Network;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PyTorch-exported nn.LSTM, nn.GRU and nn.Embedding (scripts/make_rnn_onnx_fixtures.py: the exporter's zero initial
 * states, h_n[-1], x.long()) import as cltrain's layers and predict PyTorch's outputs within
 * {@link OnnxImportTest#TOLERANCE}, as ONNX Runtime does; exported again, they import to the same network.
 */
class RecurrentImportTest {
  @TempDir
  Path dir;

  private static List<String> specs(Network net) {
    return net.layers().stream().map(Layer::spec).toList();
  }

  @Test
  void pytorchLstmAndGruImportAndPredictAsPyTorch() throws Exception {
    Network net = OnnxImportTest.importAndCompare("torch_lstm", "torch_rnn", dir);
    assertEquals(List.of("lstm:4:seq", "gru:3", "dense:2"), specs(net), "LSTM (every step), GRU (h_n[-1]), Linear");
    assertEquals("[5, 1, 3]", List.of(net.input().height(), net.input().width(), net.input().channels()).toString(),
        "rows of 15 read as 5 steps of 3");
    roundTrips(net, "torch_lstm");
  }

  @Test
  void pytorchEmbeddingImportsAndPredictsAsPyTorch() throws Exception {
    Network net = OnnxImportTest.importAndCompare("torch_embedding", dir);
    assertEquals(List.of("embedding:7:3", "gru:5", "dense:3"), specs(net), "x.long(), Embedding, GRU, Linear");
    roundTrips(net, "torch_embedding");
  }

  private static void roundTrips(Network net, String name) {
    Network back = Onnx.fromBytes(Onnx.toBytes(net, Map.of()), name + "-again.onnx");
    assertEquals(ModelJson.toJson(net), ModelJson.toJson(back), name + ": imported, exported, imported again");
  }
}
