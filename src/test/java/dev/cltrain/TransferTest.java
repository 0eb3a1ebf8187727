package dev.cltrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import dev.cltrain.data.TrainingData;
import dev.cltrain.device.Device;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.NetSpec;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.testing.Backends;
import dev.cltrain.testing.IdxFolders;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Training#freeze} and {@link Network#withNewHead}: frozen layers keep their bits (even under AdamW's
 * decoupled decay, which would shrink any weight it reached) while every later layer with parameters changes,
 * on every backend with the reference's bits; freezing the first layer equals training the layer after it alone
 * on the frozen layer's outputs; a new head is a fresh Glorot-normal layer of K outputs; bad freezes are refused
 * naming "freeze". Tiny data: 240 images of 6×6, one epoch of 5 batches.
 */
class TransferTest {
  /** Layers 0..4: conv, conv, maxpool, dense:5, dense:3 (flatten is no layer). */
  static final String NET = "conv:2:3,relu,conv:3:3,relu,maxpool:2,flatten,dense:5,relu,dense:3";
  @TempDir
  static Path dir;
  static TrainingData idx;

  @BeforeAll
  static void data() throws Exception {
    idx = Data.idx(IdxFolders.write(dir.resolve("idx")));
  }

  private static Training run(int frozen) {
    return new NetworkRecipe(NetSpec.parse(NET), null, null, null, null, false)
        .start(idx, Loss.XENT, NetworkRecipe.outputOf(Loss.XENT), 3)
        .optimizer(Optimizer.adamw(0.01f, 0.1f)).batchSize(48).epochs(1).freeze(frozen);
  }

  @Test
  void frozenLayersKeepTheirBitsWhileTheOthersChangeOnEveryBackend() {
    for (int frozen : new int[] {1, 3, 4}) { // inside the stages, just past them, all but the head
      Training t = run(frozen);
      List<Layer> before = t.initial().layers();
      Network reference = t.device(dev.cltrain.Devices.reference()).run().model().network();
      for (int l = 0; l < before.size(); l++) {
        boolean same = sameParameters(before.get(l), reference.layers().get(l));
        if (l < frozen || before.get(l).parameterCount() == 0) {
          assertTrue(same, "freeze " + frozen + ": layer " + l + " (" + before.get(l).spec() + ") kept its bits");
        } else {
          assertFalse(same, "freeze " + frozen + ": layer " + l + " (" + before.get(l).spec() + ") trained");
        }
      }
      for (Device d : Backends.others()) {
        Network trained = t.device(d).run().model().network();
        for (int l = 0; l < before.size(); l++) {
          assertTrue(sameParameters(reference.layers().get(l), trained.layers().get(l)),
              d.id() + ", freeze " + frozen + ": layer " + l + " has the reference's bits");
        }
      }
    }
  }

  @Test
  void freezingTheFirstLayerEqualsTrainingTheSecondAloneOnItsOutputs() {
    NumpyRandom random = new NumpyRandom(11);
    float[][] x = new float[60][4];
    int[] labels = new int[60];
    for (int r = 0; r < x.length; r++) {
      x[r] = random.randnFloats(4);
      labels[r] = (x[r][0] + x[r][1] > 0 ? 1 : 0) + (x[r][2] > 0.5f ? 1 : 0);
    }
    Network net = Network.builder(4, 6, 3).hidden(Activation.RELU).loss(Loss.XENT).seed(2).build();
    Network frozen = Training.of(net, Data.classes(x, labels, 3)).optimizer(Optimizer.adam(0.01f)).batchSize(20)
        .epochs(3).seed(5).freeze(1).device(Devices.reference()).run().model().network();
    Dense first = net.dense().get(0);
    float[][] features = Model.of(new Network(Loss.MSE, List.of(first))).predict(x); // relu(x·W + b), as trained
    Network tail = Training.of(new Network(Loss.XENT, List.of(net.dense().get(1))), Data.classes(features, labels, 3))
        .optimizer(Optimizer.adam(0.01f)).batchSize(20).epochs(3).seed(5).device(Devices.reference()).run().model()
        .network();
    assertArrayEquals(tail.dense().get(0).weights(), frozen.dense().get(1).weights(), "the head's weights");
    assertArrayEquals(tail.dense().get(0).bias(), frozen.dense().get(1).bias(), "the head's biases");
    assertArrayEquals(first.weights(), frozen.dense().get(0).weights(), "the frozen layer's weights");
  }

  @Test
  void aNewHeadIsAFreshGlorotNormalLayerOfKOutputsFromTheSeed() {
    Network pretrained = Network.builder(4, 8, 3).hidden(Activation.RELU).loss(Loss.XENT).seed(1).build()
        .withClassNames(List.of("a", "b", "c"));
    Network tuned = pretrained.withNewHead(5, 7);
    assertEquals(2, tuned.dense().size());
    assertSame(pretrained.layers().get(0), tuned.layers().get(0), "the layers below the head are kept");
    Dense head = tuned.dense().get(1);
    assertEquals(8, head.inputs());
    assertEquals(5, head.outputs());
    assertEquals(Activation.SOFTMAX, head.activation(), "xent's output activation");
    float[] draws = new NumpyRandom(7).randnFloats(8 * 5);
    double scale = Math.sqrt(2.0 / (8 + 5));
    for (int i = 0; i < draws.length; i++) {
      assertEquals((float) (draws[i] * scale), head.weights()[i], 0.0f, "weight " + i + ": randn × sqrt(2/13)");
    }
    assertArrayEquals(new float[5], head.bias(), 0.0f, "biases start at zero");
    assertNull(tuned.classNames(), "the old classes' names are dropped");
    assertEquals(Loss.XENT, tuned.loss());
    assertEquals("newHead", assertThrows(InputException.class, () -> pretrained.withNewHead(0, 0)).parameter());
  }

  @Test
  void aFreezePastTheLastLayerOrOfEveryParameterisedLayerIsRefusedNamingFreeze() {
    for (int frozen : new int[] {5, 6, 40, -1}) { // 5 layers: freezing 5 leaves nothing to train
      InputException e = assertThrows(InputException.class, () -> run(frozen));
      assertEquals("freeze", e.parameter(), e.getMessage());
      assertTrue(frozen < 0 || e.getMessage().contains("freeze at most 4"), e.getMessage());
    }
  }

  @Test
  void theFactsKeepFreezeAndNewHeadInTheModelJsonAndOnnxMetadata() {
    TrainingFacts facts = new TrainingFacts("d", "10x4", 3, 0.5f, null, 2, 5);
    assertEquals(facts, TrainingFacts.fromNode(facts.toNode()), "model JSON");
    assertEquals(facts, TrainingFacts.fromMetadata(facts.toMetadata()), "ONNX metadata");
    TrainingFacts plain = new TrainingFacts("d", "10x4", 3, 0.5f);
    assertFalse(plain.toNode().has("freeze") || plain.toNode().has("newHead"), "written only when used");
    assertEquals(0, TrainingFacts.fromNode(plain.toNode()).freeze());
  }

  private static boolean sameParameters(Layer a, Layer b) {
    List<float[]> pa = a.parameters();
    List<float[]> pb = b.parameters();
    for (int i = 0; i < pa.size(); i++) {
      if (!java.util.Arrays.equals(pa.get(i), pb.get(i))) {
        return false;
      }
    }
    return pa.size() == pb.size();
  }
}
