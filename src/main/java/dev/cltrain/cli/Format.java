package dev.cltrain.cli;

import dev.cltrain.io.Decimals;

/** Number formatting that matches Python's f-strings, so our lines equal the seed's character for character. */
final class Format {
  private Format() {}

  /** {@return {@link Decimals#fixed}: the exact binary value rounded half-to-even, as Python's f-strings} */
  static String fixed(double value, int digits) {
    return Decimals.fixed(value, digits);
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
