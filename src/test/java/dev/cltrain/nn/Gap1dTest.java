package dev.cltrain.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cltrain.Model;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code gap1d}: on a sequence T×1×F, each feature's mean over the T steps (the gap layer, read on a sequence). */
class Gap1dTest {
  @Test
  void gap1dIsEachFeaturesMeanOverTheSteps() {
    Shape sequence = new Shape(3, 1, 2); // T = 3 steps of F = 2 features, step-major
    Network parsed = NetSpec.parse("gap1d,dense:2").build(sequence, 2, Loss.MSE, Activation.IDENTITY, null,
        new NumpyRandom(0), 0);
    assertEquals(new GlobalPool(sequence), parsed.layers().get(0));
    assertEquals(new Shape(1, 1, 2), parsed.layers().get(0).output());
    Network net = new Network(Loss.MSE, List.of(new GlobalPool(sequence),
        new Dense(2, 2, Activation.IDENTITY, new float[] {1, 0, 0, 1}, new float[2])));
    float[] out = Model.of(net).predict(1, 10, 2, 20, 6, 60);
    assertArrayEquals(new float[] {3, 30}, out, 0f, "(1 + 2 + 6) / 3 and (10 + 20 + 60) / 3, exact in float");
  }
}
