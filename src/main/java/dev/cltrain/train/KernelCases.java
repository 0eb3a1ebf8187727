package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.opencl.OpenClKernels;
import dev.cltrain.reference.ReferenceKernels;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The cases of {@link DeviceCheck}: each kernel run on a backend with seeded inputs at one shape, its output
 * read back, so that the device's and the reference's outputs can be compared. The judging, the tolerances and
 * the report are DeviceCheck's. The cases live by kernel file in one class per family, as backend.Kernels groups
 * the kernels' methods ({@link #FAMILIES}: MatmulCases, ActivationCases, UpdateCases, BatchCases, SmallNetCases,
 * ConvCases, NormCases, ResidualCases, SequenceCases); this class finds a kernel's family and holds what the
 * families share: the drawing helpers and the output buffers' poison. <b>Adding a kernel</b>: its case goes in the
 * family class of its .cl file; a new .cl file joins a family's files in {@link #FAMILIES}, or a new family class
 * does.
 */
final class KernelCases {
  private KernelCases() {}

  /**
   * What a case draws its inputs from: the seeded generator, and whether {@link #uniform} and {@link #scaled} draw
   * magnitudes (|value|, {@link #productMagnitudes}) rather than signed values.
   *
   * @param random the case's generator, seeded
   * @param magnitudes true: every value uniform and scaled draw is made nonnegative, the generator used the same
   */
  record Draws(Random random, boolean magnitudes) {}

  /** How a family's class runs one of its kernels' cases: its {@code run} method, as {@link #exec} calls it. */
  @FunctionalInterface
  interface Cases {
    /**
     * {@return the kernel's outputs at case s, read back}
     *
     * @param <B> the backend's float buffer
     * @param <I> the backend's int buffer
     * @param kernel the kernel's name, one of the family's
     * @param k the backend it runs on
     * @param s the case's shape, as DeviceCheck gives it for the kernel
     * @param activation the activation code, −1 for a kernel that takes none
     * @param draws where the inputs are drawn from
     */
    <B, I> float[] run(String kernel, Backend<B, I> k, int[] s, int activation, Draws draws);
  }

  /**
   * A family of cases: the class that holds them (its code is part of the check's fingerprint, {@link #classes}),
   * its run method, and the kernel files whose kernels it runs.
   *
   * @param holder the family's class
   * @param cases its run method
   * @param files its kernel files
   */
  private record Family(Class<?> holder, Cases cases, List<String> files) {}

  /** Every family of cases, by kernel file: the families of backend.Kernels. */
  private static final List<Family> FAMILIES = List.of(
      new Family(MatmulCases.class, MatmulCases::run, List.of("matmul.cl")),
      new Family(ActivationCases.class, ActivationCases::run, List.of("activation.cl", "loss.cl")),
      new Family(UpdateCases.class, UpdateCases::run, List.of("update.cl")),
      new Family(BatchCases.class, BatchCases::run, List.of("batch.cl", "augment.cl")),
      new Family(SmallNetCases.class, SmallNetCases::run, List.of("small_net.cl")),
      new Family(ConvCases.class, ConvCases::run, List.of("conv.cl", "conv_backward.cl", "conv_direct.cl")),
      new Family(NormCases.class, NormCases::run, List.of("batchnorm.cl")),
      new Family(ResidualCases.class, ResidualCases::run, List.of("residual.cl")),
      new Family(SequenceCases.class, SequenceCases::run, List.of("sequence1d.cl", "recurrent.cl")));

  /** Each kernel's family, by the kernel's name (the kernel lists are the .cl files' own). */
  private static final Map<String, Cases> BY_KERNEL = byKernel();

  private static Map<String, Cases> byKernel() {
    Map<String, Cases> byKernel = new HashMap<>();
    for (Family family : FAMILIES) {
      for (String file : family.files()) {
        for (String kernel : OpenClKernels.kernelNames(file)) {
          byKernel.put(kernel, family.cases());
        }
      }
    }
    return Map.copyOf(byKernel);
  }

  /** {@return the classes whose code draws and runs the cases: this one, then every family's} */
  static List<Class<?>> classes() {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(KernelCases.class),
        FAMILIES.stream().map(Family::holder)).toList();
  }

  /** Runs one kernel on {@code k} with seeded inputs for shape s = (rows, cols, depth) and returns its output. */
  static <B, I> float[] exec(String kernel, Backend<B, I> k, int[] s, int activation, long seed) {
    return exec(kernel, k, s, activation, new Draws(new Random(seed), false));
  }

  /** {@link #exec}'s case, its inputs drawn from {@code draws}: the kernel's family runs it. */
  private static <B, I> float[] exec(String kernel, Backend<B, I> k, int[] s, int activation, Draws draws) {
    Cases cases = BY_KERNEL.get(kernel);
    if (cases == null) {
      throw noCase(kernel);
    }
    return cases.run(kernel, k, s, activation, draws);
  }

  /**
   * {@return what a kernel with no case throws}
   *
   * @param kernel its name
   */
  static IllegalArgumentException noCase(String kernel) {
    return new IllegalArgumentException("no check for kernel " + kernel);
  }

  /**
   * An output buffer filled with NaN before the kernel runs, so that an element the kernel fails to write shows
   * as a difference instead of passing on whatever the memory held (a freed buffer of an earlier, correct run
   * of the same case can hold exactly the expected values).
   */
  static <B, I> B poisoned(Backend<B, I> k, int length) {
    float[] nan = new float[length];
    java.util.Arrays.fill(nan, Float.NaN);
    return k.upload(nan);
  }

  static <B, I> float[] read(Backend<B, I> k, B buffer, int length) {
    float[] out = new float[length];
    k.download(buffer, out);
    return out;
  }

  static float[] uniform(Draws draws, int n) {
    return scaled(draws, n, 1);
  }

  static float[] scaled(Draws draws, int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * (draws.random().nextFloat() * 2 - 1);
      v[i] = draws.magnitudes() ? Math.abs(v[i]) : v[i];
    }
    return v;
  }

  /**
   * n values, {@link #uniform}'s, or with {@code tied} each drawn again from five levels (−1, −0.5, 0, 0.5, 1): a
   * pool's windows with ties (the gradient to the first maximum), relu's zeros.
   */
  static float[] tied(Draws draws, int n, boolean tied) {
    float[] values = uniform(draws, n);
    if (tied) {
      for (int i = 0; i < n; i++) {
        values[i] = (draws.random().nextInt(5) - 2) * 0.5f;
      }
    }
    return values;
  }

  /** The kernels outside matmul.cl whose elements are sums of products (conv_backward.cl, conv_direct.cl). */
  static final java.util.Set<String> PRODUCT_SUMS = java.util.Set.of("conv_weight_gradient", "conv_input_gradient",
      "conv_direct", "conv_direct_max_pool");

  /**
   * Σ |products| per element of a {@link #PRODUCT_SUMS} kernel's case: the case run on the reference with the
   * magnitudes of the values it draws, the scale a device that multiplies and adds separately rounds at.
   */
  static float[] productMagnitudes(String kernel, int[] s, long seed) {
    // identity: the sums before any activation
    return exec(kernel, new ReferenceKernels(), s, 0, new Draws(new Random(seed), true));
  }

  /**
   * Values of magnitude 10^−u·[0, 1) with u uniform in [0, decades], one in sixteen exactly 0; signed or not.
   * Never subnormal (some devices flush those): the smallest nonzero magnitude is far above 1e-38.
   */
  static float[] spread(Random r, int n, int decades, boolean signed) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      if (r.nextInt(16) == 0) {
        v[i] = 0;
        continue;
      }
      float magnitude = (float) ((0.5 + r.nextDouble() / 2) * Math.pow(10, -r.nextInt(decades + 1)));
      v[i] = signed && r.nextBoolean() ? -magnitude : magnitude;
    }
    return v;
  }

  static float[] oneHot(Random r, int rows, int cols) {
    float[] y = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      y[i * cols + r.nextInt(cols)] = 1;
    }
    return y;
  }
}
