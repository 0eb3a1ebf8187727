package dev.cltrain.cli;

import dev.cltrain.device.Device;
import dev.cltrain.Devices;
import java.util.Map;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cltrain devices}: every OpenCL device and the Java reference, marking the one {@code auto} picks. */
@Command(name = "devices", mixinStandardHelpOptions = true,
    description = "List every OpenCL platform and device, and the Java reference; * marks what --device auto picks.")
final class DevicesCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Print JSON for machines instead of a table.")
  boolean json;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<Device> devices = Devices.list();
    Device auto = Devices.autoPick();
    String problem = Devices.openClProblem();
    if (json) {
      out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(devices, auto, problem)));
      return 0;
    }
    List<String[]> rows = new ArrayList<>();
    // the columns of short values, so that the table fits 80 columns; names and the rest go in the lines under it
    rows.add(new String[] {"", "#", "id", "type", "CUs", "global mem", "OpenCL", "fp64", "fma", "vector"});
    for (int i = 0; i < devices.size(); i++) {
      Device d = devices.get(i);
      Map<String, Object> p = d.properties();
      boolean ref = d.isReference();
      rows.add(new String[] {d.id().equals(auto.id()) ? "*" : "", String.valueOf(i), d.id(),
          ref ? "CPU" : d.type().toString(), String.valueOf(d.computeUnits()), Format.bytes(d.memoryBytes()),
          ref ? "-" : shortVersion(String.valueOf(p.get("openclVersion"))),
          Boolean.TRUE.equals(p.get("fp64")) ? "yes" : "no", d.fastFma() ? "yes" : "no",
          p.get("matmulVector") == null ? "untuned" : String.valueOf(p.get("matmulVector"))});
    }
    printTable(out, rows);
    for (Device d : devices) {
      out.println(Format.wrap(deviceNote(d)));
    }
    for (Device d : devices) {
      if (!d.fastFma()) {
        out.println(Format.wrap(noFmaNote(d)));
      }
    }
    if (problem != null) {
      out.println(Format.wrap("OpenCL: " + problem));
    }
    out.println(Format.wrap("* = what --device auto picks"
        + (auto.isReference() ? " (no OpenCL GPU or accelerator, so the Java reference)" : "")));
    return 0;
  }

  /**
   * The line under the table for a device (wrapped at 80 columns): its name, its platform, and which float vectors
   * its matrix products use ({@link #vectors}).
   *
   * @param d the device
   * @return e.g. "cl:0:0: pthread-skylake-avx512-AMD EPYC (Portable Computing Language); float vectors ..."
   */
  static String deviceNote(Device d) {
    String name = d.isReference() ? d.name() + " (Java " + System.getProperty("java.version") + ")"
        : d.name() + " (" + d.properties().get("platform") + ")";
    return d.id() + ": " + name + "; " + vectors(d);
  }

  /**
   * Which float vectors a device's matrix products use and why (for {@code devices} and {@code train --profile}):
   * the widths an OpenCL device reports and the matmul plans tuned for it, or the reference's Vector API lanes.
   *
   * @param d the device
   * @return e.g. "float vectors preferred 16, native 16 (...); matmul kernels float16 (blocked:6x16x4/192x256);
   *     convolution blocks conv:2/4x4x128/4x2"
   */
  static String vectors(Device d) {
    Map<String, Object> p = d.properties();
    if (d.isReference()) {
      return "matmul loops " + p.get("matmul") + " (" + p.get("matmulVector") + ")";
    }
    String plans = p.get("matmulPlans") instanceof List<?> list
        ? list.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")) : "";
    return "float vectors preferred " + p.get("preferredFloatVector") + ", native " + p.get("nativeFloatVector")
        + " (CL_DEVICE_PREFERRED/NATIVE_VECTOR_WIDTH_FLOAT); matmul kernels "
        + (p.get("matmulVector") == null ? "not tuned yet (the first run that multiplies tunes them)"
        : p.get("matmulVector") + " (" + plans + ")")
        + "; convolution blocks " + (p.get("convPlan") == null ? "not tuned yet" : p.get("convPlan"));
  }

  /** The line under the table for a device without a hardware fused multiply-add. */
  static String noFmaNote(Device d) {
    return d.id() + " has no hardware fused multiply-add (no CL_FP_FMA): fma() runs in software there, exact but slow"
        + " (cltrain's kernels do not call it; CLBlast and bench --gemm --peak do)";
  }

  /** "OpenCL 3.0" out of "OpenCL 3.0 PoCL HSTR: ...". */
  private static String shortVersion(String version) {
    String[] parts = version.trim().split("\\s+");
    return parts.length >= 2 ? parts[1] : version.trim();
  }

  private static ObjectNode toJson(List<Device> devices, Device auto, String problem) {
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("auto", auto.id());
    root.put("openclAvailable", problem == null);
    root.put("openclProblem", problem);
    root.put("openclWarning", Devices.openClWarning());
    ArrayNode list = root.putArray("devices");
    for (int i = 0; i < devices.size(); i++) {
      Device d = devices.get(i);
      ObjectNode n = list.addObject();
      n.put("index", i);
      n.put("id", d.id());
      n.put("name", d.name());
      n.put("type", d.isReference() ? "CPU" : d.type().toString());
      n.put("computeUnits", d.computeUnits());
      n.put("globalMemBytes", d.memoryBytes());
      if (d.isReference()) {
        n.putNull("openclVersion");
      }
      n.put("auto", d.id().equals(auto.id()));
      d.properties().forEach((key, value) -> n.putPOJO(key, value));
    }
    return root;
  }

  /** Left-aligned columns, two spaces apart; the last column is not padded. */
  static void printTable(PrintWriter out, List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        line.append(row[c]);
        if (c < columns - 1) {
          line.append(" ".repeat(width[c] - row[c].length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
