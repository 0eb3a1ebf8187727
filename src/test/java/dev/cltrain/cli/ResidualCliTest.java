package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.device.Device;
import dev.cltrain.testing.Backends;
import dev.cltrain.testing.IdxFolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --net} with residual blocks (the identity and the projection shortcut) on tiny IDX images (240 of
 * 6×6): every backend saves the reference's model byte for byte and {@code --verify} reports difference 0;
 * data-parallel training over an OpenCL device and the reference verifies with weight difference 0 (resblock, the
 * basic block, builds its written-out block: the same bytes); a run resumed
 * from a checkpoint ends as the uninterrupted run, byte for byte (with bn inside blocks too); bad specs exit 2
 * with one line naming the item.
 */
class ResidualCliTest {
  static final String NET = "conv:3:3,relu,residual(conv:3:3,relu,conv:3:3),relu,"
      + "residual(conv:4:3:s2,relu,conv:4:3),relu,dense:3";
  @TempDir
  static Path dir;
  static Path idx;

  @BeforeAll
  static void data() throws Exception {
    idx = IdxFolders.write(dir.resolve("idx"));
  }

  private static String[] train(String device, int epochs, String... more) {
    return train(NET, device, epochs, more);
  }

  private static String[] train(String net, String device, int epochs, String... more) {
    return Cli.args(List.of("train", "--data", idx.toString(), "--net", net, "--loss", "xent", "--optimizer", "adam",
        "--lr", "0.01", "--batch-size", "32", "--epochs", Integer.toString(epochs), "--device", device, "--no-check"),
        more);
  }

  @Test
  void everyBackendSavesTheReferencesModelAndVerifiesWithDifferenceZero() throws Exception {
    Path reference = dir.resolve("reference.json");
    Cli.ok(train("reference", 2, "--save", reference.toString()));
    assertTrue(Files.readString(reference).contains("\"type\" : \"residual\""), "the model file holds the blocks");
    for (Device d : Backends.all()) {
      if (d.isReference()) {
        continue;
      }
      Path model = dir.resolve("model-" + d.id().replace(':', '_') + ".json");
      Cli r = Cli.ok(train(d.id(), 2, "--save", model.toString(), "--verify"));
      assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(model), d.id() + ": the reference's bytes");
      r.assertVerifiedBitForBit();
    }
    Cli eval = Cli.ok("eval", "--model", reference.toString(), "--data", idx.toString(), "--device", "reference");
    assertTrue(eval.out().contains("residual(conv:3:3,relu,conv:3:3)"), "eval reads the blocks back: " + eval);
  }

  @Test
  void dataParallelOverAnOpenClDeviceAndTheReferenceVerifiesWithDifferenceZero() {
    String device = Backends.others().get(0).id() + ",reference";
    Cli.ok(train(device, 1, "--shards", "3,1", "--verify")).assertVerifiedBitForBit();
  }

  @Test
  void aRunResumedFromItsCheckpointEndsAsTheUninterruptedRun() throws Exception {
    Cli.assertResumeEndsAsTheStraightRun(dir, "residual", e -> train("reference", e), 1, 3, "reference");
  }

  /**
   * bn inside a block, and so on the second block's projection shortcut (a 1x1 conv of stride 2, then a bn): their
   * running statistics are the block's state, saved with it and checkpointed; --verify reports difference 0.
   */
  @Test
  void aBlockWithBnSavesTheReferencesBytesOnEveryBackendAndResumesAsTheUninterruptedRun() throws Exception {
    String net = "conv:3:3,relu,residual(conv:3:3,bn,relu,conv:3:3,bn),relu,residual(conv:4:3:s2,bn,relu,conv:4:3),"
        + "relu,dense:3";
    Path reference = Cli.assertResumeEndsAsTheStraightRun(dir, "bn", e -> train(net, "reference", e), 1, 2,
        "reference");
    assertTrue(Files.readString(reference).contains("\"runningVariance\""), "the model file holds the statistics");
    assertEquals(1, Files.readString(reference).split("\"shortcutNorm\"", -1).length - 1,
        "the projection shortcut's bn, once (the identity shortcut has none)");
    for (Device d : Backends.others()) {
      Path model = dir.resolve("bn-model-" + d.id().replace(':', '_') + ".json");
      // the first block as the shorthand: the same network, so the same bytes
      Cli r = Cli.ok(train(net.replace("residual(conv:3:3,bn,relu,conv:3:3,bn),relu", "resblock:3"), d.id(), 2, "--save",
          model.toString(), "--verify"));
      assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(model), d.id() + ": the reference's bytes");
      r.assertVerifiedBitForBit();
    }
  }

  @Test
  void badSpecsExitTwoWithOneLineNamingTheItem() {
    String[][] cases = {
        {"residual(),dense:3", "item 1 'residual()': a residual block needs items inside its parentheses"},
        {"residual(conv:2:3,dense:4),dense:3", "item 1 'residual(conv:2:3,dense:4)': inside it, item 2 'dense:4': "
            + "'dense' cannot stand inside a residual block"},
        {"residual(conv:2:3,dense:3", "item 1 'residual(conv:2:3,dense:3': a '(' without its ')'"},
        {"residual(conv:2:3)),dense:3", "item 1 'residual(conv:2:3))': expected ':' or ',' after the ')'"},
        {"residual(conv:2:3,dropout:0.5),dense:3", "item 1 'residual(conv:2:3,dropout:0.5)': inside it, item 2 "
            + "'dropout:0.5': 'dropout' cannot stand inside a residual block"},
        {"residual(conv:2:3,maxpool:9),dense:3", "item 1 'residual(conv:2:3,maxpool:9)': inside it, item 2 "
            + "'maxpool:9': a 9x9 pool does not fit"},
        {"dense:4,residual(conv:2:3),dense:3", "item 2 'residual(conv:2:3)': a residual block cannot follow a dense"},
        {"resblock:0,dense:3", "item 1 'resblock:0': FILTERS '0' is not a positive integer"},
        {"resblock:-4,dense:3", "item 1 'resblock:-4': FILTERS '-4' is not a positive integer"},
        {"resblock:4:s0,dense:3", "item 1 'resblock:4:s0': 's0' is not a stride (sS, S at least 1)"},
        {"resblock:4:2,dense:3", "item 1 'resblock:4:2': '2' is not a stride"},
        {"resblock:4:s2:s2,dense:3", "item 1 'resblock:4:s2:s2': expected resblock:FILTERS[:sS]"},
        {"resblock,dense:3", "item 1 'resblock': expected resblock:FILTERS[:sS]"},
        {"resblock:4,relu,dense:3", "item 2 'relu': an activation applies to the conv, bn or dense item just before "
            + "it, not to 'resblock:4'"},
        {"conv:2:3,bn:1.5:1e-5,dense:3", "item 2 'bn:1.5:1e-5': the momentum 1.5 is outside [0, 1]"}};
    for (String[] c : cases) {
      Cli.run("train", "--data", idx.toString(), "--net", c[0], "--epochs", "1", "--device", "reference")
          .assertRefused("--net: " + c[1]);
    }
  }
}
