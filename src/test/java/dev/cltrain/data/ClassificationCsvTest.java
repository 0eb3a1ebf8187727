package dev.cltrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import dev.cltrain.nn.NumpyRandom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassificationCsvTest {
  @TempDir
  Path dir;

  private Path csv(String name, String text) {
    try {
      return Files.writeString(dir.resolve(name), text);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void assertMentions(InputException e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), () -> "message lacks '" + part + "': " + e.getMessage());
    }
  }

  private static InputException fails(org.junit.jupiter.api.function.Executable body) {
    return assertThrows(InputException.class, body);
  }

  /** rows lines "i,i*10,label": the first input identifies the row. */
  private Path numbered(int rows, int classes) {
    StringBuilder text = new StringBuilder("id,ten,label\n");
    for (int i = 0; i < rows; i++) {
      text.append(i).append(',').append(i * 10).append(',').append(i % classes).append('\n');
    }
    return csv("numbered.csv", text.toString());
  }

  private static DataOptions split(Path file, double fraction, long seed) {
    return new DataOptions(file.toString(), 1, true, 0, null, fraction, seed);
  }

  private static int[] ids(DataSet set) {
    int[] ids = new int[set.rows()];
    for (int r = 0; r < ids.length; r++) {
      ids[r] = (int) set.x()[r * set.inputs()];
    }
    return ids;
  }

  @Test
  void lastColumnLabelsBecomeOneHotRowsWithKInferredAsMaxLabelPlusOne() {
    Path file = csv("iris.csv", "a,b,class\n0.5,1,2\n1.5,-2,0\n\n3,4,1.0\n");
    DataSet set = CsvReader.readClassification(file, 0);
    assertEquals(3, set.rows());
    assertEquals(2, set.inputs());
    assertEquals(3, set.outputs());
    assertArrayEquals(new float[] {0.5f, 1, 1.5f, -2, 3, 4}, set.x(), 0f);
    assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 0}, set.y(), 0f, "2 -> 001, 0 -> 100, 1.0 -> 010");
  }

  @Test
  void inferredClassesAreAtLeastTwoAndGivenClassesWidenTheOneHot() {
    Path file = csv("zeros.csv", "1,0\n2,0\n");
    assertEquals(2, CsvReader.readClassification(file, 0).outputs());
    DataSet wide = CsvReader.readClassification(file, 5);
    assertEquals(5, wide.outputs());
    assertArrayEquals(new float[] {1, 0, 0, 0, 0}, wide.targetRow(1), 0f);
  }

  @Test
  void fractionalLabelIsRejectedWithFileLineAndColumn() {
    Path file = csv("frac.csv", "x,y,label\n1,2,0\n3,4,2.5\n");
    assertMentions(fails(() -> CsvReader.readClassification(file, 0)),
        file + ":3, column 3", "'2.5' is not an integer");
  }

  @Test
  void negativeLabelIsRejectedWithFileLineAndColumn() {
    Path file = csv("neg.csv", "1,0\n\n2,-1\n");
    assertMentions(fails(() -> CsvReader.readClassification(file, 0)), file + ":3, column 2", "-1 is negative");
  }

  @Test
  void labelAtOrOverGivenClassesIsRejectedWithFileLineAndColumn() {
    Path file = csv("range.csv", "1,1,0\n2,2,3\n");
    assertMentions(fails(() -> CsvReader.readClassification(file, 3)),
        file + ":2, column 3", "3 is out of range for 3 classes (0..2)");
  }

  @Test
  void nonNumericLabelIsAClassNameAndHugeLabelIsRejected() {
    Path text = csv("text.csv", "1,setosa\n"); // issue 12: string labels are class names now, no longer refused
    assertEquals(java.util.List.of("setosa"), CsvReader.readClassified(text, 0, null).names());
    Path empty = csv("empty.csv", "1,setosa\n2,\n");
    assertMentions(fails(() -> CsvReader.readClassification(empty, 0)), empty + ":2, column 2", "empty class label");
    Path huge = csv("huge.csv", "1,0\n2,1e9\n");
    assertMentions(fails(() -> CsvReader.readClassification(huge, 0)), huge + ":2, column 2", "too large");
  }

  @Test
  void classesOfOneOrNegativeAreRejected() {
    Path file = csv("ok.csv", "1,0\n");
    assertMentions(fails(() -> CsvReader.readClassification(file, 1)), "classes must be at least 2");
    assertMentions(fails(() -> CsvReader.readClassification(file, -3)), "classes must be at least 2");
  }

  @Test
  void aSingleColumnHasNoInputsBesideTheLabel() {
    Path file = csv("one.csv", "0\n1\n");
    assertMentions(fails(() -> CsvReader.readClassification(file, 0)), file + ":1: 1 column",
        "a class label column and at least one input");
  }

  @Test
  void badInputCellsAreStillReportedAsInPlainCsv() {
    Path file = csv("bad.csv", "1,2,0\n1,x,1\n");
    assertMentions(fails(() -> CsvReader.readClassification(file, 0)), file + ":2, column 2", "'x' is not a number");
    Path ragged = csv("ragged.csv", "1,2,0\n1,1\n");
    assertMentions(fails(() -> CsvReader.readClassification(ragged, 0)), ragged + ":2: 2 columns, expected 3");
  }

  @Test
  void plainReadStillTakesTheLastColumnsAsNumericTargets() {
    Path file = csv("plain.csv", "1,2,0.5\n");
    DataSet set = CsvReader.read(file, 1);
    assertEquals(1, set.outputs());
    assertArrayEquals(new float[] {0.5f}, set.y(), 0f);
  }

  @Test
  void classificationCsvThroughDataSetsReportsItsClassesAndScaleOne() {
    TrainingData loaded = DataSets.load(new DataOptions(numbered(6, 3).toString(), 1, true, 0, null, 0, 0));
    assertEquals(3, loaded.classes());
    assertEquals(1f, loaded.inputScale());
    assertNull(loaded.test());
    assertNull(loaded.validation());
    TrainingData plain = DataSets.load(new DataOptions(numbered(6, 3).toString(), 2, false, 0, null, 0, 0));
    assertEquals(0, plain.classes());
    assertEquals(2, plain.train().outputs());
  }

  @Test
  void testCsvWithOtherInputWidthIsRejectedNamingBothWidthsAndTheFile() {
    Path train = csv("train.csv", "1,2,0\n3,4,1\n");
    Path test = csv("test.csv", "1,2,3,0\n");
    InputException e = fails(() -> DataSets.load(new DataOptions(train.toString(), 1, true, 0, test.toString(), 0, 0)));
    assertMentions(e, test.toString(), "3 inputs", train.toString(), "has 2");
    InputException plain = fails(() -> DataSets.load(new DataOptions(train.toString(), 1, false, 0, test.toString(), 0, 0)));
    assertMentions(plain, test.toString(), "3 inputs", "has 2");
  }

  @Test
  void testCsvIsReadWithTheTrainingSetsClasses() {
    Path train = csv("train.csv", "1,2,0\n3,4,2\n");
    Path test = csv("test.csv", "5,6,1\n");
    TrainingData loaded = DataSets.load(new DataOptions(train.toString(), 1, true, 0, test.toString(), 0, 0));
    assertEquals(3, loaded.test().outputs());
    assertArrayEquals(new float[] {0, 1, 0}, loaded.test().targetRow(0), 0f);
    Path beyond = csv("beyond.csv", "5,6,3\n");
    assertMentions(fails(() -> DataSets.load(new DataOptions(train.toString(), 1, true, 0, beyond.toString(), 0, 0))),
        beyond + ":1, column 3", "out of range for 3 classes");
  }

  @Test
  void builtInTableAsClassificationBecomesTwoClassOneHot() {
    TrainingData xor = DataSets.load(new DataOptions("xor", 1, true, 0, null, 0, 0));
    assertEquals(2, xor.classes());
    assertArrayEquals(new float[] {1, 0, 0, 1, 0, 1, 1, 0}, xor.train().y(), 0f);
    TrainingData plain = DataSets.load(new DataOptions("xor", 1, false, 0, null, 0, 0));
    assertEquals(0, plain.classes());
    assertArrayEquals(Builtins.get("xor").y(), plain.train().y(), 0f);
  }

  @Test
  void validationSplitHoldsOutTheLastIndicesOfNumpysPermutation() {
    // python3 -c "import numpy as np; np.random.seed(0); print(np.random.permutation(10))" -> [2 8 4 9 1 6 7 3 0 5]
    TrainingData loaded = DataSets.load(split(numbered(10, 3), 0.3, 0));
    assertArrayEquals(new int[] {2, 8, 4, 9, 1, 6, 7}, ids(loaded.train()));
    assertArrayEquals(new int[] {3, 0, 5}, ids(loaded.validation()));
    assertArrayEquals(new float[] {3, 30}, loaded.validation().inputRow(0), 0f);
    assertArrayEquals(new float[] {1, 0, 0}, loaded.validation().targetRow(0), 0f, "row 3 has label 0");
    assertEquals(3, loaded.validation().outputs());
  }

  @Test
  void validationSplitSizesAreRoundedFractionAtLeastOneLeavingAtLeastOne() {
    Path file = numbered(100, 4);
    assertEquals(20, DataSets.load(split(file, 0.2, 1)).validation().rows());
    assertEquals(80, DataSets.load(split(file, 0.2, 1)).train().rows());
    assertEquals(1, DataSets.load(split(file, 0.001, 1)).validation().rows(), "at least one row");
    assertEquals(99, DataSets.load(split(file, 0.99, 1)).validation().rows());
    assertEquals(1, DataSets.load(split(file, 0.99, 1)).train().rows());
    Path two = csv("two.csv", "1,0\n2,1\n");
    assertMentions(fails(() -> DataSets.load(split(two, 0.9, 0))), "holds out 2 of the 2", "leaving none");
    Path one = csv("one.csv", "1,0\n");
    assertMentions(fails(() -> DataSets.load(split(one, 0.1, 0))), "holds out 1 of the 1", "leaving none");
  }

  @Test
  void validationSplitOfZeroKeepsAllRowsInOrder() {
    TrainingData loaded = DataSets.load(split(numbered(10, 3), 0, 5));
    assertNull(loaded.validation());
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, ids(loaded.train()));
  }

  @Test
  void validationSplitIsTheSameForTheSameSeedAndDiffersForAnotherSeed() {
    Path file = numbered(50, 5);
    TrainingData a = DataSets.load(split(file, 0.2, 42));
    TrainingData b = DataSets.load(split(file, 0.2, 42));
    TrainingData c = DataSets.load(split(file, 0.2, 43));
    assertArrayEquals(ids(a.validation()), ids(b.validation()));
    assertArrayEquals(ids(a.train()), ids(b.train()));
    assertArrayEquals(a.validation().x(), b.validation().x(), 0f);
    assertArrayEquals(a.validation().y(), b.validation().y(), 0f);
    assertFalse(Arrays.equals(ids(a.validation()), ids(c.validation())));
    int[] perm = new NumpyRandom(42).permutation(50);
    assertArrayEquals(Arrays.copyOfRange(perm, 40, 50), ids(a.validation()));
  }

  @Test
  void trainAndValidationTogetherAreExactlyTheOriginalRows() {
    Path file = numbered(37, 4);
    DataSet original = CsvReader.readClassification(file, 0);
    TrainingData loaded = DataSets.load(split(file, 0.25, 7));
    assertEquals(37, loaded.train().rows() + loaded.validation().rows());
    assertEquals(9, loaded.validation().rows(), "round(0.25 * 37) = 9");
    boolean[] seen = new boolean[37];
    for (DataSet part : new DataSet[] {loaded.train(), loaded.validation()}) {
      assertEquals(original.inputs(), part.inputs());
      assertEquals(original.outputs(), part.outputs());
      for (int r = 0; r < part.rows(); r++) {
        int id = (int) part.x()[r * part.inputs()];
        assertFalse(seen[id], "row " + id + " appears twice");
        seen[id] = true;
        assertArrayEquals(original.inputRow(id), part.inputRow(r), 0f);
        assertArrayEquals(original.targetRow(id), part.targetRow(r), 0f);
      }
    }
    for (int id = 0; id < 37; id++) {
      assertTrue(seen[id], "row " + id + " is missing");
    }
  }

  @Test
  void validationSplitKeepsTheTestSetAndWorksOnBuiltIns() {
    Path train = numbered(10, 2);
    Path test = csv("test.csv", "7,70,1\n");
    TrainingData loaded = DataSets.load(new DataOptions(train.toString(), 1, true, 0, test.toString(), 0.5, 3));
    assertNotNull(loaded.test());
    assertEquals(1, loaded.test().rows());
    assertEquals(5, loaded.validation().rows());
    TrainingData xor = DataSets.load(new DataOptions("xor", 1, false, 0, null, 0.25, 0));
    assertEquals(3, xor.train().rows());
    assertEquals(1, xor.validation().rows());
  }

  @Test
  void validationSplitOutsideZeroToOneIsRejected() {
    for (double bad : new double[] {-0.1, 1.0, 1.5, Double.NaN}) {
      assertMentions(fails(() -> DataSets.load(split(numbered(10, 2), bad, 0))),
          "validationSplit must be in [0, 1)"); // the library names it as Java does; the CLI says --validation-split
    }
  }

  @Test
  void missingDataFileIsReportedByName() {
    Path absent = dir.resolve("absent.csv");
    assertMentions(fails(() -> DataSets.load(split(absent, 0, 0))), absent + ": file not found");
  }
}
