package dev.cltrain.data;

import java.util.regex.Pattern;

/**
 * THE number grammar of data cells, for every reader: {@code cltrain train}'s CSV reader, {@code predict --input},
 * and SparkTrain's CSV and LIBSVM rows. A number is a decimal, {@code [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?}
 * (ASCII digits only; no {@code 1f}, {@code 0x1p3}, NaN or Inf), and becomes the float32 nearest to the decimal,
 * rounded once ({@link Float#parseFloat} on the checked text). Reading it as a double first and then narrowing
 * rounds twice, which for rare decimals close to the midpoint of two floats gives the other float.
 */
public final class CsvNumbers {
  private static final Pattern NON_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);

  private CsvNumbers() {}

  /**
   * Whether {@code s} is a decimal number as the grammar above says, judged in one pass, in time linear in its
   * length. A regex with that grammar backtracks: on a cell of 100,000 digits and an 'x' it tried every split of
   * the digits between {@code \d+} and {@code \d*}, and took minutes.
   *
   * @param s a stripped cell
   * @return true if it is a decimal number
   */
  public static boolean isNumber(String s) {
    int n = s.length();
    int i = 0;
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    int integerDigits = digits(s, i);
    i += integerDigits;
    int fractionDigits = 0;
    if (i < n && s.charAt(i) == '.') {
      i++;
      fractionDigits = digits(s, i);
      i += fractionDigits;
    }
    if (integerDigits == 0 && fractionDigits == 0) {
      return false;
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int exponentDigits = digits(s, i);
      if (exponentDigits == 0) {
        return false;
      }
      i += exponentDigits;
    }
    return i == n;
  }

  /**
   * @param s a stripped cell
   * @return whether it spells NaN or an infinity (nan, inf, infinity, any case, signed or not)
   */
  public static boolean isNonFinite(String s) {
    return NON_FINITE.matcher(s).matches();
  }

  /**
   * What is wrong with a cell as a float32 number.
   *
   * @param cell a stripped cell
   * @return null for a finite float32 number; else what is wrong, to follow "FILE:LINE, column C: "
   */
  public static String problem(String cell) {
    if (cell.isEmpty()) {
      return "empty cell";
    }
    if (isNonFinite(cell)) {
      return "'" + cell + "' is not a finite number (NaN and Inf are not allowed)";
    }
    if (!isNumber(cell)) {
      return "'" + abbreviate(cell) + "' is not a number";
    }
    if (Float.isNaN(parse(cell))) {
      return "'" + abbreviate(cell) + "' is out of float32 range";
    }
    return null;
  }

  /**
   * A cell's value, the one conversion of every reader: the float32 nearest to its decimal, rounded once.
   *
   * @param cell a stripped cell
   * @return its value; NaN when it is not a finite float32 number ({@link #problem} says why)
   */
  public static float parse(String cell) {
    if (!isNumber(cell)) {
      return Float.NaN;
    }
    float value = Float.parseFloat(cell);
    return Float.isInfinite(value) ? Float.NaN : value;
  }

  /**
   * A cell's value: the float32 nearest to its decimal, rounded once.
   *
   * @param cell a stripped cell
   * @return its value
   * @throws NumberFormatException with {@link #problem}'s text when the cell is not a finite float32 number
   */
  public static float value(String cell) {
    float value = parse(cell);
    if (Float.isNaN(value)) {
      throw new NumberFormatException(problem(cell));
    }
    return value;
  }

  /** How many ASCII digits {@code s} has in a row from {@code from}. */
  private static int digits(String s, int from) {
    int i = from;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i - from;
  }

  /** At most 40 characters, line breaks written \\n, so that a message stays one line. */
  static String abbreviate(String s) {
    s = s.replace("\r", "\\r").replace("\n", "\\n");
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
