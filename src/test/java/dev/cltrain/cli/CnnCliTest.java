package dev.cltrain.cli;

import dev.cltrain.device.Device;
import dev.cltrain.testing.Backends;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A convolutional network through the CLI as a user runs it: 8×8 one-channel images in a CSV (--input-shape),
 * a --net with conv (same and valid), max pooling, dropout and dense layers. Training on every OpenCL device
 * logs the reference's lines and saves its model byte for byte; --verify reports 0; eval of the saved model
 * repeats training's test figures; a run resumed from a checkpoint ends as a straight run; --init-model starts
 * from a saved conv model; bench times it.
 */
class CnnCliTest {
  static final String NET = "conv:4:3,relu,maxpool:2,conv:6:3:valid,tanh,flatten,dense:8,relu,dropout:0.3,dense:3";
  @TempDir
  static Path dir;
  static Path train;
  static Path test;

  /** Three classes of 8×8 pictures (a diagonal, a vertical bar, a horizontal bar) with Gaussian noise. */
  static void images(Path file, int rows, long seed) throws Exception {
    Random r = new Random(seed);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 64; i++) {
      s.append('p').append(i).append(',');
    }
    s.append("label\n");
    for (int i = 0; i < rows; i++) {
      int c = i % 3;
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          boolean on = c == 0 ? x == y : c == 1 ? x == 3 || x == 4 : y == 3 || y == 4;
          s.append(String.format("%.3f", (on ? 1.0 : 0.0) + 0.3 * r.nextGaussian())).append(',');
        }
      }
      s.append(c).append('\n');
    }
    Files.writeString(file, s.toString());
  }

  @BeforeAll
  static void data() throws Exception {
    train = dir.resolve("train.csv");
    test = dir.resolve("test.csv");
    images(train, 120, 1);
    images(test, 45, 2);
  }

  private static List<String> args(String device, int epochs, String... more) {
    List<String> a = new ArrayList<>(List.of("train", "--data", train.toString(), "--test", test.toString(),
        "--input-shape", "8x8x1", "--loss", "xent", "--net", NET, "--optimizer", "adam", "--lr", "0.01",
        "--batch-size", "16", "--epochs", String.valueOf(epochs), "--device", device));
    a.addAll(List.of(more));
    return a;
  }

  private static Cli run(List<String> args) {
    return Cli.run(args.toArray(String[]::new));
  }

  private static List<String> epochLines(Cli c) {
    return c.outLines().stream().filter(l -> l.startsWith("Epoch ")).toList();
  }

  private static String line(Cli c, String prefix) {
    return c.outLines().stream().filter(l -> l.startsWith(prefix)).findFirst().orElse("(no " + prefix + ")");
  }

  @Test
  void everyOpenClDeviceLogsTheReferencesLinesSavesItsModelAndVerifiesAtZero() throws Exception {
    Path reference = dir.resolve("reference.json");
    Cli judge = run(args("reference", 4, "--save", reference.toString()));
    assertEquals(0, judge.exit(), judge.toString());
    assertEquals(4, epochLines(judge).size(), judge.toString());
    for (Device d : Backends.others()) {
      Path model = dir.resolve("device.json");
      Cli c = run(args(d.id(), 4, "--save", model.toString(), "--verify"));
      assertEquals(0, c.exit(), c.toString());
      assertEquals(epochLines(judge), epochLines(c), d + ": the same log lines");
      assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(model), d + ": the same model, byte for byte");
      assertTrue(line(c, "verify:").contains("largest weight difference 0.0e+00"), c.toString());
      assertTrue(line(c, "verify:").endsWith("PASS"), c.toString());
    }
  }

  @Test
  void evalOfTheSavedModelRepeatsTrainingsTestFigures() throws Exception {
    Path model = dir.resolve("eval.json");
    Cli trained = run(args("reference", 3, "--save", model.toString()));
    assertEquals(0, trained.exit(), trained.toString());
    // "test:        loss 0.0510, accuracy 1.0000 (45 rows)"
    String[] test = line(trained, "test:").replaceAll("[,()]", " ").trim().split("\\s+");
    Cli eval = Cli.run("eval", "--model", model.toString(), "--data", CnnCliTest.test.toString(), "--device",
        "reference");
    assertEquals(0, eval.exit(), eval.toString());
    assertTrue(line(eval, "model:").contains("conv:4:3 relu -> maxpool:2 -> conv:6:3:valid tanh"), eval.toString());
    assertEquals("loss:        " + test[2], line(eval, "loss:"), eval.toString());
    assertTrue(line(eval, "accuracy:").startsWith("accuracy:    " + test[4]), eval.toString());
  }

  @Test
  void aRunResumedFromItsCheckpointEndsAsAStraightRun() throws Exception {
    List<String> devices = Backends.all().stream().map(d -> d.id()).toList();
    for (String device : devices) {
      Path straight = dir.resolve("straight.json");
      assertEquals(0, run(args(device, 6, "--save", straight.toString())).exit());
      Path checkpoint = dir.resolve("half.ckpt");
      Files.deleteIfExists(checkpoint);
      assertEquals(0, run(args(device, 3, "--checkpoint", checkpoint.toString())).exit());
      Path resumed = dir.resolve("resumed.json");
      Cli c = Cli.run("train", "--resume", checkpoint.toString(), "--epochs", "6", "--device", device, "--save",
          resumed.toString());
      assertEquals(0, c.exit(), c.toString());
      assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(resumed),
          device + ": 3 epochs, then 3 more resumed, give the 6 epochs' model byte for byte (dropout masks too)");
    }
  }

  @Test
  void initModelStartsFromASavedConvModelAndBenchTimesTheNet() throws Exception {
    Path model = dir.resolve("start.json");
    assertEquals(0, run(args("reference", 2, "--save", model.toString())).exit());
    Cli more = Cli.run("train", "--data", train.toString(), "--init-model", model.toString(), "--loss", "xent",
        "--optimizer", "adam", "--lr", "0.01", "--batch-size", "16", "--epochs", "1", "--device", "reference");
    assertEquals(0, more.exit(), more.toString());
    Cli bench = Cli.run("bench", "--data", train.toString(), "--input-shape", "8x8x1", "--loss", "xent", "--net", NET,
        "--epochs", "1", "--repeat", "1", "--device", "reference");
    assertEquals(0, bench.exit(), bench.toString());
    assertTrue(bench.out().contains("conv:4:3"), bench.toString());
  }
}
