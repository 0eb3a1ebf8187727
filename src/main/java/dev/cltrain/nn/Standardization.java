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
    double[] mean = sums(x, rows, cols);
    for (int c = 0; c < cols; c++) {
      mean[c] /= rows;
    }
    return of(mean, squaredDeviations(x, rows, cols, mean), rows);
  }

  /**
   * The first of the two passes of {@link #of(float[], int, int)}, for rows held in parts (Spark's partitions):
   * each column's sum, in double, over the rows in order. Parts' sums added in order, divided by the rows, give
   * the mean.
   *
   * @param x    rows × cols values
   * @param rows rows
   * @param cols columns
   * @return per column, the sum of its values
   */
  public static double[] sums(float[] x, int rows, int cols) {
    double[] sum = new double[cols];
    addSums(x, rows, cols, sum);
    return sum;
  }

  /**
   * Goes on with {@link #sums}' pass over further rows (streamed rows, chunk after chunk): the totals are those
   * of one pass over all the rows, bit for bit.
   *
   * @param x    rows × cols values
   * @param rows rows
   * @param cols columns
   * @param sum  per column, the sum so far; the rows' values are added to it
   */
  public static void addSums(float[] x, int rows, int cols, double[] sum) {
    for (int c = 0; c < cols; c++) {
      for (int r = 0; r < rows; r++) {
        sum[c] += x[r * cols + c];
      }
    }
  }

  /**
   * The second pass: each column's sum of squared deviations from {@code mean}, in double.
   *
   * @param x    rows × cols values
   * @param rows rows
   * @param cols columns
   * @param mean per column, the mean of all rows
   * @return per column, the sum of (x − mean)²
   */
  public static double[] squaredDeviations(float[] x, int rows, int cols, double[] mean) {
    double[] sq = new double[cols];
    addSquaredDeviations(x, rows, cols, mean, sq);
    return sq;
  }

  /**
   * Goes on with {@link #squaredDeviations}' pass over further rows, as {@link #addSums} does.
   *
   * @param x    rows × cols values
   * @param rows rows
   * @param cols columns
   * @param mean per column, the mean of all rows
   * @param sq   per column, the sum so far; the rows' squared deviations are added to it
   */
  public static void addSquaredDeviations(float[] x, int rows, int cols, double[] mean, double[] sq) {
    for (int c = 0; c < cols; c++) {
      for (int r = 0; r < rows; r++) {
        double d = x[r * cols + c] - mean[c];
        sq[c] += d * d;
      }
    }
  }

  /**
   * The standardization from the two passes' totals; a column whose deviation is 0 gets std 1.
   *
   * @param mean    per column, the mean
   * @param squares per column, the sum of squared deviations
   * @param rows    the rows, at least 1
   * @return the standardization
   */
  public static Standardization of(double[] mean, double[] squares, long rows) {
    float[] m = new float[mean.length];
    float[] std = new float[mean.length];
    for (int c = 0; c < mean.length; c++) {
      float sd = (float) Math.sqrt(squares[c] / rows);
      m[c] = (float) mean[c];
      std[c] = sd > 0 && Float.isFinite(sd) ? sd : 1f;
    }
    return new Standardization(m, std);
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
