package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.device.Device;
import dev.cltrain.testing.Backends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code train} with batch norms (per channel, and per unit after dense layers) and global pooling from the
 * command line: every device saves the reference's
 * model byte for byte ({@code --verify}: weight difference 0; the loss line's last bit may differ on every net,
 * as on main without these kinds), and a run stopped at a checkpoint and resumed saves the
 * uninterrupted run's bytes (the running statistics restored with the weights). Tolerance: none (bytes).
 */
class BatchNormCliTest {
  /** Per channel (after convs, pooling) and per unit (after dense layers, one before a dropout). */
  private static final List<String> NETS = List.of("conv:4:3,bn,relu,maxpool:2,conv:6:3,bn:0.2:1e-4,tanh,gap,dense:3",
      "conv:4:3,relu,maxpool:2,dense:8,bn,relu,dropout:0.25,dense:6,tanh,bn:0.2:1e-4,dense:3");

  private static String[] train(String net, String device, String epochs, String... more) {
    return Stream.concat(Stream.of("train", "--data", "random:48x64x3", "--input-shape", "8x8x1", "--loss", "xent",
        "--optimizer", "adam", "--batch-size", "16", "--net", net, "--seed", "5", "--device", device, "--epochs",
        epochs), Stream.of(more)).toArray(String[]::new);
  }

  static Stream<String> nets() {
    return NETS.stream();
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> devices() {
    return Backends.others().stream().map(Device::id).flatMap(d -> NETS.stream().map(
        n -> org.junit.jupiter.params.provider.Arguments.of(d, n)));
  }

  @ParameterizedTest
  @MethodSource("devices")
  void aDeviceSavesTheReferencesModelAndVerifiesWithDifferenceZero(String device, String net, @TempDir Path dir)
      throws IOException {
    Path reference = dir.resolve("reference.json");
    Path mine = dir.resolve("device.json");
    Cli ref = Cli.run(train(net, "reference", "2", "--save", reference.toString()));
    assertEquals(0, ref.exit(), ref.toString());
    Cli run = Cli.run(train(net, device, "2", "--save", mine.toString(), "--verify"));
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.out().contains("largest weight difference 0.0e+00,") && run.out().contains("): PASS"), run.out());
    assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(mine), device + ": the reference's bytes");
  }

  /**
   * Several devices split each batch 3:1, each shard normalized with its own statistics (PyTorch's
   * DistributedDataParallel without SyncBatchNorm), the running statistics the first device's: --verify, the
   * reference doing the same split, reports weight difference 0.
   */
  @ParameterizedTest
  @MethodSource("devices")
  void aDeviceListSplittingBatchesVerifiesWithDifferenceZero(String device, String net) {
    Cli run = Cli.run(train(net, device + ",reference", "2", "--shards", "3,1", "--verify"));
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.out().contains("largest weight difference 0.0e+00,") && run.out().contains("): PASS"), run.out());
  }

  @ParameterizedTest
  @MethodSource("nets")
  void aCheckpointedRunResumesToTheStraightRunsBytes(String net, @TempDir Path dir) throws IOException {
    Path straight = dir.resolve("straight.json");
    Path resumed = dir.resolve("resumed.json");
    Path checkpoint = dir.resolve("half.ckpt");
    Cli whole = Cli.run(train(net, "reference", "3", "--save", straight.toString()));
    assertEquals(0, whole.exit(), whole.toString());
    Cli half = Cli.run(train(net, "reference", "2", "--checkpoint", checkpoint.toString(), "--checkpoint-every", "1"));
    assertEquals(0, half.exit(), half.toString());
    Cli rest = Cli.run("train", "--resume", checkpoint.toString(), "--epochs", "3", "--device", "reference", "--save",
        resumed.toString());
    assertEquals(0, rest.exit(), rest.toString());
    assertTrue(Files.readString(straight).contains("runningMean"), "the model holds the running statistics");
    assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(resumed),
        "stopped after epoch 2 and resumed: the uninterrupted run's model, byte for byte");
  }
}
