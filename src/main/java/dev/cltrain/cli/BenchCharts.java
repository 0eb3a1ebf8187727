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

  /** One panel per workload, side by side; in each, one bar per device: ms per epoch (median), linear scale. */
  static void bars(Path png, List<WorkloadResult> results) {
    List<CategoryChart> panels = new ArrayList<>();
    for (WorkloadResult r : results) {
      CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
          .title(r.name() + ": " + Workload.joined(r.widths()) + " (lower is faster)").xAxisTitle("device")
          .yAxisTitle("ms per epoch (median of " + r.repeat() + ")").build();
      style(chart.getStyler());
      chart.getStyler().setLegendVisible(false);
      List<String> names = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      for (DeviceRow row : r.devices()) {
        names.add(row.ok() ? label(row) : label(row) + " (failed)");
        values.add(row.ok() ? row.msPerEpochMedian() : 0.0);
      }
      chart.addSeries("ms per epoch", names, values);
      panels.add(chart);
    }
    write(png, panels);
  }

  /**
   * A line per device of {@code y} against {@code x}, both log scale: the sweep's ms per epoch against size,
   * or --gemm's GFLOP/s against size.
   */
  static void lines(Path png, String title, String xTitle, String yTitle, List<Double> xs,
      Map<String, List<Double>> series, boolean logY) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
        .yAxisTitle(yTitle).build();
    style(chart.getStyler());
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(logY);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    series.forEach((name, ys) -> {
      List<Double> px = new ArrayList<>();
      List<Double> py = new ArrayList<>();
      for (int i = 0; i < xs.size(); i++) {
        Double y = ys.get(i);
        if (y != null && y > 0 && Double.isFinite(y)) {
          px.add(xs.get(i));
          py.add(y);
        }
      }
      if (!px.isEmpty()) {
        XYSeries s = chart.addSeries(name, px, py);
        s.setMarker(SeriesMarkers.CIRCLE);
      }
    });
    write(png, List.of(chart));
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
  private static void write(Path png, List<? extends Chart<?, ?>> charts) {
    CurvePlot.ensureHeadless();
    BufferedImage image = new BufferedImage(WIDTH * charts.size(), HEIGHT, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = image.createGraphics();
    try {
      for (int i = 0; i < charts.size(); i++) {
        java.awt.Graphics2D cell = (java.awt.Graphics2D) g.create(i * WIDTH, 0, WIDTH, HEIGHT);
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
