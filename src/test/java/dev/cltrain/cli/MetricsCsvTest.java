package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.InputException;
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
  void rowsAreOnDiskInTheTemporaryFileAsSoonAsTheyAreAppended() throws IOException {
    Path target = dir.resolve("metrics.csv");
    try (MetricsCsv csv = MetricsCsv.open(target)) {
      csv.append(new EpochRecord(1, 0.5, NaN, NaN, NaN, 0.1));
      assertEquals(List.of(MetricsCsv.HEADER, "1,0.500000,,,,,,0.100"), Files.readAllLines(csv.tempFile()));
      assertEquals(csv.tempFile().toAbsolutePath().getParent(), target.toAbsolutePath().getParent(),
          "the temporary file sits beside the target, so the final rename is atomic");
      assertFalse(Files.exists(target), "the target appears only on commit");
      csv.commit();
    }
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
  void closingWithoutCommitLeavesTheExistingTargetByteForByteAndRemovesTheTemporaryFile() throws IOException {
    Path target = dir.resolve("metrics.csv");
    byte[] before = "epoch,loss\n1,0.9\n\u00e9 not even CSV \r\n".getBytes(StandardCharsets.UTF_8);
    Files.write(target, before);
    Path temp;
    try (MetricsCsv csv = MetricsCsv.open(target)) {
      temp = csv.tempFile();
      csv.append(new EpochRecord(1, 0.5, 0.5, NaN, NaN, 1));
      csv.append(new EpochRecord(2, 0.4, 0.6, NaN, NaN, 2));
      // training fails here: no commit
    }
    assertArrayEquals(before, Files.readAllBytes(target));
    assertFalse(Files.exists(temp));
    assertEquals(List.of(target), listing());
  }

  @Test
  void closingWithoutCommitCreatesNoTargetWhenThereWasNone() throws IOException {
    Path target = dir.resolve("metrics.csv");
    try (MetricsCsv csv = MetricsCsv.open(target)) {
      csv.append(new EpochRecord(1, 0.5, NaN, NaN, NaN, 1));
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
