package dev.cltrain.nn;

import dev.cltrain.core.InputException;
import java.util.Locale;

/**
 * The input scale as a person writes it (what raw inputs are multiplied by before the first layer, {@link
 * Network#inputScale()}): a positive number, or a fraction A/B such as 1/255 for pixels divided by 255. The
 * grammar is read here and only here, and {@link #describe} writes a scale back in it.
 */
public final class InputScale {
  /** A decimal number: 255, 0.5, .5, 1e-3. */
  private static final String NUMBER = "((?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?)";
  /** A number, or two with a slash between them. */
  private static final java.util.regex.Pattern GRAMMAR = java.util.regex.Pattern.compile(
      NUMBER + "(?:\\s*/\\s*" + NUMBER + ")?");

  private InputScale() {}

  /**
   * @param text  "0.5", "1", "1/255", "2/255"
   * @param where what to call it in messages, e.g. "--input-scale"
   * @return the scale, as float division computes it (1/255 is exactly the IDX loader's 1/255f)
   * @throws InputException when it is not a positive finite number or fraction
   */
  public static float parse(String text, String where) {
    java.util.regex.Matcher m = GRAMMAR.matcher(text.strip());
    float scale = !m.matches() ? Float.NaN
        : Float.parseFloat(m.group(1)) / (m.group(2) == null ? 1f : Float.parseFloat(m.group(2)));
    if (!(scale > 0) || Float.isInfinite(scale)) {
      throw new InputException(where + " '" + text + "' is not a positive number or fraction (e.g. 1/255 for "
          + "pixels divided by 255, 1 for raw values)");
    }
    return scale;
  }

  /**
   * @param scale a positive scale
   * @return "1/255" when it is 1/N for a whole N, else the number ("1", "0.5")
   */
  public static String describe(float scale) {
    float n = Math.round(1f / scale);
    if (scale < 1f && n > 1 && 1f / n == scale) {
      return "1/" + (long) n;
    }
    return scale == Math.rint(scale) ? String.valueOf((long) scale) : Float.toString(scale).toLowerCase(Locale.ROOT);
  }
}
