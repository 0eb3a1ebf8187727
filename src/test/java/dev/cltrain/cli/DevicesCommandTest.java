package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.opencl.OpenClDevice;
import dev.cltrain.testing.OpenClDevices;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code cltrain devices}: whether each device has a hardware fused multiply-add (issue 13). */
class DevicesCommandTest {
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
      assertEquals(!d.fma(), run.out().contains(DevicesCommand.noFmaNote(new OpenClDevice(d))),
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
}
