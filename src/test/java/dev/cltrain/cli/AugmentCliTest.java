package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.device.Device;
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
 * {@code train --augment} on tiny IDX images (240 of 6×6): every backend saves the reference's model byte for
 * byte and the model's facts record the augmentation (eval shows it); data-parallel training over an OpenCL
 * device and the reference verifies with weight difference 0; a run resumed from a checkpoint ends as the
 * uninterrupted run; bad items and rows that are no images exit 2 with one line naming the item.
 */
class AugmentCliTest {
  static final String NET = "conv:3:3,relu,maxpool:2,flatten,dense:3";
  @TempDir
  static Path dir;
  static Path idx;

  @BeforeAll
  static void data() throws Exception {
    idx = IdxFolders.write(dir.resolve("idx"));
  }

  private static String[] train(String device, int epochs, String... more) {
    return Cli.args(List.of("train", "--data", idx.toString(), "--net", NET, "--loss", "xent", "--optimizer", "adam",
        "--lr", "0.01", "--batch-size", "32", "--epochs", Integer.toString(epochs), "--device", device, "--no-check"),
        more);
  }

  @Test
  void everyBackendSavesTheReferencesModelAndTheFactsRecordTheAugmentation() throws Exception {
    Path reference = dir.resolve("reference.json");
    Cli.ok(train("reference", 2, "--augment", "flip,crop:2", "--save", reference.toString()));
    Path plain = dir.resolve("plain.json");
    Cli.ok(train("reference", 2, "--save", plain.toString()));
    assertFalse(Arrays.equals(Files.readAllBytes(reference), Files.readAllBytes(plain)),
        "--augment trained on other images than the plain run");
    JsonNode facts = new ObjectMapper().readTree(reference.toFile()).get("training");
    assertEquals("flip,crop:2", facts.get("augment").asText(), facts.toString());
    assertFalse(new ObjectMapper().readTree(plain.toFile()).get("training").has("augment"), "plain: no augment fact");
    for (Device d : Backends.all()) {
      if (d.isReference()) {
        continue;
      }
      Path model = dir.resolve("model-" + d.id().replace(':', '_') + ".json");
      Cli.ok(train(d.id(), 2, "--augment", "flip,crop:2", "--save", model.toString()));
      assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(model), d.id() + ": the reference's bytes");
    }
    Cli eval = Cli.ok("eval", "--model", reference.toString(), "--data", idx.toString(), "--device", "reference");
    assertTrue(eval.out().contains("augmented:   in training, --augment flip,crop:2"), eval.toString());
    Cli plainEval = Cli.ok("eval", "--model", plain.toString(), "--data", idx.toString(), "--device", "reference");
    assertFalse(plainEval.out().contains("augmented"), plainEval.toString());
  }

  @Test
  void dataParallelOverAnOpenClDeviceAndTheReferenceVerifiesWithDifferenceZero() {
    String device = Backends.others().get(0).id() + ",reference";
    // the weights bit for bit; the loss is a tree reduction on the device, judged by verify's tolerance
    Cli.ok(train(device, 2, "--augment", "flip,crop:1", "--shards", "3,1", "--verify")).assertVerifiedBitForBit();
  }

  @Test
  void aRunResumedFromItsCheckpointEndsAsTheUninterruptedRun() throws Exception {
    Cli.assertResumeEndsAsTheStraightRun(dir, "aug", e -> train("reference", e, "--augment", "crop:2,flip"), 2, 4,
        "reference");
  }

  @Test
  void badItemsAndRowsThatAreNoImagesExitTwoWithOneLineNamingTheItem() {
    String[][] cases = {{"crop:-1", "item 'crop:-1'"}, {"crop:x", "item 'crop:x'"}, {"flip:3", "item 'flip:3'"},
        {"blur", "item 'blur'"}, {"flip,flip", "item 'flip' is given twice"}, {"crop", "item 'crop'"}};
    for (String[] c : cases) {
      Cli.run(train("reference", 1, "--augment", c[0])).assertRefused("--augment " + c[1]);
    }
    Cli.run("train", "--augment", "crop:2", "--device", "reference")
        .assertRefused("--augment crop:2 needs image-shaped input");
    Cli.run("train", "--data", "random:40x12x3", "--augment", "flip", "--device", "reference")
        .assertRefused("--augment flip needs image-shaped input");
  }
}
