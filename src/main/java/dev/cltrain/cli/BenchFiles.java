package dev.cltrain.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.io.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The files of {@code cltrain bench --json/--csv/--plot}, each written atomically when asked for, and a line on
 * stdout naming each one written.
 *
 * @param json the JSON file, or null
 * @param csv  the CSV file, or null
 * @param plot the PNG file, or null
 * @param out  hears "json:        FILE" and the like
 */
record BenchFiles(Path json, Path csv, Path plot, PrintWriter out) {
  static ObjectMapper mapper() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  /**
   * The machine facts every JSON starts with.
   *
   * @param mode "workloads", "sweep", "gemm" or "conv"
   * @return a new object holding them, the mode's figures to be added
   */
  static ObjectNode facts(String mode) {
    ObjectNode root = mapper().createObjectNode();
    String version = Main.class.getPackage().getImplementationVersion();
    root.put("cltrain", version == null ? "dev" : version);
    root.put("mode", mode);
    root.put("date", Instant.now().toString());
    root.put("java", System.getProperty("java.version"));
    root.put("javaVm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
    root.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    root.put("cpuThreads", Runtime.getRuntime().availableProcessors());
    root.put("javaHeapBytes", Runtime.getRuntime().maxMemory());
    return root;
  }

  /**
   * Writes the files asked for, in the order JSON, CSV, plot.
   *
   * @param root     the JSON document
   * @param csvRows  the CSV's header and rows
   * @param drawPlot draws the chart to {@link #plot}
   */
  void write(ObjectNode root, List<String[]> csvRows, Runnable drawPlot) {
    if (json != null) {
      try {
        AtomicFiles.writeString(json, mapper().writeValueAsString(root) + "\n");
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot encode the results as JSON: " + e.getMessage(), e);
      }
      out.println("json:        " + json);
    }
    if (csv != null) {
      StringBuilder text = new StringBuilder();
      for (String[] row : csvRows) {
        for (int c = 0; c < row.length; c++) {
          text.append(c == 0 ? "" : ",").append(csvField(row[c]));
        }
        text.append('\n');
      }
      AtomicFiles.writeString(csv, text.toString());
      out.println("csv:         " + csv);
    }
    if (plot != null) {
      drawPlot.run();
      out.println("plot:        " + plot);
    }
  }

  /** A CSV field, quoted when it holds a comma, a quote or a line break; empty for null. */
  static String csvField(String value) {
    if (value == null) {
      return "";
    }
    return value.contains(",") || value.contains("\"") || value.contains("\n")
        ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
  }
}
