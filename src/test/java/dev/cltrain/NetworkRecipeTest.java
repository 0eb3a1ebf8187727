package dev.cltrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import dev.cltrain.data.TrainingData;
import dev.cltrain.device.TrainerState;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.NetSpec;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 24 item 4/7: one recipe for every entry point. {@code cltrain train} and SparkTrain both draw their initial
 * network with {@link NetworkRecipe}; its draws are the library's ({@link Training#of(Network.Builder,
 * TrainingData)}, {@link NetSpec#build}) bit for bit, its refusals name Java parameters, and a checkpoint's fit is
 * checked by {@link CheckpointFit} for a resumed Training and SparkTrain alike.
 */
class NetworkRecipeTest {
  private static final Activation TANH = Activation.TANH;

  @Test
  void aRecipeOfLayersStartsTheRunTheBuilderStartsSameWeightsSameShuffles() {
    TrainingData xor = Data.builtin("xor");
    Training recipe = new NetworkRecipe(null, new int[] {2, 3, 1}, null, TANH, null, false)
        .start(xor, Loss.MSE, NetworkRecipe.outputOf(Loss.MSE), 7);
    Training builder = Training.of(Network.builder(2, 3, 1).hidden(TANH).seed(7), xor);
    assertEquals(builder.initial(), recipe.initial(), "the same weights, bit for bit (float equality of records)");
    assertArrayEquals(builder.shuffler().permutation(4), recipe.shuffler().permutation(4),
        "the generator goes on where the draws ended, as the builder's");
  }

  @Test
  void aRecipeOfANetDrawsWhatTheNetSpecBuildsFromTheSameGenerator() {
    NetSpec spec = NetSpec.parse("dense:3,relu,dense:1");
    Network drawn = new NetworkRecipe(spec, null, null, null, null, false).draw(2, 1, null, "d", Loss.MSE,
        NetworkRecipe.outputOf(Loss.MSE), new NumpyRandom(5), 5);
    Network built = spec.build(new Shape(1, 1, 2), 1, Loss.MSE, Activation.SIGMOID, null, new NumpyRandom(5), 5);
    assertEquals(built, drawn);
  }

  @Test
  void refusalsNameTheJavaParameter() {
    InputException fits = assertThrows(InputException.class, () -> new NetworkRecipe(null, new int[] {3, 1}, null,
        null, null, false).draw(2, 1, null, "xor", Loss.MSE, NetworkRecipe.outputOf(Loss.MSE), new NumpyRandom(0), 0));
    assertEquals("layers", fits.parameter());
    assertEquals("layers 3,1: the first width is 3 but the data (xor) has 2 input columns", fits.getMessage());
    InputException shape = assertThrows(InputException.class, () -> new NetworkRecipe(NetSpec.parse("dense:1"),
        null, new Shape(2, 2, 2), null, null, false).draw(4, 1, null, "d", Loss.MSE, NetworkRecipe.outputOf(Loss.MSE),
        new NumpyRandom(0), 0));
    assertEquals("inputShape 2x2x2 is 8 values per row but the data (d) has 4 inputs", shape.getMessage());
    InputException both = assertThrows(InputException.class,
        () -> new NetworkRecipe(NetSpec.parse("dense:1"), new int[] {2, 1}, null, null, null, false));
    assertEquals("net", both.parameter());
  }

  @Test
  void aCheckpointOfAnotherNetworkDoesNotFitWhicheverRunRestoresIt() {
    Network small = Network.builder(2, 3, 1).build();
    Network other = Network.builder(2, 4, 1).build();
    TrainerState state = new TrainerState(1, 0, 1, other, List.of(), new NumpyRandom(0).state(), null, null, null);
    boolean[] restored = {false};
    InputException e = assertThrows(InputException.class,
        () -> CheckpointFit.restore(state, small, s -> restored[0] = true));
    assertEquals("the checkpoint does not fit this training: a network of widths [2, 4, 1], not [2, 3, 1]",
        e.getMessage());
    assertEquals(false, restored[0], "refused before the run's restore");
    InputException buffers = assertThrows(InputException.class, () -> CheckpointFit.restore(state, other, s -> {
      throw new IllegalArgumentException("optimizer state of 2 layers for 3");
    }));
    assertTrue(buffers.getMessage().endsWith("this training: optimizer state of 2 layers for 3"), buffers.getMessage());
  }

  @Test
  void aCheckpointsOptionsDifferAtTheFirstListedKeyAndNumbersCompareAsTheFileHoldsThem() {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    var saved = json.createObjectNode().put("lr", 0.1f).put("seed", 1).put("net", (String) null);
    var same = json.createObjectNode().put("lr", 0.1f).put("seed", 1);
    assertEquals(null, CheckpointFit.otherRun(saved, same, List.of("lr", "seed", "net")), "absent equals null");
    var other = json.createObjectNode().put("lr", 0.2f).put("seed", 2);
    assertEquals(new CheckpointFit.Difference("lr", "0.1", "0.2"),
        CheckpointFit.otherRun(saved, other, List.of("lr", "seed")));
  }
}
