package dev.cltrain.reference;

import dev.cltrain.testing.Trainers;

import dev.cltrain.device.Trainer;
import dev.cltrain.train.Settings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cltrain.data.Builtins;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Network;
import dev.cltrain.testing.Tolerances;
import org.junit.jupiter.api.Test;

/**
 * One seed epoch on the reference against NumPy. The kernels' hand-computed cases run on every backend, the
 * reference included, in {@code dev.cltrain.backend.KernelContractTest}.
 */
class ReferenceKernelsTest {
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
