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
    this(device, source, profiling, MatmulPlan.forDevice(device, source), ProgramOptions.updateChunk(device),
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
    this(device, source, profiling, plan, ProgramOptions.updateChunk(device));
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
      int reduceGroup = ProgramOptions.reduceGroup(device);
      String options = ProgramOptions.programOptions(device, plan);
      this.matmuls = new MatmulKernels(context, source, plan, largePlan, largeWork);
      this.convPlan = convPlan != null ? convPlan : ConvPlan.forDevice(device, source, plan);
      this.table = new KernelTable(context, options, this.convPlan.defines(), reduceGroup, updateChunk);
      this.segments = new SegmentLaunches(table, updateChunk);
      this.smallNetFloats = ProgramOptions.smallNetFloats(device, reduceGroup);
      if (smallNetFloats > 0) {
        this.trainSmall = context.program("small_net.cl", options + " -DSMALL_NET_FLOATS=" + smallNetFloats)
            .kernel("train_small");
        this.smallNetGroup = ProgramOptions.smallNetGroup(device, trainSmall.workGroupLimit());
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
    convPlan.launchWeightGradient(table.kernel("conv_weight_gradient").args(m, n, k, alpha, a, b, c), m, n,
        ConvPlan.lanes(matmuls.plan()), context.device().computeUnits());
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
