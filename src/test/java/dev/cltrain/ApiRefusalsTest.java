package dev.cltrain;

import dev.cltrain.core.InputException;
import dev.cltrain.device.Device;
import dev.cltrain.device.DeviceChoice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Optimizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad values given to the library are refused by the call they are given to, with an {@link InputException} of
 * one line that names the value, never later (at training time) and never as another exception; and a
 * {@link TrainingRun} trains once.
 */
class ApiRefusalsTest {
  private static final TrainingData XOR = Data.builtin("xor");

  /** The call throws an InputException of one line containing {@code words}. */
  private static void refused(String words, Executable call) {
    InputException e = assertThrows(InputException.class, call);
    assertTrue(e.getMessage().contains(words), "'" + words + "' in: " + e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void generatedDataOfNoRowsOrABadSeedIsRefusedWhereItIsAsked() {
    refused("Data.generated(0, 4, 3, 1): needs at least 1 row", () -> Data.generated(0, 4, 3, 1));
    refused("needs at least 1 row, 1 input and 2 classes", () -> Data.generated(10, 4, 1, 1));
    refused("the seed must be between 0 and 4294967295, got -1", () -> Data.generated(10, 4, 3, -1));
    refused("need 5368709120 bytes", () -> Data.generated(1 << 20, 1270, 10, 0));
  }

  @Test
  void hugeOrBadWidthsAndScalesAreRefusedByTheBuilder() {
    refused("widths 65536 and 32768 make 2147483648 weights in one layer", () -> Network.builder(65536, 32768, 2));
    refused("the input scale must be positive and finite, got 0.0", () -> Network.builder(2, 1).inputScale(0));
    refused("the input scale must be positive and finite, got NaN",
        () -> Network.builder(2, 1).build().withInputScale(Float.NaN));
    refused("the loss is null", () -> Network.builder(2, 1).loss(null));
  }

  @Test
  void badOptimizerHyperParametersAreRefusedWhenTheOptimizerIsMade() {
    refused("the learning rate (learningRate) must be a positive finite number, got -1.0", () -> Optimizer.sgd(-1f));
    refused("got NaN", () -> Optimizer.adam(Float.NaN));
    refused("the momentum (momentum) must be in [0, 1), got 1.0", () -> Optimizer.momentum(0.1f, 1f));
    refused("the weight decay (weightDecay) must be a finite number at least 0, got -0.5",
        () -> Optimizer.sgd(0.1f).withWeightDecay(-0.5f));
  }

  @Test
  void badDataIsRefusedByTheCallThatMakesIt() {
    float[][] x = {{1, 2}, {3, 4}};
    refused("classification needs 2 to 65536 classes, got 2147483647",
        () -> Data.classes(x, new int[] {0, 1}, Integer.MAX_VALUE));
    refused("inputs row 1 is null", () -> Data.of(new float[][] {{1}, null}, new float[][] {{0}, {1}}));
    refused("the targets is null", () -> Data.of(x, (float[][]) null));
    refused("the CSV file is null", () -> Data.csv(null, 1));
    refused("the model file is null", () -> Model.load(null));
    refused("the network is null", () -> Model.of(null));
    refused("the validation split's seed must be between 0 and 4294967295, got -1", () -> XOR.withValidation(0.5, -1));
  }

  @Test
  void aTrainingRefusesItsBadSettingsAtTheSetter() {
    Training t = Training.of(Network.builder(2, 4, 1).build(), XOR);
    refused("the optimizer is null", () -> t.optimizer(null));
    refused("monitor val_loss needs a validation split", () -> t.earlyStopping(new EarlyStopping(2, "val_loss", null)));
    refused("the network expects inputs scaled by 0.5 but the data (xor) is scaled by 1.0",
        () -> Training.of(Network.builder(2, 4, 1).inputScale(0.5f).build(), XOR));
  }

  @Test
  void badDeviceSharesAndMissingMonitorsAreRefusedWhenGiven() {
    java.util.List<Device> two = java.util.List.of(Devices.reference(), Devices.reference());
    refused("share 2 of a batch's rows is 0, not a whole number from 1 to 1000000",
        () -> DeviceChoice.parallel(two, new int[] {1, 0}, "test"));
    refused("the device list is empty", () -> DeviceChoice.parallel(java.util.List.of(), null, "test"));
    refused("the monitored figure is null", () -> new EarlyStopping(1, null, null));
  }

  @Test
  void aRunTrainsOnceAndASecondRunIsRefused() {
    Training t = Training.of(Network.builder(2, 4, 1).seed(0).build(), XOR).epochs(20).device(Devices.reference());
    try (TrainingRun run = t.open()) {
      TrainingResult first = run.run();
      assertEquals(20, first.epochsRun());
      refused("this TrainingRun has already run (it trains once)", run::run);
      run.close();
      refused("this TrainingRun has been closed", run::run);
    }
  }
}
