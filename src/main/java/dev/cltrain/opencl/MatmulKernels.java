package dev.cltrain.opencl;

import java.util.List;

/**
 * The matrix products of one context: matmul.cl built for the device's plan and, for large products, for a
 * second plan (tuned at the first large product when not cached, and checked bit for bit against the first
 * before its first use), and each product's launch as its plan lays it out.
 */
final class MatmulKernels {
  private final ClContext context;
  private final KernelSource source;
  private final MatmulPlan plan;
  /**
   * The matmul kernels built for {@link #plan}, and for large products those built for the large plan: null
   * until the first large product when that plan is still to be tuned ({@link #resolveLargePlan()}).
   */
  private final Matmuls matmuls;
  private Matmuls largeMatmuls;
  /** Which kernels every product takes: null by size (the normal case), else the large plan's (true) or the other's. */
  private Boolean forced;
  /** Multiply-adds from which a product with at least LARGE_ROWS rows takes {@link #largeMatmuls}. */
  private final long largeWork;

  /**
   * Builds matmul.cl for {@code plan}, and for {@code largePlan} when it is given and another.
   *
   * @param context the context that owns the programs
   * @param source where the .cl files are read from (a large plan tuned later reads them too)
   * @param plan how matmul.cl is built and launched
   * @param largePlan the same for large products; null: tuned at the first large product
   * @param largeWork the multiply-adds m·n·k from which a product of at least LARGE_ROWS rows is large
   * @throws ClException when a build fails; the build log comes with it
   */
  MatmulKernels(ClContext context, KernelSource source, MatmulPlan plan, MatmulPlan largePlan, long largeWork) {
    this.context = context;
    this.source = source;
    this.plan = plan;
    this.matmuls = new Matmuls(plan, context.program("matmul.cl",
        ProgramOptions.programOptions(context.device(), plan)));
    this.largeMatmuls = largePlan == null ? null : build(largePlan);
    this.largeWork = largeWork;
  }

  /** {@return the plan of the products that are not large} */
  MatmulPlan plan() {
    return plan;
  }

  /** The five matmul kernels of one build of matmul.cl, with the plan it was built for. */
  record Matmuls(MatmulPlan plan, ClKernel matmul, ClKernel transposeA, ClKernel transposeB,
      ClKernel biasActivation, ClKernel transposeBDelta) {
    Matmuls(MatmulPlan plan, ClProgram program) {
      this(plan, program.kernel("matmul"), program.kernel("matmul_transpose_a"), program.kernel("matmul_transpose_b"),
          program.kernel("matmul_bias_activation"), program.kernel("matmul_transpose_b_delta"));
    }
  }

  /** The kernels for a product of m × n × k: the large plan's when it has the rows and the work. */
  Matmuls matmuls(int m, int n, int k) {
    if (forced != null) {
      return forced ? resolveLargePlan() : matmuls;
    }
    return takesLargePlan(m, n, k) ? resolveLargePlan() : matmuls;
  }

  /** The matmul kernels of {@code p}: {@link #matmuls} when it is that plan, else built now. */
  private Matmuls build(MatmulPlan p) {
    return p.equals(plan) ? matmuls : new Matmuls(p, context.program("matmul.cl", ProgramOptions.programOptions(context.device(), p)));
  }

  /**
   * The large products' kernels, tuned and built now if this is the first large product: a plan not yet
   * checked, so before its first use it must compute, bit for bit, what this backend's other plan computes
   * (every plan sums in the same order) at shapes past the large-product threshold, every variant and
   * activation.
   *
   * @throws dev.cltrain.core.DeviceException when the new plan's products differ from the checked plan's
   */
  private synchronized Matmuls resolveLargePlan() {
    if (largeMatmuls != null) {
      return largeMatmuls;
    }
    Matmuls tuned = build(MatmulPlan.largeForDevice(context.device(), source));
    if (tuned != matmuls) {
      String differs = sameProducts(tuned);
      if (differs != null) {
        throw new dev.cltrain.core.DeviceException("the matmul plan for large products, " + tuned.plan().spec() + ", "
            + differs + " on " + context.device().ref() + " ('cltrain verify' shows every kernel)");
      }
    }
    largeMatmuls = tuned;
    return tuned;
  }

  /** Where {@code other}'s five variants differ from {@link #matmuls}'s bits, or null when they never do. */
  private String sameProducts(Matmuls other) {
    java.util.Random random = new java.util.Random(11);
    for (int[] s : new int[][] {{OpenClKernels.LARGE_ROWS + 3, 70, 1100}, {130, 100, 67}}) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      try (ClBuffer a = context.upload(uniform(random, m * k)); ClBuffer b = context.upload(uniform(random, k * n));
           ClBuffer bias = context.upload(uniform(random, m * n)); ClBuffer out = context.buffer(m * n)) {
        for (int variant = 0; variant < 5 + 3; variant++) {
          float[][] results = new float[2][m * n];
          for (int side = 0; side < 2; side++) {
            Matmuls kernels = side == 0 ? matmuls : other;
            int activation = Math.max(0, variant - 4);
            ClKernel kernel = switch (Math.min(variant, 4)) {
              case 0 -> kernels.matmul().args(m, n, k, 0.5f, a, b, out);
              case 1 -> kernels.transposeA().args(m, n, k, 0.5f, a, b, out);
              case 2 -> kernels.transposeB().args(m, n, k, 0.5f, a, b, out);
              case 3 -> kernels.biasActivation().args(m, n, k, activation, a, b, bias, out);
              default -> kernels.transposeBDelta().args(m, n, k, activation, a, b, bias, out);
            };
            launch(kernels, kernel, m, n);
            out.read(results[side]);
          }
          for (int i = 0; i < m * n; i++) {
            if (Float.floatToRawIntBits(results[0][i]) != Float.floatToRawIntBits(results[1][i])) {
              return "computes " + results[1][i] + " where " + plan.spec() + " computes " + results[0][i] + " (variant "
                  + variant + ", " + m + "x" + n + "x" + k + ", element " + i + ")";
            }
          }
        }
      }
    }
    return null;
  }

  private static float[] uniform(java.util.Random random, int length) {
    float[] v = new float[length];
    for (int i = 0; i < length; i++) {
      v[i] = random.nextFloat() * 2 - 1;
    }
    return v;
  }

  /**
   * Makes every product take one plan's kernels whatever its size, so that a check reaches each plan at every
   * shape (DeviceCheck, verify); null restores the choice by size.
   *
   * @param large true: the large products' plan (tuned now if need be); false: the
   *     other; null: by size
   */
  synchronized void forcePlan(Boolean large) {
    forced = large;
  }

  /**
   * The plans this backend's products take, the large products' only once known (cached, or tuned at the first
   * large product).
   *
   * @return one plan, or two when large products have a plan of their own
   */
  synchronized List<MatmulPlan> plans() {
    return largeMatmuls == null || largeMatmuls == matmuls ? List.of(plan) : List.of(plan, largeMatmuls.plan());
  }

  /** Whether a product of m × n × k has the rows and the work for the large plan's kernels (for tests). */
  boolean takesLargePlan(int m, int n, int k) {
    return m >= OpenClKernels.LARGE_ROWS && (long) m * n * k >= largeWork;
  }

  void launch(Matmuls kernels, ClKernel kernel, int m, int n) {
    launchMatmul(kernels.plan(), kernel, m, n, context.device().computeUnits());
  }

  /**
   * Enqueues a matmul kernel built for {@code plan} over c(m, n): tiled, in TILE × TILE work-groups; registers,
   * one work-item per RM × RC block of c, the runtime's work-groups; blocked,
   * one work-item per panel of c, each its own work-group (the panel's staged piece of b is the group's local
   * memory, and PoCL then hands groups to its cores freely). Panels are MB rows high, or lower (a multiple of
   * RM) when that leaves fewer than two per compute unit; the kernel derives their height from the range.
   *
   * @param plan the plan the kernel was built with
   * @param kernel a matmul kernel with its arguments set
   * @param m rows of c
   * @param n columns of c
   * @param computeUnits the device's compute units (cores, on a CPU)
   */
  static void launchMatmul(MatmulPlan plan, ClKernel kernel, int m, int n, int computeUnits) {
    if (plan.blocked()) {
      long columns = (n + plan.columns() - 1) / plan.columns();
      long rows = (m + plan.panel() - 1) / plan.panel();
      long wanted = 2L * Math.max(1, computeUnits);
      if (columns * rows < wanted) {
        rows = Math.min((m + plan.rows() - 1) / plan.rows(), (wanted + columns - 1) / columns);
      }
      kernel.launch2dSingleItems(columns, rows);
    } else if (!plan.tiled()) {
      kernel.launch2dGuarded((n + plan.columns() - 1) / plan.columns(), (m + plan.rows() - 1) / plan.rows());
    } else {
      kernel.launch2d(n, m, plan.tile());
    }
  }

  /**
   * How large products are built and launched.
   *
   * @return the large plan given or chosen at construction, else tuned now; {@link #plan()} when there is none
   *     of its own
   * @throws dev.cltrain.core.DeviceException when a plan tuned now differs from {@link #plan()}'s products
   */
  MatmulPlan largePlan() {
    return resolveLargePlan().plan();
  }
}
