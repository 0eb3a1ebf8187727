package dev.cltrain.io;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * THE fixed-point formatting of every figure in a log line ({@code cltrain train}'s and SparkTrain's epoch lines,
 * the summaries, early stopping's best value): Python's f-strings, so the lines equal the seed's character for
 * character.
 */
public final class Decimals {
  private Decimals() {}

  /**
   * {@code f"{value:.{digits}f}"}: rounds the exact binary value half-to-even, as Python does. (Java's
   * {@code %.4f} rounds a shortest decimal form half-up, which differs on ties such as 0.03125.)
   *
   * @param value  the figure
   * @param digits digits after the point
   * @return e.g. "0.1864"; "nan", "inf" or "-inf" as Python writes them
   */
  public static String fixed(double value, int digits) {
    if (!Double.isFinite(value)) {
      return Double.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
    }
    return new BigDecimal(value).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
  }
}
