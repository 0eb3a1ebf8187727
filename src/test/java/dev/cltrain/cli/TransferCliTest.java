package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.Model;
import dev.cltrain.nn.Network;
import dev.cltrain.testing.Backends;
import dev.cltrain.testing.IdxFolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --init-model FILE --new-head K --freeze N} on tiny IDX images (240 of 6×6, 3 classes): the frozen
 * convolution keeps the pretrained bits, the facts record both options, an OpenCL device saves the reference's
 * model byte for byte and {@code --verify} finds weight difference 0; a run resumed from its checkpoint ends as
 * the uninterrupted run; bad values exit 2 with one line naming the option.
 */
class TransferCliTest {
  /** Layers 0..3: conv, maxpool, dense:4, dense:3. */
  static final String NET = "conv:3:3,relu,maxpool:2,flatten,dense:4,relu,dense:3";
  @TempDir
  static Path dir;
  static Path idx;
  static Path pretrained;

  @BeforeAll
  static void data() throws Exception {
    idx = IdxFolders.write(dir.resolve("idx"));
    pretrained = dir.resolve("pre.json");
    Cli.ok("train", "--data", idx.toString(), "--net", NET, "--optimizer", "adam", "--lr", "0.01", "--batch-size", "48",
        "--epochs", "1", "--device", "reference", "--save", pretrained.toString());
  }

  private static String[] tune(String device, int epochs, String... more) {
    return Cli.args(List.of("train", "--data", idx.toString(), "--init-model", pretrained.toString(), "--new-head", "3",
        "--freeze", "2", "--optimizer", "adamw", "--lr", "0.01", "--batch-size", "48", "--epochs",
        Integer.toString(epochs), "--seed", "4", "--device", device, "--no-check"), more);
  }

  @Test
  void theFrozenConvolutionKeepsItsBitsTheFactsRecordTheOptionsAndOpenClSavesTheReferencesBytes() throws Exception {
    Path reference = dir.resolve("tuned.json");
    Cli.ok(tune("reference", 1, "--save", reference.toString()));
    Network before = Model.load(pretrained).network();
    Network after = Model.load(reference).network();
    assertArrayEquals(before.convs().get(0).weights(), after.convs().get(0).weights(), "frozen conv weights");
    assertArrayEquals(before.convs().get(0).bias(), after.convs().get(0).bias(), "frozen conv biases");
    assertFalse(Arrays.equals(before.dense().get(0).weights(), after.dense().get(0).weights()), "dense:4 trained");
    JsonNode facts = new ObjectMapper().readTree(reference.toFile()).get("training");
    assertEquals(2, facts.get("freeze").asInt(), facts.toString());
    assertEquals(3, facts.get("newHead").asInt(), facts.toString());
    assertFalse(new ObjectMapper().readTree(pretrained.toFile()).get("training").has("freeze"), "no fact unused");
    String device = Backends.others().get(0).id();
    Path onDevice = dir.resolve("tuned-device.json");
    Cli verified = Cli.ok(tune(device, 1, "--verify", "--save", onDevice.toString()));
    assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(onDevice), device + ": the reference's bytes");
    verified.assertVerifiedBitForBit();
  }

  @Test
  void aRunResumedFromItsCheckpointEndsAsTheUninterruptedRun() throws Exception {
    Cli.assertResumeEndsAsTheStraightRun(dir, "tune", e -> tune("reference", e), 1, 3, "reference");
  }

  @Test
  void badValuesExitTwoWithOneLineNamingTheOption() {
    String[][] cases = {
        {"--freeze", "4", "--freeze 4 freezes every layer with parameters"},
        {"--freeze", "9", "--freeze 9 is past the last layer"},
        {"--freeze", "-1", "--freeze must be at least 0"},
        {"--new-head", "5", "--new-head 5: the data"},
        {"--new-head", "0", "--new-head must be at least 1"}};
    for (String[] c : cases) {
      Cli.run("train", "--data", idx.toString(), "--init-model", pretrained.toString(), "--device", "reference", c[0],
          c[1]).assertRefused(c[2]);
    }
    Cli.run("train", "--data", idx.toString(), "--net", NET, "--new-head", "3", "--device", "reference")
        .assertRefused("--new-head applies to --init-model only");
  }
}
