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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22 items 3–4 and issue 23 item 8: the label and ignored columns ({@link CsvLayout}), missing cells
 * named at their line and column, and a stray quote found in one linear pass.
 */
class CsvColumnsTest {
  @TempDir
  Path dir;

  private Path write(String name, String text) throws IOException {
    return dev.cltrain.testing.TestFiles.write(dir, name, text);
  }

  /** The message in Java terms, checked to name no command-line option (the CLI's tests check those). */
  private static String message(Runnable read) {
    String m = assertThrows(InputException.class, read::run).getMessage();
    assertTrue(!m.matches("(?s).*(?<![\\w-])--[a-z].*"), "no option in a library message: " + m);
    return m;
  }

  private static void assertMentions(String message, String... parts) {
    CsvReaderTest.assertContains(message, parts);
  }

  /** Kaggle's MNIST layout: the label first. */
  @Test
  void aLabelFirstIsChosenByNameOrByNumber() throws IOException {
    Path file = write("kaggle.csv", "label,pixel0,pixel1\n3,10,20\n1,30,40\n");
    for (String column : new String[] {"label", "1"}) {
      DataSet set = CsvReader.read(file, 1, CsvLayout.DEFAULT.withLabel(column));
      assertEquals(2, set.inputs(), column);
      assertArrayEquals(new float[] {10, 20, 30, 40}, set.x(), column);
      assertArrayEquals(new float[] {3, 1}, set.y(), column);
    }
    CsvReader.Classified c = CsvReader.readClassified(file, 0, null, CsvLayout.DEFAULT.withLabel("label"));
    assertEquals(4, c.set().outputs(), "K = largest label + 1");
    assertArrayEquals(new float[] {0, 0, 0, 1, 0, 1, 0, 0}, c.set().y());
  }

  @Test
  void severalLabelColumnsAreSeveralTargetsInTheOrderGiven() throws IOException {
    Path file = write("two.csv", "a,b,c,d\n1,2,3,4\n5,6,7,8\n");
    DataSet set = CsvReader.read(file, 1, CsvLayout.DEFAULT.withLabel("d", "a"));
    assertArrayEquals(new float[] {2, 3, 6, 7}, set.x());
    assertArrayEquals(new float[] {4, 1, 8, 5}, set.y());
  }

  @Test
  void ignoredColumnsAreNotReadAtAll() throws IOException {
    Path file = write("id.csv", "id,x,when,y\nrow-a,1,monday,0.5\nrow-b,2,tuesday,0.25\n");
    DataSet set = CsvReader.read(file, 1, CsvLayout.DEFAULT.withIgnore("id", "3"));
    assertArrayEquals(new float[] {1, 2}, set.x());
    assertArrayEquals(new float[] {0.5f, 0.25f}, set.y());
    DataSet inputs = CsvReader.readInputs(file, 1, false, CsvLayout.DEFAULT.withIgnore("id", "when").withLabel("y"));
    assertArrayEquals(new float[] {1, 2}, inputs.x());
  }

  @Test
  void aColumnOfDistinctWordsIsNamedAsProbablyAnId() throws IOException {
    Path file = write("ids.csv", "id,x,y\nrow-a,1,0.5\nrow-b,2,0.25\nrow-c,3,0.75\n");
    assertMentions(message(() -> CsvReader.read(file, 1)), file + ":2, column 1: 'row-a' is not a number",
        "column 1 (id)", "probably an id", "(ignore id leaves it out)");
    // a word in a column of numbers is only a bad cell
    Path typo = write("typo.csv", "id,x,y\n1,1,0.5\nrow-b,2,0.25\n3,3,0.75\n");
    String m = message(() -> CsvReader.read(typo, 1));
    assertMentions(m, typo + ":3, column 1: 'row-b' is not a number");
    assertTrue(!m.contains("id"), m);
    // the first defect is named, also when a later line has another
    Path later = write("later.csv", "id,x,y\nrow-a,1,0.5\nrow-b,2\n");
    assertMentions(message(() -> CsvReader.read(later, 1)), later + ":2, column 1: 'row-a' is not a number");
  }

  @Test
  void columnsNotInTheFileAreRefusedNamingTheOption() throws IOException {
    Path file = write("h.csv", "a,b,c\n1,2,3\n");
    assertMentions(message(() -> CsvReader.read(file, 1, CsvLayout.DEFAULT.withLabel("z"))), "label z",
        "no column of that name", "a, b, c");
    assertMentions(message(() -> CsvReader.read(file, 1, CsvLayout.DEFAULT.withLabel("4"))), "label 4", "3 columns");
    assertMentions(message(() -> CsvReader.read(file, 1, CsvLayout.DEFAULT.withLabel("a").withIgnore("1"))),
        "both label and ignore");
    assertMentions(message(() -> CsvReader.read(file, 1, CsvLayout.DEFAULT.withIgnore("a", "b"))), file + ":2:",
        "at least one input");
    assertMentions(message(() -> CsvReader.readClassified(file, 0, null, CsvLayout.DEFAULT.withLabel("a", "b"))),
        "one class-label column");
    Path bare = write("bare.csv", "1,2,3\n");
    assertMentions(message(() -> CsvReader.read(bare, 1, CsvLayout.DEFAULT.withLabel("c"))), "label c",
        "no header line", "1 to 3");
    assertMentions(message(() -> CsvLayout.of(List.of("a"), null, "skip")), "missing must be error or drop");
  }

  /** Issue 22 item 4: the place the empty cell is, not a later word in the label column. */
  @Test
  void aMissingCellIsNamedAtItsLineAndColumn() throws IOException {
    StringBuilder b = new StringBuilder("a,b,c,d,bean\n");
    for (int r = 2; r <= 10; r++) {
      b.append(r).append(',').append(r * 2).append(',').append(r == 8 ? "" : r * 3).append(',').append(1)
          .append(',').append(r % 2 == 0 ? "arabica" : "robusta").append('\n');
    }
    Path file = write("missing.csv", b.toString());
    assertMentions(message(() -> CsvReader.readClassified(file, 0, null)), file + ":8, column 3: empty cell",
        "(dropMissing leaves out rows");
    assertTrue(dev.cltrain.cmd.OptionNames.message(assertThrows(InputException.class,
        () -> CsvReader.readClassified(file, 0, null))).contains("(--missing drop leaves out rows with missing values)"),
        "the command line names the option");
    assertMentions(message(() -> CsvLabels.readLabels(file, CsvLayout.DEFAULT)), file + ":8, column 3: empty cell");
    Path na = write("na.csv", b.toString().replace(",16,,", ",16,NA,"));
    assertMentions(message(() -> CsvReader.readClassified(na, 0, null)), na + ":8, column 3: 'NA' marks a missing value");
    CsvReader.Classified dropped = CsvReader.readClassified(na, 0, null, CsvLayout.DEFAULT.withDropMissing(true));
    assertEquals(8, dropped.set().rows(), "9 rows, the one with NA left out");
    assertEquals(List.of("arabica", "robusta"), dropped.names());
    Path empty = write("emptylabel.csv", "x,y\n1,a\n2,\n");
    assertMentions(message(() -> CsvReader.readClassified(empty, 0, null)), empty + ":3, column 2: empty class label");
    Path allMissing = write("allna.csv", "x,y\nNA,1\n");
    assertMentions(message(() -> CsvReader.read(allMissing, 1, CsvLayout.DEFAULT.withDropMissing(true))),
        "no data rows", "every row has a missing cell");
  }

  /** Issue 22 item 5: prediction reads the input columns only, so the label column may hold names. */
  @Test
  void predictionInputsDoNotReadTheColumnsTheyLeaveOut() throws IOException {
    Path file = write("p.csv", "\"x, 1\",x2,species\n1.5,2,\"setosa\"\n3,4,virginica\n");
    assertArrayEquals(new float[] {1.5f, 2, 3, 4}, CsvReader.readInputs(file, 2, true).x());
    assertArrayEquals(new float[] {1.5f, 2, 3, 4},
        CsvReader.readInputs(file, 2, false, CsvLayout.DEFAULT.withLabel("species")).x());
    assertMentions(message(() -> CsvReader.readInputs(file, 2, false)), "3 columns", "(give ignoreExtra to use the first 2");
  }

  /**
   * Issue 23 item 8: a stray quote on line 5 of 200,000 lines took quadratic time (16,000 lines: 13.7 s, so
   * about an hour here); one pass names its line. The bound is generous, for a busy machine: the pass takes
   * well under a second.
   */
  @Test
  void aStrayQuoteInALargeFileIsNamedByLineInOnePass() throws IOException {
    StringBuilder b = new StringBuilder("x1,x2,y\n");
    for (int r = 2; r <= 200_000; r++) {
      b.append(r).append(',').append(r == 5 ? "\"7" : "7").append(",1\n");
    }
    Path file = write("stray.csv", b.toString());
    String m = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> message(() -> CsvReader.read(file, 1)));
    assertMentions(m, file + ":5: a quoted cell opened on this line is not closed before the end of the file");
    assertEquals(1, m.lines().count(), m);
  }

  @Test
  void linesAreCountedAcrossQuotedLineBreaks() throws IOException {
    Path file = write("q.csv", "x,y\n\"1\r\n\",2\n3,oops\n");
    assertMentions(message(() -> CsvReader.read(file, 1)), file + ":4, column 2: 'oops' is not a number");
    Path broken = write("q2.csv", "x,y\n\"1\",\"a\nb\"\n3,4\n");
    String m = message(() -> CsvReader.read(broken, 1));
    assertMentions(m, broken + ":2, column 2: 'a\\nb' is not a number");
    assertEquals(1, m.lines().count(), m);
  }
}
