package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.testing.OpenClDevices;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A model trained on IDX images (pixels scaled by 1/255) evaluates, from its file alone, to exactly the test
 * figures training printed for it: the model keeps its input scale. The same holds for a run stopped at a
 * checkpoint and resumed, whose model is byte for byte the straight run's. On the reference and on every
 * OpenCL device. Data: a small IDX folder of 6x6 images in three classes (bright top, middle or bottom rows).
 */
class IdxModelRoundTripTest {
  @TempDir
  static Path dir;
  static Path data;

  @BeforeAll
  static void writeImages() throws IOException {
    data = Files.createDirectories(dir.resolve("idx"));
    writeSet(data, "train", 240, 1);
    writeSet(data, "t10k", 90, 2);
  }

  static List<String> devices() {
    List<String> all = new ArrayList<>(List.of("reference"));
    OpenClDevices.all().forEach(d -> all.add(d.ref()));
    return all;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void evalOfTheSavedModelGivesTheTrainingsOwnTestFiguresAlsoAfterResume(String device) throws Exception {
    Path model = dir.resolve(device.replace(':', '_') + ".json");
    String[] common = {"train", "--data", data.toString(), "--layers", "36,8,3", "--activation", "relu", "--loss",
        "xent", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "32", "--device", device};
    Cli trained = Cli.run(concat(common, "--epochs", "4", "--save", model.toString()));
    assertEquals(0, trained.exit(), trained.toString());
    String[] figures = summaryTestFigures(trained);
    assertEquals(1 / 255f, new ObjectMapper().readTree(model.toFile()).get("inputScale").floatValue(),
        "the model keeps the IDX input scale");

    Cli eval = Cli.run("eval", "--model", model.toString(), "--data", data.toString(), "--device", device);
    assertEquals(0, eval.exit(), eval.toString());
    assertEquals(figures[0], field(eval, "loss"), "eval's loss is training's final test loss\n" + trained + eval);
    assertEquals(figures[1], field(eval, "accuracy").split(" ")[0], "eval's accuracy is training's\n" + trained + eval);

    Path checkpoint = dir.resolve(device.replace(':', '_') + ".ckpt");
    Cli first = Cli.run(concat(common, "--epochs", "4", "--checkpoint", checkpoint.toString()));
    assertEquals(0, first.exit(), first.toString());
    Cli half = Cli.run(concat(common, "--epochs", "2", "--checkpoint", checkpoint.toString(), "--checkpoint-every", "1"));
    assertEquals(0, half.exit(), half.toString());
    Path resumedModel = dir.resolve(device.replace(':', '_') + "-resumed.json");
    Cli resumed = Cli.run("train", "--resume", checkpoint.toString(), "--epochs", "4", "--device", device, "--save",
        resumedModel.toString());
    assertEquals(0, resumed.exit(), resumed.toString());
    assertArrayEquals(Files.readAllBytes(model), Files.readAllBytes(resumedModel),
        "stopped at epoch 2 and resumed: the same model, byte for byte");
    Cli evalResumed = Cli.run("eval", "--model", resumedModel.toString(), "--data", data.toString(), "--device", device);
    assertEquals(figures[0], field(evalResumed, "loss"), evalResumed.toString());
    assertEquals(figures[1], field(evalResumed, "accuracy").split(" ")[0], evalResumed.toString());
  }

  /** {loss, accuracy} of the summary's "test:" line, as printed (4 decimals). */
  private static String[] summaryTestFigures(Cli run) {
    Matcher m = Pattern.compile("(?m)^test:\\s+loss ([0-9.]+), accuracy ([0-9.]+) \\(90 rows\\)$").matcher(run.out());
    assertTrue(m.find(), "a test line in the summary:\n" + run);
    return new String[] {m.group(1), m.group(2)};
  }

  /** The value after "NAME:" on eval's output. */
  private static String field(Cli run, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + ":\\s+(.*)$").matcher(run.out());
    assertTrue(m.find(), name + " in:\n" + run);
    return m.group(1).strip();
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** {@code prefix}-images-idx3-ubyte and -labels-idx1-ubyte: class c has bright rows 2c and 2c+1, noise elsewhere. */
  private static void writeSet(Path folder, String prefix, int count, long seed) throws IOException {
    Random r = new Random(seed);
    ByteArrayOutputStream images = new ByteArrayOutputStream();
    ByteArrayOutputStream labels = new ByteArrayOutputStream();
    DataOutputStream img = new DataOutputStream(images);
    DataOutputStream lab = new DataOutputStream(labels);
    img.writeInt(0x803);
    img.writeInt(count);
    img.writeInt(6);
    img.writeInt(6);
    lab.writeInt(0x801);
    lab.writeInt(count);
    for (int i = 0; i < count; i++) {
      int c = i % 3;
      for (int row = 0; row < 6; row++) {
        for (int col = 0; col < 6; col++) {
          boolean bright = row / 2 == c;
          img.writeByte(bright ? 150 + r.nextInt(106) : r.nextInt(120));
        }
      }
      lab.writeByte(c);
    }
    Files.write(folder.resolve(prefix + "-images-idx3-ubyte"), images.toByteArray());
    Files.write(folder.resolve(prefix + "-labels-idx1-ubyte"), labels.toByteArray());
  }
}
