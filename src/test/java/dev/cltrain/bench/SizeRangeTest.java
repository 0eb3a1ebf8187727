package dev.cltrain.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.cmd.OptionNames;
import dev.cltrain.core.InputException;
import dev.cltrain.core.Wording;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SizeRangeTest {
  private static final Wording SIZES = Wording.of(Wording.param("sizes"));

  @Test
  void doublingFromAToB() {
    assertEquals(List.of(64, 128, 256, 512, 1024, 2048, 4096),
        SizeRange.parse("64:4096", Wording.of(Wording.param("sweep"), " width=")));
    assertEquals(List.of(3, 6, 12, 20), SizeRange.parse("3:20", SIZES), "B itself ends a range the doubling steps over");
    assertEquals(List.of(5), SizeRange.parse("5:5", SIZES));
  }

  @ParameterizedTest
  @ValueSource(strings = {"8:4", "0:4", "4", "a:b", "4:", ":4", "-1:4"})
  void emptyOrMalformedRangesAreBadInput(String spec) {
    InputException e = assertThrows(InputException.class, () -> SizeRange.parse(spec, SIZES));
    assertTrue(e.getMessage().startsWith("sizes " + spec + ": "), "in Java terms: " + e.getMessage());
    assertTrue(OptionNames.message(e).startsWith("--sizes " + spec + ": "), "on the command line: " + e.getMessage());
  }

  @Test
  void shapesParseWithTheirVariant() {
    assertEquals(List.of(new GemmShape(128, 784, 256, "nn"), new GemmShape(784, 128, 256, "tn"),
        new GemmShape(1, 1, 1, "nt")), GemmShape.parseList("128x784x256,784x128x256:tn, 1x1x1:NT"));
    assertThrows(InputException.class, () -> GemmShape.parseList("128x784"));
    assertThrows(InputException.class, () -> GemmShape.parseList("0x4x4"));
    assertThrows(InputException.class, () -> GemmShape.parseList("4x4x4:tt"));
    InputException large = assertThrows(InputException.class, () -> GemmShape.parseList("99999x99999x1"));
    assertEquals("shapes 99999x99999x1: '99999x99999x1' has an operand of more than " + GemmShape.MAX_ELEMENTS
        + " floats", large.getMessage(), "in Java terms");
    assertEquals("--shapes 99999x99999x1: '99999x99999x1' has an operand of more than " + GemmShape.MAX_ELEMENTS
        + " floats", OptionNames.message(large), "on the command line");
    InputException sweep = assertThrows(InputException.class, () -> Sweep.parse("width=8:4"));
    assertEquals("--sweep width=8:4: empty range (need 1 <= A <= B)", OptionNames.message(sweep));
    assertEquals("sweep width=8:4: empty range (need 1 <= A <= B)", sweep.getMessage());
  }
}
