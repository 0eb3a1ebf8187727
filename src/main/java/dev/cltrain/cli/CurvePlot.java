package dev.cltrain.cli;

import dev.cltrain.InputException;
import dev.cltrain.io.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code --plot FILE.png}: the learning curves in one PNG: loss against epoch (from 0, as in the log: train, and validation and test where measured)
 * and, when any accuracy was measured, accuracy against epoch beside it. Drawn with XChart, headless; written
 * to a temporary file beside the target and renamed over it, so the target is either the new plot or untouched.
 */
final class CurvePlot {
  static final int CHART_WIDTH = 640;
  static final int CHART_HEIGHT = 440;
  static final int TITLE_HEIGHT = 44;

  private CurvePlot() {}

  /** Checks before training that {@code png} could be written; {@link InputException} "--plot FILE: ..." if not. */
  static void checkWritable(Path png) {
    AtomicFiles.checkWritable(png, "--plot");
  }

  /**
   * Draws {@code records} and writes them to {@code png}. Series that are NaN throughout are left out, and NaN
   * points within a series are skipped; with no accuracy at all only the loss chart is drawn.
   */
  static void write(Path png, String title, List<EpochRecord> records) {
    checkWritable(png);
    byte[] bytes = render(title, records);
    AtomicFiles.writeBytes(png, bytes);
  }

  /** The PNG's bytes. */
  static byte[] render(String title, List<EpochRecord> records) {
    ensureHeadless();
    List<XYChart> charts = new ArrayList<>();
    XYChart loss = chart("loss", Styler.LegendPosition.InsideNE);
    addSeries(loss, "train loss", records, EpochRecord::loss);
    addSeries(loss, "validation loss", records, EpochRecord::valLoss);
    addSeries(loss, "test loss", records, EpochRecord::testLoss);
    charts.add(loss);
    XYChart accuracy = chart("accuracy", Styler.LegendPosition.InsideSE);
    boolean anyAccuracy = addSeries(accuracy, "train accuracy", records, EpochRecord::trainAccuracy);
    anyAccuracy |= addSeries(accuracy, "validation accuracy", records, EpochRecord::valAccuracy);
    anyAccuracy |= addSeries(accuracy, "test accuracy", records, EpochRecord::testAccuracy);
    if (anyAccuracy) {
      charts.add(accuracy);
    }

    int width = CHART_WIDTH * charts.size();
    int height = TITLE_HEIGHT + CHART_HEIGHT;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
      FontMetrics metrics = g.getFontMetrics();
      String heading = title == null ? "" : title;
      int x = Math.max(4, (width - metrics.stringWidth(heading)) / 2);
      int y = (TITLE_HEIGHT - metrics.getHeight()) / 2 + metrics.getAscent();
      g.drawString(heading, x, y);
      for (int i = 0; i < charts.size(); i++) {
        Graphics2D cell = (Graphics2D) g.create(i * CHART_WIDTH, TITLE_HEIGHT, CHART_WIDTH, CHART_HEIGHT);
        try {
          charts.get(i).paint(cell, CHART_WIDTH, CHART_HEIGHT);
        } finally {
          cell.dispose();
        }
      }
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", png)) {
        throw new IllegalStateException("no PNG writer in this Java runtime");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode the plot as PNG: " + e.getMessage(), e);
    }
    return png.toByteArray();
  }

  private static XYChart chart(String quantity, Styler.LegendPosition legend) {
    XYChart chart = new XYChartBuilder()
        .width(CHART_WIDTH).height(CHART_HEIGHT)
        .title(quantity).xAxisTitle("epoch").yAxisTitle(quantity)
        .build();
    XYStyler styler = chart.getStyler();
    styler.setLegendPosition(legend);
    styler.setLegendVisible(true);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setPlotGridLinesColor(new Color(225, 225, 225));
    styler.setChartTitleBoxVisible(false);
    styler.setAntiAlias(true);
    chart.getStyler().setSeriesColors(new Color[] {new Color(31, 119, 180), new Color(255, 127, 14)});
    return chart;
  }

  /** Adds the non-NaN points of one quantity as a series; returns false (adding nothing) when there are none. */
  private static boolean addSeries(XYChart chart, String name, List<EpochRecord> records, ToDoubleFunction<EpochRecord> value) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (EpochRecord r : records) {
      double v = value.applyAsDouble(r);
      if (Double.isFinite(v)) {
        xs.add((double) r.epoch());
        ys.add(v);
      }
    }
    if (xs.isEmpty()) {
      return false;
    }
    XYSeries series = chart.addSeries(name, xs, ys);
    series.setMarker(xs.size() <= 60 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    return true;
  }

  /** Java2D must not look for a display: a training box over ssh has none. */
  static void ensureHeadless() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }
}
