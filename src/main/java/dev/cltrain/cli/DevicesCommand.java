package dev.cltrain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.ClRuntime;
import dev.cltrain.train.Devices;
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
    ClRuntime.Discovery discovery = ClRuntime.discover();
    ClDevice auto = Devices.autoPick(discovery.devices());
    if (json) {
      out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(discovery, auto)));
      return 0;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"", "#", "id", "type", "name", "CUs", "global mem", "OpenCL", "fp64", "platform"});
    int threads = Runtime.getRuntime().availableProcessors();
    rows.add(new String[] {auto == null ? "*" : "", "0", Devices.REFERENCE, "CPU",
        "Java reference (Java " + System.getProperty("java.version") + ")", String.valueOf(threads),
        Format.bytes(Runtime.getRuntime().maxMemory()), "-", "yes", "-"});
    List<ClDevice> devices = discovery.devices();
    for (int i = 0; i < devices.size(); i++) {
      ClDevice d = devices.get(i);
      rows.add(new String[] {d == auto ? "*" : "", String.valueOf(i + 1), d.ref(), d.type().toString(), d.name(),
          String.valueOf(d.computeUnits()), Format.bytes(d.globalMemBytes()), d.shortVersion(),
          d.fp64() ? "yes" : "no", d.platformName()});
    }
    printTable(out, rows);
    if (!discovery.available()) {
      out.println("OpenCL: " + discovery.problem());
    }
    out.println("* = what --device auto picks"
        + (auto == null ? " (no OpenCL GPU or accelerator, so the Java reference)" : ""));
    return 0;
  }

  private static ObjectNode toJson(ClRuntime.Discovery discovery, ClDevice auto) {
    ObjectNode root = new ObjectMapper().createObjectNode();
    root.put("auto", auto == null ? Devices.REFERENCE : auto.ref());
    root.put("openclAvailable", discovery.available());
    root.put("openclProblem", discovery.problem());
    ArrayNode list = root.putArray("devices");
    ObjectNode ref = list.addObject();
    ref.put("index", 0);
    ref.put("id", Devices.REFERENCE);
    ref.put("name", "Java reference");
    ref.put("type", "CPU");
    ref.put("computeUnits", Runtime.getRuntime().availableProcessors());
    ref.put("globalMemBytes", Runtime.getRuntime().maxMemory());
    ref.putNull("openclVersion");
    ref.put("fp64", true);
    ref.put("auto", auto == null);
    List<ClDevice> devices = discovery.devices();
    for (int i = 0; i < devices.size(); i++) {
      ClDevice d = devices.get(i);
      ObjectNode n = list.addObject();
      n.put("index", i + 1);
      n.put("id", d.ref());
      n.put("name", d.name());
      n.put("type", d.type().toString());
      n.put("computeUnits", d.computeUnits());
      n.put("globalMemBytes", d.globalMemBytes());
      n.put("openclVersion", d.openclVersion());
      n.put("fp64", d.fp64());
      n.put("correctlyRoundedDivideSqrt", d.correctlyRoundedDivideSqrt());
      n.put("auto", d == auto);
      n.put("platform", d.platformName());
      n.put("vendor", d.vendor());
      n.put("driverVersion", d.driverVersion());
      n.put("maxAllocBytes", d.maxAllocBytes());
      n.put("maxWorkGroupSize", d.maxWorkGroup());
      n.put("localMemBytes", d.localMemBytes());
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
