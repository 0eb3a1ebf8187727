package dev.cltrain.cli;

import dev.cltrain.cmd.EpochRecord;
import dev.cltrain.cmd.MetricsCsv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsCsvTest {
  static final double NaN = Double.NaN;

  @TempDir
  Path dir;

  @Test
  void committedFileHasTheHeaderThenOneRowPerAppendedEpoch() throws IOException {
    Path target = dir.resolve("metrics.csv");
    try (MetricsCsv csv = MetricsCsv.open(target)) {
      csv.append(new EpochRecord(1, 0.4123456789, 0.875, 0.5, 0.8625, 1.23456));
      csv.append(new EpochRecord(2, 0.25, 0.9375, 0.3, 0.9, 2.5));
      csv.commit();
    }
    assertEquals(List.of(
        "epoch,loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,seconds",
        "1,0.412346,0.875000,,,0.500000,0.862500,1.235",
        "2,0.250000,0.937500,,,0.300000,0.900000,2.500"), Files.readAllLines(target));
    assertEquals(List.of(target), listing(), "no temporary file is left behind");
  }

  @Test
  void eachRowIsInTheTargetAsSoonAsItIsAppendedAndStaysWithoutACommit() throws IOException {
    Path target = dir.resolve("metrics.csv");
    Files.writeString(target, "an earlier run's rows\n");
    try (MetricsCsv csv = MetricsCsv.open(target)) {
      assertEquals(csv.tempFile().toAbsolutePath().getParent(), target.toAbsolutePath().getParent(),
          "the temporary file sits beside the target, so the rename is atomic");
      assertEquals("an earlier run's rows\n", Files.readString(target), "no row yet: the target is as it was");
      csv.append(new EpochRecord(0, 0.5, NaN, NaN, NaN, 0.1));
      assertEquals(List.of(MetricsCsv.HEADER, "0,0.500000,,,,,,0.100"), Files.readAllLines(target));
      csv.append(new EpochRecord(1, 0.25, NaN, NaN, NaN, 0.2));
      assertEquals(3, Files.readAllLines(target).size(), "the second row too, before any commit");
      // stopped here (a signal, a kill): no commit
    }
    assertEquals(List.of(MetricsCsv.HEADER, "0,0.500000,,,,,,0.100", "1,0.250000,,,,,,0.200"),
        Files.readAllLines(target), "the rows survive a stop");
    assertEquals(List.of(target), listing(), "no temporary file is left behind");
  }

  @Test
  void aResumedRunKeepsTheRowsBeforeItsEpochAndAppendsItsOwnWithTheSecondsGoingOn() throws IOException {
    Path target = dir.resolve("metrics.csv");
    // a run stopped after epoch 4 whose last checkpoint was at 3 epochs done: rows 3 and 4 are written again
    Files.writeString(target, MetricsCsv.HEADER + "\n0,0.9,,,,,,1.000\n1,0.8,,,,,,2.000\n2,0.7,,,,,,3.000\n"
        + "3,0.6,,,,,,4.000\n4,0.5,,,,,,5.000\n");
    try (MetricsCsv csv = MetricsCsv.open(target, 3)) {
      assertEquals(null, csv.note(), "every row before epoch 3 is there");
      csv.append(new EpochRecord(3, 0.625, NaN, NaN, NaN, 0.5));
      csv.commit();
    }
    assertEquals(List.of(MetricsCsv.HEADER, "0,0.9,,,,,,1.000", "1,0.8,,,,,,2.000", "2,0.7,,,,,,3.000",
        "3,0.625000,,,,,,3.500"), Files.readAllLines(target));

    Files.writeString(target, MetricsCsv.HEADER + "\n0,0.9,,,,,,1.000\n");
    try (MetricsCsv csv = MetricsCsv.open(target, 3)) {
      assertTrue(csv.note() != null && csv.note().contains("up to epoch 0 only"), csv.note());
    }
    Path other = Files.writeString(dir.resolve("other.csv"), "a,b\n1,2\n");
    try (MetricsCsv csv = MetricsCsv.open(other, 3)) {
      assertTrue(csv.note() != null && csv.note().contains("not a metrics file"), csv.note());
    }
    assertEquals("a,b\n1,2\n", Files.readString(other), "untouched until a row is written");
  }

  @Test
  void aRowThatFailsHalfWayIsCutOffSoTheFileEndsWithAWholeRow() throws IOException {
    Path target = dir.resolve("metrics.csv");
    MetricsCsv.failAfterRows = 1;
    try (MetricsCsv csv = MetricsCsv.open(target)) {
      csv.append(new EpochRecord(0, 0.5, NaN, NaN, NaN, 0.1));
      InputException e = assertThrows(InputException.class, () -> csv.append(new EpochRecord(1, 0.4, NaN, NaN, NaN, 1)));
      assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
    } finally {
      MetricsCsv.failAfterRows = -1;
    }
    assertEquals(MetricsCsv.HEADER + "\n0,0.500000,,,,,,0.100\n", Files.readString(target));
  }

  @Test
  void notMeasuredValuesAreEmptyCells() throws IOException {
    Path target = dir.resolve("m.csv");
    try (MetricsCsv csv = MetricsCsv.open(target)) {
      csv.append(new EpochRecord(3, 0.125, NaN, NaN, NaN, 12.0));
      csv.append(new EpochRecord(4, 0.1, 0.5, NaN, 0.25, 13.0));
      csv.commit();
    }
    List<String> lines = Files.readAllLines(target);
    assertEquals("3,0.125000,,,,,,12.000", lines.get(1));
    assertEquals("4,0.100000,0.500000,,,,0.250000,13.000", lines.get(2));
    assertEquals(8, lines.get(1).split(",", -1).length, "every row has all eight cells");
  }

  @Test
  void numbersUseSixSignificantDigitsAndADotWhateverTheDefaultLocale() {
    java.util.Locale saved = java.util.Locale.getDefault();
    try {
      java.util.Locale.setDefault(java.util.Locale.GERMANY);
      assertEquals("7,0.00123457,1.00000,,,123.457,0,3.142",
          MetricsCsv.row(new EpochRecord(7, 0.001234567, 1.0, 123.4567, 0.0, Math.PI)));
      assertEquals("8,1.23457e-07,,,,,,", MetricsCsv.row(new EpochRecord(8, 1.234567e-7, NaN, NaN, NaN, NaN)));
    } finally {
      java.util.Locale.setDefault(saved);
    }
  }

  @Test
  void commitReplacesAnExistingTarget() throws IOException {
    Path target = dir.resolve("metrics.csv");
    Files.writeString(target, "old contents\nfrom an earlier run\n");
    try (MetricsCsv csv = MetricsCsv.open(target)) {
      csv.append(new EpochRecord(1, 0.5, NaN, NaN, NaN, 1));
      csv.commit();
    }
    assertEquals(List.of(MetricsCsv.HEADER, "1,0.500000,,,,,,1.000"), Files.readAllLines(target));
    assertEquals(List.of(target), listing());
  }

  @Test
  void closingWithoutARowLeavesTheExistingTargetByteForByteAndRemovesTheTemporaryFile() throws IOException {
    Path target = dir.resolve("metrics.csv");
    byte[] before = "epoch,loss\n1,0.9\n\u00e9 not even CSV \r\n".getBytes(StandardCharsets.UTF_8);
    Files.write(target, before);
    Path temp;
    try (MetricsCsv csv = MetricsCsv.open(target)) {
      temp = csv.tempFile();
      // training fails here, before its first epoch: no row, no commit
    }
    assertArrayEquals(before, Files.readAllBytes(target));
    assertFalse(Files.exists(temp));
    assertEquals(List.of(target), listing());
  }

  @Test
  void closingWithoutARowCreatesNoTargetWhenThereWasNone() throws IOException {
    Path target = dir.resolve("metrics.csv");
    try (MetricsCsv csv = MetricsCsv.open(target)) {
      assertTrue(Files.exists(csv.tempFile()));
    }
    assertEquals(List.of(), listing());
  }

  @Test
  void committedFileIsAsReadableAsAFileWrittenInPlaceNotOwnerOnlyLikeCreateTempFile() throws IOException {
    Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path plain = Files.createFile(dir.resolve("plain"));
    Path target = dir.resolve("metrics.csv");
    try (MetricsCsv csv = MetricsCsv.open(target)) {
      csv.commit();
    }
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(target));
  }

  @Test
  void commitWithNoRowsWritesTheHeaderAlone() throws IOException {
    Path target = dir.resolve("metrics.csv");
    try (MetricsCsv csv = MetricsCsv.open(target)) {
      csv.commit();
    }
    assertEquals(List.of(MetricsCsv.HEADER), Files.readAllLines(target));
  }

  @Test
  void missingFolderIsRejectedUpFrontAsBadInputNamingTheOption() {
    Path target = dir.resolve("no-such-folder").resolve("metrics.csv");
    InputException e = assertThrows(InputException.class, () -> MetricsCsv.open(target));
    assertTrue(e.getMessage().startsWith("--metrics " + target + ": "), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line");
  }

  @Test
  void targetThatIsAFolderIsRejectedAsBadInput() throws IOException {
    Path target = Files.createDirectory(dir.resolve("metrics.csv"));
    InputException e = assertThrows(InputException.class, () -> MetricsCsv.open(target));
    assertTrue(e.getMessage().startsWith("--metrics " + target + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("directory"), e.getMessage());
  }

  private List<Path> listing() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }
}
