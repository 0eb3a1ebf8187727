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
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 1-D items on the command line: a CSV row read as a sequence (--input-shape Tx1xF) through conv1d,
 * maxpool1d and gap1d trains on every OpenCL device to the reference's lines and model bytes, --verify at 0;
 * items that do not fit exit 2 with one line.
 */
class Sequence1dCliTest {
  private static final String NET = "conv1d:4:3,relu,maxpool1d:2,conv1d:3:4:s2:valid,tanh,gap1d,dense:2";

  @TempDir
  Path dir;

  /** 32 rows of 12 steps of 2 features, class c drawn around c. */
  private Path data() throws IOException {
    Random r = new Random(5);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 32; i++) {
      for (int j = 0; j < 24; j++) {
        s.append(String.format(java.util.Locale.ROOT, "%.4f,", r.nextGaussian() + i % 2));
      }
      s.append(i % 2).append('\n');
    }
    return Files.writeString(dir.resolve("seq.csv"), s.toString());
  }

  private static Cli train(Path data, String device, Path save, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("train", "--data", data.toString(), "--input-shape",
        "12x1x2", "--net", NET, "--loss", "xent", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "8",
        "--epochs", "3", "--log-every", "1", "--device", device, "--save", save.toString()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  private static List<String> epochLines(Cli c) {
    return c.out().lines().filter(l -> l.startsWith("Epoch")).toList();
  }

  @Test
  void everyOpenClDeviceTrainsTheReferencesBitsAndVerifiesAtZero() throws IOException {
    Path data = data();
    Path reference = dir.resolve("reference.json");
    Cli judge = train(data, "reference", reference);
    assertEquals(0, judge.exit(), judge.err());
    assertEquals(3, epochLines(judge).size(), judge.out());
    for (Device d : Backends.others()) {
      Path model = dir.resolve("device.json");
      Cli c = train(data, d.id(), model, "--verify");
      assertEquals(0, c.exit(), c.err());
      assertEquals(epochLines(judge), epochLines(c), d + ": the same log lines");
      assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(model), d + ": the same model, byte for byte");
      assertTrue(c.out().contains("largest weight difference 0.0e+00"), c.out());
    }
  }

  @Test
  void itemsThatDoNotFitTheSequenceExitTwoWithOneLine() throws IOException {
    String d = data().toString();
    Cli.run("train", "--data", d, "--net", "conv1d:4:3,dense:2", "--device", "reference")
        .assertRefused("needs the input's sequence shape: give --input-shape TxF");
    Cli.run("train", "--data", d, "--input-shape", "4x3x2", "--net", "conv1d:4:3,dense:2", "--device",
        "reference").assertRefused("conv1d takes a sequence of steps × 1 × features, not the 4x3x2 input");
    Cli.run("train", "--data", d, "--input-shape", "12x1x2", "--net", "conv1d:4:13:valid,dense:2",
        "--device", "reference").assertRefused("a kernel of 13 steps does not fit the 12 steps without padding");
    Cli.run("train", "--data", d, "--input-shape", "12x2", "--net", "maxpool1d:13,dense:2",
        "--device", "reference").assertRefused("a pool of 13 steps does not fit the 12 steps");
  }
}
