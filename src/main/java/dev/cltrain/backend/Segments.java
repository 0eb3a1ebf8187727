package dev.cltrain.backend;

import java.util.List;

/** The argument check both backends make for the {@code *UpdateLayers} kernels, so they reject the same calls. */
public final class Segments {
  private Segments() {}

  /**
   * Checks one call's slot groups and sums its counts: the work-items of its launch.
   *
   * @param count elements of each slot
   * @param weightDecay each slot's weight decay
   * @param buffers each buffer group of the call (dw, w, and the optimizer's state)
   * @return Σ count
   * @throws IllegalArgumentException when a group's length differs from count's, count's lies outside
   *     1..{@link Kernels#SEGMENTS}, a count is negative or the sum exceeds {@link Integer#MAX_VALUE}
   */
  public static int total(int[] count, float[] weightDecay, List<?>... buffers) {
    if (count.length < 1 || count.length > Kernels.SEGMENTS) {
      throw new IllegalArgumentException(count.length + " slots, not 1.." + Kernels.SEGMENTS);
    }
    if (weightDecay.length != count.length) {
      throw new IllegalArgumentException(weightDecay.length + " weight decays for " + count.length + " slots");
    }
    for (List<?> group : buffers) {
      if (group.size() != count.length) {
        throw new IllegalArgumentException(group.size() + " buffers for " + count.length + " slots");
      }
    }
    long sum = 0;
    for (int c : count) {
      if (c < 0) {
        throw new IllegalArgumentException("negative count " + c);
      }
      sum += c;
    }
    if (sum > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(sum + " elements in one launch, more than " + Integer.MAX_VALUE);
    }
    return (int) sum;
  }
}
