package dev.cltrain.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.nn.Activation;
import dev.cltrain.testing.OpenClDevices;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ProgramBinaries}: once a program was built from source {@link ProgramBinaries#SOURCE_BUILDS_FIRST} times
 * and once more, keeping its binary, a later context of the same device builds it from that binary, computing the
 * same bits; other options or source text are built from source; a binary the device refuses falls back to the
 * source build; a failed build keeps nothing; the binaries kept per device are bounded. Each test builds
 * activation.cl (small) with options of its own (an unused define), so that no other test class's builds count.
 */
class ProgramBinariesTest {
  private static final String FILE = "activation.cl";
  private static final KernelSource PACKAGED = KernelSource.classpath();

  @TempDir
  Path dir;

  /** The trainer's options for the device, with a define no kernel reads, unique to one test. */
  private static String options(ClDevice device, String test) {
    return ProgramOptions.programOptions(device, MatmulPlan.tiled(16)) + " -DPROGRAM_BINARIES_TEST_" + test;
  }

  /** Builds {@code FILE} in a new context; {@return {from source, from binary}} of that context's builds. */
  private static int[] build(ClDevice device, KernelSource source, String options) {
    try (ClContext context = new ClContext(device, source)) {
      context.program(FILE, options);
      return new int[] {context.sourceBuilds(), context.binaryBuilds()};
    }
  }

  /** bias_activation for every activation on seeded values, in a new context; the outputs one after another. */
  private static float[] activations(ClDevice device, String options, int[] counts) {
    int rows = 7;
    int cols = 13;
    java.util.Random random = new java.util.Random(42);
    float[] z = new float[rows * cols];
    float[] bias = new float[cols];
    for (int i = 0; i < z.length; i++) {
      z[i] = 8 * random.nextFloat() - 4;
    }
    for (int i = 0; i < bias.length; i++) {
      bias[i] = random.nextFloat() - 0.5f;
    }
    Activation[] each = {Activation.IDENTITY, Activation.SIGMOID, Activation.TANH, Activation.RELU};
    float[] out = new float[each.length * z.length];
    try (ClContext context = new ClContext(device, PACKAGED)) {
      ClKernel kernel = context.program(FILE, options).kernel("bias_activation");
      counts[0] = context.sourceBuilds();
      counts[1] = context.binaryBuilds();
      try (ClBuffer zs = context.upload(z); ClBuffer biases = context.upload(bias); ClBuffer a = context.buffer(z.length)) {
        float[] one = new float[z.length];
        for (int k = 0; k < each.length; k++) {
          kernel.args(rows, cols, each[k].code, zs, biases, a).launchGuarded(z.length);
          a.read(one);
          System.arraycopy(one, 0, out, k * z.length, z.length);
        }
      }
    }
    return out;
  }

  /** The options of the program whose binary {@link #keep} has kept. */
  private static String kept;
  /** The outputs of {@link #activations} on the build from source that kept the binary. */
  private static float[] fromSource;

  /**
   * Builds {@code FILE} from source until its binary is kept, once for the class: fetching a binary compiles every
   * kernel of the program on PoCL, the slow part, so the tests share one.
   */
  @BeforeAll
  static void keep() {
    ClDevice device = OpenClDevices.firstCpu();
    kept = options(device, "KEPT");
    for (int build = 0; build < ProgramBinaries.SOURCE_BUILDS_FIRST; build++) {
      assertArrayEquals(new int[] {1, 0}, build(device, PACKAGED, kept), "build " + build + " {source, binary}");
    }
    int[] counts = new int[2];
    fromSource = activations(device, kept, counts);
    assertArrayEquals(new int[] {1, 0}, counts, "the build that keeps the binary: from source {source, binary}");
    assertNotNull(ProgramBinaries.binary(key(device, kept)), "the binary is kept");
  }

  private static ProgramBinaries.Key key(ClDevice device, String options) {
    return ProgramBinaries.Key.of(device, options, ClProgram.assemble(PACKAGED, FILE));
  }

  @Test
  void aLaterContextBuildsFromTheKeptBinaryAndComputesTheSameBits() {
    int[] counts = new int[2];
    float[] fromBinary = activations(OpenClDevices.firstCpu(), kept, counts);
    assertArrayEquals(new int[] {0, 1}, counts, "from the binary {source, binary}");
    // tolerance: none; the same compiled code on the same device gives the same bits
    assertArrayEquals(fromSource, fromBinary, "identity, sigmoid, tanh and relu from the binary build");
  }

  @Test
  void otherOptionsOrSourceTextAreBuiltFromSourceWhileTheKeptBinaryServesItsOwn() throws Exception {
    ClDevice device = OpenClDevices.firstCpu();
    assertArrayEquals(new int[] {1, 0}, build(device, PACKAGED, kept + " -DANOTHER_OPTION"),
        "other options: from source {source, binary}");
    OpenClKernelFiles.copyTo(dir);
    Files.writeString(dir.resolve(FILE), "// one more line\n" + PACKAGED.load(FILE), StandardCharsets.UTF_8);
    assertArrayEquals(new int[] {1, 0}, build(device, KernelSource.folder(dir), kept),
        "another source text: from source");
    assertArrayEquals(new int[] {0, 1}, build(device, PACKAGED, kept), "the kept program: from its binary");
  }

  @Test
  void aBinaryTheDeviceRefusesIsReplacedByTheSourceBuildsOwn() {
    ClDevice device = OpenClDevices.firstCpu();
    byte[] garbage = "not a program binary".getBytes(StandardCharsets.US_ASCII);
    ProgramBinaries.keep(key(device, kept), garbage);
    int[] counts = new int[2];
    float[] refused = activations(device, kept, counts);
    assertArrayEquals(new int[] {1, 0}, counts, "the refused binary: built from source {source, binary}");
    byte[] now = ProgramBinaries.binary(key(device, kept));
    assertTrue(now == null || !Arrays.equals(garbage, now), "the refused binary is not kept");
    // tolerance: none; both built from the same source
    assertArrayEquals(fromSource, refused, "the fallback's outputs");
  }

  @Test
  void aFailedBuildKeepsNothingAndFailsAgainWithItsBuildLog() throws Exception {
    ClDevice device = OpenClDevices.firstCpu();
    String options = options(device, "FAILED");
    OpenClKernelFiles.copyWithChange(dir, FILE, "a[i] = activate(", "a[i] = no_such_function(");
    KernelSource broken = KernelSource.folder(dir);
    int held = ProgramBinaries.held(device);
    for (int attempt = 1; attempt <= 3; attempt++) {
      ClException e = assertThrows(ClException.class, () -> build(device, broken, options), "attempt " + attempt);
      assertTrue(e.getMessage().contains("Build log"), "attempt " + attempt + ": " + e.getMessage());
    }
    assertNull(ProgramBinaries.binary(ProgramBinaries.Key.of(device, options, ClProgram.assemble(broken, FILE))),
        "no binary of a failed build");
    assertEquals(held, ProgramBinaries.held(device), "binaries kept for the device");
  }

  @Test
  void eachDeviceKeepsItsMostRecentlyUsedBinariesUpToTheBound() {
    ClDevice fake = new ClDevice(9, 9, "no platform", "ProgramBinariesTest device", "test", ClDevice.Type.OTHER, 1,
        1L << 30, 1L << 28, 64, 1024, "OpenCL 3.0", "1", false, false, false, null, null);
    int extra = 4;
    for (int i = 0; i < ProgramBinaries.PER_DEVICE + extra; i++) {
      ProgramBinaries.keep(ProgramBinaries.Key.of(fake, "", "program " + i), new byte[] {(byte) i});
      if (i >= 1) {
        ProgramBinaries.binary(ProgramBinaries.Key.of(fake, "", "program 0")); // used: kept
      }
    }
    assertEquals(ProgramBinaries.PER_DEVICE, ProgramBinaries.held(fake), "binaries kept for the device");
    assertNotNull(ProgramBinaries.binary(ProgramBinaries.Key.of(fake, "", "program 0")), "the one used since");
    for (int i = 1; i <= extra; i++) {
      assertNull(ProgramBinaries.binary(ProgramBinaries.Key.of(fake, "", "program " + i)), "dropped: program " + i);
    }
    ClDevice newerDriver = new ClDevice(9, 9, "no platform", "ProgramBinariesTest device", "test", ClDevice.Type.OTHER,
        1, 1L << 30, 1L << 28, 64, 1024, "OpenCL 3.0", "2", false, false, false, null, null);
    assertNull(ProgramBinaries.binary(ProgramBinaries.Key.of(newerDriver, "", "program 0")),
        "another driver version is another device");
  }
}
