package dev.cltrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.AdamW;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.nn.Regularization;
import org.junit.jupiter.api.Test;

/**
 * The library's weightDecay, decayAll, clipNorm and labelSmoothing: they land in the optimizer's
 * {@link Regularization}, and bad values are refused naming the Java parameter.
 */
class TrainingRegularizationTest {
  private static final TrainingData TWO = Data.classes(new float[][] {{0, 1}, {1, 0}, {1, 1}}, new int[] {0, 1, 1}, 2);

  private static Training xent() {
    return Training.of(Network.builder(2, 3, 2).loss(Loss.XENT).seed(1).build(), TWO);
  }

  @Test
  void theBuilderMethodsSetTheOptimizersRegularization() {
    Training t = xent().optimizer(Optimizer.adamw(0.01f, AdamW.DEFAULT_WEIGHT_DECAY)).decayAll(true).clipNorm(2f)
        .labelSmoothing(0.1f).weightDecay(0.05f);
    assertEquals(new Regularization(true, 2f, 0.1f), t.optimizer().regularization());
    assertEquals(0.05f, t.optimizer().weightDecay(), 0f);
    assertEquals("adamw (η 0.01, β1 0.9, β2 0.999, ε 1e-08, decoupled weight decay 0.05, decay all, clip-norm 2.0,"
        + " label smoothing 0.1)", t.optimizer().describe());
    assertEquals(Regularization.NONE, xent().optimizer().regularization(), "nothing applied by default");
  }

  @Test
  void badValuesNameTheirParameter() {
    assertEquals("clipNorm", assertThrows(InputException.class, () -> xent().clipNorm(-1f)).parameter());
    assertEquals("labelSmoothing", assertThrows(InputException.class, () -> xent().labelSmoothing(1f)).parameter());
    assertEquals("decayAll", assertThrows(InputException.class, () -> xent().decayAll(true)).parameter(),
        "sgd without weight decay has nothing to apply to biases");
    Training mse = Training.of(Network.builder(2, 1).seed(1).build(), Data.builtin("xor")).labelSmoothing(0.1f)
        .device(Devices.reference()).epochs(1);
    InputException e = assertThrows(InputException.class, mse::run);
    assertEquals("labelSmoothing", e.parameter());
    assertTrue(e.getMessage().contains("mse"), e.getMessage());
  }
}
