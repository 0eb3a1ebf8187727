package dev.cltrain.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cltrain.testing.Tolerances;
import org.junit.jupiter.api.Test;

/**
 * NumpyRandom against NumPy. Expected values printed by
 * python3 -c "import numpy as np; np.random.seed(0); print(np.random.randn(10).tolist())" (NumPy 2.4.6),
 * and the same with seed 123 and 3 draws.
 */
class NumpyRandomTest {
  @Test
  void seedZeroGivesNumpysFirstTenGaussians() {
    double[] numpy = {1.764052345967664, 0.4001572083672233, 0.9787379841057392, 2.240893199201458,
        1.8675579901499675, -0.977277879876411, 0.9500884175255894, -0.1513572082976979, -0.10321885179355784,
        0.41059850193837233};
    NumpyRandom random = new NumpyRandom(0);
    double[] ours = new double[numpy.length];
    for (int i = 0; i < ours.length; i++) {
      ours[i] = random.randn();
    }
    assertArrayEquals(numpy, ours, 0.0, "bit-for-bit equal doubles");
  }

  @Test
  void seed123GivesNumpysGaussians() {
    NumpyRandom random = new NumpyRandom(123);
    assertEquals(-1.0856306033005612, random.randn(), 0.0);
    assertEquals(0.9973454465835858, random.randn(), 0.0);
    assertEquals(0.28297849805199204, random.randn(), 0.0);
  }

  @Test
  void seedProgramStartsFromNumpysWeightsRoundedToFloat() {
    Network net = Network.initNormal(new int[] {2, 1}, 0);
    Dense layer = net.dense().get(0);
    // np.random.seed(0); weights = np.random.randn(2, 1); bias = np.random.randn(1)
    assertEquals(1.764052345967664, layer.weights()[0], 1.764052345967664 * Tolerances.NUMPY_FLOAT_RTOL);
    assertEquals(0.4001572083672233, layer.weights()[1], 0.4001572083672233 * Tolerances.NUMPY_FLOAT_RTOL);
    assertEquals(0.9787379841057392, layer.bias()[0], 0.9787379841057392 * Tolerances.NUMPY_FLOAT_RTOL);
  }

  @Test
  void layersDrawWeightsThenBiasInOrder() {
    Network net = Network.initNormal(new int[] {2, 2, 1}, 0);
    NumpyRandom random = new NumpyRandom(0);
    float[] expected = random.randnFloats(4 + 2 + 2 + 1);
    float[] drawn = new float[9];
    System.arraycopy(net.dense().get(0).weights(), 0, drawn, 0, 4);
    System.arraycopy(net.dense().get(0).bias(), 0, drawn, 4, 2);
    System.arraycopy(net.dense().get(1).weights(), 0, drawn, 6, 2);
    System.arraycopy(net.dense().get(1).bias(), 0, drawn, 8, 1);
    assertArrayEquals(expected, drawn, 0f);
  }

  /**
   * np.random.permutation, used for the mini-batch order and the validation split:
   * python3 -c "import numpy as np; np.random.seed(5); print(np.random.permutation(10).tolist());
   *   np.random.seed(5); np.random.randn(3); print(np.random.permutation(7).tolist(), np.random.randn())"
   */
  @Test
  void permutationMatchesNumpyIncludingAfterGaussianDraws() {
    assertArrayEquals(new int[] {9, 5, 2, 4, 7, 1, 0, 8, 6, 3}, new NumpyRandom(5).permutation(10));
    NumpyRandom random = new NumpyRandom(5);
    random.randn();
    random.randn();
    random.randn();
    assertArrayEquals(new int[] {2, 1, 4, 6, 5, 0, 3}, random.permutation(7));
    assertEquals(-0.2520921296030769, random.randn(), 0.0, "the cached second Gaussian survives the shuffle");
  }

  @Test
  void aCopyDrawsWhatTheOriginalDraws() {
    NumpyRandom random = new NumpyRandom(9);
    random.randn();
    NumpyRandom copy = random.copy();
    assertArrayEquals(random.permutation(50), copy.permutation(50));
    assertEquals(random.randn(), copy.randn(), 0.0);
  }
}
