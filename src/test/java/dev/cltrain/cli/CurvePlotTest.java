package dev.cltrain.cli;

import dev.cltrain.cmd.EpochRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
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

  // ---- tick labels, as XChart lays them out when it paints ----

  /** The tick labels XChart computed, and draws within the plot, for one axis of {@code chart} when painted at the size the PNG uses. */
  static List<String> tickLabels(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, boolean xAxis, int width,
      int height) throws ReflectiveOperationException {
    CurvePlot.ensureHeadless();
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = image.createGraphics();
    try {
      chart.paint(g, width, height);
    } finally {
      g.dispose();
    }
    java.lang.reflect.Field pairField = org.knowm.xchart.internal.chartpart.Chart.class.getDeclaredField("axisPair");
    pairField.setAccessible(true);
    Object pair = pairField.get(chart);
    java.lang.reflect.Method getAxis = pair.getClass().getDeclaredMethod(xAxis ? "getXAxis" : "getYAxis");
    getAxis.setAccessible(true);
    Object axis = getAxis.invoke(pair);
    java.lang.reflect.Method calc = axis.getClass().getDeclaredMethod("getAxisTickCalculator");
    calc.setAccessible(true);
    Object calculator = calc.invoke(axis);
    java.lang.reflect.Method labels = calculator.getClass().getMethod("getTickLabels");
    labels.setAccessible(true);
    @SuppressWarnings("unchecked")
    List<String> all = (List<String>) labels.invoke(calculator);
    @SuppressWarnings("unchecked")
    List<Double> at = (List<Double>) calculator.getClass().getMethod("getTickLocations").invoke(calculator);
    java.lang.reflect.Field space = org.knowm.xchart.internal.chartpart.AxisTickCalculator_.class
        .getDeclaredField("workingSpace");
    space.setAccessible(true);
    double workingSpace = space.getDouble(calculator);
    List<String> shown = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if (at.get(i) >= -0.5 && at.get(i) <= workingSpace + 0.5) {
        shown.add(all.get(i));
      }
    }
    return shown;
  }

  static List<String> ticks(org.knowm.xchart.XYChart chart, boolean xAxis) throws ReflectiveOperationException {
    return tickLabels(chart, xAxis, CurvePlot.CHART_WIDTH, CurvePlot.CHART_HEIGHT);
  }

  /** No label with more than {@code decimals} decimals, none without its leading zero. */
  static void assertTidy(List<String> labels, int decimals) {
    assertFalse(labels.stream().allMatch(String::isEmpty), "some labels: " + labels);
    for (String label : labels) {
      assertFalse(label.startsWith(".") || label.startsWith("-."), "leading zero in " + label + " of " + labels);
      int dot = label.indexOf('.');
      assertTrue(dot < 0 || label.length() - dot - 1 <= decimals, label + " has too many decimals: " + labels);
    }
  }

  @Test
  void aOneEpochRunHasTidyTicksOnBothAxes() throws ReflectiveOperationException {
    // the old chart showed one y tick 0.516902983188629 (the lone loss itself) and x ticks of raw floats
    List<EpochRecord> one = List.of(new EpochRecord(1, 0.516902983188629, 0.8125, NaN, NaN, 0.4));
    List<String> y = ticks(CurvePlot.lossChart(one), false);
    assertTidy(y, 3);
    assertTrue(y.size() >= 3, "a few y ticks around the lone value: " + y);
    List<String> x = ticks(CurvePlot.lossChart(one), true);
    assertTrue(x.contains("1"), "the lone epoch is labelled: " + x);
    for (String label : x) {
      assertTrue(label.matches("[0-9]+"), "x ticks label whole epochs only: " + x);
    }
    assertTidy(ticks(CurvePlot.accuracyChart(one), false), 3);
  }

  @Test
  void longRunsLabelWholeEpochsAndSmallLossesKeepTheirLeadingZero() throws ReflectiveOperationException {
    for (int epochs : new int[] {2, 3, 4, 7, 12, 30, 100, 770, 5000}) {
      List<EpochRecord> records = new ArrayList<>();
      for (int e = 1; e <= epochs; e++) {
        records.add(new EpochRecord(e, 0.05 / e, NaN, NaN, NaN, e));
      }
      List<String> x = ticks(CurvePlot.lossChart(records), true);
      for (String label : x) {
        assertTrue(label.matches("[0-9,]+"), epochs + " epochs: x ticks " + x);
      }
      assertEquals(x.size(), new java.util.HashSet<>(x).size(), epochs + " epochs: x ticks once each " + x);
      assertTrue(x.size() >= 2 && x.size() <= 12, epochs + " epochs: a readable number of x ticks " + x);
      assertTidy(ticks(CurvePlot.lossChart(records), false), 4);
    }
  }

  @Test
  void theYPatternKeepsTheLeadingZeroAndEnoughDecimals() {
    assertEquals("0.02", new java.text.DecimalFormat(CurvePlot.yPattern(0.1),
        java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT)).format(0.02));
    assertEquals("#,##0", CurvePlot.yPattern(500));
    assertEquals("#,##0.000", CurvePlot.yPattern(0.05));
  }

  /** A long heading, as a deep convolutional network's description with its settings makes. */
  static final String DEEP_TITLE = "fashion: conv:32:3 relu, conv:32:3 relu, maxpool:2, dropout:0.25, conv:64:3 relu, "
      + "conv:64:3 relu, maxpool:2, dropout:0.25, conv:128:3 relu, maxpool:2, dense:256 relu, dropout:0.5, dense:10, "
      + "xent, adam η 0.0005, batch 64";

  @Test
  void aLongHeadingIsDrawnWhollyInsideTheImageNeverAgainstItsEdges() throws IOException {
    for (List<EpochRecord> records : List.of(lossOnly(5000), classification(4))) {
      BufferedImage png = ImageIO.read(new java.io.ByteArrayInputStream(CurvePlot.render(DEEP_TITLE, records)));
      int inked = 0;
      for (int y = 0; y < CurvePlot.TITLE_HEIGHT; y++) {
        for (int x = 0; x < png.getWidth(); x++) {
          boolean ink = (png.getRGB(x, y) & 0xFF) < 160; // the heading is black on white
          if (ink) {
            inked++;
            assertTrue(x >= 4 && x < png.getWidth() - 4, "heading ink at x=" + x + " of " + png.getWidth()
                + ": clipped at the edge");
          }
        }
      }
      assertTrue(inked > 500, "the heading is drawn (" + inked + " dark pixels)");
    }
  }

  @Test
  void theLossChartMarksTheEpochOfLowestValidationLossElseOfLowestTrainingLoss() {
    List<EpochRecord> withValidation = new ArrayList<>();
    double[] val = {0.9, 0.5, 0.4, 0.45, 0.6};
    for (int e = 0; e < val.length; e++) {
      withValidation.add(new EpochRecord(e, 1.0 / (e + 1), NaN, val[e], NaN, NaN, NaN, e));
    }
    var marked = CurvePlot.lossChart(withValidation).getSeriesMap().get("best: epoch 2");
    assertNotNull(marked, "a 'best: epoch 2' series, the lowest validation loss 0.4");
    assertEquals(0.4, marked.getYData()[0], 0.0);
    assertNotNull(CurvePlot.lossChart(lossOnly(5000)).getSeriesMap().get("best: epoch 4000"),
        "no validation split: the lowest training loss, the last epoch of a falling curve");
  }
}
