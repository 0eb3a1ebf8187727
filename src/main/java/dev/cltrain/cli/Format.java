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

  /** The width lines under a table are wrapped at: a terminal of 80 columns. */
  static final int LINE_WIDTH = 80;
  /** What a wrapped line's continuations start with (never a table row's start: a mark or space, two, a digit). */
  static final String CONTINUATION = "    ";

  /**
   * {@code text} wrapped at spaces to lines of at most {@link #LINE_WIDTH} characters (a longer word keeps its own
   * line), each after the first indented by {@link #CONTINUATION}.
   */
  static String wrap(String text) {
    java.util.List<String> lines = new java.util.ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.strip().split(" +")) {
      boolean empty = line.length() == (lines.isEmpty() ? 0 : CONTINUATION.length());
      if (!empty && line.length() + 1 + word.length() > LINE_WIDTH) {
        lines.add(line.toString());
        line = new StringBuilder(CONTINUATION);
        empty = true;
      }
      line.append(empty ? "" : " ").append(word);
    }
    lines.add(line.toString());
    return String.join(System.lineSeparator(), lines);
  }
}
