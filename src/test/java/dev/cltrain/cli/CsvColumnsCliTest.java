package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 22 items 3–5 on the command line: --label, --ignore and --missing in train, eval and predict. */
class CsvColumnsCliTest {
  @TempDir
  Path dir;

  private Path write(String name, String text) throws IOException {
    return dev.cltrain.testing.TestFiles.write(dir, name, text);
  }

  /** Kaggle's MNIST layout in small: the class label first, two "pixels" that decide it. */
  private Path kaggle(String idColumn) throws IOException {
    StringBuilder b = new StringBuilder(idColumn == null ? "" : "id,").append("label,pixel0,pixel1\n");
    for (int r = 0; r < 40; r++) {
      int label = r % 2;
      b.append(idColumn == null ? "" : "img-" + r + ",").append(label).append(',').append(label == 1 ? 200 : 10)
          .append(',').append((r * 37) % 255).append('\n');
    }
    return write(idColumn == null ? "kaggle.csv" : "kaggle-id.csv", b.toString());
  }

  private static void assertOneLineError(Cli run, String... parts) {
    assertEquals(2, run.exit(), run.toString());
    assertEquals(1, run.err().strip().lines().count(), run.toString());
    for (String part : parts) {
      assertTrue(run.err().contains(part), "'" + part + "' not in: " + run);
    }
  }

  @Test
  void theLabelFirstIsLearnedWithLabelAndUsedByEvalAndPredict() throws IOException {
    Path data = kaggle(null);
    Path model = dir.resolve("k.json");
    Cli plain = Cli.run("train", "--data", data.toString(), "--epochs", "1", "--device", "reference");
    assertEquals(0, plain.exit(), plain.toString());
    assertTrue(plain.err().contains("note: column 1 of kaggle.csv is named 'label'") && plain.err().contains("--label label"),
        plain.toString());
    Cli run = Cli.run("train", "--data", data.toString(), "--label", "label", "--loss", "xent", "--epochs", "1",
        "--device", "reference", "--save", model.toString());
    assertEquals(0, run.exit(), run.toString());
    assertTrue(Files.size(model) > 0, "model saved");
    Cli eval = Cli.run("eval", "--model", model.toString(), "--data", data.toString(), "--label", "1", "--json",
        "--device", "reference");
    assertEquals(0, eval.exit(), eval.toString());
    assertTrue(eval.out().contains("\"rows\" : 40"), eval.toString());
    Cli predict = Cli.run("predict", "--model", model.toString(), "--data", data.toString(), "--label", "label",
        "--device", "reference");
    assertEquals(0, predict.exit(), predict.toString());
    assertEquals(41, predict.outLines().size(), "a header and 40 rows: " + predict);
    assertOneLineError(Cli.run("train", "--data", data.toString(), "--label", "digit", "--device", "reference"),
        "--label digit", "no column of that name", "label, pixel0, pixel1");
    assertOneLineError(Cli.run("train", "--data", data.toString(), "--label", "label", "--targets", "1",
        "--device", "reference"), "--targets and --label");
  }

  @Test
  void anIdColumnIsNamedAndLeftOutWithIgnore() throws IOException {
    Path data = kaggle("id");
    assertOneLineError(Cli.run("train", "--data", data.toString(), "--label", "label", "--device", "reference"),
        "kaggle-id.csv:2, column 1: 'img-0' is not a number", "probably an id", "--ignore id");
    Cli run = Cli.run("train", "--data", data.toString(), "--label", "label", "--ignore", "id", "--loss", "xent",
        "--epochs", "1", "--device", "reference");
    assertEquals(0, run.exit(), run.toString());
  }

  /** Issue 22 item 4: an empty cell on line 8, column 3 was reported as "missing.csv:2, column 5: 'robusta'". */
  @Test
  void aMissingCellIsNamedWhereItIsAndDropRemovesItsRow() throws IOException {
    StringBuilder b = new StringBuilder("a,b,c,d,bean\n");
    for (int r = 2; r <= 12; r++) {
      b.append(r).append(',').append(r % 3).append(',').append(r == 8 ? "" : String.valueOf(r % 5)).append(",1,")
          .append(r % 2 == 0 ? "arabica" : "robusta").append('\n');
    }
    Path data = write("missing.csv", b.toString());
    assertOneLineError(Cli.run("train", "--data", data.toString(), "--device", "reference"),
        "missing.csv:8, column 3: empty cell");
    Path na = write("na.csv", b.toString().replace(",2,,1,", ",2,NA,1,"));
    assertOneLineError(Cli.run("train", "--data", na.toString(), "--device", "reference"),
        "na.csv:8, column 3: 'NA' marks a missing value");
    Cli dropped = Cli.run("train", "--data", na.toString(), "--missing", "drop", "--epochs", "1", "--device", "reference");
    assertEquals(0, dropped.exit(), dropped.toString());
    assertTrue(dropped.err().contains("2 class names"), dropped.toString());
  }

  /** Issue 22 item 5: the README's string-label layout, its label column left unread. */
  @Test
  void predictIgnoreExtraTakesTheReadmesStringLabelCsv() throws IOException {
    Path model = dir.resolve("flowers.json");
    Cli train = Cli.run("train", "--data", "docs/examples/flowers.csv", "--standardize", "--layers", "2,8,3",
        "--epochs", "2", "--device", "reference", "--save", model.toString());
    assertEquals(0, train.exit(), train.toString());
    Cli predict = Cli.run("predict", "--model", model.toString(), "--data", "docs/examples/flowers-test.csv",
        "--ignore-extra", "--device", "reference");
    assertEquals(0, predict.exit(), predict.toString());
    assertEquals(31, predict.outLines().size(), "a header and 30 rows: " + predict);
    Cli byLabel = Cli.run("predict", "--model", model.toString(), "--data", "docs/examples/flowers-test.csv",
        "--label", "3", "--device", "reference");
    assertEquals(0, byLabel.exit(), byLabel.toString());
    assertEquals(predict.out(), byLabel.out(), "--label 3 leaves the same inputs");
    assertOneLineError(Cli.run("predict", "--model", model.toString(), "--data", "docs/examples/flowers-test.csv",
        "--label", "species", "--device", "reference"), "--label species", "no header line", "1 to 3");
  }
}
