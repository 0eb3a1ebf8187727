package dev.cltrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CsvReader: what a good file gives, and that every bad file is an InputException naming file, line, column. */
class CsvReaderTest {
  @TempDir
  Path dir;

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  /** Reads {@code file} expecting an InputException, checks it names the file, and returns its message. */
  private static String rejected(Path file, int targets) {
    InputException e = assertThrows(InputException.class, () -> CsvReader.read(file, targets));
    String message = e.getMessage();
    assertTrue(message.contains(file.toString()), "names the file: " + message);
    assertTrue(!message.contains("\n"), "one line: " + message);
    return message;
  }

  static void assertContains(String message, String... phrases) {
    for (String phrase : phrases) {
      assertTrue(message.contains(phrase), "expected '" + phrase + "' in: " + message);
    }
  }

  @Test
  void goodCsvWithHeaderAndBlankLinesGivesRowsInputsAndTargetsInOrder() throws IOException {
    Path csv = write("xor.csv", "x1,x2,y\n\n0,0,0\n0, 1 ,1\n   \n1,0,1\r\n1,1,0\n\n");
    DataSet data = CsvReader.read(csv, 1);
    assertEquals(4, data.rows());
    assertEquals(2, data.inputs());
    assertEquals(1, data.outputs());
    assertArrayEquals(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, data.x());
    assertArrayEquals(new float[] {0, 1, 1, 0}, data.y());
    assertEquals(csv.toString(), data.name());
  }

  @Test
  void goodCsvWithoutHeaderParsesSignsDecimalsAndExponents() throws IOException {
    Path csv = write("numbers.csv", "-1.5,+.25,3e2\n1E-3,0.,7\n");
    DataSet data = CsvReader.read(csv, 1);
    assertEquals(2, data.rows());
    assertArrayEquals(new float[] {-1.5f, 0.25f, 0.001f, 0f}, data.x());
    assertArrayEquals(new float[] {300f, 7f}, data.y());
  }

  @Test
  void utf8ByteOrderMarkBeforeTheFirstCellIsIgnored() throws IOException {
    DataSet noHeader = CsvReader.read(write("bom.csv", "\uFEFF1,2,3\n4,5,6\n"), 1);
    assertArrayEquals(new float[] {1, 2, 4, 5}, noHeader.x());
    assertArrayEquals(new float[] {3, 6}, noHeader.y());
    DataSet header = CsvReader.read(write("bomheader.csv", "\uFEFFa,b,y\n4,5,6\n"), 1);
    assertEquals(1, header.rows());
  }

  @Test
  void targetsTwoMakesTheLastTwoColumnsTheTargets() throws IOException {
    Path csv = write("two.csv", "a,b,c,d\n1,2,3,4\n5,6,7,8\n");
    DataSet data = CsvReader.read(csv, 2);
    assertEquals(2, data.rows());
    assertEquals(2, data.inputs());
    assertEquals(2, data.outputs());
    assertArrayEquals(new float[] {1, 2, 5, 6}, data.x());
    assertArrayEquals(new float[] {3, 4, 7, 8}, data.y());
    assertArrayEquals(new float[] {5, 6}, data.inputRow(1));
    assertArrayEquals(new float[] {7, 8}, data.targetRow(1));
  }

  @Test
  void missingFileSaysFileNotFound() {
    String message = rejected(dir.resolve("absent.csv"), 1);
    assertContains(message, "file not found");
  }

  @Test
  void directorySaysItIsADirectory() throws IOException {
    Path folder = Files.createDirectory(dir.resolve("folder.csv"));
    String message = rejected(folder, 1);
    assertContains(message, "is a directory");
  }

  @Test
  void emptyFileSaysNoDataRows() throws IOException {
    String message = rejected(write("empty.csv", ""), 1);
    assertContains(message, "no data rows");
  }

  @Test
  void blankLinesOnlySaysNoDataRows() throws IOException {
    String message = rejected(write("blank.csv", "\n  \n\n"), 1);
    assertContains(message, "no data rows");
  }

  @Test
  void headerOnlySaysNoDataRows() throws IOException {
    String message = rejected(write("header.csv", "x1,x2,y\n"), 1);
    assertContains(message, "no data rows", "header");
  }

  /**
   * A hang check, not a speed test: a cell of 100,000 digits followed by an 'x' took more than 120 s when numbers
   * were matched by a backtracking regex (quadratic in the cell's length). Scanned in one pass it takes
   * milliseconds; the bound is generous so that a busy machine never fails it.
   */
  @Test
  void aCellOfOneHundredThousandDigitsFollowedByAnXIsRejectedWithoutHanging() throws IOException {
    String digits = "1".repeat(100_000);
    Path csv = write("long.csv", "a,b,y\n1,2,3\n4," + digits + "x,6\n");
    String message = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> rejected(csv, 1),
        "a 100,000-digit cell must be judged in linear time");
    assertContains(message, csv + ":3, column 2", "'" + "1".repeat(37) + "...'", "not a number");
  }

  @Test
  void longCellsOfEveryShapeAreJudgedWithoutHanging() throws IOException {
    String d = "7".repeat(50_000);
    String[] bad = {"+" + d + "." + d + "x", "." + d + "e", d + "e+" + d + "-", d + "." + d + "." + d, "-" + d + "ee1",
        d + " " + d};
    for (int i = 0; i < bad.length; i++) {
      Path csv = write("bad" + i + ".csv", "a,y\n1,2\n" + bad[i] + ",3\n");
      String message = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> rejected(csv, 1), "case " + i);
      assertContains(message, csv + ":3, column 1", "not a number");
    }
    // long but well formed: read as the number it is, or refused as out of range, never hanging
    Path small = write("small.csv", "a,y\n0." + "0".repeat(100_000) + "1e99999,2\n-" + "0".repeat(100_000) + "1.5,3\n");
    DataSet set = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> CsvReader.read(small, 1));
    assertArrayEquals(new float[] {0.01f, -1.5f}, set.x());
    Path huge = write("huge-long.csv", "a,y\n1,2\n" + d + "." + d + "e+" + d + ",3\n");
    assertContains(assertTimeoutPreemptively(Duration.ofSeconds(20), () -> rejected(huge, 1)), ":3, column 1",
        "out of float32 range");
  }

  @Test
  void nonNumericCellNamesLineColumnAndCell() throws IOException {
    Path csv = write("bad.csv", "x1,x2,y\n0,0,0\n0,abc,1\n");
    String message = rejected(csv, 1);
    assertContains(message, csv + ":3, column 2", "'abc'", "not a number");
  }

  @Test
  void emptyCellNamesLineAndColumn() throws IOException {
    Path csv = write("hole.csv", "0,0,0\n1,,1\n");
    String message = rejected(csv, 1);
    assertContains(message, ":2, column 2", "empty cell");
  }

  @Test
  void raggedRowNamesItsLineAndTheExpectedColumnCount() throws IOException {
    Path csv = write("ragged.csv", "x1,x2,y\n0,0,0\n\n0,1\n");
    String message = rejected(csv, 1);
    assertContains(message, csv + ":4:", "2 columns, expected 3", "line 2");
  }

  @Test
  void nanCellIsRejectedAsNotFiniteNamingLineAndColumn() throws IOException {
    Path csv = write("nan.csv", "0,0,0\nNaN,1,1\n");
    String message = rejected(csv, 1);
    assertContains(message, ":2, column 1", "'NaN'", "not a finite number");
  }

  @Test
  void infCellIsRejectedAsNotFiniteNamingLineAndColumn() throws IOException {
    Path csv = write("inf.csv", "0,0,0\n1,-Infinity,1\n1,1,inf\n");
    String message = rejected(csv, 1);
    assertContains(message, ":2, column 2", "'-Infinity'", "not a finite number");
    Path lower = write("inf2.csv", "0,0,0\n1,1,inf\n");
    assertContains(rejected(lower, 1), ":2, column 3", "'inf'", "not a finite number");
  }

  @Test
  void nanOnTheFirstLineIsNotMistakenForAHeader() throws IOException {
    Path csv = write("nanfirst.csv", "nan,0,0\n1,1,1\n");
    String message = rejected(csv, 1);
    assertContains(message, ":1, column 1", "not a finite number");
  }

  @Test
  void valueOutsideFloat32RangeIsRejectedNamingLineAndColumn() throws IOException {
    Path csv = write("huge.csv", "a,b,y\n1,2,3\n4,1e40,6\n");
    String message = rejected(csv, 1);
    assertContains(message, ":3, column 2", "'1e40'", "out of float32 range");
  }

  @Test
  void nonUtf8BytesSayNotAUtf8TextFile() throws IOException {
    Path csv = dir.resolve("latin1.csv");
    Files.write(csv, new byte[] {'0', ',', '1', '\n', (byte) 0xFF, (byte) 0xFE, ',', '1', '\n'});
    String message = rejected(csv, 1);
    assertContains(message, "not a UTF-8 text file");
  }

  @Test
  void tooFewColumnsForTheTargetsNamesLineAndCounts() throws IOException {
    Path csv = write("narrow.csv", "a,b\n1,2\n");
    String message = rejected(csv, 2);
    assertContains(message, csv + ":2:", "2 columns", "2 target columns", "at least one input");
  }

  @Test
  void singleColumnWithOneTargetHasNoInputAndIsRejected() throws IOException {
    Path csv = write("one.csv", "1\n2\n");
    String message = rejected(csv, 1);
    assertContains(message, ":1:", "1 column,", "at least one input");
  }

  @Test
  void targetsBelowOneIsRejectedNamingTheParameterAsJavaDoes() throws IOException {
    Path csv = write("ok.csv", "0,0,0\n");
    InputException e = assertThrows(InputException.class, () -> CsvReader.read(csv, 0));
    assertEquals("targets must be at least 1, got 0", e.getMessage()); // the CLI says --targets (LibraryErrorNamesTest)
    assertEquals("targets", e.parameter());
  }
}
