package dev.cltrain.reference;

import dev.cltrain.testing.Trainers;

import dev.cltrain.Trainer;
import dev.cltrain.train.Settings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cltrain.data.Builtins;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Network;
import dev.cltrain.testing.Tolerances;
import org.junit.jupiter.api.Test;

/** The reference kernels on hand-computed cases, and one seed epoch against NumPy. */
class ReferenceKernelsTest {
  private final ReferenceKernels k = new ReferenceKernels();

  @Test
  void matmulOfTwoByThreeAndThreeByFourIsTheEjmlExample() {
    float[] a = {0, 1, 2, 3, 4, 5};
    float[] b = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    float[] c = new float[8];
    k.matmul(2, 4, 3, 1.0f, a, b, c);
    assertArrayEquals(new float[] {20, 23, 26, 29, 56, 68, 80, 92}, c, 0f);
  }

  @Test
  void transposedVariantsReadTheSameProductWithoutATranspose() {
    float[] a = {1, 2, 3, 4, 5, 6}; // (2,3)
    float[] aT = {1, 4, 2, 5, 3, 6}; // (3,2) = aᵀ
    float[] b = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}; // (3,4)
    float[] bT = {1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12}; // (4,3) = bᵀ
    float[] expected = {38, 44, 50, 56, 83, 98, 113, 128};
    float[] c = new float[8];
    k.matmulTransposeA(2, 4, 3, 1.0f, aT, b, c);
    assertArrayEquals(expected, c, 0f);
    k.matmulTransposeB(2, 4, 3, 1.0f, a, bT, c);
    assertArrayEquals(expected, c, 0f);
  }

  @Test
  void sigmoidOfZeroIsOneHalfAndItsDerivativeThereIsOneQuarter() {
    float[] a = new float[1];
    k.biasActivation(1, 1, Activation.SIGMOID.code, new float[] {0}, new float[] {0}, a);
    assertEquals(0.5f, a[0], 0f);
    float[] dz = {1};
    k.activationDelta(1, Activation.SIGMOID.code, a, dz);
    assertEquals(0.25f, dz[0], 0f);
  }

  @Test
  void mseLossIsTheMeanOfHalfSquaredErrors() {
    float[] loss = new float[2];
    k.mseLoss(4, 1, new float[] {0, 1, 0.5f, 2}, new float[] {1, 1, 0, 0}, loss);
    assertEquals((0.5 + 0 + 0.125 + 2) / 4, loss[1], 1e-7);
    assertEquals(0f, loss[0], 0f, "other slots untouched");
  }

  @Test
  void columnSumScalesTheSumOfEachColumn() {
    float[] sums = new float[3];
    k.columnSum(2, 3, 0.5f, new float[] {1, 2, 3, 4, 5, 6}, sums);
    assertArrayEquals(new float[] {2.5f, 3.5f, 4.5f}, sums, 0f);
  }

  /**
   * One epoch of the seed program. Expected values printed by:
   * python3 -c "import numpy as np; np.random.seed(0); w=np.random.randn(2,1); b=np.random.randn(1);
   *   X=np.array([[0,0],[0,1],[1,0],[1,1]]); y=np.array([[0],[1],[1],[0]]); a=1/(1+np.exp(-(X@w+b)));
   *   print(np.mean(0.5*(a-y)**2)); dz=(a-y)*a*(1-a); w-=0.1*X.T@dz/4; b-=0.1*np.sum(dz)/4; print(w, b)"
   */
  @Test
  void oneSeedEpochMatchesNumpy() {
    DataSet xor = Builtins.get("xor");
    try (Trainer trainer = Trainers.reference(Network.initNormal(new int[] {2, 1}, 0), xor,
        Settings.fullBatchSgd(0.1f))) {
      float loss = trainer.epoch(true).loss();
      assertEquals(0.18642864748153173, loss, Tolerances.SEED_EPOCH_ATOL);
      Dense layer = trainer.network().dense().get(0);
      assertEquals(1.7631878550305482, layer.weights()[0], Tolerances.SEED_EPOCH_ATOL);
      assertEquals(0.40001508023585686, layer.weights()[1], Tolerances.SEED_EPOCH_ATOL);
      assertEquals(0.9750741348320954, layer.bias()[0], Tolerances.SEED_EPOCH_ATOL);
    }
  }
}
