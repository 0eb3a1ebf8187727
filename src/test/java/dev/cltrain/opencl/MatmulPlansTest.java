package dev.cltrain.opencl;

import dev.cltrain.testing.Tolerances;
import dev.cltrain.backend.Kernels;
import dev.cltrain.reference.ReferenceKernels;

import dev.cltrain.testing.OpenClDevices;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every matmul strategy, odd tunables of each, and the autotuner's candidates for the vectors the device's kernels
 * are compiled for (with the other width's first), on every OpenCL device, for all three variants, at shapes around each plan's block edges: each must equal the
 * reference. The products accumulate in the reference's order with one fused multiply-add each, so they
 * agree to the last bit; the comparison still allows Tolerances.KERNEL_* for devices that round otherwise.
 * Shapes straddle the register block, the panel (MB rows × VC·VN columns) and the staged depth (KC).
 */
@Tag("slow") // builds matmul.cl for every plan below on every device: a cold compile each on PoCL
class MatmulPlansTest {
  static List<MatmulPlan> plans(ClDevice device) {
    int tile = MatmulPlan.tileFor(device);
    // odd tunables the candidates lack (one row, odd rows, 4-float vectors, depths 1-3, tiny panels, the register
    // kernels of devices without fused multiply-add), each a cold compile; the tiled kernel is a candidate everywhere
    List<MatmulPlan> plans = new ArrayList<>(List.of(MatmulPlan.tiled(Math.max(1, tile / 2)),
        MatmulPlan.blocked(tile, 1, 4), MatmulPlan.blocked(tile, 5, 4), MatmulPlan.blocked(tile, 3, 8, 2),
        MatmulPlan.blocked(tile, 3, 4, 3, 7, 5), MatmulPlan.blocked(tile, 2, 8, 4, 5, 1),
        MatmulPlan.registers(tile, 1, 1), MatmulPlan.registers(tile, 3, 8), MatmulPlan.registers(tile, 8, 5)));
    // the tuner's candidates for the vectors the device's kernels are compiled for, and the other width's first (a
    // cold compile each: the other width's whole list runs on CI's machines of that kind, AVX2 or AVX-512)
    int width = MatmulTuner.targetWidth(device.floatVectorWidths()[1], device.openclVersion());
    boolean otherTaken = false;
    for (MatmulPlan candidate : MatmulTuner.candidates(device)) {
      boolean own = !candidate.blocked() || candidate.vector() == width || width == 0;
      if (own || !otherTaken) {
        plans.add(candidate);
        otherTaken |= !own;
      }
    }
    return plans.stream().distinct().toList();
  }

  static Stream<Arguments> cases() {
    return OpenClDevices.all().stream().flatMap(d -> plans(d).stream().map(p -> Arguments.of(d, p)));
  }

  private static List<int[]> shapes(MatmulPlan plan) {
    List<int[]> shapes = new ArrayList<>(List.of(new int[] {1, 1, 1}, new int[] {3, 5, 7}, new int[] {127, 129, 65},
        new int[] {1, 37, 2}, new int[] {61, 1, 17}));
    int rows = plan.tiled() ? plan.tile() : plan.rows();
    int cols = plan.tiled() ? plan.tile() : plan.columns();
    for (int d = -1; d <= 1; d++) {
      shapes.add(new int[] {Math.max(1, rows + d), Math.max(1, cols - d), 13});
      shapes.add(new int[] {2 * rows + d, 3 * cols + d, 31});
    }
    if (plan.blocked()) {
      int panel = plan.panel();
      int depth = plan.depth();
      for (int d = -1; d <= 1; d++) {
        shapes.add(new int[] {panel + d, cols + 3, Math.max(1, depth + d)});
        shapes.add(new int[] {2 * panel + rows + d, 2 * cols - 1, 2 * depth + 1 + d});
      }
    }
    return shapes;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void everyVariantEqualsTheReferenceAtShapesAroundTheBlockEdges(ClDevice device, MatmulPlan plan) {
    ReferenceKernels reference = new ReferenceKernels();
    try (Products kernels = new Products(device, plan, plan, OpenClKernels.LARGE_WORK)) {
      for (int[] s : shapes(plan)) {
        int m = s[0];
        int n = s[1];
        int k = s[2];
        float[] a = random(m * k, 1);
        float[] b = random(k * n, 2);
        float[] bias = random(n, 3);
        float[] other = random(m * n, 4);
        for (String variant : List.of("nn", "tn", "nt", "bias_activation", "transpose_b_delta")) {
          int activation = (m + n + k) % 4; // each code turns up across the shapes
          float[] expected = new float[m * n];
          call(reference, variant, m, n, k, activation, a, b, bias, other, expected);
          float[] actual = new float[m * n];
          try (ClBuffer da = kernels.context.upload(a); ClBuffer db = kernels.context.upload(b); ClBuffer dc = kernels.context.buffer(m * n);
               ClBuffer dbias = kernels.context.upload(bias); ClBuffer dother = kernels.context.upload(other)) {
            kernels.call(variant, m, n, k, activation, da, db, dbias, dother, dc);
            dc.read(actual);
          }
          Tolerances.assertMatchesReference(device, plan.describe() + " " + variant + " activation " + activation + " "
              + m + "x" + n + "x" + k, expected, actual);
        }
      }
    }
  }

  /**
   * Two plans in one backend: products with at least LARGE_ROWS rows and the large work (1 multiply-add here,
   * so that small shapes test it) take the large plan's kernels, the others the plan's; both give the
   * reference's bits in every variant, on either side of the row threshold.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.cltrain.testing.OpenClDevices#all")
  void largeProductsTakeTheLargePlanAndStillEqualTheReference(ClDevice device) {
    int tile = MatmulPlan.tileFor(device);
    MatmulPlan small = MatmulPlan.blocked(tile, 4, 16, 4, 128, 128);
    MatmulPlan large = MatmulPlan.blocked(tile, 6, 8, 3, 100, 7);
    ReferenceKernels reference = new ReferenceKernels();
    try (Products kernels = new Products(device, small, large, 1)) {
      org.junit.jupiter.api.Assertions.assertEquals(large, kernels.matmuls.largePlan());
      org.junit.jupiter.api.Assertions.assertTrue(kernels.matmuls.takesLargePlan(OpenClKernels.LARGE_ROWS, 3, 5));
      org.junit.jupiter.api.Assertions.assertFalse(kernels.matmuls.takesLargePlan(OpenClKernels.LARGE_ROWS - 1, 300,
          500));
      for (int m : new int[] {OpenClKernels.LARGE_ROWS - 1, OpenClKernels.LARGE_ROWS + 3}) {
        int n = 37;
        int k = 19;
        float[] a = random(m * k, 5);
        float[] b = random(k * n, 6);
        float[] bias = random(n, 7);
        float[] other = random(m * n, 8);
        for (String variant : List.of("nn", "tn", "nt", "bias_activation", "transpose_b_delta")) {
          float[] expected = new float[m * n];
          call(reference, variant, m, n, k, 1, a, b, bias, other, expected);
          float[] actual = new float[m * n];
          try (ClBuffer da = kernels.context.upload(a); ClBuffer db = kernels.context.upload(b); ClBuffer dc = kernels.context.buffer(m * n);
               ClBuffer dbias = kernels.context.upload(bias); ClBuffer dother = kernels.context.upload(other)) {
            kernels.call(variant, m, n, k, 1, da, db, dbias, dother, dc);
            dc.read(actual);
          }
          Tolerances.assertMatchesReference(device, "two plans, " + variant + " " + m + "x" + n + "x" + k, expected,
              actual);
        }
      }
    }
  }

  /**
   * matmul.cl alone, built for a plan (and a large products' plan) as OpenClKernels builds and launches it: the
   * other kernel files' builds take the plan's options too, so building them all cost a cold compile of every file
   * per plan (5-10 s each on PoCL, 154 s of CI's 15 minutes for this class).
   */
  private static final class Products implements AutoCloseable {
    final ClContext context;
    final MatmulKernels matmuls;

    Products(ClDevice device, MatmulPlan plan, MatmulPlan large, long largeWork) {
      context = new ClContext(device, KernelSource.classpath(), false);
      try {
        matmuls = new MatmulKernels(context, KernelSource.classpath(), plan, large, largeWork);
      } catch (RuntimeException e) {
        context.close();
        throw e;
      }
    }

    /** As {@link MatmulPlansTest#call} does on a backend, through the kernels of the product's plan. */
    void call(String variant, int m, int n, int k, int activation, ClBuffer a, ClBuffer b, ClBuffer bias,
        ClBuffer other, ClBuffer c) {
      MatmulKernels.Matmuls kernels = matmuls.matmuls(m, n, k);
      ClKernel kernel = switch (variant) {
        case "tn" -> kernels.transposeA().args(m, n, k, 0.5f, a, b, c);
        case "nt" -> kernels.transposeB().args(m, n, k, 0.5f, a, b, c);
        case "bias_activation" -> kernels.biasActivation().args(m, n, k, activation, a, b, bias, c);
        case "transpose_b_delta" -> kernels.transposeBDelta().args(m, n, k, activation, a, b, other, c);
        default -> kernels.matmul().args(m, n, k, 0.5f, a, b, c);
      };
      matmuls.launch(kernels, kernel, m, n);
    }

    @Override
    public void close() {
      context.close();
    }
  }

  /** "bias_activation": a = x(m,k)·b(k,n) + bias, activated; "transpose_b_delta": (a(m,k)·b(n,k)ᵀ) ⊙ f'(other). */
  private static <B, I> void call(Kernels<B, I> kernels, String variant, int m, int n, int k, int activation, B a,
      B b, B bias, B other, B c) {
    switch (variant) {
      case "tn" -> kernels.matmulTransposeA(m, n, k, 0.5f, a, b, c);
      case "nt" -> kernels.matmulTransposeB(m, n, k, 0.5f, a, b, c);
      case "bias_activation" -> kernels.matmulBiasActivation(m, n, k, activation, a, b, bias, c);
      case "transpose_b_delta" -> kernels.matmulTransposeBDelta(m, n, k, activation, a, b, other, c);
      default -> kernels.matmul(m, n, k, 0.5f, a, b, c);
    }
  }

  private static float[] random(int length, long seed) {
    Random r = new Random(seed * 31 + length);
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return v;
  }
}
