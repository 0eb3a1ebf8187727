package dev.cltrain.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.Model;
import dev.cltrain.core.InputException;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.BatchNorm;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.LayerKind;
import dev.cltrain.nn.ModelJson;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Residual;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Import of a PyTorch residual network (scripts/make_resnet_onnx_fixtures.py: conv without bias + BatchNorm2d + ReLU,
 * a block with the identity shortcut written h + x, a stride-2 block with a 1x1 conv + BatchNorm2d projection
 * shortcut written shortcut(x) + h, AdaptiveAvgPool2d(1), Linear) as PyTorch 1.13 exports it in eval mode (each
 * batch norm folded into its conv) and in training mode (BatchNormalization with training_mode=1 and the running
 * statistics). Tolerance: cltrain's predictions match PyTorch's eval-mode outputs within
 * {@code OnnxImportTest}'s 1e-5 absolute per output value.
 */
class ResidualImportTest {
  private static final String OUTPUTS = "torch_resnet";

  private static List<LayerKind> kinds(List<Layer> layers) {
    return layers.stream().map(Layer::kind).toList();
  }

  @Test
  void evalModeExportImportsAsConvsAndBlocksAndPredictsAsPyTorchAndOnnxRuntime(@TempDir Path dir) throws Exception {
    Network net = OnnxImportTest.importAndCompare("torch_resnet_eval", OUTPUTS, dir);
    assertEquals(List.of(LayerKind.CONV, LayerKind.RESIDUAL, LayerKind.RESIDUAL, LayerKind.GAP, LayerKind.DENSE),
        kinds(net.layers()), "batch norms folded into the convs by the export: no bn layer");
    Residual identity = (Residual) net.layers().get(1);
    Residual projected = (Residual) net.layers().get(2);
    assertNull(identity.projection(), "block 1: the identity shortcut");
    assertEquals("residual(conv:4:3,relu,conv:4:3),relu", identity.netItems());
    assertNotNull(projected.projection(), "block 2: the projection shortcut");
    assertEquals("conv:6:1:s2", projected.projection().spec());
    assertEquals("residual(conv:6:3:s2,relu,conv:6:3),relu", projected.netItems());
  }

  @Test
  void trainingModeExportImportsWithItsRunningStatisticsAndPredictsAsPyTorchInEvalMode(@TempDir Path dir)
      throws Exception {
    OnnxImportTest.Fixture f = OnnxImportTest.fixture("torch_resnet_train", OUTPUTS);
    Network net = Onnx.fromBytes(f.bytes(), "torch_resnet_train.onnx");
    OnnxImportTest.assertClose(f.outputs(), Model.of(net).predict(f.inputs()), "cltrain vs PyTorch (eval mode)");
    assertEquals(List.of(LayerKind.CONV, LayerKind.BATCHNORM, LayerKind.RESIDUAL, LayerKind.RESIDUAL, LayerKind.GAP,
        LayerKind.DENSE), kinds(net.layers()));
    Residual projected = (Residual) net.layers().get(3);
    assertEquals(List.of(LayerKind.CONV, LayerKind.BATCHNORM, LayerKind.CONV, LayerKind.BATCHNORM),
        kinds(projected.layers()));
    assertNotNull(projected.projection(), "the shortcut's 1x1 conv");
    assertNotNull(projected.projectionNorm(), "the shortcut's BatchNormalization: the block's shortcut bn");
    assertArrayEquals(initializers(f.bytes()).get("block2.shortcut.1.running_mean"),
        projected.projectionNorm().runningMean(), 0f, "the shortcut bn's running mean, the file's");
    BatchNorm stem = (BatchNorm) net.layers().get(1);
    Map<String, float[]> initializers = initializers(f.bytes());
    assertArrayEquals(initializers.get("stem.1.running_mean"), stem.runningMean(), 0f, "the file's running mean");
    assertArrayEquals(initializers.get("stem.1.running_var"), stem.runningVariance(), 0f, "the file's running var");
    assertEquals(0.1f, stem.momentum(), 0f, "ONNX momentum 0.9 is PyTorch's 0.1");
    assertEquals(1e-5f, stem.epsilon(), 0f);
    assertEquals(Activation.RELU, stem.activation());
  }

  @Test
  void exportedAgainAnImportedNetworkImportsBackToTheSameModelJson() throws Exception {
    for (String name : List.of("torch_resnet_eval", "torch_resnet_train")) {
      Network net = Onnx.fromBytes(OnnxImportTest.fixture(name, OUTPUTS).bytes(), name + ".onnx");
      Network back = Onnx.fromBytes(Onnx.toBytes(net, Map.of()), name + "-again.onnx");
      assertEquals(ModelJson.toJson(net), ModelJson.toJson(back), name + ": imported, exported, imported again");
    }
  }

  @Test
  void branchesThatMeetInAMulFailInOneLineNamingTheNode() throws Exception {
    byte[] bytes = OnnxImportTest.fixture("torch_branch_mul", OUTPUTS).bytes();
    InputException e = assertThrows(InputException.class, () -> Onnx.fromBytes(bytes, "torch_branch_mul.onnx"));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertTrue(e.getMessage().startsWith("torch_branch_mul.onnx: Mul node '/block/Mul': the two branches from"),
        e.getMessage());
  }

  private static Map<String, float[]> initializers(byte[] onnx) {
    Map<String, float[]> all = new java.util.HashMap<>();
    OnnxProto.decode(onnx).graph().initializers().forEach(t -> all.put(t.name(), t.values()));
    return all;
  }
}
