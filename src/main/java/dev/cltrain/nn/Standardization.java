package dev.cltrain.nn;

import java.util.Arrays;

/**
 * Per-input standardization, {@code x' = (x − mean) / std}, computed from the training rows by
 * {@code --standardize} and kept with the model, so that eval, predict and {@code Model.predict} apply it to raw
 * inputs. A column whose deviation is 0 gets std 1 (it is only centred).
 *
 * @param mean per input
 * @param std  per input, positive
 */
public record Standardization(float[] mean, float[] std) {
  /**
   * Checks the widths and that every std is positive and finite.
   *
   * @param mean per input
   * @param std  per input
   * @throws IllegalArgumentException on a width mismatch or a bad std
   */
  public Standardization {
    if (mean.length != std.length) {
      throw new IllegalArgumentException("mean has " + mean.length + " values, std " + std.length);
    }
    for (int i = 0; i < std.length; i++) {
      if (!(std[i] > 0) || Float.isInfinite(std[i]) || !Float.isFinite(mean[i])) {
        throw new IllegalArgumentException("input " + i + ": mean " + mean[i] + ", std " + std[i]);
      }
    }
    mean = mean.clone();
    std = std.clone();
  }

  /**
   * The mean and (population) standard deviation of each column of row-major {@code x}, summed in double.
   *
   * @param x    rows × cols values
   * @param rows rows, at least 1
   * @param cols columns
   * @return the standardization of those rows
   */
  public static Standardization of(float[] x, int rows, int cols) {
    float[] mean = new float[cols];
    float[] std = new float[cols];
    for (int c = 0; c < cols; c++) {
      double sum = 0;
      for (int r = 0; r < rows; r++) {
        sum += x[r * cols + c];
      }
      double m = sum / rows;
      double sq = 0;
      for (int r = 0; r < rows; r++) {
        double d = x[r * cols + c] - m;
        sq += d * d;
      }
      float sd = (float) Math.sqrt(sq / rows);
      mean[c] = (float) m;
      std[c] = sd > 0 && Float.isFinite(sd) ? sd : 1f;
    }
    return new Standardization(mean, std);
  }

  /**
   * Standardizes row-major values.
   *
   * @param x rows × mean.length values
   * @return a new array of (x − mean) / std
   */
  public float[] apply(float[] x) {
    int cols = mean.length;
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      int c = i % cols;
      out[i] = (x[i] - mean[c]) / std[c];
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Standardization s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "Standardization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
  }
}
