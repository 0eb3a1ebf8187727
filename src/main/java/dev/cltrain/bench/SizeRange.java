package dev.cltrain.bench;

import dev.cltrain.core.Wording;
import dev.cltrain.core.InputException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** "A:B": A, 2A, 4A, ... up to B, and B itself when the doubling steps over it. */
public final class SizeRange {
  private static final Pattern RANGE = Pattern.compile("(\\d{1,7}):(\\d{1,7})");

  private SizeRange() {}

  /**
   * The sizes "A:B" names; {@code option} names the parameter for messages ("sizes", or "sweep width="). Empty
   * or backwards ranges are bad input.
   *
   * @param spec   "A:B", 1 ≤ A ≤ B, each up to 7 digits
   * @param option the parameter the range came from; one ending in "=" is followed directly by the value
   * @return A, 2A, 4A, ... up to B, then B itself if the doubling stepped over it
   * @throws InputException if {@code spec} is not A:B or the range is empty
   */
  public static List<Integer> parse(String spec, Wording option) {
    Wording where = Wording.of(option, option.toString().endsWith("=") ? spec : " " + spec);
    Matcher m = RANGE.matcher(spec.strip());
    if (!m.matches()) {
      throw new InputException(Wording.of(where, ": expected A:B, two positive integers, e.g. 64:4096"));
    }
    int from = Integer.parseInt(m.group(1));
    int to = Integer.parseInt(m.group(2));
    if (from < 1 || to < from) {
      throw new InputException(Wording.of(where, ": empty range (need 1 <= A <= B)"));
    }
    List<Integer> sizes = new ArrayList<>();
    for (long s = from; s <= to; s *= 2) {
      sizes.add((int) s);
    }
    if (sizes.get(sizes.size() - 1) != to) {
      sizes.add(to);
    }
    return sizes;
  }
}
