package dev.cltrain.nn;

import dev.cltrain.core.InputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a text is cut into tokens ({@code --tokens}), the one statement of the rules (scripts/text_torch.py
 * mirrors them). Both first lower-case the whole text with {@link String#toLowerCase(Locale)} in
 * {@link Locale#ROOT} (Python's {@code str.lower()} for the texts we test on).
 *
 * <ul>
 *   <li>{@link #CHARS}: every Unicode code point of the lower-cased text is a token, spaces and punctuation
 *       included.
 *   <li>{@link #WORDS}: a token is a maximal run of code points that are letters (general categories Lu, Ll,
 *       Lt, Lm, Lo) or decimal digits (Nd), {@link Character#isLetterOrDigit(int)}; everything else separates
 *       tokens and is dropped.
 * </ul>
 */
public enum Tokens {
  /** Every code point is a token. */
  CHARS("chars"),
  /** Runs of letters and digits are tokens. */
  WORDS("words");

  /** The name {@code --tokens} and the model JSON use. */
  public final String id;

  Tokens(String id) {
    this.id = id;
  }

  /** The names, as a help text lists them. */
  public static final String NAMES = "chars|words";

  /**
   * @param id a name, {@code chars} or {@code words}
   * @return its rule
   * @throws InputException naming {@code tokens} when it is neither
   */
  public static Tokens parse(String id) {
    for (Tokens t : values()) {
      if (t.id.equals(id)) {
        return t;
      }
    }
    throw InputException.parameter("tokens", "must be " + NAMES + ", got '" + id + "'");
  }

  /**
   * @param text a text
   * @return its tokens in order, by this rule
   */
  public List<String> split(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    List<String> tokens = new ArrayList<>();
    int i = 0;
    while (i < lower.length()) {
      int c = lower.codePointAt(i);
      int next = i + Character.charCount(c);
      if (this == CHARS) {
        tokens.add(lower.substring(i, next));
      } else if (Character.isLetterOrDigit(c)) {
        int end = next;
        while (end < lower.length() && Character.isLetterOrDigit(lower.codePointAt(end))) {
          end += Character.charCount(lower.codePointAt(end));
        }
        tokens.add(lower.substring(i, end));
        next = end;
      }
      i = next;
    }
    return tokens;
  }
}
