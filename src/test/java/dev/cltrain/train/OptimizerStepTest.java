package dev.cltrain.train;

import dev.cltrain.backend.AdamConstants;
import dev.cltrain.reference.ReferenceKernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

/** One optimizer step on hand-computed values (the kernels are held to these through KernelsVsReferenceTest). */
class OptimizerStepTest {
  private final ReferenceKernels k = new ReferenceKernels();

  /** float32 steps of a few operations on values near 1: a few ulps. */
  private static final float STEP_TOLERANCE = 1e-6f;

  @Test
  void momentumStepAddsTheGradientToTheDecayedVelocityAndMovesAgainstIt() {
    // v = 0.9·0.2 + 0.5 = 0.68;  w = 1 − 0.1·0.68 = 0.932
    float[] w = {1f};
    float[] v = {0.2f};
    k.momentumUpdate(1, 0.1f, 0.9f, 0f, new float[] {0.5f}, v, w);
    assertEquals(0.68f, v[0], STEP_TOLERANCE);
    assertEquals(0.932f, w[0], STEP_TOLERANCE);
  }

  @Test
  void firstAdamStepIsAboutTheLearningRateWhateverTheGradientsSize() {
    // t = 1: m = 0.1·0.5 = 0.05, v = 0.001·0.25 = 0.00025; m̂ = 0.05/0.1 = 0.5, v̂ = 0.00025/0.001 = 0.25
    // step = 0.5 / (√0.25 + 1e-8) = 0.99999998;  w = 1 − 0.01·0.99999998 = 0.99
    float[] w = {1f};
    float[] m = {0f};
    float[] v = {0f};
    k.adamUpdate(1, 0.01f, AdamConstants.DEFAULT, 0f, 1 - 0.9f, 1 - 0.999f, new float[] {0.5f}, m, v, w);
    assertEquals(0.05f, m[0], STEP_TOLERANCE);
    // (1 − 0.999f) is 0.00099998713 in float32, 1.3e-5 relative below 0.001: v is 0.00024999678
    assertEquals(0.00025f, v[0], 1e-8f);
    assertEquals(0.99f, w[0], STEP_TOLERANCE);
  }

  @Test
  void secondAdamStepUsesBiasCorrectedMoments() {
    // t = 2 with g = −0.25 after the step above: m = 0.9·0.05 − 0.025 = 0.02, v = 0.999·0.00025 + 0.001·0.0625
    // = 0.00031225; m̂ = 0.02/0.19 = 0.105263, v̂ = 0.00031225/0.001999 = 0.156203; step = 0.105263/0.395225
    // = 0.266337;  w = 0.99 − 0.01·0.266337 = 0.98733663
    float[] w = {0.99f};
    float[] m = {0.05f};
    float[] v = {0.00025f};
    float c1 = (float) (1 - Math.pow(0.9, 2));
    float c2 = (float) (1 - Math.pow(0.999, 2));
    k.adamUpdate(1, 0.01f, AdamConstants.DEFAULT, 0f, c1, c2, new float[] {-0.25f}, m, v, w);
    assertEquals(0.02f, m[0], STEP_TOLERANCE);
    assertEquals(0.00031225f, v[0], 1e-8f);
    assertEquals(0.98733663f, w[0], STEP_TOLERANCE);
  }

  @Test
  void weightDecayAddsLambdaTimesTheWeightToTheGradient() {
    // g = 0.5 + 0.1·2 = 0.7;  w = 2 − 0.1·0.7 = 1.93
    float[] w = {2f};
    k.sgdUpdate(1, 0.1f, 0.1f, new float[] {0.5f}, w);
    assertEquals(1.93f, w[0], STEP_TOLERANCE);
  }

  @Test
  void sgdWithoutWeightDecayIsTheSeedsUpdateToTheLastBit() {
    float[] w = {1.764052345967664f};
    float dw = 0.123456f;
    k.sgdUpdate(1, 0.1f, 0f, new float[] {dw}, w);
    assertEquals(1.764052345967664f - 0.1f * dw, w[0], 0f);
  }

  @Test
  void adamFlushesAFirstMomentThatWouldBecomeSubnormalToPlusZero() {
    // m = 1e-38, g = 0: β1·m = 9e-39 < FLT_MIN (1.18e-38), a subnormal: stored as +0, and the step is 0/(0 + ε) = 0
    float[] m = {1e-38f, -1e-38f};
    float[] v = {0f, 0f};
    float[] ws = {0.75f, -0.5f};
    k.adamUpdate(2, 0.01f, AdamConstants.DEFAULT, 0f, 0.5f, 0.01f, new float[2], m, v, ws);
    assertEquals(0, Float.floatToIntBits(m[0]), "+0, not the subnormal 9e-39");
    assertEquals(0, Float.floatToIntBits(m[1]), "+0, not −9e-39 nor −0");
    assertEquals(0, Float.floatToIntBits(v[0]));
    assertEquals(0.75f, ws[0], 0f);
    assertEquals(-0.5f, ws[1], 0f);
  }

  @Test
  void adamFlushesASecondMomentThatWouldBecomeSubnormal() {
    // v = 1e-38: β2·v = 9.99e-39, subnormal: +0. m = 1e-30 stays normal: β1·m
    float[] m = {1e-30f};
    float[] v = {1e-38f};
    float[] w = {1f};
    k.adamUpdate(1, 0.01f, AdamConstants.DEFAULT, 0f, 0.5f, 0.01f, new float[1], m, v, w);
    assertEquals(0, Float.floatToIntBits(v[0]));
    assertEquals(0.9f * 1e-30f, m[0], 0f);
    // step = (m / 0.5) / (√(0 / 0.01) + ε) = 1.8e-30 / 1e-8
    assertEquals(1f - 0.01f * ((0.9f * 1e-30f / 0.5f) / (0f + 1e-8f)), w[0], 0f);
  }

  @Test
  void momentumFlushesAVelocityThatWouldBecomeSubnormal() {
    float[] velocity = {1e-38f, -1e-38f, 2e-38f};
    float[] w = {1f, 2f, 3f};
    k.momentumUpdate(3, 0.1f, 0.9f, 0f, new float[3], velocity, w);
    assertEquals(0, Float.floatToIntBits(velocity[0]));
    assertEquals(0, Float.floatToIntBits(velocity[1]));
    assertEquals(0.9f * 2e-38f, velocity[2], 0f, "1.8e-38 is normal: kept");
    assertEquals(1f, w[0], 0f);
    assertEquals(3f - 0.1f * (0.9f * 2e-38f), w[2], 0f);
  }

  @Test
  void normalMomentsAreTheFormulasToTheLastBit() {
    // no moment near FLT_MIN: every value is the formula's in float32, bit for bit (g·g = 1e-40 for g = 1e-20
    // is a subnormal intermediate, kept as IEEE has it: only the stored moments are flushed)
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float[] g = {0.5f, -3e-5f, 1e-20f, 0f};
    float[] m0 = {0.01f, 2e-37f, -1e-37f, 0.3f};
    float[] v0 = {0.001f, 1e-9f, 3e-30f, 2e-37f};
    float[] m = m0.clone();
    float[] v = v0.clone();
    float[] w = {1f, 1f, 1f, 1f};
    k.adamUpdate(4, 0.01f, new AdamConstants(beta1, beta2, 1e-8f), 0f, 0.5f, 0.01f, g, m, v, w);
    for (int i = 0; i < 4; i++) {
      float m1 = beta1 * m0[i] + (1.0f - beta1) * g[i];
      float v1 = beta2 * v0[i] + (1.0f - beta2) * (g[i] * g[i]);
      assertEquals(Float.floatToIntBits(m1), Float.floatToIntBits(m[i]), "m " + i);
      assertEquals(Float.floatToIntBits(v1), Float.floatToIntBits(v[i]), "v " + i);
      float step = (m1 / 0.5f) / ((float) Math.sqrt(v1 / 0.01f) + 1e-8f);
      assertEquals(Float.floatToIntBits(1f - 0.01f * step), Float.floatToIntBits(w[i]), "w " + i);
    }
  }

  @Test
  void layeredUpdatesRejectMismatchedOrTooManySlots() {
    float[] a = {1f};
    assertThrows(IllegalArgumentException.class,
        () -> k.sgdUpdateLayers(new int[] {1, 1}, 0.1f, new float[] {0f}, List.of(a, a), List.of(a, a)));
    assertThrows(IllegalArgumentException.class,
        () -> k.sgdUpdateLayers(new int[] {1}, 0.1f, new float[] {0f}, List.of(a), List.of(a, a)));
    int[] nine = new int[9];
    List<float[]> nineArrays = java.util.Collections.nCopies(9, a);
    assertThrows(IllegalArgumentException.class,
        () -> k.sgdUpdateLayers(nine, 0.1f, new float[9], nineArrays, nineArrays));
    assertThrows(IllegalArgumentException.class,
        () -> k.sgdUpdateLayers(new int[] {-1}, 0.1f, new float[] {0f}, List.of(a), List.of(a)));
  }

  @Test
  void adamwDecaysTheWeightFirstThenTakesAdamsStepFromIt() {
    // torch.optim.AdamW's order, t = 1, η 0.01, λ 0.1, w 2, g 0.5: w = 2·(1 − 0.01·0.1) = 1.998; then Adam's
    // step with g = dw (no L2 term): m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25, step = 0.99999998;
    // w = 1.998 − 0.01·0.99999998 = 1.988. Adam with L2 λ = 0.1 would see g = 0.7 and another w.
    float[] w = {2f};
    float[] m = {0f};
    float[] v = {0f};
    k.adamwUpdate(1, 0.01f, AdamConstants.DEFAULT, 0.1f, 1 - 0.9f, 1 - 0.999f, new float[] {0.5f}, m, v, w);
    assertEquals(0.05f, m[0], STEP_TOLERANCE);
    assertEquals(0.00025f, v[0], 1e-8f);
    assertEquals(1.988f, w[0], STEP_TOLERANCE);
  }

  @Test
  void adamwWithoutDecayIsAdamToTheBit() {
    float[] g = {0.5f, -1e-3f, 3f};
    float[][] adam = {{1f, -2f, 0.25f}, {0.01f, 0f, -0.2f}, {0.001f, 0f, 0.04f}};
    float[][] adamw = {adam[0].clone(), adam[1].clone(), adam[2].clone()};
    k.adamUpdate(3, 0.01f, AdamConstants.DEFAULT, 0f, 0.19f, 0.002f, g, adam[1], adam[2], adam[0]);
    k.adamwUpdate(3, 0.01f, AdamConstants.DEFAULT, 0f, 0.19f, 0.002f, g, adamw[1], adamw[2], adamw[0]);
    for (int b = 0; b < 3; b++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(adam[b], adamw[b], 0f, "buffer " + b);
    }
  }
}
