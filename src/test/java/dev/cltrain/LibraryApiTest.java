package dev.cltrain;

import dev.cltrain.core.DeviceException;
import dev.cltrain.core.DivergedException;
import dev.cltrain.core.InputException;
import dev.cltrain.device.Device;
import dev.cltrain.device.DeviceChoice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Optimizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public API as a Java program uses it: data from arrays, a network in code, training, a model's use. */
class LibraryApiTest {
  private static final float[][] XOR_IN = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};

  @TempDir
  Path dir;

  @Test
  void xorTrainsOnTheReferenceSavesLoadsAndPredictsTheSameBits() {
    TrainingData xor = Data.of(XOR_IN, new float[] {0, 1, 1, 0});
    TrainingResult result = Training.of(Network.builder(2, 4, 1).seed(0).build(), xor)
        .optimizer(Optimizer.sgd(2f)).epochs(3000).device(Devices.reference()).finalOutputs(true).run();
    assertTrue(result.completed());
    assertEquals(3000, result.epochsRun());
    assertTrue(result.device().isReference());
    assertTrue(result.train().loss() < 0.01f, "XOR learned: loss " + result.train().loss());
    Path file = dir.resolve("xor.json");
    result.model().save(file);
    Model loaded = Model.load(file);
    float[][] predicted = loaded.predict(XOR_IN);
    for (int r = 0; r < 4; r++) {
      // the saved model predicts exactly the outputs training computed for the final weights
      assertEquals(Float.floatToIntBits(result.train().outputs()[r]), Float.floatToIntBits(predicted[r][0]), "row " + r);
      assertEquals(Float.floatToIntBits(predicted[r][0]), Float.floatToIntBits(loaded.predict(XOR_IN[r])[0]), "one row");
    }
    assertEquals(List.of(0, 1, 1, 0), List.of(loaded.predictClass(0, 0), loaded.predictClass(0, 1),
        loaded.predictClass(1, 0), loaded.predictClass(1, 1)));
  }

  @Test
  void aListenerHearsEveryEpochWithHeldOutFiguresAndCanStopTraining() {
    float[][] x = new float[60][];
    int[] labels = new int[60];
    for (int i = 0; i < 60; i++) {
      x[i] = new float[] {i % 3, (i * 7) % 5, i % 2};
      labels[i] = i % 3;
    }
    TrainingData data = Data.classes(x, labels, 3).withValidation(0.25, 1);
    Network net = Network.builder(3, 8, 3).hidden(Activation.RELU).loss(Loss.XENT).seed(2).build();
    List<EpochReport> heard = new ArrayList<>();
    TrainingResult result = Training.of(net, data).optimizer(Optimizer.adam(0.01f)).batchSize(16).epochs(50)
        .device(Devices.reference()).listener(report -> {
          heard.add(report);
          return report.epoch() < 4; // stop after epoch 4
        }).run();
    assertEquals(5, heard.size(), "epochs 0..4 heard");
    assertFalse(result.completed());
    assertEquals(4, result.stop().epoch());
    assertEquals(5, result.epochsRun());
    for (EpochReport r : heard) {
      assertTrue(r.measured() && Float.isFinite(r.loss()) && r.accuracy() >= 0 && r.accuracy() <= 1, r.toString());
      assertTrue(r.heldOut().containsKey("Validation"), "the validation split is evaluated: " + r);
    }
    assertNull(result.train(), "no final evaluation after a stop");
  }

  @Test
  void anExplicitDeviceThatIsMissingIsADeviceExceptionAndBadSpecsAreInputExceptions() {
    assertThrows(InputException.class, () -> Devices.choose("banana"));
    assertThrows(DeviceException.class, () -> Devices.choose("cl:9:9"));
    DeviceChoice reference = Devices.choose("reference");
    assertTrue(reference.device().isReference() && !reference.auto());
    assertThrows(InputException.class, () -> Data.of(new float[][] {{1, 2}, {3}}, new float[] {0, 1}));
    assertThrows(InputException.class, () -> Data.classes(XOR_IN, new int[] {0, 1, 2, 0}, 2));
    assertThrows(InputException.class, () -> Training.of(Network.builder(3, 1).build(), Data.builtin("xor")));
  }

  @Test
  void aDivergingRunIsADivergedExceptionNamingTheEpoch() {
    TrainingData xor = Data.builtin("xor");
    // an identity output under MSE with a step of 1e30: the first update overflows the weights to infinity
    // (a sigmoid output could saturate instead and leave a finite loss)
    Network net = Network.builder(2, 4, 1).hidden(Activation.RELU).output(Activation.IDENTITY).loss(Loss.MSE).seed(0)
        .build();
    DivergedException e = assertThrows(DivergedException.class, () -> Training.of(net, xor)
        .optimizer(Optimizer.sgd(1e30f)).epochs(100).device(Devices.reference()).run());
    assertTrue(e.getMessage().contains("diverged") && e.epoch() >= 0, e.getMessage());
  }

  @Test
  void everyOpenClDeviceTrainsTheSameBitsAsTheReferenceAndVerifyReportsIt() {
    TrainingData xor = Data.builtin("xor");
    Network start = Network.builder(2, 4, 1).hidden(Activation.TANH).seed(3).build();
    for (Device device : dev.cltrain.testing.Backends.others()) {
      TrainingResult r = Training.of(start, xor).optimizer(Optimizer.momentum(0.1f, 0.9f)).epochs(200)
          .device(device).verify(true).run();
      assertEquals(device.id(), r.device().id());
      assertEquals(0f, r.verification().weightDifference(), device.id() + ": bit for bit the reference's weights");
      assertTrue(r.verification().pass());
    }
  }

  @Test
  void aModelPredictsOnADeviceAsOnTheReference() throws Exception {
    Network net = Network.builder(4, 6, 3).hidden(Activation.SIGMOID).loss(Loss.XENT).seed(5).build();
    Model model = Model.of(net);
    float[][] rows = {{1, 2, 3, 4}, {0, 0, 0, 0}, {-1, 0.5f, 2, 9}};
    float[][] expected = model.predict(rows);
    for (Device device : Devices.openCl()) {
      Model.Predictions p = model.predict(rows, DeviceChoice.of(device));
      assertEquals(device.id(), p.device().id());
      for (int r = 0; r < rows.length; r++) {
        assertArrayEquals(expected[r], p.outputs()[r], device.id() + " row " + r);
      }
    }
    Path file = dir.resolve("m.json");
    model.save(file);
    assertEquals(model.network(), Model.load(file).network(), "a saved model reads back equal, weights bit for bit");
    assertTrue(Files.readString(file).contains("\"format\""), "model JSON");
  }
}
