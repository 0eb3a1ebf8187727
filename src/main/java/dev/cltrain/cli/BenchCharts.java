package dev.cltrain.cli;

import dev.cltrain.bench.DeviceRow;
import dev.cltrain.bench.WorkloadResult;
import dev.cltrain.io.AtomicFiles;
import dev.cltrain.bench.Workload;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The charts of {@code cltrain bench --plot}: drawn with XChart, headless, written atomically as PNG. */
final class BenchCharts {
  static final int WIDTH = 900;
  static final int HEIGHT = 520;

  private BenchCharts() {}

  static final int TITLE_HEIGHT = 40;

  /**
   * One panel per workload, side by side; in each, one bar per device: ms per epoch (median, its value written
   * on the bar), with a min–max error bar over the repeats, linear scale; above them a title naming the machine
   * and the date.
   */
  static void bars(Path png, List<WorkloadResult> results) {
    write(png, machineTitle("cltrain bench", java.time.LocalDate.now()), barCharts(results));
  }

  /** The panels of {@link #bars}. */
  static List<CategoryChart> barCharts(List<WorkloadResult> results) {
    List<CategoryChart> panels = new ArrayList<>();
    for (WorkloadResult r : results) {
      CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
          .title(r.name() + ": " + Workload.joined(r.widths()) + " (lower is faster)").xAxisTitle("device")
          .yAxisTitle("ms per epoch (median of " + r.repeat() + ", bar: min to max)").build();
      style(chart.getStyler());
      chart.getStyler().setLegendVisible(false);
      chart.getStyler().setOverlapped(true);
      chart.getStyler().setLabelsVisible(true);
      // near the foot of the bar, clear of the error bar's line through the median
      chart.getStyler().setLabelsPosition(0.1);
      chart.getStyler().setLabelsFontColorAutomaticEnabled(true);
      chart.getStyler().setErrorBarsColor(Color.BLACK);
      chart.getStyler().setErrorBarsColorSeriesColor(false);
      chart.getStyler().setYAxisMin(0.0);
      chart.getStyler().setSeriesColors(new Color[] {new Color(31, 119, 180), Color.BLACK});
      List<String> names = new ArrayList<>();
      List<Double> medians = new ArrayList<>();
      List<Double> mids = new ArrayList<>();
      List<Double> halfRanges = new ArrayList<>();
      double top = 0;
      for (DeviceRow row : r.devices()) {
        names.add(row.ok() ? label(row) + ": " + BenchText.sig(row.msPerEpochMedian()) + " ms" : label(row) + " (failed)");
        double median = row.ok() ? row.msPerEpochMedian() : 0.0;
        double min = row.ok() && row.msPerEpochMin() != null ? row.msPerEpochMin() : median;
        double max = row.ok() && row.msPerEpochMax() != null ? row.msPerEpochMax() : median;
        medians.add(median);
        mids.add((min + max) / 2);
        halfRanges.add((max - min) / 2);
        top = Math.max(top, max);
      }
      // the pattern formats the bars' labels too: a decade finer than the ticks need, so 0.0165 shows as 0.017
      chart.getStyler().setYAxisDecimalPattern(CurvePlot.yPattern(top / 10));
      chart.addSeries("ms per epoch (median)", names, medians);
      CategorySeries range = chart.addSeries("min to max", names, mids, halfRanges);
      range.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
      range.setMarker(SeriesMarkers.NONE);
      range.setShowInLegend(false);
      panels.add(chart);
    }
    return panels;
  }

  /** "cltrain bench on Intel(R) Xeon(R) ... (16 threads), Linux amd64, 2026-11-28". */
  static String machineTitle(String what, java.time.LocalDate date) {
    return what + " on " + cpuModel() + " (" + Runtime.getRuntime().availableProcessors() + " threads), "
        + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", " + date;
  }

  /** The CPU's model name from /proc/cpuinfo, or the architecture where there is none. */
  static String cpuModel() {
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          int colon = line.indexOf(':');
          if (colon >= 0) {
            return line.substring(colon + 1).strip().replaceAll("\\s+", " ");
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc here: fall through
    }
    return System.getProperty("os.arch") + " CPU";
  }

  /**
   * A line per device of {@code y} against {@code x}, both log scale: the sweep's ms per epoch against size,
   * or --gemm's GFLOP/s against size.
   */
  static void lines(Path png, String title, String xTitle, String yTitle, List<Double> xs,
      Map<String, List<Double>> series, boolean logY) {
    write(png, machineTitle("cltrain bench", java.time.LocalDate.now()),
        List.of(lineChart(title, xTitle, yTitle, xs, series, logY)));
  }

  /**
   * The chart of {@link #lines}. The x axis is log scale by hand: the points sit at log2 of the size, and each
   * power of two is a tick labelled with the size itself (4, 8, 16, ...), where XChart's log axis would label
   * only the powers of ten.
   */
  static XYChart lineChart(String title, String xTitle, String yTitle, List<Double> xs,
      Map<String, List<Double>> series, boolean logY) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle + " (log scale)")
        .yAxisTitle(yTitle + (logY ? " (log scale)" : "")).build();
    style(chart.getStyler());
    chart.getStyler().setYAxisLogarithmic(logY);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.setCustomXAxisTickLabelsFormatter(BenchCharts::sizeTick);
    series.forEach((name, ys) -> {
      List<Double> px = new ArrayList<>();
      List<Double> py = new ArrayList<>();
      for (int i = 0; i < xs.size(); i++) {
        Double y = ys.get(i);
        if (y != null && y > 0 && Double.isFinite(y)) {
          px.add(log2(xs.get(i)));
          py.add(y);
        }
      }
      if (!px.isEmpty()) {
        XYSeries s = chart.addSeries(name, px, py);
        s.setMarker(SeriesMarkers.CIRCLE);
      }
    });
    return chart;
  }

  /**
   * {@code --conv}: two panels, forward and backward, each with a group of bars per shape and a bar per
   * device: GFLOP/s (median), beside a bar per device of its matmul at size³ in the same run, the yardstick.
   */
  static void convBars(Path png, List<dev.cltrain.bench.ConvBench.Row> rows, List<dev.cltrain.bench.ConvBench.Matmul> matmuls) {
    List<String> shapes = rows.stream().map(dev.cltrain.bench.ConvBench.Row::shape).distinct().toList();
    List<CategoryChart> panels = new ArrayList<>();
    for (boolean forward : new boolean[] {true, false}) {
      CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
          .title("conv " + (forward ? "forward" : "backward (dW and dX products)") + ", GFLOP/s (higher is faster)")
          .xAxisTitle("shape N:HxWxC:F:K").yAxisTitle("GFLOP/s (median)").build();
      style(chart.getStyler());
      chart.getStyler().setYAxisMin(0.0);
      chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
      Map<String, List<Double>> series = new java.util.LinkedHashMap<>();
      for (dev.cltrain.bench.ConvBench.Matmul m : matmuls) {
        String device = m.id().equals("reference") ? "Java reference" : m.id() + " " + shortName(m.name());
        List<Double> conv = new ArrayList<>();
        List<Double> yardstick = new ArrayList<>();
        for (String shape : shapes) {
          Double value = rows.stream().filter(r -> r.id().equals(m.id()) && r.shape().equals(shape)).findFirst()
              .map(r -> forward ? r.forwardGflops() : r.backwardGflops()).orElse(null);
          conv.add(value == null ? 0.0 : value);
          yardstick.add(m.gflops() == null ? 0.0 : m.gflops());
        }
        series.put(device, conv);
        series.put(device + ": matmul " + m.size() + "^3", yardstick);
      }
      series.forEach((name, ys) -> chart.addSeries(name, shapes, ys));
      panels.add(chart);
    }
    write(png, machineTitle("cltrain bench --conv", java.time.LocalDate.now()), panels);
  }

  static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  /** The label of an x tick at {@code log2(size)}: the size, "1,024" not "1024.0000000002". */
  static String sizeTick(Double log2Size) {
    return log2Size == null ? "" : String.format(java.util.Locale.ROOT, "%,d", Math.round(Math.pow(2, log2Size)));
  }

  /** "cl:0:0 pthread-skylake-avx512" or "reference". */
  static String label(DeviceRow row) {
    return row.id().equals("reference") ? "Java reference" : row.id() + " " + shortName(row.name());
  }

  static String shortName(String name) {
    return name.length() <= 32 ? name : name.substring(0, 31) + "…";
  }

  private static void style(org.knowm.xchart.style.AxesChartStyler styler) {
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setPlotGridLinesColor(new Color(225, 225, 225));
    styler.setChartTitleBoxVisible(false);
    styler.setLegendVisible(true);
    styler.setAntiAlias(true);
  }

  /** The charts side by side in one PNG, written atomically. */
  private static void write(Path png, String title, List<? extends Chart<?, ?>> charts) {
    CurvePlot.ensureHeadless();
    int width = WIDTH * charts.size();
    BufferedImage image = new BufferedImage(width, TITLE_HEIGHT + HEIGHT, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING, java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, TITLE_HEIGHT + HEIGHT);
      g.setColor(Color.BLACK);
      g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 15));
      java.awt.FontMetrics metrics = g.getFontMetrics();
      g.drawString(title, Math.max(4, (width - metrics.stringWidth(title)) / 2),
          (TITLE_HEIGHT - metrics.getHeight()) / 2 + metrics.getAscent());
      for (int i = 0; i < charts.size(); i++) {
        java.awt.Graphics2D cell = (java.awt.Graphics2D) g.create(i * WIDTH, TITLE_HEIGHT, WIDTH, HEIGHT);
        try {
          charts.get(i).paint(cell, WIDTH, HEIGHT);
        } finally {
          cell.dispose();
        }
      }
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", bytes)) {
        throw new IllegalStateException("no PNG writer in this Java runtime");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode the chart as PNG: " + e.getMessage(), e);
    }
    AtomicFiles.writeBytes(png, bytes.toByteArray());
  }
}
