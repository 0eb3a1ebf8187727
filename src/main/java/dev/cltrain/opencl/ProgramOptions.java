package dev.cltrain.opencl;

import dev.cltrain.backend.Kernels;

/**
 * What every program is built with on a device, and the sizes derived from the device that the host passes as build
 * options or launches with: the tunables' -D options ({@link #buildOptions}, {@link #programOptions}), the loss
 * reductions' REDUCE_GROUP, the *_layers kernels' chunk ({@link #updateChunk}), small_net.cl's local memory and
 * group ({@link #smallNetFloats}, {@link #smallNetGroup}).
 */
public final class ProgramOptions {
  /** The most local memory small_net.cl's network may take, whatever the device offers: 64 KiB. */
  static final long SMALL_NET_LOCAL_CAP = 64 * 1024;
  /** PoCL's CL_PLATFORM_NAME. */
  static final String POCL = "Portable Computing Language";
  /** Local memory left aside for the runtime's own use: on top of small_net.cl's reduction lanes, and of a matmul plan's stage. */
  static final long LOCAL_MARGIN = 1024;

  private ProgramOptions() {}

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
  static int reduceGroup(ClDevice device) {
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
   * CPU where 8 took 0.056-0.058 (61 rows, 17-19-11-4, the case of {@link OpenClKernels#smallNetWork}), and the seed's XOR a
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
}
