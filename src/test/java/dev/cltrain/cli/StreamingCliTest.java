package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.cmd.ExitCodes;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 26: {@code --stream} on the command line. With a 24 MB Java heap (what the test class path itself needs, plus a little), an IDX folder whose pixels alone take
 * more (32,000 images of 28×28, 25 MB of bytes and 100 MB of floats) trains under {@code --stream auto}, which
 * says in one line that it streams; the same run with {@code --stream off} cannot read it whole. A bad value is
 * one line, exit 2.
 */
class StreamingCliTest {
  private static final int IMAGES = 32_000;

  /** An MNIST-layout folder of {@link #IMAGES} 28×28 images of two classes (pixels from a seeded generator). */
  private static Path bigIdx(Path dir) throws Exception {
    Path folder = Files.createDirectories(dir.resolve("idx"));
    java.util.Random random = new java.util.Random(3);
    try (DataOutputStream img = new DataOutputStream(new java.io.BufferedOutputStream(
            Files.newOutputStream(folder.resolve("train-images-idx3-ubyte"))));
         DataOutputStream lab = new DataOutputStream(Files.newOutputStream(folder.resolve("train-labels-idx1-ubyte")))) {
      img.writeInt(0x803);
      img.writeInt(IMAGES);
      img.writeInt(28);
      img.writeInt(28);
      lab.writeInt(0x801);
      lab.writeInt(IMAGES);
      byte[] pixels = new byte[28 * 28];
      for (int i = 0; i < IMAGES; i++) {
        random.nextBytes(pixels);
        pixels[0] = (byte) (i % 2 == 0 ? 0 : 255);
        img.write(pixels);
        lab.writeByte(i % 2);
      }
    }
    return folder;
  }

  @Test
  void aSetLargerThanTheHeapTrainsStreamed(@TempDir Path dir) throws Exception {
    Path idx = bigIdx(dir);
    String[] args = {"train", "--data", idx.toString(), "--layers", "784,2", "--epochs", "1", "--batch-size", "100",
        "--device", "reference", "--cache", dir.resolve("cache").toString(), "--quiet"};
    Cli streamed = Cli.runInChild(List.of("-Xmx24m"), Map.of(), dir, args);
    assertEquals(0, streamed.exit(), streamed.toString());
    List<String> notes = streamed.err().lines().filter(l -> l.startsWith("note: streaming")).toList();
    assertEquals(1, notes.size(), streamed.toString());
    assertTrue(notes.get(0).contains("(streaming auto: its rows take about 100 MB"), notes.get(0));
    assertTrue(streamed.err().contains("converted " + idx.resolve("train-images-idx3-ubyte") + " into the row cache: "
        + IMAGES + " rows"), streamed.toString());

    String[] off = java.util.Arrays.copyOf(args, args.length + 2);
    off[args.length] = "--stream";
    off[args.length + 1] = "off";
    Cli whole = Cli.runInChild(List.of("-Xmx24m"), Map.of(), dir, off);
    assertNotEquals(0, whole.exit(), "read whole, the set does not fit the heap: " + whole);
  }

  @Test
  void aBadStreamValueIsOneLine(@TempDir Path dir) throws Exception {
    Cli run = Cli.run("train", "--data", "xor", "--stream", "sometimes", "--epochs", "1", "--device", "reference");
    assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
    assertEquals(1, run.err().lines().count(), run.toString());
    assertTrue(run.err().contains("--stream must be auto, on or off, got 'sometimes'"), run.toString());
  }

  @Test
  void aStreamedRunResumedFromItsCheckpointWritesTheModelOfTheRunInMemory(@TempDir Path dir) throws Exception {
    StringBuilder csv = new StringBuilder();
    java.util.Random random = new java.util.Random(11);
    for (int r = 0; r < 90; r++) {
      int a = random.nextInt(100);
      int b = random.nextInt(100);
      csv.append(a / 10f).append(',').append(b / 10f).append(',').append(a > b ? "hi" : "lo").append('\n');
    }
    Path data = Files.writeString(dir.resolve("d.csv"), csv);
    String cache = dir.resolve("cache").toString();
    String[] common = {"--data", data.toString(), "--layers", "2,5,2", "--loss", "xent", "--batch-size", "16",
        "--optimizer", "adam", "--device", "reference"};
    Cli whole = Cli.run(cat(common, "train", "--epochs", "4", "--stream", "off", "--save",
        dir.resolve("whole.json").toString()));
    assertEquals(0, whole.exit(), whole.toString());
    Cli first = Cli.run(cat(common, "train", "--epochs", "2", "--stream", "on", "--cache", cache, "--checkpoint",
        dir.resolve("ck.json").toString()));
    assertEquals(0, first.exit(), first.toString());
    Cli resumed = Cli.run("train", "--resume", dir.resolve("ck.json").toString(), "--epochs", "4", "--stream", "on",
        "--cache", cache, "--device", "reference", "--save", dir.resolve("resumed.json").toString());
    assertEquals(0, resumed.exit(), resumed.toString());
    org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(dir.resolve("whole.json")),
        Files.readAllBytes(dir.resolve("resumed.json")), "streamed, checkpointed and resumed: the same model file");
  }

  private static String[] cat(String[] common, String... more) {
    String[] all = java.util.Arrays.copyOf(more, more.length + common.length);
    System.arraycopy(common, 0, all, more.length, common.length);
    return all;
  }
}
