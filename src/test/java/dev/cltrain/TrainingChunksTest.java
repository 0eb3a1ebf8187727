package dev.cltrain;

import dev.cltrain.device.Verification;

import dev.cltrain.testing.Backends;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Optimizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A training run whose listener needs only the measured epochs ({@link EpochListener#measuredOnly()}) trains
 * the epochs between events together ({@link Trainer#epochs}: train_small launches for XOR): the measured
 * epochs' reports, the checkpoints, the verification and the final model must be exactly those of the same run
 * heard epoch by epoch, with a learning-rate schedule whose steps fall between the logged epochs.
 */
class TrainingChunksTest {
  static Stream<String> devices() {
    return Backends.all().stream().map(d -> d.id());
  }

  record Run(List<String> reports, Model model, byte[] checkpoint, Verification verification) {}

  static Run run(String device, boolean measuredOnly, Optimizer optimizer, Path dir) throws Exception {
    Network xor = Network.builder(2, 3, 1).hidden(Activation.TANH).loss(Loss.MSE).seed(7).build();
    List<String> reports = new ArrayList<>();
    Path checkpoint = dir.resolve("run-" + measuredOnly + ".ckpt");
    TrainingResult result = Training.of(xor, Data.builtin("xor")).optimizer(optimizer).epochs(95).statsEvery(10)
        .device(Devices.choose(device)).verify(true).checkpoint(checkpoint, 17, null)
        .schedule(LearningRateSchedule.parse("step:15:0.5", 0))
        .listener(new EpochListener() {
          @Override
          public boolean onEpoch(EpochReport report) {
            if (report.measured()) {
              reports.add(report.epoch() + " " + Float.floatToIntBits(report.loss()) + " "
                  + Float.floatToIntBits(report.accuracy()));
            }
            return true;
          }

          @Override
          public boolean measuredOnly() {
            return measuredOnly;
          }
        }).run();
    return new Run(reports, result.model(), Files.readAllBytes(checkpoint), result.verification());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void epochsTrainedTogetherGiveTheSameRun(String device, @TempDir Path dir) throws Exception {
    for (Optimizer optimizer : List.of(Optimizer.sgd(0.5f), Optimizer.adam(0.05f))) {
      Run everyEpoch = run(device, false, optimizer, dir);
      Run together = run(device, true, optimizer, dir);
      assertEquals(10, everyEpoch.reports().size());
      assertEquals(everyEpoch.reports(), together.reports(), "the measured epochs' reports");
      List<Dense> a = everyEpoch.model().network().dense();
      List<Dense> b = together.model().network().dense();
      for (int l = 0; l < a.size(); l++) {
        assertArrayEquals(a.get(l).weights(), b.get(l).weights(), "layer " + l + " weights");
        assertArrayEquals(a.get(l).bias(), b.get(l).bias(), "layer " + l + " biases");
      }
      assertArrayEquals(everyEpoch.checkpoint(), together.checkpoint(), "the last checkpoint, byte for byte");
      assertEquals(0f, together.verification().weightDifference(), "verify: the reference in lockstep");
      assertTrue(together.verification().pass());
    }
  }
}
