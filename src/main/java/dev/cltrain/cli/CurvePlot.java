package dev.cltrain.cli;

import dev.cltrain.cmd.EpochRecord;

import dev.cltrain.core.InputException;
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
    charts.add(lossChart(records));
    XYChart accuracy = accuracyChart(records);
    if (accuracy != null) {
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
      List<String> lines = headingLines(g, title == null ? "" : title, width - 16);
      FontMetrics metrics = g.getFontMetrics();
      int lineHeight = metrics.getHeight();
      int y = (TITLE_HEIGHT - lineHeight * lines.size()) / 2 + metrics.getAscent();
      for (String line : lines) {
        g.drawString(line, Math.max(8, (width - metrics.stringWidth(line)) / 2), y);
        y += lineHeight;
      }
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

  /**
   * The heading as it is drawn within {@code room} pixels, setting {@code g}'s font: one line in the largest bold
   * font from 18 down to 12 points that fits; else two lines, broken at the ", " or " -> " that balances them best, from 14
   * down to 9 points; else two lines at 9 points, the second cut short with "...". Never wider than {@code room}, so
   * a deep network's long description is not clipped at the image's edges.
   */
  static List<String> headingLines(Graphics2D g, String heading, int room) {
    for (int size = 18; size >= 12; size--) {
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, size));
      if (g.getFontMetrics().stringWidth(heading) <= room) {
        return List.of(heading);
      }
    }
    List<String> best = List.of(heading, "");
    for (int size = 14; size >= 9; size--) {
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, size));
      FontMetrics m = g.getFontMetrics();
      best = null;
      for (int at = 1; at < heading.length() - 1; at++) {
        // a break after ", " (the settings) or before " -> " (a convolutional network's stages)
        List<String> two = heading.startsWith(", ", at) ? List.of(heading.substring(0, at + 1), heading.substring(at + 2))
            : heading.startsWith(" -> ", at) ? List.of(heading.substring(0, at), heading.substring(at + 1)) : null;
        if (two == null) {
          continue;
        }
        int wider = Math.max(m.stringWidth(two.get(0)), m.stringWidth(two.get(1)));
        if (best == null || wider < Math.max(m.stringWidth(best.get(0)), m.stringWidth(best.get(1)))) {
          best = two;
        }
      }
      if (best == null) {
        int half = heading.length() / 2;
        best = List.of(heading.substring(0, half), heading.substring(half));
      }
      if (m.stringWidth(best.get(0)) <= room && m.stringWidth(best.get(1)) <= room) {
        return best;
      }
    }
    FontMetrics m = g.getFontMetrics(); // 9 points
    String first = best.get(0);
    String second = best.get(1);
    while (first.length() > 1 && m.stringWidth(first) > room) {
      second = first.substring(first.length() - 1) + second;
      first = first.substring(0, first.length() - 1);
    }
    while (second.length() > 0 && m.stringWidth(second + "...") > room) {
      second = second.substring(0, second.length() - 1);
    }
    return List.of(first, second + "...");
  }

  /** The loss chart: train loss, and validation and test loss where measured; axes scaled and labelled by {@link #scaleAxes}. */
  static XYChart lossChart(List<EpochRecord> records) {
    XYChart loss = chart("loss", Styler.LegendPosition.InsideNE);
    addSeries(loss, "train loss", records, EpochRecord::loss);
    addSeries(loss, "validation loss", records, EpochRecord::valLoss);
    addSeries(loss, "test loss", records, EpochRecord::testLoss);
    markBest(loss, records);
    scaleAxes(loss, records, List.of(EpochRecord::loss, EpochRecord::valLoss, EpochRecord::testLoss), false);
    return loss;
  }

  /** The accuracy chart, or null when no accuracy was measured. */
  static XYChart accuracyChart(List<EpochRecord> records) {
    XYChart accuracy = chart("accuracy", Styler.LegendPosition.InsideSE);
    boolean anyAccuracy = addSeries(accuracy, "train accuracy", records, EpochRecord::trainAccuracy);
    anyAccuracy |= addSeries(accuracy, "validation accuracy", records, EpochRecord::valAccuracy);
    anyAccuracy |= addSeries(accuracy, "test accuracy", records, EpochRecord::testAccuracy);
    if (!anyAccuracy) {
      return null;
    }
    scaleAxes(accuracy, records, List.of(EpochRecord::trainAccuracy, EpochRecord::valAccuracy,
        EpochRecord::testAccuracy), true);
    return accuracy;
  }

  /**
   * Fixes both axes so that their tick labels read well: the x axis spans the epochs with half an epoch of margin
   * and labels whole epochs only, at round steps; the y axis spans the values (padded when they are all equal) and
   * labels them with {@link #yPattern}, so a flat one-epoch curve shows 0.517, not 0.516902983188629.
   */
  private static void scaleAxes(XYChart chart, List<EpochRecord> records, List<ToDoubleFunction<EpochRecord>> values,
      boolean fraction) {
    int first = Integer.MAX_VALUE;
    int last = Integer.MIN_VALUE;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (EpochRecord r : records) {
      for (ToDoubleFunction<EpochRecord> f : values) {
        double v = f.applyAsDouble(r);
        if (Double.isFinite(v)) {
          first = Math.min(first, r.epoch());
          last = Math.max(last, r.epoch());
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (first > last) {
      return;
    }
    XYStyler styler = chart.getStyler();
    // Half an epoch of margin each side (a little more on the right of a lone epoch). Besides the margin, this
    // keeps XChart off its "evenly spaced values" path, which labels every epoch of a long run (or, for a lone
    // epoch, rounds the half epochs either side into labels of their own); its number path then picks round
    // steps, and with the whole-number pattern it never steps by less than one epoch.
    styler.setXAxisMin(first - 0.5);
    styler.setXAxisMax(last + (first == last ? 0.6 : 0.5));
    styler.setXAxisDecimalPattern("#,##0");
    double span = hi - lo;
    if (!(span > Math.abs(hi) * 1e-6)) {
      double pad = Math.max(Math.abs(hi) * 0.05, 1e-3);
      lo -= pad;
      hi += pad;
      if (fraction) {
        lo = Math.max(0, lo);
        hi = Math.min(1, hi);
      }
      styler.setYAxisMin(lo);
      styler.setYAxisMax(hi);
    }
    styler.setYAxisDecimalPattern(yPattern(hi - lo));
  }

  /**
   * The y axis's decimal pattern for values spread over {@code span}: always a leading zero ("0.02", never
   * ".02") and enough decimals to tell ticks about a tenth of the span apart, at most 6.
   */
  static String yPattern(double span) {
    int decimals = 0;
    if (span > 0 && Double.isFinite(span)) {
      decimals = (int) Math.max(0, Math.ceil(-Math.log10(span / 10)));
    }
    decimals = Math.min(6, decimals);
    return decimals == 0 ? "#,##0" : "#,##0." + "0".repeat(decimals);
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

  /**
   * Marks the best epoch on the loss chart: the lowest validation loss where a validation split was measured (the
   * epoch early stopping and {@code --save-best} keep by default), else the lowest training loss; the first such
   * epoch on ties. One diamond, named "best: epoch N" in the legend.
   */
  static void markBest(XYChart chart, List<EpochRecord> records) {
    boolean validation = records.stream().anyMatch(r -> Double.isFinite(r.valLoss()));
    EpochRecord best = null;
    for (EpochRecord r : records) {
      double v = validation ? r.valLoss() : r.loss();
      if (Double.isFinite(v) && (best == null || v < (validation ? best.valLoss() : best.loss()))) {
        best = r;
      }
    }
    if (best == null || records.size() < 2) {
      return;
    }
    XYSeries series = chart.addSeries("best: epoch " + best.epoch(), new double[] {best.epoch()},
        new double[] {validation ? best.valLoss() : best.loss()});
    series.setMarker(SeriesMarkers.DIAMOND);
    series.setMarkerColor(new Color(214, 39, 40));
    series.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.NONE);
  }

  /** Java2D must not look for a display: a training box over ssh has none. */
  static void ensureHeadless() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }
}
