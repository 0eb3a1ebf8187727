package dev.cltrain.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import org.junit.jupiter.api.Test;

/** --input-scale's grammar: a positive number or fraction, read exactly as the IDX loader's 1/255f; written back. */
class InputScaleTest {
  @Test
  void readsNumbersAndFractionsExactly() {
    assertEquals(1 / 255f, InputScale.parse("1/255", "--input-scale"), 0f, "bit for bit the IDX loader's scale");
    assertEquals(1 / 255f, InputScale.parse(" 1 / 255 ", "--input-scale"), 0f);
    assertEquals(2 / 255f, InputScale.parse("2/255", "--input-scale"), 0f);
    assertEquals(1f, InputScale.parse("1", "--input-scale"), 0f);
    assertEquals(0.5f, InputScale.parse(".5", "--input-scale"), 0f);
    assertEquals(1e-3f, InputScale.parse("1e-3", "--input-scale"), 0f);
  }

  @Test
  void refusesWhatIsNotAPositiveFiniteScaleNamingTheOption() {
    for (String bad : new String[] {"0", "-1", "1/0", "0/5", "abc", "NaN", "Infinity", "1/", "/255", "1f", "1e99",
        "1/255/2", ""}) {
      InputException e = assertThrows(InputException.class, () -> InputScale.parse(bad, "--input-scale"), bad);
      assertTrue(e.getMessage().startsWith("--input-scale '" + bad + "' is not a positive number or fraction"),
          e.getMessage());
    }
  }

  @Test
  void describesAScaleInTheSameGrammar() {
    assertEquals("1/255", InputScale.describe(1 / 255f));
    assertEquals("1", InputScale.describe(1f));
    assertEquals("0.3", InputScale.describe(0.3f));
    assertEquals("2", InputScale.describe(2f));
    for (String s : new String[] {"1/255", "1", "0.3", "1/3", "2"}) {
      assertEquals(InputScale.parse(s, "x"), InputScale.parse(InputScale.describe(InputScale.parse(s, "x")), "x"), 0f, s);
    }
  }
}
