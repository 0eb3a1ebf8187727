package dev.cltrain.testing;

/** Every tolerance the tests use, each with its reason. Checks are |actual − expected| ≤ ATOL + RTOL·|expected|. */
public final class Tolerances {
  private Tolerances() {}

  /**
   * Kernel against reference, absolute part. Matmuls sum in the same order on both sides with no fused
   * multiply-add, so they agree exactly; exp() on a device may differ from Java's in the last bit (OpenCL
   * allows 3 ulp for float exp), which is ~1e-7 for values near 1.
   */
  public static final float KERNEL_ATOL = 1e-6f;

  /** Kernel against reference, relative part: a few float32 ulps (2^-23 ≈ 1.2e-7) of headroom. */
  public static final float KERNEL_RTOL = 1e-5f;

  /**
   * The device's loss reduction sums in a tree in float32; the reference sums in double. For k terms the
   * float tree's error is bounded by ~log2(k)·ulp; 1e-5 relative covers sizes up to millions of elements.
   */
  public static final float LOSS_RTOL = 1e-5f;

  /** Float32 round trip of a NumPy float64: the cast rounds to nearest, so the error is at most half an ulp. */
  public static final double NUMPY_FLOAT_RTOL = 6e-8;

  /**
   * Gradient check: central differences on a float32 network (the loss is summed in double but the
   * forward pass is float32, so the difference quotient carries ~1e-7/epsilon noise). With epsilon 1e-3 the
   * relative error |a − n| / (|a| + |n|) stays far below 1e-2 for a correct gradient and far above it for a
   * wrong one (a missing factor or a sign is O(1)). DL4J demands double precision for 1e-6; we cannot.
   */
  public static final double GRADIENT_EPSILON = 1e-3;
  public static final double GRADIENT_RELATIVE = 1e-2;
  /** Below this absolute difference a gradient component counts as matching regardless of the relative error. */
  public static final double GRADIENT_ABSOLUTE = 1e-5;

  /** A seed epoch against NumPy float64: float32 arithmetic over four samples, a few ulps. */
  public static final double SEED_EPOCH_ATOL = 1e-6;

  /** True when |actual − expected| ≤ atol + rtol·|expected|. */
  public static boolean close(double actual, double expected, double atol, double rtol) {
    return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
  }
}
