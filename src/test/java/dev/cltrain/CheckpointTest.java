package dev.cltrain;

import dev.cltrain.core.InputException;
import dev.cltrain.device.TrainerState;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Conv;
import dev.cltrain.nn.Dropout;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Pool;
import dev.cltrain.nn.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint of a network with features: the v2 model inside it and the optimizer state, conv layers first. */
class CheckpointTest {
  @TempDir
  Path dir;

  private static float[] draws(Random random, int n) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian() / 7;
    }
    return values;
  }

  /** 6x6x1 -> conv:2:3 relu -> maxpool:2 -> dropout:0.25 -> conv:3:1 valid relu -> avgpool:3 -> dense 3x4 -> dropout:0.5 -> dense 4x2. */
  static Network convNet() {
    Random random = new Random(5);
    Shape input = new Shape(6, 6, 1);
    Conv c1 = new Conv(input, 2, 3, 1, true, Activation.RELU, draws(random, 9 * 2), draws(random, 2));
    Pool p1 = new Pool(c1.output(), true, 2);
    Dropout d1 = new Dropout(p1.output(), 0.25f);
    Conv c2 = new Conv(d1.output(), 3, 1, 1, false, Activation.RELU, draws(random, 2 * 3), draws(random, 3));
    Pool p2 = new Pool(c2.output(), false, 3);
    Dense l1 = new Dense(3, 4, Activation.RELU, draws(random, 12), draws(random, 4));
    Dense l2 = new Dense(4, 2, Activation.SOFTMAX, draws(random, 8), draws(random, 2));
    return new Network(input, List.of(c1, p1, d1, c2, p2, l1, new Dropout(l1.output(), 0.5f), l2), Loss.XENT,
        1f / 255, List.of("no", "yes"), null, -3L);
  }

  /** Adam's buffers: per conv then per dense layer, m and v of the weights, then m and v of the biases. */
  static List<List<float[]>> adam(Network network, Random random) {
    List<List<float[]>> state = new ArrayList<>();
    for (Conv c : network.convs()) {
      state.add(new ArrayList<>(List.of(draws(random, c.weightCount()), draws(random, c.weightCount()),
          draws(random, c.filters()), draws(random, c.filters()))));
    }
    for (Dense l : network.dense()) {
      state.add(new ArrayList<>(List.of(draws(random, l.weightCount()), draws(random, l.weightCount()),
          draws(random, l.outputs()), draws(random, l.outputs()))));
    }
    return state;
  }

  private static int[] bits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }

  private Path write(Network network, List<List<float[]>> optimizer) {
    ObjectNode options = new ObjectMapper().createObjectNode().put("optimizer", "adam");
    TrainerState state = new TrainerState(3, 0, 42, network, optimizer, new NumpyRandom(9).state(), null, null, null);
    Path file = dir.resolve("conv.ckpt");
    new Checkpoint(options, state).write(file);
    return file;
  }

  @Test
  void aConvNetWithDropoutAndAdamStateRoundTripsBitForBit() {
    Network network = convNet();
    List<List<float[]>> optimizer = adam(network, new Random(8));
    Path file = write(network, optimizer);
    Checkpoint back = Checkpoint.read(file);
    TrainerState state = back.state();
    assertEquals(network, state.network(), "conv weights, shapes, dropout rates and seed, bit for bit (equals)");
    for (int c = 0; c < network.convs().size(); c++) {
      assertArrayEquals(bits(network.convs().get(c).weights()), bits(state.network().convs().get(c).weights()));
    }
    assertEquals(-3L, state.network().dropoutSeed());
    assertEquals(optimizer.size(), state.optimizerState().size());
    for (int l = 0; l < optimizer.size(); l++) {
      assertEquals(optimizer.get(l).size(), state.optimizerState().get(l).size());
      for (int b = 0; b < optimizer.get(l).size(); b++) {
        assertArrayEquals(bits(optimizer.get(l).get(b)), bits(state.optimizerState().get(l).get(b)),
            "layer " + l + " buffer " + b);
      }
    }
    assertEquals(42, state.step());
    assertEquals(3, state.epoch());
    assertEquals("adam", back.options().get("optimizer").asText());
    assertNull(state.order());
  }

  @Test
  void sgdStateOfAConvNetIsOneEmptyEntryPerLayerWithWeights() {
    Network network = convNet();
    List<List<float[]>> empty = List.of(List.of(), List.of(), List.of(), List.of());
    assertEquals(4, Checkpoint.read(write(network, empty)).state().optimizerState().size());
  }

  private String refused(Network network, List<List<float[]>> optimizer) {
    Path file = write(network, optimizer);
    InputException e = assertThrows(InputException.class, () -> Checkpoint.read(file));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertTrue(e.getMessage().startsWith("checkpoint " + file), e.getMessage());
    return e.getMessage();
  }

  @Test
  void optimizerStateThatDoesNotFitTheConvLayersIsRefusedNamingIt() {
    Network network = convNet();
    List<List<float[]>> denseOnly = adam(network, new Random(1)).subList(2, 4);
    assertTrue(refused(network, denseOnly).contains("holds 2 layers, but the model has 2 conv and 2 dense layers"));

    List<List<float[]>> swapped = adam(network, new Random(1));
    swapped.add(0, swapped.remove(1)); // the second conv's entry first
    String message = refused(network, swapped);
    assertTrue(message.contains("layer 1 buffer 1 holds 6 values, not 18 (the weights of conv layer 1)"), message);

    List<List<float[]>> shortBias = adam(network, new Random(1));
    shortBias.get(1).set(3, new float[2]);
    message = refused(network, shortBias);
    assertTrue(message.contains("layer 2 buffer 4 holds 2 values, not 3 (the biases of conv layer 2)"), message);

    List<List<float[]>> odd = adam(network, new Random(1));
    odd.get(2).remove(3);
    message = refused(network, odd);
    assertTrue(message.contains("layer 3 (dense layer 1) holds 3 buffers"), message);

    List<List<float[]>> denseWrong = adam(network, new Random(1));
    denseWrong.get(3).set(0, new float[3]);
    message = refused(network, denseWrong);
    assertTrue(message.contains("layer 4 buffer 1 holds 3 values, not 8 (the weights of dense layer 2)"), message);
  }

  @Test
  void aDenseNetworksCheckpointHoldsAVersionOneModelAndItsStateIsStillChecked() throws Exception {
    Network dense = Network.initNormal(new int[] {3, 2, 1}, 4);
    List<List<float[]>> momentum = List.of(List.of(new float[6], new float[2]), List.of(new float[2], new float[1]));
    Path file = write(dense, momentum);
    assertEquals(1, new ObjectMapper().readTree(file.toFile()).get("model").get("version").intValue());
    assertEquals(dense, Checkpoint.read(file).state().network());
    String message = refused(dense, List.of(List.of(new float[6], new float[2])));
    assertTrue(message.contains("holds 1 layers, but the model has 2 dense layers"), message);
  }
}
