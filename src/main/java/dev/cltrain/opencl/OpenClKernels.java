package dev.cltrain.opencl;

import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Kernels;
import dev.cltrain.backend.Segments;
import dev.cltrain.backend.SmallNetOptimizer;
import dev.cltrain.core.KernelTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


/**
 * The kernels on one OpenCL device: each method sets the kernel's arguments in declaration order and
 * enqueues it, without waiting. Every program is built when this is created, so a kernel that does not
 * compile fails here, naming its file and carrying the build log.
 */
public final class OpenClKernels implements Backend<ClBuffer, ClBuffer> {
  /** The kernel files, one per concern (prelude.cl is prepended to each, not built on its own). */
  public static final String[] FILES = {"matmul.cl", "activation.cl", "loss.cl", "update.cl", "batch.cl",
      "small_net.cl", "conv.cl", "augment.cl", "batchnorm.cl", "residual.cl"};
  /** A kernel's first line in a kernel file. */
  private static final Pattern KERNEL = Pattern.compile("(?m)^__kernel void (\\w+)\\(");

  /**
   * The kernels of {@code file} in the packaged sources, in the file's order: THE list of kernels is the files
   * themselves (verify checks each, KernelSignatureTest ties each to its {@link Kernels} method).
   *
   * @param file one of {@link #FILES}
   * @return the names of its {@code __kernel void name(} lines, e.g. "im2col", "col2im", … for conv.cl
   */
  public static List<String> kernelNames(String file) {
    List<String> names = new ArrayList<>();
    Matcher m = KERNEL.matcher(KernelSource.classpath().load(file));
    while (m.find()) {
      names.add(m.group(1));
    }
    return List.copyOf(names);
  }

  /** {@return every kernel of {@link #FILES}, file after file, each file's in its order} */
  public static List<String> kernelNames() {
    List<String> names = new ArrayList<>();
    for (String file : FILES) {
      names.addAll(kernelNames(file));
    }
    return List.copyOf(names);
  }
  /** The most local memory small_net.cl's network may take, whatever the device offers: 64 KiB. */
  static final long SMALL_NET_LOCAL_CAP = 64 * 1024;
  /** PoCL's CL_PLATFORM_NAME. */
  static final String POCL = "Portable Computing Language";
  /** Local memory left aside for the runtime's own use: on top of small_net.cl's reduction lanes, and of a matmul plan's stage. */
  static final long LOCAL_MARGIN = 1024;

  private final ClContext context;
  private final MatmulPlan plan;
  private final int reduceGroup;
  /** Elements per work-item of the *_layers kernels (update.cl's UPDATE_CHUNK): see {@link #updateChunk(ClDevice)}. */
  private final int updateChunk;
  /**
   * The matmul kernels built for {@link #plan}, and for large products those built for the large plan: null
   * until the first large product when that plan is still to be tuned ({@link #resolveLargePlan()}).
   */
  private final Matmuls matmuls;
  private Matmuls largeMatmuls;
  private final KernelSource source;
  /** Which kernels every product takes: null by size (the normal case), else the large plan's (true) or the other's. */
  private Boolean forced;
  /** Multiply-adds from which a product with at least {@link #LARGE_ROWS} rows takes {@link #largeMatmuls}. */
  private final long largeWork;
  private final ClKernel biasActivation;
  private final ClKernel activationDelta;
  private final ClKernel biasSoftmax;
  private final ClKernel mseDelta;
  private final ClKernel xentDelta;
  private final ClKernel mseLoss;
  private final ClKernel xentLoss;
  private final ClKernel countCorrect;
  private final ClKernel columnSum;
  private final ClKernel sgdUpdate;
  private final ClKernel momentumUpdate;
  private final ClKernel adamUpdate;
  private final ClKernel sgdUpdateLayers;
  private final ClKernel momentumUpdateLayers;
  private final ClKernel adamUpdateLayers;
  private final ClKernel adamwUpdate;
  private final ClKernel adamwUpdateLayers;
  private final ClKernel squareSums;
  private final ClKernel clipFactor;
  private final ClKernel scaleBy;
  private final ClKernel gatherRows;
  private final ClKernel im2col;
  private final ClKernel col2im;
  private final ClKernel maxPool;
  private final ClKernel maxPoolBackward;
  private final ClKernel avgPool;
  private final ClKernel avgPoolBackward;
  private final ClKernel dropout;
  private final ClKernel gatherAugment;
  private final ClKernel residualAdd;
  private final ClKernel residualDelta;
  private final int smallNetFloats;
  private final ClKernel trainSmall;
  private final int smallNetGroup;

  /**
   * The kernels on {@code device}, without profiling, with the matmul plan for the device
   * ({@link MatmulPlan#forDevice}, which may tune on first use).
   *
   * @param device the device, as discovery found it
   * @param source where the .cl files are read from
   * @throws ClException when a context, a build or a kernel cannot be made; the build log comes with it
   * @throws dev.cltrain.core.InputException when {@code CLTRAIN_MATMUL} is set but malformed
   */
  public OpenClKernels(ClDevice device, KernelSource source) {
    this(device, source, false);
  }

  /**
   * The kernels on {@code device}, with the matmul plan for the device ({@link MatmulPlan#forDevice}).
   *
   * @param device the device, as discovery found it
   * @param source where the .cl files are read from
   * @param profiling keep a profiling event per launch, for {@link #takeProfile()} (bench and --profile)
   * @throws ClException when a context, a build or a kernel cannot be made; the build log comes with it
   * @throws dev.cltrain.core.InputException when {@code CLTRAIN_MATMUL} is set but malformed
   */
  public OpenClKernels(ClDevice device, KernelSource source, boolean profiling) {
    this(device, source, profiling, MatmulPlan.forDevice(device, source), updateChunk(device),
        MatmulPlan.cachedLargeForDevice(device, source), LARGE_WORK);
  }

  /**
   * As {@link #OpenClKernels(ClDevice, KernelSource, boolean)}, with the matmul built and launched per {@code plan}.
   * Builds every program with {@code -cl-fp32-correctly-rounded-divide-sqrt} where the device supports it, and
   * releases what it made when anything fails.
   *
   * @param device the device, as discovery found it
   * @param source where the .cl files are read from
   * @param profiling keep a profiling event per launch, for {@link #takeProfile()} (bench and --profile)
   * @param plan how matmul.cl is built and launched, e.g. from tests that run every strategy
   * @throws ClException when a context, a build or a kernel cannot be made; the build log comes with it
   */
  public OpenClKernels(ClDevice device, KernelSource source, boolean profiling, MatmulPlan plan) {
    this(device, source, profiling, plan, updateChunk(device));
  }

  /**
   * As {@link #OpenClKernels(ClDevice, KernelSource, boolean, MatmulPlan)}, with the *_layers kernels built for
   * {@code updateChunk} elements per work-item, e.g. from tests that run every chunk on one device (the bits do
   * not depend on it).
   *
   * @param device the device, as discovery found it
   * @param source where the .cl files are read from
   * @param profiling keep a profiling event per launch, for {@link #takeProfile()} (bench and --profile)
   * @param plan how matmul.cl is built and launched
   * @param updateChunk update.cl's UPDATE_CHUNK, at least 1
   * @throws ClException when a context, a build or a kernel cannot be made; the build log comes with it
   */
  public OpenClKernels(ClDevice device, KernelSource source, boolean profiling, MatmulPlan plan, int updateChunk) {
    this(device, source, profiling, plan, updateChunk, plan, LARGE_WORK);
  }

  /**
   * As {@link #OpenClKernels(ClDevice, KernelSource, boolean, MatmulPlan, int)}, with a second matmul plan for
   * large products (at least {@link #LARGE_ROWS} rows and {@code largeWork} multiply-adds), e.g. deeper staging
   * and taller panels that pay off only there; the same plan twice builds matmul.cl once.
   *
   * @param device the device, as discovery found it
   * @param source where the .cl files are read from
   * @param profiling keep a profiling event per launch, for {@link #takeProfile()} (bench and --profile)
   * @param plan how matmul.cl is built and launched
   * @param updateChunk update.cl's UPDATE_CHUNK, at least 1
   * @param largePlan how matmul.cl is built and launched for large products; null: tuned (and checked against
   *     {@code plan}, bit for bit) at the first large product
   * @param largeWork the multiply-adds m·n·k from which a product of at least {@link #LARGE_ROWS} rows is large
   * @throws ClException when a context, a build or a kernel cannot be made; the build log comes with it
   */
  public OpenClKernels(ClDevice device, KernelSource source, boolean profiling, MatmulPlan plan, int updateChunk,
      MatmulPlan largePlan, long largeWork) {
    if (updateChunk < 1) {
      throw new IllegalArgumentException("update chunk " + updateChunk + ", not at least 1");
    }
    this.context = new ClContext(device, source, profiling);
    try {
      this.plan = plan;
      this.updateChunk = updateChunk;
      this.reduceGroup = reduceGroup(device);
      this.source = source;
      String options = programOptions(device, plan);
      this.matmuls = new Matmuls(plan, context.program("matmul.cl", options));
      this.largeMatmuls = largePlan == null ? null : build(largePlan);
      this.largeWork = largeWork;
      ClProgram activation = context.program("activation.cl", options);
      ClProgram loss = context.program("loss.cl", options);
      ClProgram update = context.program("update.cl", options + " -DUPDATE_CHUNK=" + updateChunk);
      ClProgram batch = context.program("batch.cl", options);
      this.biasActivation = activation.kernel("bias_activation");
      this.activationDelta = activation.kernel("activation_delta");
      this.biasSoftmax = activation.kernel("bias_softmax");
      this.mseDelta = loss.kernel("mse_delta");
      this.xentDelta = loss.kernel("xent_delta");
      this.mseLoss = loss.kernel("mse_loss");
      this.xentLoss = loss.kernel("xent_loss");
      this.countCorrect = loss.kernel("count_correct");
      this.columnSum = update.kernel("column_sum");
      this.sgdUpdate = update.kernel("sgd_update");
      this.momentumUpdate = update.kernel("momentum_update");
      this.adamUpdate = update.kernel("adam_update");
      this.sgdUpdateLayers = update.kernel("sgd_update_layers");
      this.momentumUpdateLayers = update.kernel("momentum_update_layers");
      this.adamUpdateLayers = update.kernel("adam_update_layers");
      this.adamwUpdate = update.kernel("adamw_update");
      this.adamwUpdateLayers = update.kernel("adamw_update_layers");
      this.squareSums = update.kernel("square_sums");
      this.clipFactor = update.kernel("clip_factor");
      this.scaleBy = update.kernel("scale_by");
      this.gatherRows = batch.kernel("gather_rows");
      ClProgram conv = context.program("conv.cl", options);
      this.im2col = conv.kernel("im2col");
      this.col2im = conv.kernel("col2im");
      this.maxPool = conv.kernel("max_pool");
      this.maxPoolBackward = conv.kernel("max_pool_backward");
      this.avgPool = conv.kernel("avg_pool");
      this.avgPoolBackward = conv.kernel("avg_pool_backward");
      this.dropout = conv.kernel("dropout");
      this.gatherAugment = context.program("augment.cl", options).kernel("gather_augment");
      ClProgram residual = context.program("residual.cl", options);
      this.residualAdd = residual.kernel("residual_add");
      this.residualDelta = residual.kernel("residual_delta");
      this.smallNetFloats = smallNetFloats(device, reduceGroup);
      if (smallNetFloats > 0) {
        this.trainSmall = context.program("small_net.cl", options + " -DSMALL_NET_FLOATS=" + smallNetFloats)
            .kernel("train_small");
        this.smallNetGroup = smallNetGroup(device, trainSmall.workGroupLimit());
      } else {
        this.trainSmall = null;
        this.smallNetGroup = 0;
      }
    } catch (RuntimeException e) {
      context.close();
      throw e;
    }
  }

  /**
   * Elements per work-item of the *_layers kernels on {@code device}: 16 on a CPU, where the chunk's loop is
   * vectorised (PoCL 3.1 left the one-element-per-item form scalar, 4x slower than the single-array kernels);
   * 1 elsewhere, so that neighbouring work-items of a GPU read neighbouring elements.
   *
   * @param device the device
   * @return 16 or 1
   */
  public static int updateChunk(ClDevice device) {
    return device.type() == ClDevice.Type.CPU ? 16 : 1;
  }

  /**
   * How the products multiply and add on {@code device} (prelude.cl's multiply_add): fma() where the device
   * has a hardware fused multiply-add (CL_FP_FMA), the reference's bits; else a separate multiply and add
   * ({@code -DSEPARATE_MULTIPLY_ADD}), since there fma() is emulated exactly in software, about ten times
   * slower than the rest of a product on Rusticl's llvmpipe, and such a device is judged by tolerance
   * ({@link dev.cltrain.train.DeviceCheck#roundsCorrectly}).
   *
   * @param device the device
   * @return "" or " -DSEPARATE_MULTIPLY_ADD"
   */
  public static String multiplyAdd(ClDevice device) {
    return device.fma() ? "" : " -DSEPARATE_MULTIPLY_ADD";
  }

  /**
   * The options every program is built with: the tunables, and argument names for KernelSignatureTest.
   *
   * @param plan the matmul plan, which supplies TILE and, when blocked, MATMUL_BLOCKED, RM, VN and VC (registers:
   *     MATMUL_REGISTERS, RM and RC)
   * @param reduceGroup REDUCE_GROUP, the work-items of the single-group loss reductions: a power of two no
   *     larger than the device's work-group limit
   * @return the -D options and {@code -cl-kernel-arg-info}, without the divide-sqrt flag
   */
  public static String buildOptions(MatmulPlan plan, int reduceGroup) {
    return plan.defines() + " -DREDUCE_GROUP=" + reduceGroup + " -cl-kernel-arg-info";
  }

  /**
   * The options every program is built with on {@code device} for {@code plan}: {@link #buildOptions} at the
   * device's REDUCE_GROUP, and {@code -cl-fp32-correctly-rounded-divide-sqrt} where the device supports it. The
   * tuner builds its candidates with them too, so that the plan it picks is built once: the driver's cache
   * (PoCL's) then holds the program, and the work-group functions it timed, when the kernels are built.
   *
   * @param device the device
   * @param plan the matmul plan
   * @return the options, e.g. "-DTILE=16 -DREDUCE_GROUP=256 -cl-kernel-arg-info -cl-fp32-correctly-rounded-divide-sqrt"
   */
  static String programOptions(ClDevice device, MatmulPlan plan) {
    return buildOptions(plan, reduceGroup(device)) + divideSqrt(device) + multiplyAdd(device);
  }

  /** REDUCE_GROUP on {@code device}: the largest power of two up to 256 and its work-group limit. */
  private static int reduceGroup(ClDevice device) {
    return largestPowerOfTwo(Math.min(256, device.maxWorkGroup()));
  }

  /** The divide-sqrt option on {@code device}, "" where it lacks correctly rounded division and sqrt. */
  private static String divideSqrt(ClDevice device) {
    return device.correctlyRoundedDivideSqrt() ? " -cl-fp32-correctly-rounded-divide-sqrt" : "";
  }

  /**
   * The floats of local memory small_net.cl holds a network in on {@code device} (its SMALL_NET_FLOATS): the
   * device's local memory up to {@link #SMALL_NET_LOCAL_CAP}, less the reduction lanes and a margin; 0 when
   * that leaves less than 1 KiB (the kernel is then not built and no network is small enough).
   *
   * @param device the device
   * @param reduceGroup REDUCE_GROUP, whose partial sums small_net.cl also keeps in local memory
   * @return floats, or 0
   */
  public static int smallNetFloats(ClDevice device, int reduceGroup) {
    long bytes = Math.min(device.localMemBytes(), SMALL_NET_LOCAL_CAP) - LOCAL_MARGIN - 4L * reduceGroup;
    return bytes < 1024 ? 0 : (int) (bytes / 4);
  }

  /**
   * The work-items of train_small's one group: on a GPU up to 256 (each phase has at most a few thousand
   * elements); on a CPU, where a group runs on one core, 8 (PoCL runs the work-items of each phase as one loop,
   * and fewer of them means less work between barriers), and on PoCL 1. PoCL compiles a kernel's work-group
   * function for the group size it is launched with, and for more than one work-item it must carry every value
   * live across each of small_net.cl's barriers from work-item to work-item: with 8 that compile took 12 s of
   * CPU, the largest part of a cold first use, with 1 under 2 s. Per epoch, 1 work-item took 0.064-0.074 ms of
   * CPU where 8 took 0.056-0.058 (61 rows, 17-19-11-4, the case of {@link #smallNetWork}), and the seed's XOR a
   * quarter of 8's time (PoCL 3.1, 2 cores, a loaded machine); the bits do not depend on it. Rusticl's
   * llvmpipe (a CPU device too) keeps 8: with 1 work-item it computed other weights (Mesa 22.3.6 warns
   * "Treating load_kernel_arg in control flow as uniform, results may be incorrect"), and the seed ended at
   * 0.73-0.80 instead of 0.5000.
   */
  static int smallNetGroup(ClDevice device, long kernelLimit) {
    long wanted = device.type() != ClDevice.Type.CPU ? 256 : device.platformName().equals(POCL) ? 1 : 8;
    return (int) Math.max(1, Math.min(wanted, Math.min(kernelLimit, device.maxWorkGroup())));
  }

  private static int largestPowerOfTwo(long limit) {
    return Integer.highestOneBit((int) Math.max(1, limit));
  }

  /**
   * The context that holds this backend's programs and buffers.
   *
   * @return the context, closed with this backend
   */
  public ClContext context() {
    return context;
  }

  /**
   * How the matmul kernels were built for this device.
   *
   * @return the plan given or chosen at construction
   */
  public MatmulPlan plan() {
    return plan;
  }

  @Override
  public String name() {
    ClDevice d = context.device();
    return d.ref() + " " + d.name() + " (" + d.platformName() + ")";
  }

  /** Rows from which a product may take the large plan's kernels. */
  public static final int LARGE_ROWS = 512;
  /** Multiply-adds from which a product of at least {@link #LARGE_ROWS} rows takes them: 1024 × 1024 × 256. */
  public static final long LARGE_WORK = 1L << 28;

  /** The five matmul kernels of one build of matmul.cl, with the plan it was built for. */
  private record Matmuls(MatmulPlan plan, ClKernel matmul, ClKernel transposeA, ClKernel transposeB,
      ClKernel biasActivation, ClKernel transposeBDelta) {
    Matmuls(MatmulPlan plan, ClProgram program) {
      this(plan, program.kernel("matmul"), program.kernel("matmul_transpose_a"), program.kernel("matmul_transpose_b"),
          program.kernel("matmul_bias_activation"), program.kernel("matmul_transpose_b_delta"));
    }
  }

  /** The kernels for a product of m × n × k: the large plan's when it has the rows and the work. */
  private Matmuls matmuls(int m, int n, int k) {
    if (forced != null) {
      return forced ? resolveLargePlan() : matmuls;
    }
    return takesLargePlan(m, n, k) ? resolveLargePlan() : matmuls;
  }

  /** The matmul kernels of {@code p}: {@link #matmuls} when it is that plan, else built now. */
  private Matmuls build(MatmulPlan p) {
    return p.equals(plan) ? matmuls : new Matmuls(p, context.program("matmul.cl", programOptions(context.device(), p)));
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
    for (int[] s : new int[][] {{LARGE_ROWS + 3, 70, 1100}, {130, 100, 67}}) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      try (ClBuffer a = upload(uniform(random, m * k)); ClBuffer b = upload(uniform(random, k * n));
           ClBuffer bias = upload(uniform(random, m * n)); ClBuffer out = allocate(m * n)) {
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
  public synchronized void forcePlan(Boolean large) {
    forced = large;
  }

  /**
   * The plans this backend's products take, the large products' only once known (cached, or tuned at the first
   * large product).
   *
   * @return one plan, or two when large products have a plan of their own
   */
  public synchronized List<MatmulPlan> plans() {
    return largeMatmuls == null || largeMatmuls == matmuls ? List.of(plan) : List.of(plan, largeMatmuls.plan());
  }

  /** Whether a product of m × n × k has the rows and the work for the large plan's kernels (for tests). */
  boolean takesLargePlan(int m, int n, int k) {
    return m >= LARGE_ROWS && (long) m * n * k >= largeWork;
  }

  /**
   * How large products (at least {@link #LARGE_ROWS} rows and {@link #LARGE_WORK} multiply-adds) are built
   * and launched.
   *
   * @return the large plan given or chosen at construction, else tuned now (see {@link #plans()}); {@link #plan()}
   *     when there is none of its own
   * @throws dev.cltrain.core.DeviceException when a plan tuned now differs from {@link #plan()}'s products
   */
  public MatmulPlan largePlan() {
    return resolveLargePlan().plan();
  }

  @Override
  public void matmul(int m, int n, int k, float alpha, ClBuffer a, ClBuffer b, ClBuffer c) {
    Matmuls kernels = matmuls(m, n, k);
    launch(kernels, kernels.matmul().args(m, n, k, alpha, a, b, c), m, n);
  }

  @Override
  public void matmulTransposeA(int m, int n, int k, float alpha, ClBuffer a, ClBuffer b, ClBuffer c) {
    Matmuls kernels = matmuls(m, n, k);
    launch(kernels, kernels.transposeA().args(m, n, k, alpha, a, b, c), m, n);
  }

  @Override
  public void matmulTransposeB(int m, int n, int k, float alpha, ClBuffer a, ClBuffer b, ClBuffer c) {
    Matmuls kernels = matmuls(m, n, k);
    launch(kernels, kernels.transposeB().args(m, n, k, alpha, a, b, c), m, n);
  }

  @Override
  public void matmulBiasActivation(int m, int n, int k, int activation, ClBuffer x, ClBuffer w, ClBuffer bias,
      ClBuffer a) {
    Matmuls kernels = matmuls(m, n, k);
    launch(kernels, kernels.biasActivation().args(m, n, k, activation, x, w, bias, a), m, n);
  }

  @Override
  public void matmulTransposeBDelta(int m, int n, int k, int activation, ClBuffer d, ClBuffer w, ClBuffer a,
      ClBuffer dz) {
    Matmuls kernels = matmuls(m, n, k);
    launch(kernels, kernels.transposeBDelta().args(m, n, k, activation, d, w, a, dz), m, n);
  }

  private void launch(Matmuls kernels, ClKernel kernel, int m, int n) {
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

  @Override
  public void biasActivation(int rows, int cols, int activation, ClBuffer z, ClBuffer bias, ClBuffer a) {
    biasActivation.args(rows, cols, activation, z, bias, a).launchGuarded((long) rows * cols);
  }

  @Override
  public void activationDelta(int count, int activation, ClBuffer a, ClBuffer dz) {
    activationDelta.args(count, activation, a, dz).launchGuarded(count);
  }

  @Override
  public void biasSoftmax(int rows, int cols, ClBuffer z, ClBuffer bias, ClBuffer p) {
    biasSoftmax.args(rows, cols, z, bias, p).launchGuarded(rows);
  }

  @Override
  public void mseDelta(int count, int activation, ClBuffer a, ClBuffer y, ClBuffer dz) {
    mseDelta.args(count, activation, a, y, dz).launchGuarded(count);
  }

  @Override
  public void xentDelta(int count, ClBuffer p, ClBuffer y, ClBuffer dz) {
    xentDelta.args(count, p, y, dz).launchGuarded(count);
  }

  @Override
  public void mseLoss(int count, int slot, ClBuffer a, ClBuffer y, ClBuffer loss) {
    mseLoss.args(count, slot, a, y, loss).launchGroup(reduceGroup);
  }

  @Override
  public void xentLoss(int rows, int cols, int slot, ClBuffer p, ClBuffer y, ClBuffer loss) {
    xentLoss.args(rows, cols, slot, p, y, loss).launchGroup(reduceGroup);
  }

  @Override
  public void countCorrect(int rows, int cols, int slot, ClBuffer a, ClBuffer y, ClBuffer correct) {
    countCorrect.args(rows, cols, slot, a, y, correct).launchGroup(reduceGroup);
  }

  @Override
  public void columnSum(int rows, int cols, float scale, ClBuffer x, ClBuffer sums) {
    columnSum.args(rows, cols, scale, x, sums).launchGuarded((cols + updateChunk - 1) / updateChunk);
  }

  @Override
  public void sgdUpdate(int count, float learningRate, float weightDecay, ClBuffer dw, ClBuffer w) {
    sgdUpdate.args(count, learningRate, weightDecay, dw, w).launchGuarded(count);
  }

  @Override
  public void momentumUpdate(int count, float learningRate, float momentum, float weightDecay, ClBuffer dw,
      ClBuffer velocity, ClBuffer w) {
    momentumUpdate.args(count, learningRate, momentum, weightDecay, dw, velocity, w).launchGuarded(count);
  }

  @Override
  public void adamUpdate(int count, float learningRate, AdamConstants adam, float weightDecay, float correction1,
      float correction2, ClBuffer dw, ClBuffer m, ClBuffer v, ClBuffer w) {
    adamUpdate.args(count, learningRate, adam.beta1(), adam.beta2(), adam.epsilon(), weightDecay, correction1,
        correction2, dw, m, v, w).launchGuarded(count);
  }

  @Override
  public void sgdUpdateLayers(int[] count, float learningRate, float[] weightDecay, List<ClBuffer> dw,
      List<ClBuffer> w) {
    Segments.total(count, weightDecay, dw, w);
    List<Object> args = new ArrayList<>();
    slots(args, count);
    args.add(learningRate);
    slots(args, weightDecay);
    slots(args, dw, w);
    sgdUpdateLayers.args(args.toArray()).launchGuarded(chunkItems(count));
  }

  @Override
  public void momentumUpdateLayers(int[] count, float learningRate, float momentum, float[] weightDecay,
      List<ClBuffer> dw, List<ClBuffer> velocity, List<ClBuffer> w) {
    Segments.total(count, weightDecay, dw, velocity, w);
    List<Object> args = new ArrayList<>();
    slots(args, count);
    args.add(learningRate);
    args.add(momentum);
    slots(args, weightDecay);
    slots(args, dw, velocity, w);
    momentumUpdateLayers.args(args.toArray()).launchGuarded(chunkItems(count));
  }

  @Override
  public void adamUpdateLayers(int[] count, float learningRate, AdamConstants adam, float[] weightDecay,
      float correction1, float correction2, List<ClBuffer> dw, List<ClBuffer> m,
      List<ClBuffer> v, List<ClBuffer> w) {
    adamLayers(adamUpdateLayers, count, learningRate, adam, weightDecay, correction1, correction2, dw, m, v, w);
  }

  /** adam_update_layers or adamw_update_layers, which take the same arguments. */
  private void adamLayers(ClKernel kernel, int[] count, float learningRate, AdamConstants adam, float[] weightDecay,
      float correction1, float correction2, List<ClBuffer> dw, List<ClBuffer> m, List<ClBuffer> v,
      List<ClBuffer> w) {
    Segments.total(count, weightDecay, dw, m, v, w);
    List<Object> args = new ArrayList<>();
    slots(args, count);
    args.addAll(List.of(learningRate, adam.beta1(), adam.beta2(), adam.epsilon()));
    slots(args, weightDecay);
    args.add(correction1);
    args.add(correction2);
    slots(args, dw, m, v, w);
    kernel.args(args.toArray()).launchGuarded(chunkItems(count));
  }

  /** The range of a *_layers launch: update.cl's Σ ITEMS(s), each slot's count over {@link #updateChunk}, rounded up. */
  private long chunkItems(int[] count) {
    long items = 0;
    for (int c : count) {
      items += (c + (long) updateChunk - 1) / updateChunk;
    }
    return items;
  }

  /** count0 … count7: the counts given, then 0 for the unused slots. */
  private static void slots(List<Object> args, int[] count) {
    for (int s = 0; s < Kernels.SEGMENTS; s++) {
      args.add(s < count.length ? count[s] : 0);
    }
  }

  /** weight_decay0 … weight_decay7: the factors given, then 0 for the unused slots. */
  private static void slots(List<Object> args, float[] weightDecay) {
    for (int s = 0; s < Kernels.SEGMENTS; s++) {
      args.add(s < weightDecay.length ? weightDecay[s] : 0.0f);
    }
  }

  /** Each group's eight buffer arguments: the buffers given, then slot 0's for the unused (count 0) slots. */
  @SafeVarargs
  private static void slots(List<Object> args, List<ClBuffer>... groups) {
    for (List<ClBuffer> group : groups) {
      for (int s = 0; s < Kernels.SEGMENTS; s++) {
        args.add(group.get(s < group.size() ? s : 0));
      }
    }
  }

  @Override
  public void gatherRows(int rows, int cols, int offset, ClBuffer indices, ClBuffer source, ClBuffer target) {
    gatherRows.args(rows, cols, offset, indices, source, target).launch2dGuarded(cols, rows);
  }

  @Override
  public void im2col(int rows, int height, int width, int channels, int kernelSize, int stride, int padTop,
      int padLeft,
      int outHeight, int outWidth, ClBuffer x, ClBuffer col) {
    im2col.args(rows, height, width, channels, kernelSize, stride, padTop, padLeft, outHeight, outWidth, x, col)
        .launchGuarded(rows * outHeight * outWidth);
  }

  @Override
  public void col2im(int rows, int height, int width, int channels, int kernelSize, int stride, int padTop,
      int padLeft,
      int outHeight, int outWidth, ClBuffer col, ClBuffer dx) {
    col2im.args(rows, height, width, channels, kernelSize, stride, padTop, padLeft, outHeight, outWidth, col, dx)
        .launchGuarded(rows * height * width);
  }

  @Override
  public void maxPool(int rows, int height, int width, int channels, int pool, ClBuffer x, ClBuffer y) {
    maxPool.args(rows, height, width, channels, pool, x, y).launchGuarded(rows * (height / pool) * (width / pool));
  }

  @Override
  public void maxPoolBackward(int rows, int height, int width, int channels, int pool, ClBuffer x, ClBuffer dy,
      ClBuffer dx) {
    maxPoolBackward.args(rows, height, width, channels, pool, x, dy, dx).launchGuarded(rows * windows(height, pool)
        * windows(width, pool));
  }

  @Override
  public void avgPool(int rows, int height, int width, int channels, int pool, ClBuffer x, ClBuffer y) {
    avgPool.args(rows, height, width, channels, pool, x, y).launchGuarded(rows * (height / pool) * (width / pool));
  }

  @Override
  public void avgPoolBackward(int rows, int height, int width, int channels, int pool, ClBuffer dy, ClBuffer dx) {
    avgPoolBackward.args(rows, height, width, channels, pool, dy, dx).launchGuarded(rows * windows(height, pool)
        * windows(width, pool));
  }

  /** Pool windows along a side of {@code size}, the partial one included: ⌈size / pool⌉. */
  private static int windows(int size, int pool) {
    return (size + pool - 1) / pool;
  }

  @Override
  public void dropout(int count, int threshold, float scale, int seedLo, int seedHi, int stepLo, int stepHi,
      int stream, ClBuffer x, ClBuffer y) {
    dropout.args(count, threshold, scale, seedLo, seedHi, stepLo, stepHi, stream, x, y).launchGuarded(count);
  }

  @Override
  public void trainSmall(int layers, int rows, int epochs, int crossEntropy, int stats, float scale,
      float learningRate, float weightDecay, SmallNetOptimizer optimizer, ClBuffer shape,
      ClBuffer corrections, ClBuffer x, ClBuffer y, ClBuffer params, ClBuffer state, ClBuffer loss,
      ClBuffer correct) {
    if (trainSmall == null) {
      throw new UnsupportedOperationException(context.device().ref() + " has too little local memory for train_small");
    }
    AdamConstants adam = optimizer.adam();
    trainSmall.args(layers, rows, epochs, crossEntropy, stats, scale, learningRate, weightDecay, optimizer.optimizer(),
        optimizer.momentum(), adam.beta1(), adam.beta2(), adam.epsilon(), shape, corrections, x, y, params, state, loss, correct).launchGroup(smallNetGroup);
  }

  @Override
  public int smallNetFloats() {
    return smallNetFloats;
  }

  /**
   * 2¹⁷: on PoCL (2 cores, AVX-512) train_small's one work-group took 0.064 ms per epoch of 105,000
   * multiply-adds (61 rows, 17-19-11-4) against 0.17 layer by layer, and 0.25 against 0.23 at 180,000, with 8
   * work-items; with 1 ({@link #smallNetGroup}) about a fifth more CPU per epoch, still well ahead at 105,000.
   */
  @Override
  public long smallNetWork() {
    return trainSmall == null ? 0 : 1 << 17;
  }

  @Override
  public ClBuffer allocate(int length) {
    return context.buffer(length);
  }

  @Override
  public ClBuffer upload(float[] data) {
    return context.upload(data);
  }

  @Override
  public void download(ClBuffer buffer, float[] out) {
    buffer.read(out);
  }

  @Override
  public ClBuffer uploadIndices(int[] data) {
    return context.upload(data);
  }

  @Override
  public void write(ClBuffer buffer, float[] data) {
    buffer.write(data);
  }

  @Override
  public void writeIndices(ClBuffer buffer, int[] data) {
    buffer.write(data);
  }

  @Override
  public void flush() {
    context.flush();
  }

  @Override
  public Runnable mark() {
    return context.marker()::await;
  }

  @Override
  public java.util.List<KernelTime> takeProfile() {
    return context.takeProfile().stream().map(t -> new KernelTime(t.kernel(), t.launches(), t.nanos())).toList();
  }

  @Override
  public long[] transferredBytes() {
    return context.transferredBytes();
  }

  @Override
  public void close() {
    context.close();
  }

  @Override
  public void gatherAugment(int rows, int height, int width, int channels, int pad, int flip, int seedLo,
      int seedHi, int epoch, int offset, ClBuffer indices, ClBuffer source, ClBuffer target) {
    gatherAugment.args(rows, height, width, channels, pad, flip, seedLo, seedHi, epoch, offset, indices, source,
        target).launch2dGuarded(height * width * channels, rows);
  }

  @Override
  public void adamwUpdate(int count, float learningRate, AdamConstants adam, float weightDecay, float correction1,
      float correction2, ClBuffer dw, ClBuffer m, ClBuffer v, ClBuffer w) {
    adamwUpdate.args(count, learningRate, adam.beta1(), adam.beta2(), adam.epsilon(), weightDecay, correction1,
        correction2, dw, m, v, w).launchGuarded(count);
  }

  @Override
  public void adamwUpdateLayers(int[] count, float learningRate, AdamConstants adam, float[] weightDecay,
      float correction1, float correction2, List<ClBuffer> dw, List<ClBuffer> m,
      List<ClBuffer> v, List<ClBuffer> w) {
    adamLayers(adamwUpdateLayers, count, learningRate, adam, weightDecay, correction1, correction2, dw, m, v, w);
  }

  @Override
  public void squareSums(int count, int first, ClBuffer x, ClBuffer partials) {
    squareSums.args(count, first, x, partials).launchGuarded((count + NORM_BLOCK - 1) / NORM_BLOCK);
  }

  @Override
  public void clipFactor(int blocks, float maxNorm, ClBuffer partials, ClBuffer factor) {
    clipFactor.args(blocks, maxNorm, partials, factor).launchGuarded(1);
  }

  @Override
  public void scaleBy(int count, ClBuffer factor, ClBuffer x) {
    scaleBy.args(count, factor, x).launchGuarded(count);
  }

  /** batchnorm.cl's kernel {@code name}, the program built on first use (a network without gap or bn never builds it). */
  private ClKernel norm(String name) {
    return context.program("batchnorm.cl", programOptions(context.device(), plan)).kernel(name);
  }

  @Override
  public void globalAvgPool(int rows, int pixels, int channels, ClBuffer x, ClBuffer y) {
    norm("global_avg_pool").args(rows, pixels, channels, x, y).launchGuarded((long) rows * channels);
  }

  @Override
  public void globalAvgPoolBackward(int rows, int pixels, int channels, ClBuffer dy, ClBuffer dx) {
    norm("global_avg_pool_backward").args(rows, pixels, channels, dy, dx).launchGuarded((long) rows * pixels * channels);
  }

  @Override
  public void batchNormStatistics(int count, int channels, float momentum, ClBuffer x, ClBuffer mean,
      ClBuffer variance, ClBuffer runningMean, ClBuffer runningVariance) {
    norm("batch_norm_statistics").args(count, channels, momentum, x, mean, variance, runningMean, runningVariance)
        .launchGuarded(channels);
  }

  @Override
  public void batchNormForward(int count, int channels, int activation, float epsilon, ClBuffer x, ClBuffer mean,
      ClBuffer variance, ClBuffer gamma, ClBuffer beta, ClBuffer y) {
    norm("batch_norm_forward").args(count, channels, activation, epsilon, x, mean, variance, gamma, beta, y)
        .launchGuarded((long) count * channels);
  }

  @Override
  public void batchNormBackward(int count, int channels, float scale, float epsilon, ClBuffer x, ClBuffer mean,
      ClBuffer variance, ClBuffer dy, ClBuffer sums, ClBuffer dgamma, ClBuffer dbeta) {
    norm("batch_norm_backward").args(count, channels, scale, epsilon, x, mean, variance, dy, sums, dgamma, dbeta)
        .launchGuarded(channels);
  }

  @Override
  public void batchNormBackwardInput(int count, int channels, float epsilon, ClBuffer x, ClBuffer mean,
      ClBuffer variance, ClBuffer gamma, ClBuffer dy, ClBuffer sums, ClBuffer dx) {
    norm("batch_norm_backward_input").args(count, channels, epsilon, x, mean, variance, gamma, dy, sums, dx)
        .launchGuarded((long) count * channels);
  }

  @Override
  public void residualAdd(int count, int activation, ClBuffer x, ClBuffer y, ClBuffer out) {
    residualAdd.args(count, activation, x, y, out).launchGuarded(count);
  }

  @Override
  public void residualDelta(int count, int activation, ClBuffer out, ClBuffer g, ClBuffer copy) {
    residualDelta.args(count, activation, out, g, copy).launchGuarded(count);
  }
}
