package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine without OpenCL, as a newcomer's may be: child JVMs whose ICD loader is pointed at an empty folder
 * (OCL_ICD_VENDORS), so that no platform is found whatever is installed. (Where libOpenCL.so itself is missing
 * the same tests take the other path, JOCL failing to load it, whose native message must not show either.)
 */
class NoOpenClTest {
  @TempDir
  Path dir;

  private Map<String, String> noOpenCl() throws Exception {
    return Map.of("OCL_ICD_VENDORS", Files.createDirectories(dir.resolve("no-icd")).toString());
  }

  @Test
  void trainWarnsInExactlyOneLineAndPrintsNothingRaw() throws Exception {
    Cli run = Cli.runInChild(noOpenCl(), dir, "train");
    assertEquals(0, run.exit(), run.toString());
    List<String> err = run.err().lines().toList();
    assertEquals(1, err.stream().filter(l -> l.startsWith("warning:")).count(), "one warning line: " + run);
    assertTrue(err.stream().filter(l -> l.startsWith("warning:")).allMatch(l -> l.contains("falling back to the Java reference")),
        run.toString());
    for (String line : err) {
      assertTrue(line.startsWith("warning: ") || line.startsWith("device: "), "only cltrain's own lines on stderr: " + run);
    }
    assertEquals("Epoch 0, Loss: 0.1864", run.outLines().get(0), "stdout starts with the seed's first line: " + run);
    assertFalse(run.out().contains("Could not load"), "no native loader message in the output: " + run);
  }

  @Test
  void benchReportsABadOptionAsItsOneLineAndOtherwiseSaysOnceThatItBenchesTheReferenceOnly() throws Exception {
    for (String[] args : List.of(new String[] {"bench", "--device", "cl:9:9"},
        new String[] {"bench", "--gemm", "--sizes", "0:8"})) {
      Cli bad = Cli.runInChild(noOpenCl(), dir, args);
      assertEquals(ExitCodes.BAD_INPUT, bad.exit(), bad.toString());
      assertEquals(1, bad.err().lines().count(), String.join(" ", args) + " prints one line: " + bad);
    }
    Cli gemm = Cli.runInChild(noOpenCl(), dir, "bench", "--gemm", "--sizes", "4:4", "--repeat", "1");
    assertEquals(0, gemm.exit(), gemm.toString());
    assertEquals(1, gemm.err().lines().filter(l -> l.contains("benching the Java reference only")).count(), gemm.toString());
    assertTrue(gemm.out().lines().anyMatch(l -> l.startsWith("4x4x4 ") && l.contains("reference")), gemm.toString());
  }

  /**
   * Work past the Java heap is bad input too, refused before any device is opened: one line, not the notice
   * that only the reference will be benched followed by the refusal (before: 2 lines for --gemm, and --conv
   * ran out of memory after the notice and a status line, 3 lines).
   */
  @Test
  void benchRefusesWorkPastTheHeapInOneLineBeforeTheNoticeOfNoOpenCl() throws Exception {
    for (String[] args : List.of(new String[] {"bench", "--gemm", "--sizes", "8192:8192", "--no-numpy"},
        new String[] {"bench", "--conv", "--conv-matmul", "8192"})) {
      Cli bad = Cli.runInChild(List.of("-Xmx64m"), noOpenCl(), dir, args);
      assertEquals(ExitCodes.BAD_INPUT, bad.exit(), bad.toString());
      assertEquals(1, bad.err().lines().count(), String.join(" ", args) + " prints one line: " + bad);
      assertTrue(bad.err().contains("bytes of Java heap but it holds at most"), bad.toString());
    }
  }
}
