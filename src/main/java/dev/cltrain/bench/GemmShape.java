package dev.cltrain.bench;

import dev.cltrain.core.Wording;
import dev.cltrain.core.InputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One matmul c(m,n) = a·b to time: {@code nn} plain, {@code tn} with a stored transposed (k×m, as backprop's
 * weight gradient aᵀ·dz), {@code nt} with b stored transposed (n×k, as the delta dz·Wᵀ).
 *
 * @param m       rows of c
 * @param n       columns of c
 * @param k       the shared dimension summed over
 * @param variant "nn", "tn" or "nt"
 */
public record GemmShape(int m, int n, int k, String variant) {
  private static final Pattern SPEC = Pattern.compile("(\\d{1,5})x(\\d{1,5})x(\\d{1,5})(?::(nn|tn|nt))?");
  /** Elements of the largest operand a shape may have (1 GiB of float32). */
  static final long MAX_ELEMENTS = 1L << 28;

  /**
   * Checks the variant.
   *
   * @param m       rows of c
   * @param n       columns of c
   * @param k       the shared dimension summed over
   * @param variant "nn", "tn" or "nt"
   * @throws IllegalArgumentException if the variant is none of those
   */
  public GemmShape {
    if (!variant.equals("nn") && !variant.equals("tn") && !variant.equals("nt")) {
      throw new IllegalArgumentException("variant " + variant);
    }
  }

  /** @return "MxNxK", with ":tn" or ":nt" after it unless plain, e.g. "128x784x256" or "784x128x256:tn" */
  public String label() {
    return m + "x" + n + "x" + k + (variant.equals("nn") ? "" : ":" + variant);
  }

  /** @return the product's FLOPs, 2·m·n·k */
  public long flops() {
    return FlopCount.gemmFlops(m, n, k);
  }

  /**
   * Parses "MxNxK[:nn|tn|nt],..." for {@code --shapes}.
   *
   * @param spec comma-separated shapes, each size up to 5 digits; the variant defaults to nn
   * @return the shapes, in the order given
   * @throws InputException if a shape is malformed, has a zero size, or has an operand of more than 2²⁸ floats
   */
  public static List<GemmShape> parseList(String spec) {
    List<GemmShape> shapes = new ArrayList<>();
    for (String part : spec.split(",", -1)) {
      Matcher match = SPEC.matcher(part.strip().toLowerCase(Locale.ROOT));
      if (!match.matches()) {
        throw InputException.parameter("shapes", spec + ": '" + part + "' is not MxNxK[:nn|tn|nt], e.g. 128x784x256:tn");
      }
      int m = Integer.parseInt(match.group(1));
      int n = Integer.parseInt(match.group(2));
      int k = Integer.parseInt(match.group(3));
      if (m == 0 || n == 0 || k == 0) {
        throw InputException.parameter("shapes", spec + ": '" + part + "' has a zero size");
      }
      shapes.add(checked(new GemmShape(m, n, k, match.group(4) == null ? "nn" : match.group(4)),
          Wording.of(Wording.param("shapes"), " " + spec + ": '" + part + "'")));
    }
    return shapes;
  }

  /**
   * Square n×n×n shapes for each size of {@code sizes}.
   *
   * @param sizes the sizes n, e.g. from {@link SizeRange#parse}
   * @return a plain (nn) shape per size, in order
   */
  public static List<GemmShape> squares(List<Integer> sizes) {
    return sizes.stream().map(s -> new GemmShape(s, s, s, "nn")).toList();
  }

  /** {@code shape}, refused when an operand holds more than {@link #MAX_ELEMENTS} floats. */
  static GemmShape checked(GemmShape shape, Wording where) {
    long m = shape.m();
    long n = shape.n();
    long k = shape.k();
    if (Math.max(m * k, Math.max(k * n, m * n)) > MAX_ELEMENTS) {
      throw new InputException(Wording.of(where, " has an operand of more than " + MAX_ELEMENTS + " floats"));
    }
    return shape;
  }
}
