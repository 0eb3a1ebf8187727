package dev.cltrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24 item 4: one number grammar and one decimal → float conversion, rounded once. Reading a decimal as a
 * double and then narrowing it rounds twice: a decimal just above the midpoint of two floats first rounds to the
 * midpoint (a double), which then rounds to the even float, the lower one; rounded once it is the upper one.
 */
public class CsvNumbersTest {
  @TempDir
  Path dir;

  /**
   * The shortest decimal just above the midpoint between {@code f} and the next float up where rounding through
   * a double gives another float than rounding once; null when none within 30 extra digits.
   */
  static String doubleRoundingTrap(float f) {
    BigDecimal mid = new BigDecimal(f).add(new BigDecimal(Math.nextUp(f))).divide(BigDecimal.valueOf(2));
    for (int digits = 1; digits <= 30; digits++) {
      String s = mid.add(BigDecimal.ONE.movePointLeft(mid.scale() + digits)).toPlainString();
      if (Float.floatToIntBits((float) Double.parseDouble(s)) != Float.floatToIntBits(Float.parseFloat(s))) {
        return s;
      }
    }
    return null;
  }

  /** A decimal found by {@link #doubleRoundingTrap}, checked to be one (the test's precondition). */
  public static String trap() {
    String s = null;
    for (float f = 1f; s == null; f = Math.nextUp(Math.nextUp(f))) { // even floats: the tie goes down to them
      s = doubleRoundingTrap(f);
    }
    assertNotEquals(Float.floatToIntBits((float) Double.parseDouble(s)), Float.floatToIntBits(Float.parseFloat(s)),
        s + ": double rounding and single rounding must differ for this test to mean anything");
    assertEquals(0, new BigDecimal(Float.parseFloat(s)).compareTo(new BigDecimal(Math.nextUp((float) Double.parseDouble(s)))),
        "rounded once, the decimal above the midpoint is the upper float");
    return s;
  }

  @Test
  void aDecimalJustAboveAFloatMidpointReadsAsTheNearestFloatNotThroughADouble() throws Exception {
    String s = trap();
    float nearest = Float.parseFloat(s);
    assertEquals(Float.floatToIntBits(nearest), Float.floatToIntBits(CsvNumbers.parse(s)));
    assertEquals(Float.floatToIntBits(nearest), Float.floatToIntBits(CsvNumbers.value(s)));
    Path csv = Files.writeString(dir.resolve("trap.csv"), "x,y\n" + s + "," + s + "\n0,0\n");
    DataSet set = CsvReader.read(csv, 1);
    assertEquals(Float.floatToIntBits(nearest), Float.floatToIntBits(set.x()[0]), "the input cell, bit for bit");
    assertEquals(Float.floatToIntBits(nearest), Float.floatToIntBits(set.y()[0]), "the target cell, bit for bit");
  }

  @Test
  void javaSuffixesHexAndNonFiniteSpellingsAreNotNumbers() {
    for (String cell : new String[] {"1f", "1.86F", "2d", "0x1p3", "0X10", "NaN", "Infinity", "-inf", "1e", ".", "+"}) {
      assertTrue(Float.isNaN(CsvNumbers.parse(cell)), cell);
      NumberFormatException e = assertThrows(NumberFormatException.class, () -> CsvNumbers.value(cell), cell);
      assertEquals(CsvNumbers.problem(cell), e.getMessage());
    }
    assertEquals("'0x1p3' is not a number", CsvNumbers.problem("0x1p3"));
    assertEquals("'1e39' is out of float32 range", CsvNumbers.problem("1e39"));
    assertEquals(8f, CsvNumbers.value("8"));
    assertEquals(-0.5f, CsvNumbers.value("-.5e0"));
  }

  @Test
  void theCsvReaderRefusesAJavaSuffixWithThePlace() throws Exception {
    Path csv = Files.writeString(dir.resolve("suffix.csv"), "1,2\n1f,2\n");
    InputException e = assertThrows(InputException.class, () -> CsvReader.read(csv, 1));
    assertEquals(csv + ":2, column 1: '1f' is not a number", e.getMessage());
  }
}
