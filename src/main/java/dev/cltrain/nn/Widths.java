package dev.cltrain.nn;

import dev.cltrain.core.InputException;

/** {@code --layers}' grammar, widths such as {@code 2,8,1}, and the size limit of one layer's buffers. */
final class Widths {
  private Widths() {}

  /** {@link NetSpec#parseLayers}. */
  static int[] parse(String spec) {
    String[] parts = spec.split(",", -1);
    if (parts.length < 2) {
      throw InputException.parameter("layers", spec + ": give at least two widths, input and output (e.g. 2,4,1)");
    }
    int[] widths = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].strip();
      if (!p.matches("\\d{1,7}") || Integer.parseInt(p) == 0) {
        throw InputException.parameter("layers", spec + ": width " + (i + 1) + " '" + p
            + "' is not a positive integer (at most 7 digits)");
      }
      widths[i] = Integer.parseInt(p);
    }
    String tooLarge = layerSizeProblem(widths);
    if (tooLarge != null) {
      throw InputException.parameter("layers", spec + ": " + tooLarge);
    }
    return widths;
  }

  /** {@link NetSpec#checkLayerSizes}. */
  static void check(int[] widths, String origin) {
    String tooLarge = layerSizeProblem(widths);
    if (tooLarge != null) {
      throw new InputException(origin + ": " + tooLarge);
    }
  }

  /** {@return the first pair of widths making a layer too large for one buffer, said in words; null if none} */
  static String layerSizeProblem(int[] widths) {
    for (int i = 1; i < widths.length; i++) {
      long weights = (long) widths[i - 1] * widths[i];
      if (weights > Network.MAX_LAYER_WEIGHTS) {
        return "widths " + widths[i - 1] + " and " + widths[i] + " make " + weights + " weights in one layer ("
            + 4 * weights + " bytes), more than " + Network.MAX_LAYER_WEIGHTS;
      }
    }
    return null;
  }
}
