package dev.cltrain.opencl;

import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Kernels;
import dev.cltrain.backend.Range;
import dev.cltrain.backend.SmallNetOptimizer;
import dev.cltrain.core.KernelTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernels on one OpenCL device: each method sets the kernel's arguments in declaration order and
 * enqueues it, without waiting. Every program is built when this is created, so a kernel that does not
 * compile fails here, naming its file and carrying the build log. The plain kernels take {@link Kernels}'
 * default methods, which call {@link #launch}: the kernel found by name in the built programs
 * ({@code KernelTable}), so a kernel added to a .cl file needs no edit here. This class writes only the
 * launches of their own: the matrix products ({@code MatmulKernels}), the {@code *_layers} segments and
 * train_small.
 */
public final class OpenClKernels implements Backend<ClBuffer, ClBuffer> {
  /** The kernel files, {@link Kernels#FILES}, as an array. */
  public static final String[] FILES = Kernels.FILES.toArray(String[]::new);
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
  /** matmul.cl's products, built for the plan and for large products. */
  private final MatmulKernels matmuls;
  /** How the convolution kernels are built. */
  private final ConvPlan convPlan;
  /** The plain kernels, launched by name ({@link #launch}). */
  private final KernelTable table;
  /** The *_layers kernels' launches. */
  private final SegmentLaunches segments;
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
        MatmulPlan.cachedLargeForDevice(device, source), LARGE_WORK, null);
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
    this(device, source, profiling, plan, updateChunk, largePlan, largeWork, ConvPlan.DEFAULT);
  }

  /**
   * As {@link #OpenClKernels(ClDevice, KernelSource, boolean, MatmulPlan, int, MatmulPlan, long)}, with the
   * convolution kernels built per {@code convPlan}.
   *
   * @param device the device, as discovery found it
   * @param source where the .cl files are read from
   * @param profiling keep a profiling event per launch, for {@link #takeProfile()} (bench and --profile)
   * @param plan how matmul.cl is built and launched
   * @param updateChunk update.cl's UPDATE_CHUNK, at least 1
   * @param largePlan how matmul.cl is built and launched for large products; null: tuned at the first large product
   * @param largeWork the multiply-adds m·n·k from which a product of at least {@link #LARGE_ROWS} rows is large
   * @param convPlan how conv_direct.cl and conv_backward.cl are built; null: {@link ConvPlan#forDevice} (which may
   *     tune on first use)
   * @throws ClException when a context, a build or a kernel cannot be made; the build log comes with it
   * @throws dev.cltrain.core.InputException when {@code CLTRAIN_CONV} is set but malformed
   */
  public OpenClKernels(ClDevice device, KernelSource source, boolean profiling, MatmulPlan plan, int updateChunk,
      MatmulPlan largePlan, long largeWork, ConvPlan convPlan) {
    if (updateChunk < 1) {
      throw new IllegalArgumentException("update chunk " + updateChunk + ", not at least 1");
    }
    this.context = new ClContext(device, source, profiling);
    try {
      int reduceGroup = reduceGroup(device);
      String options = programOptions(device, plan);
      this.matmuls = new MatmulKernels(context, source, plan, largePlan, largeWork);
      this.convPlan = convPlan != null ? convPlan : ConvPlan.forDevice(device, source, plan);
      this.table = new KernelTable(context, options, this.convPlan.defines(), reduceGroup, updateChunk);
      this.segments = new SegmentLaunches(table, updateChunk);
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
   * @return the -D options (the blocked reductions' {@link Kernels#NORM_BLOCK} and {@link Kernels#LANES} among
   *     them) and
   *     {@code -cl-kernel-arg-info}, without the divide-sqrt flag
   */
  public static String buildOptions(MatmulPlan plan, int reduceGroup) {
    return plan.defines() + " -DREDUCE_GROUP=" + reduceGroup + " -DNORM_BLOCK=" + Kernels.NORM_BLOCK
        + " -DLANES=" + Kernels.LANES + " -cl-kernel-arg-info";
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
    return matmuls.plan();
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

  /**
   * Makes every product take one plan's kernels whatever its size, so that a check reaches each plan at every
   * shape (DeviceCheck, verify); null restores the choice by size.
   *
   * @param large true: the large products' plan (tuned now if need be); false: the other; null: by size
   */
  public void forcePlan(Boolean large) {
    matmuls.forcePlan(large);
  }

  /**
   * The plans this backend's products take, the large products' only once known (cached, or tuned at the first
   * large product).
   *
   * @return one plan, or two when large products have a plan of their own
   */
  public List<MatmulPlan> plans() {
    return matmuls.plans();
  }

  /** Whether a product of m × n × k has the rows and the work for the large plan's kernels (for tests). */
  boolean takesLargePlan(int m, int n, int k) {
    return matmuls.takesLargePlan(m, n, k);
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
    return matmuls.largePlan();
  }

  @Override
  public void matmul(int m, int n, int k, float alpha, ClBuffer a, ClBuffer b, ClBuffer c) {
    MatmulKernels.Matmuls kernels = matmuls.matmuls(m, n, k);
    matmuls.launch(kernels, kernels.matmul().args(m, n, k, alpha, a, b, c), m, n);
  }

  @Override
  public void matmulTransposeA(int m, int n, int k, float alpha, ClBuffer a, ClBuffer b, ClBuffer c) {
    MatmulKernels.Matmuls kernels = matmuls.matmuls(m, n, k);
    matmuls.launch(kernels, kernels.transposeA().args(m, n, k, alpha, a, b, c), m, n);
  }

  @Override
  public void matmulTransposeB(int m, int n, int k, float alpha, ClBuffer a, ClBuffer b, ClBuffer c) {
    MatmulKernels.Matmuls kernels = matmuls.matmuls(m, n, k);
    matmuls.launch(kernels, kernels.transposeB().args(m, n, k, alpha, a, b, c), m, n);
  }

  @Override
  public void matmulBiasActivation(int m, int n, int k, int activation, ClBuffer x, ClBuffer w, ClBuffer bias,
      ClBuffer a) {
    MatmulKernels.Matmuls kernels = matmuls.matmuls(m, n, k);
    matmuls.launch(kernels, kernels.biasActivation().args(m, n, k, activation, x, w, bias, a), m, n);
  }

  @Override
  public void matmulTransposeBDelta(int m, int n, int k, int activation, ClBuffer d, ClBuffer w, ClBuffer a,
      ClBuffer dz) {
    MatmulKernels.Matmuls kernels = matmuls.matmuls(m, n, k);
    matmuls.launch(kernels, kernels.transposeBDelta().args(m, n, k, activation, d, w, a, dz), m, n);
  }

  @Override
  public void sgdUpdateLayers(int[] count, float learningRate, float[] weightDecay, List<ClBuffer> dw,
      List<ClBuffer> w) {
    segments.sgd(count, learningRate, weightDecay, dw, w);
  }

  @Override
  public void momentumUpdateLayers(int[] count, float learningRate, float momentum, float[] weightDecay,
      List<ClBuffer> dw, List<ClBuffer> velocity, List<ClBuffer> w) {
    segments.momentum(count, learningRate, momentum, weightDecay, dw, velocity, w);
  }

  @Override
  public void adamUpdateLayers(int[] count, float learningRate, AdamConstants adam, float[] weightDecay,
      float correction1, float correction2, List<ClBuffer> dw, List<ClBuffer> m,
      List<ClBuffer> v, List<ClBuffer> w) {
    segments.adam("adam_update_layers", count, learningRate, adam, weightDecay, correction1, correction2, dw, m, v, w);
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
  public void launch(String kernel, Range range, Object... args) {
    table.launch(kernel, range, args);
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
  public Mapped map(ClBuffer buffer, int count) {
    ClBuffer.Mapping mapping = buffer.mapLater(count);
    return new Mapped() {
      @Override
      public java.nio.FloatBuffer await() {
        return mapping.await();
      }

      @Override
      public void release() {
        mapping.unmap();
      }
    };
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
  public void adamwUpdateLayers(int[] count, float learningRate, AdamConstants adam, float[] weightDecay,
      float correction1, float correction2, List<ClBuffer> dw, List<ClBuffer> m,
      List<ClBuffer> v, List<ClBuffer> w) {
    segments.adam("adamw_update_layers", count, learningRate, adam, weightDecay, correction1, correction2, dw, m, v, w);
  }

  /** Rows of dW per work-item of conv_weight_gradient, unless that leaves fewer than two items per compute unit. */
  private static final int CONV_PANEL = 96;

  /**
   * conv_backward.cl's CB_VN for a matmul plan: its VN when blocked (the file is built with the plan's defines),
   * else 4.
   *
   * @param plan the matmul plan the conv kernels are built with
   * @return the floats per vector
   */
  static int convLanes(MatmulPlan plan) {
    return plan.blocked() ? plan.vector() : 4;
  }

  /**
   * The convolution kernels' plan this backend was built with.
   *
   * @return the plan
   */
  public ConvPlan convPlan() {
    return convPlan;
  }

  @Override
  public void convWeightGradient(int m, int n, int k, float alpha, ClBuffer a, ClBuffer b, ClBuffer c) {
    launchWeightGradient(table.kernel("conv_weight_gradient").args(m, n, k, alpha, a, b, c), m, n,
        convLanes(matmuls.plan()), convPlan, context.device().computeUnits());
  }

  /**
   * Enqueues conv_weight_gradient (its arguments set) over c(m, n): one work-item per strip of CB_VN·CB_VC columns
   * and panel of rows, each a work-group of its own (as the blocked matmul): panels of {@link #CONV_PANEL} rows, or
   * lower (a multiple of CB_RM) when that leaves fewer than two items per compute unit. The kernel derives strips
   * and panels from the range, so the bits do not depend on it.
   *
   * @param kernel the kernel, its arguments set
   * @param m rows of c
   * @param n columns of c
   * @param lanes CB_VN
   * @param plan the conv plan the kernel was built with (CB_VC, CB_RM)
   * @param computeUnits the device's compute units
   */
  static void launchWeightGradient(ClKernel kernel, int m, int n, int lanes, ConvPlan plan, int computeUnits) {
    long width = (long) lanes * plan.gradientVectors();
    long strips = (n + width - 1) / width;
    long panels = (m + CONV_PANEL - 1) / CONV_PANEL;
    long wanted = 2L * Math.max(1, computeUnits);
    if (strips * panels < wanted) {
      panels = Math.min((m + plan.gradientRows() - 1) / plan.gradientRows(), (wanted + strips - 1) / strips);
    }
    kernel.launch2dSingleItems(strips, panels);
  }

  /** One work-item per input row of a sample (rows · height), each a work-group of its own. */
  @Override
  public void convInputGradient(int rows, int height, int width, int channels, int kernelSize, int stride,
      int padTop, int padLeft, int outHeight, int outWidth, int filters, int paddedChannels, ClBuffer g, ClBuffer wt,
      ClBuffer dx) {
    table.kernel("conv_input_gradient").args(rows, height, width, channels, kernelSize, stride, padTop, padLeft,
        outHeight, outWidth, filters, paddedChannels, g, wt, dx).launch2dSingleItems((long) rows * height, 1);
  }
}
