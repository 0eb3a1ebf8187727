package dev.cltrain.backend;

/**
 * The launch primitive under the plain kernels' default methods of every family of the kernel contract
 * ({@link Kernels}): each family interface extends this one, so that its methods can call {@link #launch}.
 */
public interface KernelLauncher {
  /**
   * The launch primitive every plain kernel's default method calls: enqueue {@code kernel} over {@code range}
   * with {@code args} set in order. The reference runs twins instead and throws here.
   *
   * @param kernel the kernel's name in its .cl file, e.g. "bias_activation"
   * @param range the work-items
   * @param args the kernel's arguments in its declared order: Integer for int, Float for float, a float or int
   *     buffer of the backend (its B or I)
   * @throws UnsupportedOperationException on a backend that does not launch kernels by name (the reference)
   */
  void launch(String kernel, Range range, Object... args);
}
