package dev.cltrain.train;

import dev.cltrain.opencl.ClBuffer;
import dev.cltrain.opencl.ClContext;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.ClKernel;
import dev.cltrain.opencl.ClProgram;
import dev.cltrain.opencl.KernelSource;

/**
 * The kernels on one OpenCL device: each method sets the kernel's arguments in declaration order and
 * enqueues it, without waiting. All four programs are built when this is created, so a kernel that does
 * not compile fails here, naming its file and carrying the build log.
 */
public final class OpenClKernels implements Backend<ClBuffer> {
  /** The kernel files, one per concern. */
  public static final String[] FILES = {"matmul.cl", "activation.cl", "loss.cl", "update.cl"};

  private final ClContext context;
  private final int tile;
  private final int reduceGroup;
  private final ClKernel matmul;
  private final ClKernel matmulTransposeA;
  private final ClKernel matmulTransposeB;
  private final ClKernel biasSigmoid;
  private final ClKernel hiddenDelta;
  private final ClKernel outputDelta;
  private final ClKernel mseLoss;
  private final ClKernel columnSum;
  private final ClKernel sgdUpdate;

  public OpenClKernels(ClDevice device, KernelSource source) {
    this.context = new ClContext(device, source);
    try {
      this.tile = tileFor(device);
      this.reduceGroup = largestPowerOfTwo(Math.min(256, device.maxWorkGroup()));
      String options = buildOptions(tile, reduceGroup);
      ClProgram matmulProgram = context.program("matmul.cl", options);
      ClProgram activation = context.program("activation.cl", options);
      ClProgram loss = context.program("loss.cl", options);
      ClProgram update = context.program("update.cl", options);
      this.matmul = matmulProgram.kernel("matmul");
      this.matmulTransposeA = matmulProgram.kernel("matmul_transpose_a");
      this.matmulTransposeB = matmulProgram.kernel("matmul_transpose_b");
      this.biasSigmoid = activation.kernel("bias_sigmoid");
      this.hiddenDelta = activation.kernel("hidden_delta");
      this.outputDelta = loss.kernel("output_delta");
      this.mseLoss = loss.kernel("mse_loss");
      this.columnSum = update.kernel("column_sum");
      this.sgdUpdate = update.kernel("sgd_update");
    } catch (RuntimeException e) {
      context.close();
      throw e;
    }
  }

  /** The options every program is built with: the tunables, and argument names for KernelSignatureTest. */
  public static String buildOptions(int tile, int reduceGroup) {
    return "-DTILE=" + tile + " -DREDUCE_GROUP=" + reduceGroup + " -cl-kernel-arg-info";
  }

  /** The largest matmul tile edge whose TILE² work-items fit one work-group of this device (16 at most). */
  static int tileFor(ClDevice device) {
    int tile = 16;
    while (tile > 1 && (long) tile * tile > device.maxWorkGroup()) {
      tile /= 2;
    }
    return tile;
  }

  private static int largestPowerOfTwo(long limit) {
    return Integer.highestOneBit((int) Math.max(1, limit));
  }

  public ClContext context() {
    return context;
  }

  /** The matmul tile edge chosen for this device. */
  public int tile() {
    return tile;
  }

  @Override
  public String name() {
    ClDevice d = context.device();
    return d.ref() + " " + d.name() + " (" + d.platformName() + ")";
  }

  @Override
  public void matmul(int m, int n, int k, float alpha, ClBuffer a, ClBuffer b, ClBuffer c) {
    matmul.args(m, n, k, alpha, a, b, c).launch2d(n, m, tile);
  }

  @Override
  public void matmulTransposeA(int m, int n, int k, float alpha, ClBuffer a, ClBuffer b, ClBuffer c) {
    matmulTransposeA.args(m, n, k, alpha, a, b, c).launch2d(n, m, tile);
  }

  @Override
  public void matmulTransposeB(int m, int n, int k, float alpha, ClBuffer a, ClBuffer b, ClBuffer c) {
    matmulTransposeB.args(m, n, k, alpha, a, b, c).launch2d(n, m, tile);
  }

  @Override
  public void biasSigmoid(int rows, int cols, ClBuffer z, ClBuffer bias, ClBuffer a) {
    biasSigmoid.args(rows, cols, z, bias, a).launch((long) rows * cols);
  }

  @Override
  public void hiddenDelta(int count, ClBuffer a, ClBuffer dz) {
    hiddenDelta.args(count, a, dz).launch(count);
  }

  @Override
  public void outputDelta(int count, ClBuffer a, ClBuffer y, ClBuffer dz) {
    outputDelta.args(count, a, y, dz).launch(count);
  }

  @Override
  public void mseLoss(int count, ClBuffer a, ClBuffer y, ClBuffer loss) {
    mseLoss.args(count, a, y, loss).launchGroup(reduceGroup);
  }

  @Override
  public void columnSum(int rows, int cols, float scale, ClBuffer x, ClBuffer sums) {
    columnSum.args(rows, cols, scale, x, sums).launch(cols);
  }

  @Override
  public void sgdUpdate(int count, float learningRate, ClBuffer dw, ClBuffer w) {
    sgdUpdate.args(count, learningRate, dw, w).launch(count);
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
  public void flush() {
    context.flush();
  }

  @Override
  public void close() {
    context.close();
  }
}
