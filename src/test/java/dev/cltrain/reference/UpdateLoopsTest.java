package dev.cltrain.reference;

import dev.cltrain.backend.AdamConstants;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Vector API optimizer loops must give the plain loops' bits exactly, flushed moments included, at lengths
 * around the vector width (the scalar tail) and on inputs that reach the flush from both signs.
 */
class UpdateLoopsTest {
  @Test
  void theTestJvmRunsTheVectorLoops() {
    assertTrue(UpdateLoops.best().describe().startsWith("Vector API"), UpdateLoops.best().describe());
  }

  /**
   * {@code -Dcltrain.plainMatmul=true} ({@code CLTRAIN_PLAIN_JAVA=1}) chooses the plain loops of every family the
   * reference loads, the updates and convolutions as the products (before, only the products and convolutions).
   */
  @Test
  void thePlainPropertyChoosesThePlainLoopsOfEveryFamily() {
    String before = System.getProperty(MatmulRows.PLAIN_PROPERTY);
    try {
      System.clearProperty(MatmulRows.PLAIN_PROPERTY);
      assertNotSame(UpdateLoops.plain(), MatmulRows.vectorLoops(UpdateLoops.class, "VectorUpdate", UpdateLoops.plain()));
      assertNotSame(ConvLoops.plain(), MatmulRows.vectorLoops(ConvLoops.class, "VectorConv", ConvLoops.plain()));
      System.setProperty(MatmulRows.PLAIN_PROPERTY, "true");
      assertSame(UpdateLoops.plain(), MatmulRows.vectorLoops(UpdateLoops.class, "VectorUpdate", UpdateLoops.plain()));
      assertSame(ConvLoops.plain(), MatmulRows.vectorLoops(ConvLoops.class, "VectorConv", ConvLoops.plain()));
    } finally {
      if (before == null) {
        System.clearProperty(MatmulRows.PLAIN_PROPERTY);
      } else {
        System.setProperty(MatmulRows.PLAIN_PROPERTY, before);
      }
    }
  }

  @Test
  void vectorLoopsEqualThePlainLoopsBitForBit() {
    UpdateLoops plain = UpdateLoops.plain();
    UpdateLoops best = UpdateLoops.best();
    for (int count : new int[] {1, 7, 15, 16, 17, 33, 1000, 4099}) {
      for (float decay : new float[] {0f, 0.01f}) {
        float[] dw = values(count, 1, true);
        float[] w = values(count, 2, false);
        float[] m = values(count, 3, true);
        float[] v = values(count, 4, false);
        for (int i = 0; i < count; i += 3) {
          dw[i] = 0;
          m[i] = (i % 2 == 0 ? 1.05f : -1.05f) * Float.MIN_NORMAL;
          v[i] = i % 9 == 0 ? -0f : Float.MIN_NORMAL;
        }
        float[][] a = copies(dw, m, v, w);
        float[][] b = copies(dw, m, v, w);
        plain.adam(0, count, 0.01f, AdamConstants.DEFAULT, decay, 0.271f, 0.00299f, a[0], a[1], a[2], a[3]);
        best.adam(0, count, 0.01f, AdamConstants.DEFAULT, decay, 0.271f, 0.00299f, b[0], b[1], b[2], b[3]);
        sameBits("adam " + count + " λ " + decay, a, b);
        a = copies(dw, m, v, w);
        b = copies(dw, m, v, w);
        plain.momentum(0, count, 0.1f, 0.9f, decay, a[0], a[1], a[3]);
        best.momentum(0, count, 0.1f, 0.9f, decay, b[0], b[1], b[3]);
        sameBits("momentum " + count + " λ " + decay, a, b);
      }
    }
  }

  @Test
  void referenceStepsSplitAcrossThreadsEqualOnePlainPassBitForBit() {
    // ReferenceKernels splits long arrays (>= 32768 elements) into parts over threads: the same bits as one pass
    ReferenceKernels reference = new ReferenceKernels();
    UpdateLoops plain = UpdateLoops.plain();
    int count = 70001;
    float[] dw = values(count, 5, true);
    float[] w = values(count, 6, false);
    float[] m = values(count, 7, true);
    float[] v = values(count, 8, false);
    float[][] a = copies(dw, m, v, w);
    float[][] b = copies(dw, m, v, w);
    plain.adam(0, count, 0.01f, AdamConstants.DEFAULT, 0.01f, 0.271f, 0.00299f, a[0], a[1], a[2], a[3]);
    reference.adamUpdate(count, 0.01f, AdamConstants.DEFAULT, 0.01f, 0.271f, 0.00299f, b[0], b[1], b[2], b[3]);
    sameBits("adam over threads", a, b);
    a = copies(dw, m, v, w);
    b = copies(dw, m, v, w);
    plain.momentum(0, count, 0.1f, 0.9f, 0.01f, a[0], a[1], a[3]);
    reference.momentumUpdate(count, 0.1f, 0.9f, 0.01f, b[0], b[1], b[3]);
    sameBits("momentum over threads", a, b);
    float[] z = values(count, 9, true);
    float[] bias = values(7, 10, true);
    float[] expected = new float[count / 7 * 7];
    float[] actual = new float[expected.length];
    for (int i = 0; i < expected.length; i++) {
      expected[i] = ReferenceKernels.activate(1, z[i] + bias[i % 7]);
    }
    reference.biasActivation(count / 7, 7, 1, z, bias, actual);
    sameBits("bias_activation over threads", new float[][] {expected}, new float[][] {actual});
  }

  private static void sameBits(String what, float[][] expected, float[][] actual) {
    for (int j = 0; j < expected.length; j++) {
      for (int i = 0; i < expected[j].length; i++) {
        assertEquals(Float.floatToRawIntBits(expected[j][i]), Float.floatToRawIntBits(actual[j][i]),
            what + ": array " + j + " element " + i + ": plain " + expected[j][i] + ", vector " + actual[j][i]);
      }
    }
  }

  private static float[][] copies(float[]... arrays) {
    float[][] c = new float[arrays.length][];
    for (int i = 0; i < arrays.length; i++) {
      c[i] = arrays[i].clone();
    }
    return c;
  }

  /** Magnitudes from 1 down to 1e-30 (and a few exact zeros), signed or not. */
  private static float[] values(int count, long seed, boolean signed) {
    Random r = new Random(seed * 31 + count);
    float[] x = new float[count];
    for (int i = 0; i < count; i++) {
      float magnitude = r.nextInt(11) == 0 ? 0f : (float) (r.nextDouble() * Math.pow(10, -r.nextInt(31)));
      x[i] = signed && r.nextBoolean() ? -magnitude : magnitude;
    }
    return x;
  }
}
