package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.DeviceException;
import dev.cltrain.Devices;
import dev.cltrain.nn.Network;
import org.junit.jupiter.api.Test;

/**
 * Sizes are counted in long and refused with the bytes needed and available (issue 11, item 12): before, an int
 * product wrapped round and the run ended in "internal error: NegativeArraySizeException".
 */
class SizeLimitsTest {
  private static void assertOneLineRefusal(Cli run, String... wanted) {
    assertEquals(1, run.err().lines().count(), "one line: " + run);
    assertFalse(run.err().contains("internal error") || run.err().contains("Exception"), run.toString());
    for (String w : wanted) {
      assertTrue(run.err().contains(w), "'" + w + "' in " + run);
    }
  }

  @Test
  void aFullBatchWhoseActivationsOverflowAnIntIsRefusedOnTheReferenceWithTheBytes() {
    // 20,000 rows × 200,000 hidden units = 4·10⁹ floats in one buffer: 4·10⁹ wraps round to −294,967,296 in int
    Cli run = Cli.run("train", "--data", "random:20000x2x10", "--layers", "2,200000,10", "--epochs", "1",
        "--device", "reference");
    assertEquals(ExitCodes.DEVICE, run.exit(), run.toString());
    // a heap under 32 GB is the first limit met; in a larger heap, Java's largest array
    assertOneLineRefusal(run, "bytes");
    assertTrue(run.err().contains("need 32023360088 bytes of memory but the Java reference's heap holds at most "
        + Runtime.getRuntime().maxMemory()) || run.err().contains("Java array holds at most"), run.toString());
  }

  @Test
  void theSameOnAutoIsARefusalWhereverAutoLands() {
    Cli run = Cli.run("train", "--data", "random:20000x2x10", "--layers", "2,200000,10", "--epochs", "1");
    // the reference (or a device too small) says 3; a device with room for 32 GB but not for 4·10⁹ floats in one
    // int-indexed buffer says 2
    assertTrue(run.exit() == ExitCodes.DEVICE || run.exit() == ExitCodes.BAD_INPUT, run.toString());
    assertTrue(run.err().lines().filter(l -> !l.startsWith("warning:") && !l.startsWith("usable devices:")).count() == 1,
        run.toString());
    assertFalse(run.err().contains("internal error"), run.toString());
    assertTrue(run.err().contains("bytes"), run.toString());
  }

  @Test
  void generatedClassCentresBeyondTheLimitAreBadInputNamingTheBytes() {
    Cli run = Cli.run("train", "--data", "random:1x65536x32768", "--epochs", "1", "--device", "reference");
    assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
    assertOneLineRefusal(run, "random:1x65536x32768", "8589934592 bytes", "at most 1073741824");
  }

  @Test
  void theReferenceRefusesABufferLargerThanAJavaArray() {
    DeviceException e = assertThrows(DeviceException.class,
        () -> Devices.reference().checkFits(1L << 20, 4L * Integer.MAX_VALUE));
    assertTrue(e.getMessage().contains("Java array holds at most"), e.getMessage());
  }

  @Test
  void aForwardPassWhoseOutputsOverflowAnIntIsRefusedWithTheBytes() {
    // chunks of 4,096 rows × 600,000 outputs = 2.46·10⁹ floats: wrapped round to a negative size before
    dev.cltrain.Model model = dev.cltrain.Model.of(Network.initNormal(new int[] {2, 600000, 1}, 1));
    DeviceException e = assertThrows(DeviceException.class,
        () -> model.predict(new float[4096][2], dev.cltrain.device.DeviceChoice.of(Devices.reference())));
    assertTrue(e.getMessage().contains("heap holds at most") || e.getMessage().contains("Java array holds at most"),
        e.getMessage());
    assertTrue(e.getMessage().contains(" bytes") && !e.getMessage().contains("\n"), e.getMessage());
  }

  @org.junit.jupiter.api.io.TempDir
  java.nio.file.Path dir;

  /**
   * Issue 23, item 12: a network within the per-layer limit but past the heap ({@code --layers 2,30000,30000,1}
   * in a 6 GB heap) was drawn (gigabytes, half a minute) before a generic out-of-memory line. Here a 64 MB heap
   * and 9 million parameters: refused before the network is drawn, exit 2, one line with the bytes.
   */
  @Test
  void aNetworkPastTheHeapIsRefusedBeforeItIsDrawnWithTheBytesNeededAndAvailable() throws Exception {
    Cli run = Cli.runInChild(java.util.List.of("-Xmx64m"), dir, "train", "--data", "random:100x2x2", "--layers",
        "2,3000,3000,2", "--epochs", "1", "--device", "reference");
    assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
    assertOneLineRefusal(run, "--layers 2,3000,3000,2: the data and the network (9018002 parameters, drawn and "
        + "trained) need 72145616 bytes of Java heap but it holds at most ");
  }

  /** Issue 23, item 12: {@code bench --gemm --sizes 100000:100000} allocated gigabytes before running out. */
  @Test
  void aGemmSizePastTheHeapIsRefusedBeforeAnythingIsAllocated() throws Exception {
    Cli run = Cli.runInChild(java.util.List.of("-Xmx64m"), dir, "bench", "--gemm", "--sizes", "100000:100000",
        "--no-numpy", "--no-clblast"); // refused before any device is opened: one line with OpenCL or without
    assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
    // a and b drawn and uploaded, c and its copy: 6·10¹⁰ floats; the reference's product kept: 10¹⁰ more
    assertOneLineRefusal(run, "bench --gemm: the operands at 100000x100000x100000 and every shape's reference "
        + "product need 280000000000 bytes of Java heap but it holds at most ");
  }

  @Test
  void theApiRefusesALayerOfMoreWeightsThanABufferHolds() {
    dev.cltrain.core.InputException e = assertThrows(dev.cltrain.core.InputException.class,
        () -> Network.initNormal(new int[] {65536, 32768}, 1));
    assertTrue(e.getMessage().contains("2147483648 weights in one layer (8589934592 bytes)"), e.getMessage());
  }
}
