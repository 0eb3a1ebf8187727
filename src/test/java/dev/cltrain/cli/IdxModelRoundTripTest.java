package dev.cltrain.cli;

import dev.cltrain.testing.Backends;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    data = dev.cltrain.testing.IdxFolders.write(dir.resolve("idx"));
  }

  static List<String> devices() {
    return Backends.all().stream().map(d -> d.id()).toList();
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
  static String field(Cli run, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + ":\\s+(.*)$").matcher(run.out());
    assertTrue(m.find(), name + " in:\n" + run);
    return m.group(1).strip();
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
