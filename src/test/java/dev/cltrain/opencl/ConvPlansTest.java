package dev.cltrain.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import dev.cltrain.reference.ReferenceKernels;
import dev.cltrain.testing.OpenClDevices;
import dev.cltrain.testing.Tolerances;
import dev.cltrain.train.DeviceCheckAccess;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every convolution plan the tuner may pick on a device ({@link ConvPlan#candidates} for the vectors its kernels are
 * compiled for), on every OpenCL device: the kernels they shape (conv_direct, conv_direct_max_pool, conv_weight_gradient,
 * conv_input_gradient) store the same bits as with the default plan at every case `cltrain verify` runs them at
 * (tolerance 0: the plans change register blocks, never the order of an element's additions), and the reference's
 * bits where the device rounds as the reference does. Also the spec's grammar and its one-line errors.
 */
class ConvPlansTest {
  private static final List<String> KERNELS = List.of("conv_direct", "conv_direct_max_pool", "conv_weight_gradient",
      "conv_input_gradient");
  private static final int[] ACTIVATIONS = {0, 3};
  private static final long SEED = 7;

  /**
   * The candidates for vectors of {@code lanes} floats but the default. (Each plan costs a cold compile of two files,
   * seconds on PoCL, so each device runs its own width's candidates, CI's machines differing; an odd plan's blocks
   * run on Oclgrind, SimulatorKernelTest.)
   */
  static List<ConvPlan> plans(int lanes) {
    Set<ConvPlan> plans = new LinkedHashSet<>(ConvPlan.candidates(lanes));
    plans.remove(ConvPlan.DEFAULT);
    return new ArrayList<>(plans);
  }

  static Stream<Arguments> cases() {
    return OpenClDevices.all().stream().flatMap(d -> plans(MatmulTuner.targetWidth(d.floatVectorWidths()[1],
        d.openclVersion())).stream().map(p -> Arguments.of(d, p)));
  }

  /** The default plan's outputs per device and case, computed once (one backend per device). */
  private static final Map<String, float[]> DEFAULT_OUTPUTS = new HashMap<>();

  private static synchronized float[] defaultOutput(ClDevice device, MatmulPlan matmul, String kernel, int[] shape,
      int activation) {
    String key = device.ref() + " " + kernel + " " + Arrays.toString(shape) + " " + activation;
    if (!DEFAULT_OUTPUTS.containsKey(key)) {
      try (OpenClKernels base = new OpenClKernels(device, KernelSource.classpath(), false, matmul,
          ProgramOptions.updateChunk(device), matmul, OpenClKernels.LARGE_WORK, ConvPlan.DEFAULT)) {
        for (String k : KERNELS) {
          for (int[] s : DeviceCheckAccess.shapesFor(k)) {
            for (int a : ACTIVATIONS) {
              DEFAULT_OUTPUTS.put(device.ref() + " " + k + " " + Arrays.toString(s) + " " + a,
                  DeviceCheckAccess.exec(k, base, s, a, SEED));
            }
          }
        }
      }
    }
    return DEFAULT_OUTPUTS.get(key);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void everyPlanStoresTheDefaultPlansBits(ClDevice device, ConvPlan plan) {
    // the plan the suite's tunings keep (budget 0: the first candidate), so the other files' builds are warm; its
    // vectors are the conv kernels' (16 floats with AVX-512, 8 with AVX2), those of the candidates tested
    MatmulPlan matmul = MatmulTuner.candidates(device).get(0);
    ReferenceKernels reference = new ReferenceKernels();
    try (OpenClKernels kernels = new OpenClKernels(device, KernelSource.classpath(), false, matmul,
        ProgramOptions.updateChunk(device), matmul, OpenClKernels.LARGE_WORK, plan)) {
      assertEquals(plan, kernels.convPlan());
      for (String kernel : KERNELS) {
        for (int[] shape : DeviceCheckAccess.shapesFor(kernel)) {
          for (int activation : ACTIVATIONS) {
            String what = kernel + " " + DeviceCheckAccess.describe(kernel, shape) + " activation " + activation
                + " with " + plan.spec();
            float[] actual = DeviceCheckAccess.exec(kernel, kernels, shape, activation, SEED);
            Tolerances.assertSameBits(what + " vs " + ConvPlan.DEFAULT.spec(),
                defaultOutput(device, matmul, kernel, shape, activation), actual);
            if (device.roundsAsTheReference()) {
              Tolerances.assertSameBits(what + " vs the reference",
                  DeviceCheckAccess.exec(kernel, reference, shape, activation, SEED), actual);
            }
          }
        }
      }
    }
  }

  @Test
  void specsRoundTripAndBadOnesNameTheVariable() {
    for (ConvPlan plan : java.util.stream.Stream.of(plans(8), plans(16)).flatMap(List::stream).toList()) {
      assertEquals(plan, ConvPlan.parse(plan.spec()));
    }
    assertEquals(ConvPlan.DEFAULT, ConvPlan.parse("  CONV:2/4x4x128/4x2 "));
    assertEquals(" -DCONV_VECS=2 -DCB_RM=4 -DCB_VC=4 -DCB_KC=128 -DCB_RX=4 -DCB_XC=2", ConvPlan.DEFAULT.defines());
    assertEquals(new ConvPlan(1, 4, 2, 256, 6, 1), ConvPlan.combine(new ConvPlan(1, 6, 2, 128, 2, 4),
        new ConvPlan(4, 4, 2, 256, 6, 1), new ConvPlan(2, 8, 1, 128, 6, 1)));
    for (String bad : List.of("conv", "conv:2/4x4x128", "conv:0/4x4x128/4x2", "conv:2/9x4x128/4x2",
        "conv:2/4x4x8/4x2", "conv:2/4x4x128/4x5", "blocked:4x16")) {
      InputException e = assertThrows(InputException.class, () -> ConvPlan.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("CLTRAIN_CONV=" + bad + ": expected conv:VECS/RMxVCxKC/RXxXC"),
          e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
    for (int lanes : new int[] {4, 8, 16}) {
      assertEquals(ConvPlan.DEFAULT, ConvPlan.candidates(lanes).get(0), "the default is timed first, the judge");
    }
  }
}
