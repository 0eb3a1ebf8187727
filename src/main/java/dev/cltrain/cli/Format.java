package dev.cltrain.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Number formatting that matches Python's f-strings, so our lines equal the seed's character for character. */
final class Format {
  private Format() {}

  /**
   * {@code f"{value:.{digits}f}"}: rounds the exact binary value half-to-even, as Python does. (Java's
   * {@code %.4f} rounds a shortest decimal form half-up, which differs on rare ties.)
   */
  static String fixed(double value, int digits) {
    if (!Double.isFinite(value)) {
      return Double.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
    }
    return new BigDecimal(value).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
  }

  /**
   * A rate as people read one: whole numbers from 10 up ("27201 epochs/s"), one decimal below ("1.4 epochs/s",
   * never "1 epochs/s" for 1.4).
   */
  static String rate(double value, String unit) {
    return fixed(value, value >= 10 ? 0 : 1) + " " + unit;
  }

  /** Bytes in binary units: "21.5 GiB". */
  static String bytes(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? bytes + " B" : fixed(v, 1) + " " + units[u];
  }
}
