package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training with every record (--save, --metrics, --plot, a test set), then eval and predict working from the
 * saved model alone. Data: three Gaussian blobs in 2-D, labels 0..2, a classification CSV.
 */
class ModelCommandsTest {
  @TempDir
  static Path dir;
  static Path trainCsv;
  static Path testCsv;
  static Path model;
  static Cli trained;

  static void blobs(Path file, int rows, long seed) throws Exception {
    Random r = new Random(seed);
    double[][] centres = {{-2, 0}, {2, 0}, {0, 3}};
    StringBuilder s = new StringBuilder("x,y,label\n");
    for (int i = 0; i < rows; i++) {
      int c = i % 3;
      s.append(centres[c][0] + 0.5 * r.nextGaussian()).append(',').append(centres[c][1] + 0.5 * r.nextGaussian())
          .append(',').append(c).append('\n');
    }
    Files.writeString(file, s.toString());
  }

  @BeforeAll
  static void train() throws Exception {
    trainCsv = dir.resolve("blobs.csv");
    testCsv = dir.resolve("blobs-test.csv");
    blobs(trainCsv, 150, 1);
    blobs(testCsv, 60, 2);
    model = dir.resolve("blobs.json");
    trained = Cli.run("train", "--data", trainCsv.toString(), "--test", testCsv.toString(), "--loss", "xent",
        "--layers", "2,8,3", "--activation", "tanh", "--optimizer", "adam", "--lr", "0.05", "--batch-size", "32",
        "--epochs", "30", "--log-every", "10", "--device", "reference", "--save", model.toString(),
        "--metrics", dir.resolve("metrics.csv").toString(), "--plot", dir.resolve("curves.png").toString());
  }

  @Test
  void trainingLogsAccuracyAndTheTestSetAndWritesEveryRecord() throws Exception {
    assertEquals(0, trained.exit(), trained.toString());
    List<String> epochs = trained.outLines().stream().filter(l -> l.startsWith("Epoch ")).toList();
    assertEquals(3, epochs.size(), trained.toString());
    assertTrue(epochs.get(0).matches("Epoch 0, Loss: \\d\\.\\d{4}, Accuracy: \\d\\.\\d{4}, Test loss: \\d\\.\\d{4}, Test accuracy: \\d\\.\\d{4}"),
        epochs.get(0));
    List<String> metrics = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals("epoch,loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,seconds", metrics.get(0));
    assertEquals(31, metrics.size(), "a header and one row per epoch");
    assertTrue(Files.size(dir.resolve("curves.png")) > 1000, "a plot was drawn");
    Matcher test = Pattern.compile("test:\\s+loss \\S+, accuracy (\\S+)").matcher(trained.out());
    assertTrue(test.find() && Double.parseDouble(test.group(1)) > 0.9, "separable blobs are learnt: " + trained);
  }

  @Test
  void evalFromTheSavedModelAlonePrintsLossAccuracyAndAConfusionMatrixOverEveryRow() {
    Cli run = Cli.run("eval", "--model", model.toString(), "--data", testCsv.toString(), "--device", "reference");
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.out().contains("loss:") && run.out().contains("accuracy:"), run.toString());
    List<String> lines = run.outLines();
    int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("confusion matrix")).findFirst().orElseThrow());
    int total = 0;
    for (int row = 0; row < 3; row++) {
      String[] cells = lines.get(header + 2 + row).trim().split("\\s+");
      assertEquals(String.valueOf(row), cells[0]);
      for (int c = 1; c <= 3; c++) {
        total += Integer.parseInt(cells[c]);
      }
    }
    assertEquals(60, total, "the matrix counts every test row once");
  }

  @Test
  void predictGivesAClassForOneInputAndARowPerInputRowForAFile() throws Exception {
    Cli one = Cli.run("predict", "--model", model.toString(), "--input", "2.1,0.1", "--device", "reference");
    assertEquals(0, one.exit(), one.toString());
    assertTrue(one.out().contains("class:  1"), "a point at the centre of blob 1: " + one);

    Path out = dir.resolve("predictions.csv");
    Cli file = Cli.run("predict", "--model", model.toString(), "--data", testCsv.toString(), "--out", out.toString(),
        "--device", "reference", "--ignore-extra"); // its label column: refused without --ignore-extra (issue 12)
    assertEquals(0, file.exit(), file.toString());
    List<String> rows = Files.readAllLines(out);
    assertEquals("output_0,output_1,output_2,class", rows.get(0));
    assertEquals(61, rows.size(), "a header and one row per input row");
  }

  @Test
  void predictWithTheWrongNumberOfInputsIsBadInput() {
    Cli run = Cli.run("predict", "--model", model.toString(), "--input", "1,2,3", "--device", "reference");
    assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
    assertEquals(1, run.err().lines().count(), run.toString());
    assertTrue(run.err().contains("--input has 3 values but the model takes 2 inputs"), run.toString());
  }

  @Test
  void evalOnDataOfAnotherWidthIsBadInput() throws Exception {
    Path wide = dir.resolve("wide.csv");
    Files.writeString(wide, "1,2,3,0\n4,5,6,1\n");
    Cli run = Cli.run("eval", "--model", model.toString(), "--data", wide.toString(), "--device", "reference");
    assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
    assertTrue(run.err().contains("wide.csv: 4 columns, but the model ")
        && run.err().contains(" takes 2 inputs and a class label: 3 columns"), run.toString());
  }
}
