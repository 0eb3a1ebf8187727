package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.InputException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurvePlotTest {
  static final double NaN = Double.NaN;

  @TempDir
  Path dir;

  /** A classifier's run: loss and accuracy every epoch, test set measured every other epoch. */
  static List<EpochRecord> classification(int epochs) {
    List<EpochRecord> records = new ArrayList<>();
    for (int e = 1; e <= epochs; e++) {
      double loss = 2.0 / (1 + e);
      boolean tested = e % 2 == 0;
      records.add(new EpochRecord(e, loss, 1 - loss / 3, tested ? loss * 1.1 : NaN, tested ? 1 - loss / 2.5 : NaN, e * 0.5));
    }
    return records;
  }

  /** The seed's kind of run: a loss and nothing else. */
  static List<EpochRecord> lossOnly(int epochs) {
    List<EpochRecord> records = new ArrayList<>();
    for (int e = 0; e < epochs; e += 1000) {
      records.add(new EpochRecord(e, 0.125 + 0.06 / (1 + e / 100.0), NaN, NaN, NaN, e * 1e-4));
    }
    return records;
  }

  @Test
  void recordsWithAccuracyGiveAReadablePngWithLossAndAccuracyChartsSideBySide() throws IOException {
    Path png = dir.resolve("curves.png");
    CurvePlot.write(png, "mnist, layers 784,128,10", classification(20));
    BufferedImage image = ImageIO.read(png.toFile());
    assertNotNull(image, "ImageIO can read the file");
    assertTrue(image.getWidth() > 0 && image.getHeight() > 0);
    assertEquals(2 * CurvePlot.CHART_WIDTH, image.getWidth(), "two charts side by side");
    assertEquals(List.of(png), listing(), "no temporary file is left behind");
  }

  @Test
  void recordsWithoutAccuracyGiveAReadablePngWithTheLossChartAlone() throws IOException {
    Path png = dir.resolve("xor.png");
    CurvePlot.write(png, "xor", lossOnly(10000));
    BufferedImage image = ImageIO.read(png.toFile());
    assertNotNull(image);
    assertTrue(image.getWidth() > 0 && image.getHeight() > 0);
    assertEquals(CurvePlot.CHART_WIDTH, image.getWidth(), "one chart");
  }

  @Test
  void singleRecordAndEmptyRecordsStillGiveAReadablePng() throws IOException {
    Path one = dir.resolve("one.png");
    CurvePlot.write(one, "one epoch", List.of(new EpochRecord(1, 0.3, 0.9, NaN, NaN, 1)));
    assertNotNull(ImageIO.read(one.toFile()));
    Path none = dir.resolve("none.png");
    CurvePlot.write(none, "no epochs", List.of());
    assertNotNull(ImageIO.read(none.toFile()));
  }

  @Test
  void existingTargetIsReplacedByTheNewPlot() throws IOException {
    Path png = dir.resolve("curves.png");
    Files.writeString(png, "not a png from an earlier run");
    CurvePlot.write(png, "again", classification(5));
    BufferedImage image = ImageIO.read(png.toFile());
    assertNotNull(image, "the old bytes were replaced by a PNG");
    assertNotEquals("not a png from an earlier run", new String(Files.readAllBytes(png), java.nio.charset.StandardCharsets.ISO_8859_1));
    assertEquals(List.of(png), listing());
  }

  @Test
  void missingFolderIsRejectedAsBadInputNamingTheOptionAndNothingIsWritten() throws IOException {
    Path png = dir.resolve("no-such-folder").resolve("curves.png");
    InputException early = assertThrows(InputException.class, () -> CurvePlot.checkWritable(png));
    assertTrue(early.getMessage().startsWith("--plot " + png + ": "), early.getMessage());
    InputException late = assertThrows(InputException.class, () -> CurvePlot.write(png, "t", classification(3)));
    assertTrue(late.getMessage().startsWith("--plot "), late.getMessage());
    assertEquals(List.of(), listing());
  }

  @Test
  void targetThatIsAFolderIsRejectedAsBadInput() throws IOException {
    Path png = Files.createDirectory(dir.resolve("curves.png"));
    InputException e = assertThrows(InputException.class, () -> CurvePlot.checkWritable(png));
    assertTrue(e.getMessage().startsWith("--plot " + png + ": "), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void writtenPngIsAsReadableAsAFileWrittenInPlace() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path plain = Files.createFile(dir.resolve("plain"));
    Path png = dir.resolve("curves.png");
    CurvePlot.write(png, "permissions", classification(3));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(png));
  }

  @Test
  void renderingRunsHeadless() {
    CurvePlot.render("headless", classification(3));
    assertTrue(java.awt.GraphicsEnvironment.isHeadless());
  }

  private List<Path> listing() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }
}
