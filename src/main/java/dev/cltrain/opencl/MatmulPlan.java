package dev.cltrain.opencl;

import dev.cltrain.core.InputException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How matmul.cl is built and launched on one device (see the strategies in its header): {@code tiled} with
 * TILE × TILE work-groups staging blocks in local memory; {@code registers}, where each work-item computes RM
 * rows × RC columns of c in registers straight from global memory (no local memory, no barrier); or
 * {@code blocked}, where each work-item (a
 * work-group of its own) computes a panel of MB rows × VC·VN columns of c, RM rows at a time in vector
 * registers, over blocks of KC values of the sum whose piece of b it first copies to local memory. Every
 * plan computes bit for bit the same products; only speed differs. The environment variable
 * {@code CLTRAIN_MATMUL} (e.g. {@code tiled:16}, {@code blocked:4x16x4/128x128}) overrides the default, for
 * tuning and for testing every strategy on every device.
 *
 * @param strategy  tiled, registers or blocked
 * @param tile      TILE, the tiled strategy's work-group edge (also passed to blocked builds, unused there)
 * @param rows      RM, rows of c in registers at a time (blocked, registers)
 * @param vector    VN, the vector width: 4, 8 or 16 (blocked); RC, columns of c per work-item, 1 to 8 (registers)
 * @param vectors   VC, vectors per row of the register block, 1 to 4: a panel's columns are VC·VN (blocked)
 * @param panel     MB, rows of c per work-item, at least RM (blocked)
 * @param depth     KC, values of the sum per block, whose KC × VC·VN piece of b is staged in local memory (blocked)
 */
public record MatmulPlan(Strategy strategy, int tile, int rows, int vector, int vectors, int panel, int depth) {
  /** The kernels' strategies, as in matmul.cl's header. */
  public enum Strategy {
    /** TILE × TILE work-groups, blocks staged in local memory. */
    TILED,
    /** RM × RC elements of c per work-item, in registers, no local memory. */
    REGISTERS,
    /** A panel of c per work-item (a work-group of its own), vectors in registers, b staged in local memory. */
    BLOCKED
  }

  /** The variable that overrides the default plan. */
  public static final String ENVIRONMENT = "CLTRAIN_MATMUL";
  /** MB and KC when a spec leaves them out. */
  static final int DEFAULT_PANEL = 128;
  static final int DEFAULT_DEPTH = 128;
  private static final Pattern TILED = Pattern.compile("tiled(?::(\\d{1,2}))?");
  private static final Pattern REGISTERS = Pattern.compile("registers(?::(\\d{1,2})x(\\d{1,2}))?");
  private static final Pattern BLOCKED =
      Pattern.compile("blocked(?::(\\d{1,2})x(\\d{1,2})(?:x([1-4]))?(?:/(\\d{1,4})x(\\d{1,4}))?)?");

  /**
   * Checks the tunables matmul.cl accepts.
   *
   * @param strategy tiled, registers or blocked
   * @param tile TILE, at least 1
   * @param rows RM, 1 to 16 (checked when blocked), 1 to 8 (registers)
   * @param vector VN, 4, 8 or 16 (checked when blocked); RC, 1 to 8 (registers)
   * @param vectors VC, 1 to 4 (checked when blocked)
   * @param panel MB, RM to 4096 (checked when blocked)
   * @param depth KC, 1 to 4096 (checked when blocked)
   * @throws IllegalArgumentException when a value is out of range
   */
  public MatmulPlan {
    boolean blocked = strategy == Strategy.BLOCKED;
    if (tile < 1 || (blocked && (rows < 1 || rows > 16 || (vector != 4 && vector != 8 && vector != 16)
        || vectors < 1 || vectors > 4 || panel < rows || panel > 4096 || depth < 1 || depth > 4096))
        || (strategy == Strategy.REGISTERS && (rows < 1 || rows > MAX_REGISTER_EDGE || vector < 1
        || vector > MAX_REGISTER_EDGE || vectors != 1))) {
      throw new IllegalArgumentException("matmul plan " + strategy + " " + tile + " " + rows + "x" + vector + "x" + vectors
          + "/" + panel + "x" + depth);
    }
  }

  /** The most rows, and columns, of c one work-item of the registers strategy computes. */
  static final int MAX_REGISTER_EDGE = 8;

  /**
   * Whether this is the blocked strategy.
   *
   * @return true for blocked
   */
  public boolean blocked() {
    return strategy == Strategy.BLOCKED;
  }

  /**
   * Whether this is the tiled strategy, the only one whose work-groups the host sets (TILE × TILE).
   *
   * @return true for tiled
   */
  public boolean tiled() {
    return strategy == Strategy.TILED;
  }

  /**
   * The tiled strategy.
   *
   * @param tile TILE, the work-group edge; TILE² must fit the device's work-group limit
   * @return the plan
   */
  public static MatmulPlan tiled(int tile) {
    return new MatmulPlan(Strategy.TILED, tile, 1, 4, 1, 1, 1);
  }

  /**
   * The registers strategy.
   *
   * @param tile TILE, passed to the build though the registers kernels do not use it
   * @param rows RM, rows of c per work-item, 1 to {@value #MAX_REGISTER_EDGE}
   * @param columns RC, columns of c per work-item, 1 to {@value #MAX_REGISTER_EDGE}
   * @return the plan
   */
  public static MatmulPlan registers(int tile, int rows, int columns) {
    return new MatmulPlan(Strategy.REGISTERS, tile, rows, columns, 1, rows, 1);
  }

  /**
   * The blocked strategy with one vector per row of a work-item's block (VC = 1).
   *
   * @param tile TILE, passed to the build though the blocked kernels do not use it
   * @param rows RM, rows of c per work-item, 1 to 16
   * @param vector VN, 4, 8 or 16
   * @return the plan
   */
  public static MatmulPlan blocked(int tile, int rows, int vector) {
    return blocked(tile, rows, vector, 1);
  }

  /**
   * The blocked strategy.
   *
   * @param tile TILE, passed to the build though the blocked kernels do not use it
   * @param rows RM, rows of c per work-item, 1 to 16
   * @param vector VN, 4, 8 or 16
   * @param vectors VC, 1 to 4 vectors per row of the register block
   * @return the plan, with the default panel ({@value #DEFAULT_PANEL} rows, at least RM) and depth ({@value #DEFAULT_DEPTH})
   */
  public static MatmulPlan blocked(int tile, int rows, int vector, int vectors) {
    return blocked(tile, rows, vector, vectors, Math.max(rows, DEFAULT_PANEL), DEFAULT_DEPTH);
  }

  /**
   * The blocked strategy with every tunable given.
   *
   * @param tile TILE, passed to the build though the blocked kernels do not use it
   * @param rows RM, rows of c in registers at a time, 1 to 16
   * @param vector VN, 4, 8 or 16
   * @param vectors VC, 1 to 4 vectors per row of the register block
   * @param panel MB, rows of c per work-item, RM to 4096
   * @param depth KC, values of the sum per staged block of b, 1 to 4096
   * @return the plan
   */
  public static MatmulPlan blocked(int tile, int rows, int vector, int vectors, int panel, int depth) {
    return new MatmulPlan(Strategy.BLOCKED, tile, rows, vector, vectors, panel, depth);
  }

  /**
   * Bytes of local memory a work-group of this plan declares.
   *
   * @return KC · VC·VN floats when blocked, 2 · TILE² floats when tiled, none for registers
   */
  public long localBytes() {
    return switch (strategy) {
      case BLOCKED -> 4L * depth * columns();
      case TILED -> 4L * 2L * tile * tile;
      case REGISTERS -> 0;
    };
  }

  /**
   * Columns of c per work-item when blocked (the panel's width) or registers.
   *
   * @return VC·VN, or RC (meaningless for a tiled plan, whose work-items compute one element)
   */
  public int columns() {
    return vector * vectors;
  }

  /**
   * The plan for {@code device}: {@code CLTRAIN_MATMUL} when set, else the one {@link MatmulTuner} found
   * fastest there (timed at first use, then cached per device and driver); on a simulator (Oclgrind) the tuner's
   * first candidate, untimed.
   *
   * @param device the device the kernels will run on
   * @param source where the tuner reads matmul.cl from, so candidates are timed on the kernels in use
   * @return the plan to build with
   * @throws dev.cltrain.core.InputException when {@code CLTRAIN_MATMUL} is set but malformed or out of range
   */
  public static MatmulPlan forDevice(ClDevice device, dev.cltrain.opencl.KernelSource source) {
    String spec = System.getenv(ENVIRONMENT);
    if (spec != null && !spec.isBlank()) {
      return forced(spec, device);
    }
    if (device.simulator()) {
      return MatmulTuner.candidates(device).get(0); // a simulator's timings say nothing of hardware (ConvPlan too)
    }
    return MatmulTuner.planFor(device, source);
  }

  /**
   * A plan given as {@code CLTRAIN_MATMUL}, checked against the device's local memory.
   *
   * @param spec the variable's value
   * @param device the device the plan is for
   * @return the plan
   * @throws dev.cltrain.core.InputException when the spec is malformed, or its staged b does not fit the device's
   *     local memory (one line naming CL_DEVICE_LOCAL_MEM_SIZE)
   */
  static MatmulPlan forced(String spec, ClDevice device) {
    MatmulPlan plan = parse(spec, tileFor(device));
    if (plan.localBytes() > device.localMemBytes()) {
      throw new InputException(ENVIRONMENT + "=" + spec + ": the plan stages " + plan.localBytes()
          + " bytes in local memory and " + device.ref() + " has " + device.localMemBytes()
          + " (CL_DEVICE_LOCAL_MEM_SIZE); lower KC or VC, e.g. blocked:4x16x4/128x32");
    }
    return plan;
  }

  /**
   * The plan for large products on {@code device} (see {@link OpenClKernels#LARGE_ROWS}): {@code CLTRAIN_MATMUL}
   * when set (one plan for every product), else the one {@link MatmulTuner} found fastest at a large shape on a
   * CPU device (tuning it now if need be), else {@link #forDevice}'s.
   *
   * @param device the device the kernels will run on
   * @param source where the tuner reads matmul.cl from
   * @return the plan to build the large products' kernels with
   * @throws dev.cltrain.core.InputException when {@code CLTRAIN_MATMUL} is set but malformed or out of range
   */
  public static MatmulPlan largeForDevice(ClDevice device, dev.cltrain.opencl.KernelSource source) {
    return tunesLarge(device) ? MatmulTuner.largePlanFor(device, source) : forDevice(device, source);
  }

  /**
   * As {@link #largeForDevice}, without tuning: null when the large plan still has to be tuned (a CPU device
   * whose cache has no finished large-product tuning), which then waits for the first large product.
   *
   * @param device the device the kernels will run on
   * @param source where the tuner reads matmul.cl from
   * @return the plan, or null
   * @throws dev.cltrain.core.InputException when {@code CLTRAIN_MATMUL} is set but malformed or out of range
   */
  public static MatmulPlan cachedLargeForDevice(ClDevice device, dev.cltrain.opencl.KernelSource source) {
    return tunesLarge(device) ? MatmulTuner.cachedLargePlan(device) : forDevice(device, source);
  }

  /**
   * The plans a backend opened now on {@code device} would multiply with: {@link #forDevice}'s, then the large
   * products' when it is known and differs ({@link #cachedLargeForDevice}).
   *
   * @param device the device
   * @param source where the tuner reads matmul.cl from
   * @return one or two plans
   * @throws dev.cltrain.core.InputException when {@code CLTRAIN_MATMUL} is set but malformed or out of range
   */
  public static java.util.List<MatmulPlan> inUse(ClDevice device, dev.cltrain.opencl.KernelSource source) {
    MatmulPlan plan = forDevice(device, source);
    MatmulPlan large = cachedLargeForDevice(device, source);
    return large == null || large.equals(plan) ? java.util.List.of(plan) : java.util.List.of(plan, large);
  }

  /**
   * The plans a backend opened now on {@code device} would multiply with, as far as known without tuning:
   * {@code CLTRAIN_MATMUL}'s, else the cached ones (for {@code cltrain devices}, which must not spend seconds
   * timing candidates).
   *
   * @param device the device
   * @return the forced plan, or the cached plan then the large products' when known and different; empty when the
   *     device has not been tuned yet (or the variable is malformed: the run that uses it says so)
   */
  public static java.util.List<MatmulPlan> known(ClDevice device) {
    String spec = System.getenv(ENVIRONMENT);
    if (spec != null && !spec.isBlank()) {
      try {
        return java.util.List.of(forced(spec, device));
      } catch (InputException e) {
        return java.util.List.of();
      }
    }
    MatmulPlan plan = MatmulTuner.cachedPlan(device);
    MatmulPlan large = device.type() == ClDevice.Type.CPU ? MatmulTuner.cachedLargePlan(device) : null;
    java.util.List<MatmulPlan> plans = new java.util.ArrayList<>();
    if (plan != null) {
      plans.add(plan);
    }
    if (large != null && !large.equals(plan)) {
      plans.add(large);
    }
    return plans;
  }

  /**
   * The vectors a work-item of this plan computes with.
   *
   * @return "float16" (VN = 16) for a blocked plan; "scalar" for tiled and registers, whose work-items each hold
   *     scalars (a compiler may still run neighbouring work-items as the lanes of one vector)
   */
  public String vectorType() {
    return blocked() ? "float" + vector : "scalar";
  }

  /** Whether large products get a plan of their own, tuned at a large shape: on CPU devices, unless forced. */
  private static boolean tunesLarge(ClDevice device) {
    String spec = System.getenv(ENVIRONMENT);
    return (spec == null || spec.isBlank()) && device.type() == ClDevice.Type.CPU;
  }

  /**
   * This plan as a spec, the form {@code CLTRAIN_MATMUL} and the tuner's cache use.
   *
   * @return the spec {@link #parse} reads back: "tiled:16", "registers:4x4" or "blocked:4x16x4/128x128"
   */
  public String spec() {
    return switch (strategy) {
      case BLOCKED -> "blocked:" + rows + "x" + vector + "x" + vectors + "/" + panel + "x" + depth;
      case REGISTERS -> "registers:" + rows + "x" + vector;
      case TILED -> "tiled:" + tile;
    };
  }

  /**
   * Reads a spec: "tiled", "tiled:8", "registers", "registers:4x8" (RMxRC; plain "registers" means 4x4),
   * "blocked", "blocked:4x16", "blocked:8x16x2" or
   * "blocked:4x16x4/128x128" (RMxVNxVC/MBxKC; case and surrounding blanks ignored); {@code tile} and the
   * defaults fill in what the spec leaves out.
   *
   * @param spec the spec, e.g. the value of {@code CLTRAIN_MATMUL}
   * @param tile the device's largest tile edge ({@link #tileFor}): the default TILE and the limit of
   *     "tiled:N"; plain "blocked" means 4x16x4, and MB/KC default to 128x128
   * @return the plan
   * @throws dev.cltrain.core.InputException naming {@code CLTRAIN_MATMUL} when the spec is malformed or out of range
   */
  public static MatmulPlan parse(String spec, int tile) {
    String s = spec.strip().toLowerCase(Locale.ROOT);
    Matcher t = TILED.matcher(s);
    if (t.matches()) {
      int edge = t.group(1) == null ? tile : Integer.parseInt(t.group(1));
      if (edge < 1 || edge > tile) {
        throw new InputException(ENVIRONMENT + "=" + spec + ": the tile edge must be between 1 and " + tile + " on this device");
      }
      return tiled(edge);
    }
    Matcher r = REGISTERS.matcher(s);
    if (r.matches()) {
      int rows = r.group(1) == null ? 4 : Integer.parseInt(r.group(1));
      int columns = r.group(2) == null ? 4 : Integer.parseInt(r.group(2));
      if (rows < 1 || rows > MAX_REGISTER_EDGE || columns < 1 || columns > MAX_REGISTER_EDGE) {
        throw new InputException(ENVIRONMENT + "=" + spec + ": registers:RMxRC needs RM and RC in 1.." + MAX_REGISTER_EDGE);
      }
      return registers(tile, rows, columns);
    }
    Matcher b = BLOCKED.matcher(s);
    if (b.matches()) {
      int rows = b.group(1) == null ? 4 : Integer.parseInt(b.group(1));
      int vector = b.group(2) == null ? 16 : Integer.parseInt(b.group(2));
      int vectors = b.group(3) == null ? (b.group(1) == null ? 4 : 1) : Integer.parseInt(b.group(3));
      int panel = b.group(4) == null ? Math.max(rows, DEFAULT_PANEL) : Integer.parseInt(b.group(4));
      int depth = b.group(5) == null ? DEFAULT_DEPTH : Integer.parseInt(b.group(5));
      if (rows < 1 || rows > 16 || (vector != 4 && vector != 8 && vector != 16)) {
        throw new InputException(ENVIRONMENT + "=" + spec + ": blocked:RMxVN needs RM in 1..16 and VN 4, 8 or 16");
      }
      if (panel < rows || depth < 1 || panel > 4096 || depth > 4096) {
        throw new InputException(ENVIRONMENT + "=" + spec + ": blocked:RMxVNxVC/MBxKC needs MB in RM..4096 and KC in 1..4096");
      }
      return blocked(tile, rows, vector, vectors, panel, depth);
    }
    throw new InputException(ENVIRONMENT + "=" + spec
        + ": expected tiled[:TILE], registers[:RMxRC] or blocked[:RMxVN[xVC][/MBxKC]], e.g. blocked:4x16x4/128x128");
  }

  /**
   * The largest matmul tile edge whose TILE² work-items fit one work-group of this device (16 at most).
   *
   * @param device the device, for its work-group limit
   * @return a power of two from 1 to 16
   */
  public static int tileFor(ClDevice device) {
    int tile = 16;
    while (tile > 1 && (long) tile * tile > device.maxWorkGroup()) {
      tile /= 2;
    }
    return tile;
  }

  /** The -D options matmul.cl is built with. */
  String defines() {
    return "-DTILE=" + tile + switch (strategy) {
      case BLOCKED -> " -DMATMUL_BLOCKED -DRM=" + rows + " -DVN=" + vector + " -DVC=" + vectors + " -DMB=" + panel
          + " -DKC=" + depth;
      case REGISTERS -> " -DMATMUL_REGISTERS -DRM=" + rows + " -DRC=" + vector;
      case TILED -> "";
    };
  }

  /**
   * The plan for humans, e.g. in {@code cltrain devices} and bench output.
   *
   * @return e.g. "tiled 16x16", "registers 4x4 per work-item" or "blocked 128x64 per work-item, 4x64 in registers
   *     (4 x float16), k in blocks of 128"
   */
  public String describe() {
    return switch (strategy) {
      case BLOCKED -> "blocked " + panel + "x" + columns() + " per work-item, " + rows + "x" + columns()
          + " in registers (" + vectors + " x float" + vector + "), k in blocks of " + depth;
      case REGISTERS -> "registers " + rows + "x" + vector + " per work-item";
      case TILED -> "tiled " + tile + "x" + tile;
    };
  }
}
