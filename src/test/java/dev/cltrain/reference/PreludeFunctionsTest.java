package dev.cltrain.reference;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * exp_cl and tanh_cl (prelude.cl, mirrored by ReferenceKernels.expCl and tanhCl) against Java's double
 * Math.exp and Math.tanh: they must be accurate as well as reproducible. Measured worst cases over this
 * sweep: 0.99 ulp for exp, 1.33 ulp for tanh; the bounds below leave a little room.
 */
class PreludeFunctionsTest {
  private static final double EXP_MAX_ULPS = 1.0;
  private static final double TANH_MAX_ULPS = 1.5;

  private static double ulps(float actual, double exact) {
    return Math.abs(actual - exact) / Math.ulp((float) exact);
  }

  @Test
  void expClIsWithinOneUlpOfTheTrueExponentialAcrossTheFloatRange() {
    Random random = new Random(11);
    double worst = 0;
    for (int i = 0; i < 2_000_000; i++) {
      float x = i % 2 == 0 ? (float) (-87.3 + 176 * random.nextDouble()) : (float) (-1 + 2 * random.nextDouble());
      worst = Math.max(worst, ulps(ReferenceKernels.expCl(x), Math.exp(x)));
    }
    assertTrue(worst <= EXP_MAX_ULPS, "worst " + worst + " ulp");
  }

  @Test
  void tanhClIsWithinOneAndAHalfUlpOfTheTrueTanh() {
    Random random = new Random(12);
    double worst = 0;
    for (int i = 0; i < 2_000_000; i++) {
      float x = i % 2 == 0 ? (float) (-10 + 20 * random.nextDouble()) : (float) (-0.7 + 1.4 * random.nextDouble());
      worst = Math.max(worst, ulps(ReferenceKernels.tanhCl(x), Math.tanh(x)));
    }
    assertTrue(worst <= TANH_MAX_ULPS, "worst " + worst + " ulp");
  }

  @Test
  void expClHandlesItsEdges() {
    assertEquals(1.0f, ReferenceKernels.expCl(0f), 0f);
    assertEquals(Float.POSITIVE_INFINITY, ReferenceKernels.expCl(89f), 0f);
    assertEquals(0f, ReferenceKernels.expCl(-88f), 0f, "no subnormal results");
    assertEquals(0f, ReferenceKernels.expCl(Float.NEGATIVE_INFINITY), 0f);
    assertTrue(ReferenceKernels.expCl(88.7f) < Float.POSITIVE_INFINITY);
  }

  @Test
  void tanhClIsOddAndSaturates() {
    assertEquals(1f, ReferenceKernels.tanhCl(20f), 0f);
    assertEquals(-1f, ReferenceKernels.tanhCl(-20f), 0f);
    assertEquals(0f, ReferenceKernels.tanhCl(0f), 0f);
    for (float x : new float[] {0.1f, 0.6f, 0.7f, 3f}) {
      assertEquals(-ReferenceKernels.tanhCl(x), ReferenceKernels.tanhCl(-x), 0f, "odd at " + x);
    }
  }
}
