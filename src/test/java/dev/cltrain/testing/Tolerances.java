package dev.cltrain.testing;

/** Every tolerance the tests use, each with its reason. Checks are |actual − expected| ≤ ATOL + RTOL·|expected|. */
public final class Tolerances {
  private Tolerances() {}

  /**
   * Kernel against reference, absolute part. Every kernel uses correctly rounded float operations in the
   * reference's order (no fused multiply-add, exp and tanh written out in prelude.cl), so on a device with
   * correctly rounded division and sqrt they agree exactly. A device without them may differ by 2.5 ulp per
   * division (the OpenCL limit), ~3e-7 for values near 1.
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
   * Gradient check: central differences on a float32 network. The forward pass rounds to float32, so the
   * objective carries ~1e-7 relative noise (~1e-7 absolute for a cross-entropy near 1); the difference
   * quotient divides that by 2·epsilon. With epsilon 1e-2 the noise is ~1e-5 absolute and the truncation
   * error (epsilon² times the third derivative) ~1e-4 relative, so a correct gradient stays far below 1e-2
   * relative error and a wrong one (a missing factor, a sign) is O(1). Measured with epsilon 1e-3: up to 4 %
   * from the noise alone on cross-entropy. DL4J asks 1e-6 with epsilon 1e-6, but in double precision.
   */
  public static final double GRADIENT_EPSILON = 1e-2;
  public static final double GRADIENT_RELATIVE = 1e-2;
  /** Below this absolute difference a gradient component counts as matching regardless of the relative error. */
  public static final double GRADIENT_ABSOLUTE = 1e-5;

  /** A seed epoch against NumPy float64: float32 arithmetic over four samples, a few ulps. */
  public static final double SEED_EPOCH_ATOL = 1e-6;

  /** True when |actual − expected| ≤ atol + rtol·|expected|. */
  public static boolean close(double actual, double expected, double atol, double rtol) {
    return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
  }

  /**
   * Fails naming the first index outside |actual − expected| ≤ atol + rtol·|expected|, with both values and the
   * largest difference.
   */
  public static void assertClose(String what, float[] expected, float[] actual, float atol, float rtol) {
    org.junit.jupiter.api.Assertions.assertEquals(expected.length, actual.length, what + ": length");
    float worst = 0;
    int worstAt = -1;
    for (int i = 0; i < expected.length; i++) {
      float diff = Math.abs(actual[i] - expected[i]);
      if (!(diff <= worst)) {
        worst = diff;
        worstAt = i;
      }
    }
    for (int i = 0; i < expected.length; i++) {
      if (!close(actual[i], expected[i], atol, rtol)) {
        org.junit.jupiter.api.Assertions.fail(what + ": index " + i + " device " + actual[i] + " reference " + expected[i]
            + " (largest difference " + worst + " at " + worstAt + ", tolerance " + atol + " + " + rtol + "·|ref|)");
      }
    }
  }

  /**
   * A kernel's output against the reference's, judged as the project promises: on a device that rounds
   * division and sqrt correctly (CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT, so the kernels are built with
   * -cl-fp32-correctly-rounded-divide-sqrt) every element must have the reference's exact bits; on any other
   * device the kernel tolerance applies ({@link #KERNEL_ATOL}, {@link #KERNEL_RTOL}: 2.5 ulp per division is
   * OpenCL's limit there).
   */
  public static void assertMatchesReference(dev.cltrain.opencl.ClDevice device, String what, float[] expected,
      float[] actual) {
    assertMatchesReference(device.roundsAsTheReference(), what + " on " + device.ref(), expected, actual);
  }

  /**
   * {@link #assertMatchesReference(dev.cltrain.opencl.ClDevice, String, float[], float[])} for any backend: exact
   * bits on the reference and on a device whose {@link dev.cltrain.device.Device#properties()} say
   * {@code correctlyRoundedDivideSqrt} and {@code fma} true; the kernel tolerance on any other.
   */
  public static void assertMatchesReference(dev.cltrain.device.Device device, String what, float[] expected,
      float[] actual) {
    assertMatchesReference(exactOn(device), what + " on " + device.id(), expected, actual);
  }

  /**
   * Whether the device must have the reference's exact bits: the reference itself, and a device whose
   * {@link dev.cltrain.device.Device#properties()} say {@code correctlyRoundedDivideSqrt} and {@code fma} true (as
   * {@link dev.cltrain.opencl.ClDevice#roundsAsTheReference()}).
   *
   * @param device the device under test
   * @return true for bit-for-bit checks, false where the kernel tolerance applies
   */
  public static boolean exactOn(dev.cltrain.device.Device device) {
    return dev.cltrain.train.DeviceCheck.roundsCorrectly(device);
  }

  private static void assertMatchesReference(boolean exact, String what, float[] expected, float[] actual) {
    if (!exact) {
      assertClose(what, expected, actual, KERNEL_ATOL, KERNEL_RTOL);
      return;
    }
    assertSameBits(what, expected, actual);
  }

  /** Fails naming the first index whose bits differ, with both values and how many differ. */
  public static void assertSameBits(String what, float[] expected, float[] actual) {
    org.junit.jupiter.api.Assertions.assertEquals(expected.length, actual.length, what + ": length");
    int first = -1;
    int differing = 0;
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
        differing++;
        if (first < 0) {
          first = i;
        }
      }
    }
    if (first >= 0) {
      org.junit.jupiter.api.Assertions.fail(what + ": not bit for bit the reference's: " + differing + " of "
          + expected.length + " differ, first at " + first + ": device " + actual[first] + " reference "
          + expected[first]);
    }
  }
}
