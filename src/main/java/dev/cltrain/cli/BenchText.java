package dev.cltrain.cli;

import java.util.Locale;

/** How {@code cltrain bench} writes its figures: in its tables, and in its CSV files. */
final class BenchText {
  private BenchText() {}

  /** Three significant digits, no exponent for everyday sizes: 0.00312, 4.51, 1234. */
  static String sig(double v) {
    if (!Double.isFinite(v)) {
      return String.valueOf(v);
    }
    double a = Math.abs(v);
    int digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : a >= 0.1 ? 3 : a >= 0.01 ? 4 : a >= 0.001 ? 5 : 6;
    return Format.fixed(v, digits);
  }

  /** A CSV cell: six significant digits, or empty for a figure that is not there. */
  static String num(Double v) {
    return v == null ? "" : String.format(Locale.ROOT, "%.6g", v);
  }

  /** A table cell for a ratio, "1.23x", or empty. */
  static String ratio(Double v) {
    return v == null ? "" : Format.fixed(v, 2) + "x";
  }

  /** A table cell for a difference: "3.1e-07". */
  static String exp(Double v) {
    return String.format(Locale.ROOT, "%.1e", v);
  }

  /** "1.23 GFLOP", "4.56 MFLOP" or "789 FLOP". */
  static String gflop(long flops) {
    return flops >= 1e8 ? Format.fixed(flops / 1e9, 2) + " GFLOP" : flops >= 1e5 ? Format.fixed(flops / 1e6, 2) + " MFLOP"
        : flops + " FLOP";
  }
}
