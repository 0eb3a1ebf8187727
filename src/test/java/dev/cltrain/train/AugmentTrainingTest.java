package dev.cltrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.data.DataSet;
import dev.cltrain.device.Trainer;
import dev.cltrain.device.TrainerState;
import dev.cltrain.nn.Augment;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.nn.Shape;
import dev.cltrain.reference.ReferenceDevice;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Augmented training on the reference, a 16-input dense network on 24 images of 4×4×1 (tiny): the augmentation
 * changes training (it is applied), never evaluation; a run stopped mid-epoch and resumed from its state in a new
 * trainer ends with the uninterrupted run's weights, bit for bit (the draws are keyed by epoch and sample, so the
 * resumed epoch sees the same images); the full batch is augmented too.
 */
class AugmentTrainingTest {
  private static final Augment FLIP_CROP = new Augment(true, 1, 5);
  private static final Shape IMAGE = new Shape(4, 4, 1);

  private static Settings settings(int batch, Augment augment) {
    return new Settings(Optimizer.adam(0.01f), batch, new NumpyRandom(1)).augmented(augment, IMAGE);
  }

  private static Backprop<float[], int[]> trainer(Settings settings) {
    return new Backprop<>(ReferenceDevice.INSTANCE.openBackend(false), Network.initNormal(new int[] {16, 6, 3}, 2),
        StopAfterBatchTest.data(24, 16, 3), settings);
  }

  private static void assertSameWeights(String what, Network expected, Network actual) {
    List<float[]> e = dev.cltrain.nn.Parameters.arrays(expected);
    List<float[]> a = dev.cltrain.nn.Parameters.arrays(actual);
    assertEquals(e.size(), a.size(), what);
    for (int i = 0; i < e.size(); i++) {
      assertArrayEquals(e.get(i), a.get(i), 0f, what + ": array " + i + " bit for bit");
    }
  }

  private static boolean sameWeights(Network x, Network y) {
    List<float[]> a = dev.cltrain.nn.Parameters.arrays(x);
    List<float[]> b = dev.cltrain.nn.Parameters.arrays(y);
    for (int i = 0; i < a.size(); i++) {
      if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Test
  void augmentationChangesTrainingButNotEvaluation() {
    DataSet set = StopAfterBatchTest.data(24, 16, 3);
    try (Backprop<float[], int[]> plain = trainer(settings(4, null));
        Backprop<float[], int[]> augmented = trainer(settings(4, FLIP_CROP))) {
      plain.epochs(2, false);
      augmented.epochs(2, false);
      assertFalse(sameWeights(plain.network(), augmented.network()), "augmented training moved other weights");
      try (Backprop<float[], int[]> again = trainer(settings(4, null))) {
        again.restore(augmented.state());
        Trainer.Evaluation e1 = augmented.evaluate(set, true);
        Trainer.Evaluation e2 = again.evaluate(set, true);
        assertArrayEquals(e2.outputs(), e1.outputs(), 0f, "evaluation of the augmented trainer sees the rows as given");
      }
    }
  }

  @Test
  void aRunStoppedMidEpochAndResumedInANewTrainerEndsBitForBitAsTheStraightRun() {
    Network straight;
    try (Backprop<float[], int[]> t = trainer(settings(4, FLIP_CROP))) {
      t.epochs(3, false);
      straight = t.network();
    }
    TrainerState state;
    try (Backprop<float[], int[]> t = trainer(settings(4, FLIP_CROP))) {
      t.epoch(false, null);
      Trainer.EpochStats stats = t.epoch(true, (b, n, loss) -> {
        if (b == 2) {
          t.stopAfterBatch();
        }
      });
      assertFalse(stats.complete(), "stopped in epoch 2");
      state = t.state();
      assertEquals(1, state.epoch(), "one epoch done");
      assertEquals(3, state.batch(), "three batches of epoch 2 done");
    }
    try (Backprop<float[], int[]> t = trainer(settings(4, FLIP_CROP))) {
      t.restore(state);
      assertTrue(t.epoch(false, null).complete(), "the rest of epoch 2");
      t.epoch(false, null);
      assertSameWeights("stopped after 3 batches of epoch 2, resumed", straight, t.network());
    }
  }

  @Test
  void theFullBatchIsAugmentedInTheDataOrderEveryEpoch() {
    try (Backprop<float[], int[]> plain = trainer(settings(0, null));
        Backprop<float[], int[]> augmented = trainer(settings(0, FLIP_CROP));
        Backprop<float[], int[]> again = trainer(settings(0, FLIP_CROP))) {
      plain.epochs(2, false);
      augmented.epochs(2, false);
      again.epoch(false, null);
      again.epoch(false, null);
      assertFalse(sameWeights(plain.network(), augmented.network()), "the full batch was augmented");
      assertSameWeights("epochs(2) and two epoch() calls", augmented.network(), again.network());
      assertTrue(augmented.launchPlan().toString().startsWith("layer by layer (augmentation"), augmented.launchPlan().toString());
    }
  }
}
