package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.opencl.OpenClDevice;
import dev.cltrain.testing.OpenClDevices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cltrain devices}: whether each device has a hardware fused multiply-add (issue 13); discovery with
 * Mesa's OpenCL installed beside PoCL, and Oclgrind registered as an ICD (issue 22), in child JVMs whose ICD
 * loader reads the vendor files given (OCL_ICD_VENDORS).
 */
class DevicesCommandTest {
  static final Path VENDORS = Path.of("/etc/OpenCL/vendors");
  static final Path OCLGRIND = Path.of("/usr/lib/oclgrind/liboclgrind-rt-icd.so");

  @TempDir
  Path dir;

  /** Skips, or fails under CI=true (.ci/run installs them), unless every one of {@code files} is there. */
  private static void need(String why, Path... files) {
    List<Path> missing = new ArrayList<>();
    for (Path f : files) {
      if (!Files.isRegularFile(f)) {
        missing.add(f);
      }
    }
    if (!missing.isEmpty() && OpenClDevices.ci()) {
      fail(missing + " missing (CI=true: .ci/run installs " + why + ")");
    }
    assumeTrue(missing.isEmpty(), missing + " missing: install " + why);
  }

  private static List<String> field(JsonNode devices, String name) {
    List<String> values = new ArrayList<>();
    devices.forEach(d -> values.add(d.path(name).asText()));
    return values;
  }

  @Test
  void poclMesasCloverWithoutDevicesAndRusticlRegisteredTogetherListPoclAndLlvmpipe() throws Exception {
    need("pocl-opencl-icd and mesa-opencl-icd", VENDORS.resolve("pocl.icd"), VENDORS.resolve("mesa.icd"),
        VENDORS.resolve("rusticl.icd"));
    Cli run = Cli.runInChild(Map.of("OCL_ICD_VENDORS", VENDORS.toString(), "RUSTICL_ENABLE", "llvmpipe"), dir,
        "devices", "--json");
    assertEquals(0, run.exit(), run.toString());
    JsonNode root = new ObjectMapper().readTree(run.out());
    assertTrue(root.get("openclProblem").isNull(), run.toString());
    assertTrue(root.get("openclWarning").isNull(), "no platform left out: " + run);
    List<String> platforms = field(root.get("devices"), "platform");
    List<String> names = field(root.get("devices"), "name");
    assertTrue(platforms.contains("Portable Computing Language"), "PoCL's device: " + run);
    assertTrue(platforms.contains("rusticl") && names.stream().anyMatch(n -> n.startsWith("llvmpipe")),
        "Rusticl's llvmpipe: " + run);
    assertFalse(run.err().contains("left out"), "no warning: " + run);
  }

  @Test
  void autoNeverPicksOclgrindRegisteredAsAnIcdThoughItIsAGpuTypeDevice() throws Exception {
    need("oclgrind", OCLGRIND);
    Path vendors = Files.createDirectories(dir.resolve("vendors"));
    Files.writeString(vendors.resolve("oclgrind.icd"), OCLGRIND + "\n");
    Map<String, String> env = Map.of("OCL_ICD_VENDORS", vendors.toString());
    JsonNode root = new ObjectMapper().readTree(Cli.runInChild(env, dir, "devices", "--json").out());
    JsonNode simulator = root.get("devices").get(1);
    assertEquals("GPU", simulator.get("type").asText(), "Oclgrind calls itself a GPU: " + root);
    assertEquals("Oclgrind", simulator.get("platform").asText(), root.toString());
    assertEquals("reference", root.get("auto").asText(), "auto takes the reference, not the simulator: " + root);
    Cli gpu = Cli.runInChild(env, dir, "train", "--epochs", "1", "--device", "gpu");
    assertEquals(ExitCodes.DEVICE, gpu.exit(), gpu.toString());
    assertTrue(gpu.err().contains("no OpenCL GPU device found (a simulator is taken only by its cl:P:D)"), gpu.toString());
  }
  @Test
  void theTableSaysWhetherEachDeviceHasAFastFusedMultiplyAdd() throws Exception {
    Cli run = Cli.run("devices");
    assertEquals(0, run.exit(), run.toString());
    List<String> lines = run.outLines();
    List<String> header = List.of(lines.get(0).strip().split("\\s+"));
    int fp64 = header.indexOf("fp64");
    assertEquals(fp64 + 1, header.indexOf("fma"), "an fma column after fp64: " + lines.get(0));
    int column = lines.get(0).indexOf(" fma ") + 1;
    assertTrue(lines.stream().anyMatch(l -> l.contains(" reference ") && l.startsWith("yes", column)),
        "the reference: yes: " + run.out());
    List<ClDevice> devices = OpenClDevices.all();
    JsonNode json = new ObjectMapper().readTree(Cli.run("devices", "--json").out()).get("devices");
    for (ClDevice d : devices) {
      String row = lines.stream().filter(l -> l.contains(" " + d.ref() + " ")).findFirst().orElseThrow();
      assertTrue(row.startsWith(d.fma() ? "yes" : "no ", column), d.ref() + " fma " + d.fma() + ": " + run.out());
      assertEquals(!d.fma(), unwrapped(run.out()).contains(DevicesCommand.noFmaNote(new OpenClDevice(d))),
          "a note line exactly where a device lacks it: " + run.out());
      boolean found = false;
      for (JsonNode n : json) {
        if (n.get("id").asText().equals(d.ref())) {
          assertEquals(d.fma(), n.get("fma").asBoolean(), n.toString());
          found = true;
        }
      }
      assertTrue(found, d.ref() + " in --json");
    }
  }

  /**
   * Issue 28 item 5: {@code devices} has a vector column and a line per device naming the float vectors its matrix
   * products use (an OpenCL device's reported widths and tuned plans; the reference's Vector API lanes), and
   * {@code train --profile} prints the same line for its device.
   */
  @Test
  void theTableAndTheProfileSayWhichFloatVectorsEachDeviceUses() {
    Cli run = Cli.run("devices");
    assertEquals(0, run.exit(), run.toString());
    assertTrue(List.of(run.outLines().get(0).strip().split("\\s+")).contains("vector"), run.out());
    // surefire runs the tests with jdk.incubator.vector, as scripts/cltrain does
    List<String> notes = unwrapped(run.out()).lines().toList();
    assertTrue(notes.stream().anyMatch(l -> l.startsWith("reference: Java reference (Java ")
        && l.contains("); matmul loops Vector API, ")), "the reference's loops: " + run.out());
    for (ClDevice d : OpenClDevices.all()) {
      int[] widths = d.floatVectorWidths();
      assertTrue(widths[1] >= 1, d.ref() + " says its native float width: " + widths[1]);
      assertTrue(notes.contains(DevicesCommand.deviceNote(new OpenClDevice(d))), d.ref() + ": " + run.out());
      assertTrue(notes.stream().anyMatch(l -> l.startsWith(d.ref() + ": " + d.name() + " (" + d.platformName() + ")"
          + "; float vectors preferred " + widths[0] + ", native " + widths[1] + " ")), d.ref() + ": " + run.out());
    }
    Cli train = Cli.run("train", "--epochs", "1", "--device", "reference", "--profile");
    assertEquals(0, train.exit(), train.toString());
    assertTrue(train.out().contains("vectors:     matmul loops Vector API, "), train.toString());
  }

  @Test
  void aDeviceWithoutFmaGetsANoteLine() {
    ClDevice slow = new ClDevice(3, 1, "Test platform", "test-gpu", "none", ClDevice.Type.GPU, 1, 1L << 30, 1L << 28,
        64, 1024, "OpenCL 1.2", "1", false, true, false, null, null);
    OpenClDevice device = new OpenClDevice(slow, KernelSource.classpath());
    assertFalse(device.fastFma());
    assertEquals(Boolean.FALSE, device.properties().get("fma"));
    String note = DevicesCommand.noFmaNote(device);
    assertTrue(note.startsWith("cl:3:1 has no hardware fused multiply-add (no CL_FP_FMA): fma() runs in software"), note);
    assertTrue(dev.cltrain.Devices.reference().fastFma());
  }

  /** A terminal of 80 columns shows every line whole: the table's columns are short, the lines under it wrapped. */
  @Test
  void everyLineFitsEightyColumnsAndTheWrappedLinesJoinBackToTheNotes() {
    Cli run = Cli.run("devices");
    assertEquals(0, run.exit(), run.toString());
    for (String line : run.outLines()) {
      assertTrue(line.length() <= Format.LINE_WIDTH || !line.strip().contains(" "),
          "at most 80 columns (or one word): " + line.length() + ": " + line);
    }
    assertEquals("a b", Format.wrap(" a  b "));
    String long1 = "word ".repeat(30).strip();
    String wrapped = Format.wrap(long1);
    assertTrue(wrapped.lines().count() == 2 && wrapped.lines().allMatch(l -> l.length() <= Format.LINE_WIDTH)
        && wrapped.lines().skip(1).allMatch(l -> l.startsWith(Format.CONTINUATION + "word")), wrapped);
    assertEquals(long1, unwrapped(wrapped));
    String longWord = "x".repeat(100);
    assertEquals("a" + System.lineSeparator() + Format.CONTINUATION + longWord, Format.wrap("a " + longWord),
        "a word longer than a line keeps a line of its own");
  }

  /** {@code out} with each wrapped line ({@link Format#wrap}) joined back into one. */
  static String unwrapped(String out) {
    return out.replace(System.lineSeparator() + Format.CONTINUATION, " ").replace("\n" + Format.CONTINUATION, " ");
  }
}
