package dev.cltrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.Model;
import dev.cltrain.backend.Backend;
import dev.cltrain.core.InputException;
import dev.cltrain.device.Device;
import dev.cltrain.device.DeviceChoice;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Embedding;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Recurrent;
import dev.cltrain.reference.ReferenceKernels;
import dev.cltrain.testing.Backends;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Recurrent layers and embeddings (kernels/recurrent.cl): every kernel on every device equals its reference twin
 * bit for bit at verify's awkward shapes (T = 1, H = 1 and odd, batch 1, F prime, V = 1, masked rows); padding
 * does not change a sequence's outputs; ids outside [0, V) are refused naming the row. The gradients are checked
 * by ConvNetTest's nets I and J (float64 central differences, masked steps in J).
 */
class RecurrentTest {
  private static final Backends.Opened OPEN = new Backends.Opened();

  @AfterAll
  static void release() {
    OPEN.close();
  }

  static List<Device> devices() {
    return Backends.others();
  }

  /** Every recurrent.cl kernel at every case of verify: tolerance 0, each bit (NaN-poisoned outputs fail unwritten). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void everyRecurrentKernelEqualsTheReferenceBitForBit(Device device) {
    Backend<?, ?> backend = OPEN.on(device);
    ReferenceKernels reference = new ReferenceKernels();
    assertEquals(7, SequenceCases.RECURRENT_KERNELS.size(),
        "recurrent.cl's kernels: " + SequenceCases.RECURRENT_KERNELS);
    for (String kernel : SequenceCases.RECURRENT_KERNELS) {
      for (int[] s : SequenceCases.RECURRENT_SHAPES) {
        float[] expected = KernelCases.exec(kernel, reference, s, -1, 17);
        float[] actual = KernelCases.exec(kernel, backend, s, -1, 17);
        String where = device + " " + kernel + " " + DeviceCheck.describe(kernel, s);
        assertEquals(expected.length, actual.length, where);
        for (int i = 0; i < expected.length; i++) {
          assertTrue(!Float.isNaN(expected[i]), where + ": the reference left element " + i + " unwritten");
          assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]), where + ": element " + i
              + ": reference " + expected[i] + ", device " + actual[i]);
        }
      }
    }
  }

  /** An LSTM of one unit on one step, by hand: c = σ(a_i)·tanh(a_g), h = σ(a_o)·tanh(c) (σ(0) = 0.5, tanh(0) = 0). */
  @Test
  void oneLstmStepByHand() {
    ReferenceKernels k = new ReferenceKernels();
    float[] gates = {0f, 5f, 0.5f, 0f}; // x·W_ihᵀ for i, f, g, o; biases 0: a = gates
    float[] cells = new float[1];
    float[] states = new float[1];
    float[] out = new float[1];
    k.lstmStep(1, 1, 1, 0, 0, new float[4], new float[4], new float[] {1}, new float[4], gates, cells, states,
        new float[1], out);
    double c = 0.5 * Math.tanh(0.5); // f·c_prev = 0
    assertEquals(c, cells[0], 1e-6, "c = σ(0)·tanh(0.5)");
    assertEquals(0.5 * Math.tanh(c), out[0], 1e-6, "h = σ(0)·tanh(c)");
    assertEquals(0f, states[0], "h_{−1} stored as 0");
    float[] masked = {0f, 5f, 0.5f, 0f};
    float[] none = new float[1];
    k.lstmStep(1, 1, 1, 0, 1, new float[4], new float[4], new float[] {0}, new float[4], masked, new float[1],
        new float[1], new float[1], none);
    assertEquals(0f, none[0], "a step past the length gives 0 in a sequence output");
  }

  /** embedding:7:3 → gru:4:seq → lstm:3 → dense 2, at T steps; the layers' weights do not depend on T. */
  private static Network net(int steps) {
    NumpyRandom random = new NumpyRandom(5);
    Embedding e = Embedding.draw(steps, 7, 3, random);
    Recurrent gru = Recurrent.draw(Recurrent.Cell.GRU, e.output(), 4, true, random);
    Recurrent lstm = Recurrent.draw(Recurrent.Cell.LSTM, gru.output(), 3, false, random);
    float[] w = random.randnFloats(6);
    Dense out = new Dense(3, 2, Activation.SOFTMAX, w, new float[] {0.1f, -0.2f});
    return new Network(e.input(), List.of(e, gru, lstm, out), Loss.XENT, 1f, null, null, 0);
  }

  private static float[] padded(float[] ids, int steps) {
    return Arrays.copyOf(ids, steps);
  }

  /**
   * The same sequences padded to 5 and to 9 steps give the same outputs, bit for bit, on every device; ids after
   * the first 0 are padding too (they change nothing); and a longer sequence does give other outputs.
   */
  @Test
  void paddingDoesNotChangeASequencesOutputs() {
    float[][] sequences = {{3, 1, 5}, {6, 2, 2, 4}, {1}, {}};
    for (Device device : Backends.all()) {
      float[][] five = new float[sequences.length][];
      float[][] nine = new float[sequences.length][];
      for (int i = 0; i < sequences.length; i++) {
        five[i] = padded(sequences[i], 5);
        nine[i] = padded(sequences[i], 9);
        nine[i][7] = 4; // after the first 0: still padding
      }
      float[][] a = Model.of(net(5)).predict(five, DeviceChoice.of(device)).outputs();
      float[][] b = Model.of(net(9)).predict(nine, DeviceChoice.of(device)).outputs();
      for (int i = 0; i < sequences.length; i++) {
        assertArrayEquals(a[i], b[i], 0f, device + ": sequence " + i + " padded to 5 and to 9 steps");
      }
      float[][] longer = {padded(new float[] {3, 1, 5, 2}, 5)};
      assertNotEquals(a[0][0], Model.of(net(5)).predict(longer, DeviceChoice.of(device)).outputs()[0][0],
          device + ": one more id changes the output");
    }
  }

  @Test
  void idsOutsideTheVocabularyAreADataErrorNamingTheRow() {
    Model model = Model.of(net(3));
    for (float bad : new float[] {7, -1, 2.5f}) { // NaN: refused before, as any input
      InputException e = assertThrows(InputException.class, () -> model.predict(new float[][] {{1, 2, 0}, {3, bad,
          0}}));
      assertTrue(e.getMessage().contains("row 2: token id " + bad + " at position 2 is not an integer in [0, 7)"),
          e.getMessage());
    }
  }
}
