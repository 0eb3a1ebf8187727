package dev.cltrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12, "CSV without hand-work": string class labels, RFC 4180 quoted cells, stray labels, Fashion-MNIST names. */
class CsvLabelsTest {
  @TempDir Path dir;

  private Path csv(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  @Test
  void stringLabelsBecomeSortedClassesWithTheirNames() throws IOException {
    CsvReader.Classified c = CsvReader.readClassified(csv("a.csv", "x,y,kind\n1,2,dog\n3,4,cat\n5,6,dog\n7,8,bird\n"), 0, null);
    assertEquals(List.of("bird", "cat", "dog"), c.names());
    assertEquals(3, c.set().outputs());
    assertArrayEquals(new float[] {0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0}, c.set().y());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, c.set().x());
  }

  @Test
  void aTestSetIsMappedByTheTrainingSetsNamesAndAnUnknownNameNamesItsLine() throws IOException {
    Path train = csv("train.csv", "1,2,dog\n3,4,cat\n");
    Path test = csv("test.csv", "1,2,cat\n3,4,cow\n");
    TrainingData d = DataSets.load(new DataOptions(train.toString(), 1, true, 0, null, 0, 0));
    assertEquals(List.of("cat", "dog"), d.classNames());
    InputException e = assertThrows(InputException.class,
        () -> DataSets.load(new DataOptions(train.toString(), 1, true, 0, test.toString(), 0, 0)));
    assertTrue(e.getMessage().contains("test.csv:2, column 3") && e.getMessage().contains("'cow'"), e.getMessage());
  }

  @Test
  void aStrayIntegerLabelNamesItsLine() throws IOException {
    Path file = csv("s.csv", "1,0\n2,1\n3,2\n4,5\n");
    InputException e = assertThrows(InputException.class, () -> CsvReader.readClassification(file, 3));
    assertTrue(e.getMessage().contains("s.csv:4, column 2") && e.getMessage().contains("out of range for 3 classes"),
        e.getMessage());
  }

  @Test
  void quotedCellsFollowRfc4180() throws IOException {
    Path file = csv("q.csv", "\"a, b\",\"say \"\"hi\"\"\",label\n\"1.5\", 2 ,\"New York, NY\"\n3,\"4\",\"line\nbreak\"\n");
    CsvReader.Classified c = CsvReader.readClassified(file, 0, null);
    assertEquals(List.of("New York, NY", "line\nbreak"), c.names());
    assertArrayEquals(new float[] {1.5f, 2, 3, 4}, c.set().x());
    assertArrayEquals(new String[] {"a, b", "say \"hi\"", "x"}, CsvReader.split("\"a, b\",\"say \"\"hi\"\"\",x"));
    assertArrayEquals(new String[] {"", "", ""}, CsvReader.split("\"\",,"));
    assertNull(CsvReader.split("1,\"open"));
    InputException e = assertThrows(InputException.class, () -> CsvReader.read(csv("u.csv", "1,2\n3,\"4\n"), 1));
    assertTrue(e.getMessage().contains("u.csv:2") && e.getMessage().contains("not closed"), e.getMessage());
  }

  @Test
  void numericLabelsStillHaveNoNames() throws IOException {
    assertNull(CsvReader.readClassified(csv("n.csv", "1,0\n2,1\n"), 0, null).names());
  }

  @Test
  void fashionMnistFoldersNameTheirTenClasses() {
    assertEquals("Ankle boot", MnistDir.classNames(dir.resolve("fashion-mnist"), 10).get(9));
    assertEquals(10, MnistDir.FASHION_NAMES.size());
    assertNull(MnistDir.classNames(dir.resolve("mnist"), 10)); // digits: the class numbers are their names
  }
}
