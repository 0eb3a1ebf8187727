package dev.cltrain.backend;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

/**
 * THE list of kernels: one method per OpenCL kernel in {@code kernels/*.cl}, with the kernel's name in
 * camelCase and its parameters in the same order with the same names (KernelSignatureTest keeps them in
 * step). Sizes first, then scalars, then inputs, then outputs. All matrices are row-major float32.
 * {@link dev.cltrain.reference.ReferenceKernels} runs each as a plain Java loop;
 * {@link dev.cltrain.opencl.OpenClKernels} enqueues the kernel.
 * Activation codes are {@code Activation.code}: 0 identity, 1 sigmoid, 2 tanh, 3 relu (prelude.cl's ACT_ names).
 *
 * <p>The methods live by kernel file in the family interfaces this one extends, one file of backend/ per family:
 * {@link MatmulContract} (matmul.cl), {@link ActivationContract} (activation.cl, loss.cl), {@link UpdateContract}
 * (update.cl), {@link BatchContract} (batch.cl, augment.cl), {@link SmallNetContract} (small_net.cl),
 * {@link ConvContract} (conv.cl, conv_backward.cl, conv_direct.cl), {@link NormContract} (batchnorm.cl),
 * {@link ResidualContract} (residual.cl) and {@link SequenceContract} (sequence1d.cl, recurrent.cl). This one keeps
 * what they share: the files, the launch primitive ({@link KernelLauncher}, which each family extends), the
 * blocked reductions' sizes. Callers use Kernels (or {@link Backend}) only; {@link #kernelMethods} lists the
 * kernels' methods of every family.
 *
 * <p>The {@code *UpdateLayers} kernels update up to {@link #SEGMENTS} parameter arrays in one launch. Their
 * kernels declare one argument per slot, {@code count0 … count7}, {@code dw0 … dw7} and so on; the Java method
 * takes each such group as one array or list named without the digit ({@code count}, {@code dw}), holding one
 * entry per slot used (1 to {@link #SEGMENTS}, every group the same length). KernelSignatureTest expands an
 * array or list parameter {@code x} to {@code x0 … x7} when it compares names. A record parameter stands for
 * its components, in order, a record within one for its own: {@link AdamConstants} {@code adam} for the
 * kernel's {@code beta1, beta2, epsilon}, {@link SmallNetOptimizer} {@code optimizer} for {@code optimizer,
 * momentum, beta1, beta2, epsilon}.
 *
 * <p><b>Adding a plain kernel</b> (one launch over a {@link Range}, arguments as declared): write it in a
 * {@code kernels/*.cl} file, then add ONE {@code default} method to the family interface of that file (the list
 * above), named as the kernel in camelCase, whose body states the kernel once:
 * {@code launch("kernel_name", Range.items(count), count, …)} with the range and every parameter in the kernel's
 * order (a record parameter as its components). The OpenCL backend then needs no edit: {@link #launch} finds the
 * kernel by name in the built programs and sets the arguments by type. A new .cl file joins {@link #FILES}, and
 * its methods go in the family it belongs with, or in a new family interface (extending {@link KernelLauncher},
 * documented as the others) that this one then extends. The reference overrides every method with its twin, the
 * same loop in Java (the family's file in {@code reference/}: see {@code ReferenceKernels}), and never launches by
 * name. KernelSignatureTest checks each default method's name and argument order against the compiled kernel and
 * that the reference overrides it; KernelsVsReferenceTest compares the bits once train/KernelCases has a case (in
 * the family's class there, e.g. train/ConvCases for conv.cl).
 * Kernels with launches of their own (the matmul plans, train_small, the {@code *_layers} segments) stay
 * abstract, each backend writing its launch.
 *
 * @param <B> a float buffer: {@code float[]} on the reference, a device buffer on OpenCL
 * @param <I> an int buffer (row indices): {@code int[]} on the reference, a device buffer on OpenCL
 */
public interface Kernels<B, I> extends MatmulContract<B, I>, ActivationContract<B, I>, UpdateContract<B, I>,
    BatchContract<B, I>, SmallNetContract<B, I>, ConvContract<B, I>, NormContract<B, I>, ResidualContract<B, I>,
    SequenceContract<B, I> {
  /**
   * The kernel files this contract's kernels live in, one per concern, in build order (prelude.cl is prepended to
   * each, not built on its own): a new .cl file joins here, and the OpenCL backend builds it with the others.
   */
  List<String> FILES = List.of("matmul.cl", "activation.cl", "loss.cl", "update.cl", "batch.cl", "small_net.cl",
      "conv.cl", "augment.cl", "batchnorm.cl", "residual.cl", "sequence1d.cl", "recurrent.cl", "conv_backward.cl",
      "conv_direct.cl");

  /** Parameter arrays one {@code *UpdateLayers} launch takes at most: the kernels' slots 0..7. */
  int SEGMENTS = 8;

  /**
   * Elements per partial sum of the blocked reductions (update.cl's square_sums, batchnorm.cl's per-channel sums;
   * built in as NORM_BLOCK): fixed, it decides the rounding.
   */
  int NORM_BLOCK = 256;

  /**
   * Neighbouring floats one work-item of the explicitly vectorized kernels takes at a time, as one vector (built
   * in as LANES; prelude.cl's lanes_* helpers): batchnorm.cl's block sums and element-wise kernels (channels),
   * residual.cl's and activation_delta (elements). Each lane computes what a lone work-item would, in the same
   * order, so it changes no bits, only the ranges.
   */
  int LANES = 8;

  /** The name of {@link #launch}: the one method here that stands for no kernel (tests and Profiled skip it). */
  String LAUNCH = "launch";

  /**
   * {@return the partial sums a blocked per-channel reduction over {@code count} values takes: ⌈count /
   * NORM_BLOCK⌉ blocks}
   *
   * @param count values per channel
   */
  static int normBlocks(int count) {
    return (count + NORM_BLOCK - 1) / NORM_BLOCK;
  }

  /**
   * {@return the work-items across {@code floats} neighbouring floats of a kernel that takes {@link #LANES} of
   * them per work-item: ⌈floats / LANES⌉}
   *
   * @param floats the floats (channels, or a whole array's elements)
   */
  static int lanes(long floats) {
    return Math.toIntExact((floats + LANES - 1) / LANES);
  }

  /**
   * {@return every method of the contract that stands for a kernel, each family's: all but {@link #launch} and
   * the static helpers (normBlocks, this one), which no backend overrides; in no particular order}
   */
  static List<Method> kernelMethods() {
    return Arrays.stream(Kernels.class.getMethods())
        .filter(m -> !m.getName().equals(LAUNCH) && !Modifier.isStatic(m.getModifiers()))
        .toList();
  }
}
