package dev.cltrain.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import org.junit.jupiter.api.Test;

/** CLTRAIN_MATMUL's spec: RMxVNxVC/MBxKC read back as written, defaults filled in, and checked against the device. */
class MatmulPlanSpecTest {
  /** A made-up CPU device with {@code localBytes} of local memory (no OpenCL needed). */
  private static ClDevice device(long localBytes) {
    return new ClDevice(0, 0, "Test platform", "test-cpu", "none", ClDevice.Type.CPU, 2, 1L << 30, 1L << 28, 4096,
        localBytes, "OpenCL 3.0", "1", true, true, true, null, null);
  }

  @Test
  void specsRoundTripAndFillInTheDefaults() {
    MatmulPlan full = MatmulPlan.parse("blocked:6x16x4/288x512", 16);
    assertEquals(MatmulPlan.blocked(16, 6, 16, 4, 288, 512), full);
    assertEquals(full, MatmulPlan.parse(full.spec(), 16));
    assertEquals(MatmulPlan.blocked(16, 4, 16, 4, 128, 128), MatmulPlan.parse("blocked", 16), "plain blocked: 4x16x4/128x128");
    assertEquals(MatmulPlan.blocked(16, 8, 16, 2, 128, 128), MatmulPlan.parse("blocked:8x16x2", 16), "an old spec: MB, KC default");
    assertEquals(4L * 512 * 64, full.localBytes(), "KC x VC·VN floats staged");
    MatmulPlan registers = MatmulPlan.parse("registers:8x4", 16);
    assertEquals(MatmulPlan.registers(16, 8, 4), registers);
    assertEquals(registers, MatmulPlan.parse(registers.spec(), 16));
    assertEquals(MatmulPlan.registers(16, 4, 4), MatmulPlan.parse("registers", 16), "plain registers: 4x4");
    assertEquals(0, registers.localBytes(), "no local memory");
    assertThrows(InputException.class, () -> MatmulPlan.parse("registers:9x4", 16), "RM past 8");
  }

  /**
   * A device without a hardware fused multiply-add, like Rusticl's llvmpipe (fma() emulated in software, local
   * memory and barriers emulated): its programs multiply and add separately, it is judged by tolerance, and
   * the tuner tries the registers strategy first (tiled:16 reached 0.04 GFLOP/s there); a device with an FMA
   * keeps fma() and its candidates (on a CPU, SIMD blocks first).
   */
  @Test
  void aDeviceWithoutHardwareFmaMultipliesAndAddsSeparatelyAndTriesRegistersFirst() {
    ClDevice noFma = new ClDevice(0, 0, "rusticl", "llvmpipe-like", "none", ClDevice.Type.CPU, 8, 1L << 30, 1L << 28,
        1024, 32768, "OpenCL 3.0", "1", false, false, false, null, null);
    assertEquals(" -DSEPARATE_MULTIPLY_ADD", ProgramOptions.multiplyAdd(noFma));
    assertEquals("", ProgramOptions.multiplyAdd(device(32768)));
    assertEquals(MatmulPlan.registers(16, 4, 4), MatmulTuner.candidates(noFma).get(0));
    assertTrue(MatmulTuner.candidates(device(32768)).get(0).blocked(), "a CPU with an FMA: a SIMD block first");
    assertTrue(!noFma.roundsAsTheReference() && device(32768).roundsAsTheReference());
  }

  /**
   * Issue 28 item 5: a CPU device tries the best block of its kernels' vector width first and that of the other
   * width next (float16 for AVX-512, float8 for AVX2's 16 registers: 6 × 2 accumulators), the tiled plan last;
   * both widths offer the same candidates. PoCL compiling for haswell on an AVX-512 host reports 16 but is taken
   * at its target's 8.
   */
  @Test
  void aCpuTriesTheBestBlockOfEachVectorWidthFirstItsNativeWidthAhead() {
    MatmulPlan wide = MatmulPlan.blocked(16, 6, 16, 4, 192, 256);
    MatmulPlan narrow = MatmulPlan.blocked(16, 6, 8, 2, 192, 256);
    java.util.List<MatmulPlan> avx512 = MatmulTuner.candidates(device(1 << 22), 16);
    java.util.List<MatmulPlan> avx2 = MatmulTuner.candidates(device(1 << 22), 8);
    assertEquals(java.util.List.of(wide, narrow), avx512.subList(0, 2), "AVX-512: " + avx512);
    assertEquals(java.util.List.of(narrow, wide), avx2.subList(0, 2), "AVX2: " + avx2);
    assertEquals(MatmulPlan.tiled(16), avx2.get(avx2.size() - 1), "tiled last: " + avx2);
    assertEquals(new java.util.HashSet<>(avx512), new java.util.HashSet<>(avx2), "the same candidates");
    assertEquals(avx512, MatmulTuner.candidates(device(1 << 22)), "a device that does not say its width: as AVX-512");
    assertEquals(8, MatmulTuner.targetWidth(16, "OpenCL 3.0 PoCL HSTR: pthread-x86_64-pc-linux-gnu-haswell"));
    assertEquals(8, MatmulTuner.targetWidth(8, "OpenCL 3.0 PoCL HSTR: pthread-x86_64-pc-linux-gnu-znver2"));
    assertEquals(16, MatmulTuner.targetWidth(16, "OpenCL 3.0 PoCL HSTR: pthread-x86_64-pc-linux-gnu-skylake-avx512"));
    assertEquals(16, MatmulTuner.targetWidth(16, "OpenCL 3.0 PoCL HSTR: pthread-x86_64-pc-linux-gnu-znver4"));
    assertEquals(4, MatmulTuner.targetWidth(4, "OpenCL 3.0 PoCL HSTR: pthread-aarch64-unknown-linux-gnu-cortex-a72"));
    assertEquals(16, MatmulTuner.targetWidth(16, "OpenCL 3.0"), "no target named: the reported width");
    assertEquals("float8", narrow.vectorType());
    assertEquals("scalar", MatmulPlan.tiled(16).vectorType());
  }

  @Test
  void aForcedPlanWhoseStageExceedsTheLocalMemoryIsRefusedInOneLine() {
    assertEquals(MatmulPlan.blocked(16, 4, 16, 4, 128, 128), MatmulPlan.forced("blocked:4x16x4/128x128", device(32768)));
    InputException e = assertThrows(InputException.class,
        () -> MatmulPlan.forced("blocked:4x16x4/128x256", device(32768)));
    assertTrue(e.getMessage().startsWith("CLTRAIN_MATMUL=blocked:4x16x4/128x256: the plan stages 65536 bytes")
        && e.getMessage().contains("CL_DEVICE_LOCAL_MEM_SIZE") && !e.getMessage().contains("\n"), e.getMessage());
    assertThrows(InputException.class, () -> MatmulPlan.forced("blocked:4x16x4/2x8", device(1 << 20)), "MB below RM");
  }

  @Test
  void theTunerOffersOnlyPlansThatFitAndFallsBackToTiles() {
    for (MatmulPlan plan : MatmulTuner.candidates(device(32768))) {
      assertTrue(plan.localBytes() <= 32768, plan.spec());
    }
    assertEquals(java.util.List.of(MatmulPlan.tiled(8)), MatmulTuner.candidates(device(1024)),
        "nothing fits 1 KiB but tiles of 8 (2 · 64 floats)");
  }
}
