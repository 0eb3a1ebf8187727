package dev.cltrain.train;

import dev.cltrain.reference.ReferenceKernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    k.adamUpdate(1, 0.01f, 0.9f, 0.999f, 1e-8f, 0f, 1 - 0.9f, 1 - 0.999f, new float[] {0.5f}, m, v, w);
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
    k.adamUpdate(1, 0.01f, 0.9f, 0.999f, 1e-8f, 0f, c1, c2, new float[] {-0.25f}, m, v, w);
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
}
