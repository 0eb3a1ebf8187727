package dev.cltrain;

import dev.cltrain.core.InputException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.data.DataSet;
import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Optimizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library side of early stopping and learning-rate schedules (Training.earlyStopping, Training.schedule). */
class ScheduleEarlyStopApiTest {
  private static final float[] X = {0, 0, 0, 1, 1, 0, 1, 1};

  @TempDir
  Path dir;

  /** XOR to train on; the inverse of XOR as the validation split, so its loss rises as XOR is learned. */
  private static TrainingData xorWithRisingValidation() {
    DataSet train = new DataSet("xor", 4, 2, 1, X.clone(), new float[] {0, 1, 1, 0});
    DataSet inverse = new DataSet("inverse", 4, 2, 1, X.clone(), new float[] {1, 0, 0, 1});
    return new TrainingData(train, null, inverse, 1f, 0);
  }

  @Test
  void ratesFollowTheFormulas() {
    LearningRateSchedule step = LearningRateSchedule.parse("step:10:0.5", 0);
    assertEquals(0.1f, step.rate(0.1f, 9, 100));
    assertEquals(0.05f, step.rate(0.1f, 10, 100));
    assertEquals(0.025f, step.rate(0.1f, 25, 100));
    LearningRateSchedule warm = LearningRateSchedule.parse("cosine", 4);
    assertEquals(0.025f, warm.rate(0.1f, 0, 104));
    assertEquals(0.1f, warm.rate(0.1f, 3, 104));
    assertEquals(0.1f, warm.rate(0.1f, 4, 104));
    assertEquals(0.05f, warm.rate(0.1f, 54, 104), 1e-7f);
    assertEquals((float) ((double) 0.1f * StrictMath.pow(0.9, 3)), LearningRateSchedule.parse("exponential:0.9", 0).rate(0.1f, 3, 10));
    assertEquals("step:10:0.5", step.id());
    assertTrue(LearningRateSchedule.parse(null, 0).isConstant());
    assertThrows(InputException.class, () -> LearningRateSchedule.parse("exponential:-1", 0));
  }

  @Test
  void earlyStoppingStopsOnARisingValidationLossAndWritesTheBestModel() {
    Path best = dir.resolve("best.json");
    Network net = Network.builder(2, 4, 1).seed(0).build();
    TrainingResult result;
    EarlyStopping.Outcome outcome;
    try (TrainingRun run = Training.of(net, xorWithRisingValidation()).optimizer(Optimizer.sgd(2f)).epochs(3000)
        .device(Devices.reference()).earlyStopping(new EarlyStopping(20, "val_loss", best)).open()) {
      result = run.run();
      outcome = run.earlyStopping();
    }
    assertTrue(result.completed(), "an early stop ends like a finished run (final evaluation)");
    assertTrue(outcome.stopped(), outcome.toString());
    assertEquals(outcome.bestEpoch() + 20, outcome.lastEpoch());
    assertEquals(outcome.lastEpoch() + 1, result.epochsRun());
    assertTrue(Files.exists(best));
    assertFalse(Model.load(best).toJson().equals(result.model().toJson()), "the best epoch's weights, not the last's");
  }

  @Test
  void aCosineRunStoppedAndResumedEqualsTheUninterruptedOne() {
    LearningRateSchedule cosine = LearningRateSchedule.parse("cosine", 3);
    Network net = Network.builder(2, 4, 1).seed(1).build();
    TrainingData xor = Data.of(new float[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, new float[] {0, 1, 1, 0});
    Training training = Training.of(net, xor).optimizer(Optimizer.momentum(0.5f, 0.9f)).epochs(40).schedule(cosine)
        .device(Devices.reference());
    TrainingResult whole = training.run();
    Path checkpoint = dir.resolve("c.json");
    TrainingResult first = training.checkpoint(checkpoint, 1000, new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()).listener(r -> r.epoch() < 17).run();
    assertFalse(first.completed());
    TrainingResult rest = training.resume(Checkpoint.read(checkpoint).state()).run();
    assertEquals(whole.model().toJson(), rest.model().toJson());
    TrainingResult constant = Training.of(net, xor).optimizer(Optimizer.momentum(0.5f, 0.9f)).epochs(40)
        .device(Devices.reference()).run();
    assertFalse(constant.model().toJson().equals(whole.model().toJson()), "the schedule changes the training");
    assertArrayEquals(whole.model().toJson().getBytes(), rest.model().toJson().getBytes());
  }
}
