package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cltrain.testing.OpenClDevices;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training from the command line on two OpenCL devices: PoCL shows two when started with
 * {@code POCL_DEVICES="pthread pthread"}, so each run is a child JVM with that environment. With CI=true (CI has
 * PoCL) a child that does not see two devices is a failure; elsewhere the tests are skipped.
 */
@Tag("slow")
class MultiDeviceCliTest {
  static final Map<String, String> TWO_POCL = Map.of("POCL_DEVICES", "pthread pthread");
  static final String[] WORK = {"--data", "random:300x12x4", "--layers", "12,16,4", "--activation", "relu", "--loss",
      "xent", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "64"};

  @TempDir
  static Path dir;

  @BeforeAll
  static void twoDevices() throws Exception {
    Cli devices = Cli.runInChild(TWO_POCL, dir, "devices");
    boolean two = devices.out().contains("cl:0:1");
    if (!two && OpenClDevices.ci()) {
      fail("POCL_DEVICES=\"pthread pthread\" shows no second OpenCL device (CI=true expects PoCL):\n" + devices.out()
          + devices.err());
    }
    assumeTrue(two, "no second OpenCL device with POCL_DEVICES=\"pthread pthread\"");
  }

  private static String[] args(String... more) {
    String[] all = new String[1 + WORK.length + more.length];
    all[0] = "train";
    System.arraycopy(WORK, 0, all, 1, WORK.length);
    System.arraycopy(more, 0, all, 1 + WORK.length, more.length);
    return all;
  }

  @Test
  void twoPoclDevicesTrainWithVerifyDifferenceZeroAgainstTheShardedReference() throws Exception {
    Cli r = Cli.runInChild(TWO_POCL, dir, args("--epochs", "5", "--device", "cl:0:0,cl:0:1", "--shards", "3,1",
        "--verify", "--profile", "--no-check"));
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.err().contains("device: cl:0:0 + cl:0:1 (--device cl:0:0,cl:0:1)"), r.err());
    assertTrue(r.err().contains("shards:      cl:0:0 48 rows, cl:0:1 16 rows of each 64-row batch (--shards 3,1)"),
        r.err());
    assertTrue(r.out().contains("largest weight difference 0.0e+00"), r.out());
    assertTrue(r.out().contains(": PASS"), r.out());
    // 12·16 + 16 + 16·4 + 4 = 276 gradients, 4 bytes, down from 2 devices and up to 2: 4416 bytes a step
    assertTrue(r.out().contains("exchange:    4416 bytes of gradients per step, 25 steps: "), r.out());
  }

  @Test
  void shardsAutoMeasuresTheSplitAndPrintsTheShardsThatRepeatIt() throws Exception {
    Cli r = Cli.runInChild(TWO_POCL, dir, args("--epochs", "2", "--device", "all", "--shards", "auto", "--no-check"));
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.err().contains("(measured alone: "), r.err());
    assertTrue(r.err().contains("repeats this split)"), r.err());
  }

  /** Issue 22, item 8: the split came from timing each device, so two identical commands wrote different models. */
  @Test
  void withoutShardsTheSplitIsEvenAndTwoIdenticalRunsWriteTheSameBytes() throws Exception {
    Path first = dir.resolve("even-1.json");
    Path second = dir.resolve("even-2.json");
    for (Path model : new Path[] {first, second}) {
      Cli r = Cli.runInChild(TWO_POCL, dir, args("--epochs", "2", "--device", "cl:0:0,cl:0:1", "--save",
          model.toString(), "--no-check"));
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.err().contains("shards:      cl:0:0 32 rows, cl:0:1 32 rows of each 64-row batch (--shards 1,1)"),
          r.err());
    }
    org.junit.jupiter.api.Assertions.assertArrayEquals(java.nio.file.Files.readAllBytes(first),
        java.nio.file.Files.readAllBytes(second), "the same command, the same model file, byte for byte");
  }

  @Test
  void aCheckpointOfTwoDevicesResumesOnTheDeviceLeft() throws Exception {
    Path checkpoint = dir.resolve("two.ckpt.json");
    Cli first = Cli.runInChild(TWO_POCL, dir, args("--epochs", "2", "--device", "cl:0:0,cl:0:1", "--shards", "1,1",
        "--checkpoint", checkpoint.toString(), "--checkpoint-every", "1", "--no-check"));
    assertEquals(0, first.exit(), first.err());
    Cli resumed = Cli.runInChild(TWO_POCL, dir, "train", "--epochs", "4", "--device", "cl:0:0", "--resume",
        checkpoint.toString(), "--no-check");
    assertEquals(0, resumed.exit(), resumed.err());
    // the checkpoint keeps its devices and split (issue 23, item 11): going on elsewhere says so in one line
    assertTrue(resumed.err().contains("note: " + checkpoint + " was trained on cl:0:0,cl:0:1 with --shards 1,1; "
        + "going on on cl:0:0 as asked"), resumed.err());
    assertTrue(resumed.err().contains("resumed:     " + checkpoint + " at epoch 2"), resumed.err());
    assertTrue(resumed.out().contains("Epoch 3, Loss: "), resumed.out());
  }

  /**
   * Issue 23, item 11: a plain {@code --resume} of a two-device checkpoint went on on the default device; now the
   * checkpoint keeps the devices and the split, and the resumed run saves the uninterrupted run's bytes.
   */
  @Test
  void aRunOnTwoDevicesResumedOnTwoDevicesSavesTheModelOfTheRunThatWentStraightOn() throws Exception {
    Path checkpoint = dir.resolve("straight.ckpt.json");
    Path straight = dir.resolve("straight.json");
    Path resumedModel = dir.resolve("resumed.json");
    Cli a = Cli.runInChild(TWO_POCL, dir, args("--epochs", "4", "--device", "cl:0:0,cl:0:1", "--shards", "2,1",
        "--save", straight.toString(), "--no-check"));
    assertEquals(0, a.exit(), a.err());
    Cli first = Cli.runInChild(TWO_POCL, dir, args("--epochs", "2", "--device", "cl:0:0,cl:0:1", "--shards", "2,1",
        "--checkpoint", checkpoint.toString(), "--checkpoint-every", "1", "--no-check"));
    assertEquals(0, first.exit(), first.err());
    Cli second = Cli.runInChild(TWO_POCL, dir, "train", "--epochs", "4", "--resume", checkpoint.toString(), "--save",
        resumedModel.toString(), "--no-check");
    assertEquals(0, second.exit(), second.err());
    assertTrue(second.err().contains("device: cl:0:0 + cl:0:1"), second.err());
    assertTrue(second.err().contains("of each 64-row batch (--shards 2,1)"), second.err());
    assertFalse(second.err().contains("note: "), second.err());
    org.junit.jupiter.api.Assertions.assertArrayEquals(java.nio.file.Files.readAllBytes(straight),
        java.nio.file.Files.readAllBytes(resumedModel), "the same model file, byte for byte");
  }

  /**
   * Issue 26, item 2: a CSV streamed from the row cache on two devices, checked by {@code --verify} against the
   * sharded reference (also streamed), saves the model of the run that read it whole (a mid-epoch checkpoint of
   * such a run resumes to the same bits: ShardedTrainerTest).
   */
  @Test
  void aCsvStreamedOnTwoDevicesAndVerifiedSavesTheModelOfTheRunInMemory() throws Exception {
    StringBuilder text = new StringBuilder();
    java.util.Random random = new java.util.Random(4);
    for (int r = 0; r < 150; r++) {
      float a = random.nextInt(200) / 100f - 1;
      float b = random.nextInt(200) / 100f - 1;
      text.append(a).append(',').append(b).append(',').append(a + b > 0 ? "up" : "down").append('\n');
    }
    Path csv = java.nio.file.Files.writeString(dir.resolve("stream.csv"), text);
    String[] common = {"--data", csv.toString(), "--layers", "2,6,2", "--loss", "xent", "--optimizer", "adam",
        "--batch-size", "32", "--epochs", "3", "--device", "cl:0:0,cl:0:1", "--shards", "2,1", "--no-check",
        "--cache", dir.resolve("stream-cache").toString()};
    Path whole = dir.resolve("stream-whole.json");
    Path streamed = dir.resolve("stream-streamed.json");
    Cli a = Cli.runInChild(TWO_POCL, dir, cat(common, "train", "--stream", "off", "--save", whole.toString()));
    assertEquals(0, a.exit(), a.err());
    Cli b = Cli.runInChild(TWO_POCL, dir, cat(common, "train", "--stream", "on", "--verify", "--save",
        streamed.toString()));
    assertEquals(0, b.exit(), b.err());
    assertTrue(b.err().contains("converted " + csv + " into the row cache"), b.err());
    assertTrue(b.out().contains("largest weight difference 0.0e+00"), b.out());
    org.junit.jupiter.api.Assertions.assertArrayEquals(java.nio.file.Files.readAllBytes(whole),
        java.nio.file.Files.readAllBytes(streamed), "streamed on two devices: the same model file, byte for byte");
  }

  private static String[] cat(String[] common, String... more) {
    String[] all = java.util.Arrays.copyOf(more, more.length + common.length);
    System.arraycopy(common, 0, all, more.length, common.length);
    return all;
  }

  @Test
  void benchGivesADataParallelRowForAGroup() throws Exception {
    Cli r = Cli.runInChild(TWO_POCL, dir, "bench", "--data", "random:200x9x3", "--layers", "9,11,3", "--batch-size",
        "50", "--epochs", "2", "--warmup", "1", "--repeat", "1", "--device", "cl:0:0,cl:0:0+cl:0:1");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("cl:0:0+cl:0:1")), r.out());
  }

  @Test
  void badDeviceListsAndSharesExitTwoWithOneLine() {
    Cli twice = Cli.run(args("--epochs", "1", "--device", "reference,reference"));
    assertEquals(2, twice.exit(), twice.err());
    assertTrue(twice.err().contains("reference is in the list twice"), twice.err());
    Cli noList = Cli.run(args("--epochs", "1", "--shards", "1,1", "--device", "reference"));
    assertEquals(2, noList.exit());
    assertTrue(noList.err().contains("--shards 1,1 needs a --device list"), noList.err());
    Cli auto = Cli.run(args("--epochs", "1", "--device", "auto,reference"));
    assertEquals(2, auto.exit());
    assertTrue(auto.err().contains("'auto' cannot be in a device list"), auto.err());
  }
}
