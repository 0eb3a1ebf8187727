package dev.cltrain.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SizeRangeTest {
  @Test
  void doublingFromAToB() {
    assertEquals(List.of(64, 128, 256, 512, 1024, 2048, 4096), SizeRange.parse("64:4096", "--sweep width="));
    assertEquals(List.of(3, 6, 12, 20), SizeRange.parse("3:20", "--sizes"), "B itself ends a range the doubling steps over");
    assertEquals(List.of(5), SizeRange.parse("5:5", "--sizes"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"8:4", "0:4", "4", "a:b", "4:", ":4", "-1:4"})
  void emptyOrMalformedRangesAreBadInput(String spec) {
    InputException e = assertThrows(InputException.class, () -> SizeRange.parse(spec, "--sizes"));
    assertTrue(e.getMessage().startsWith("--sizes " + spec), e.getMessage());
  }

  @Test
  void shapesParseWithTheirVariant() {
    assertEquals(List.of(new GemmShape(128, 784, 256, "nn"), new GemmShape(784, 128, 256, "tn"),
        new GemmShape(1, 1, 1, "nt")), GemmShape.parseList("128x784x256,784x128x256:tn, 1x1x1:NT"));
    assertThrows(InputException.class, () -> GemmShape.parseList("128x784"));
    assertThrows(InputException.class, () -> GemmShape.parseList("0x4x4"));
    assertThrows(InputException.class, () -> GemmShape.parseList("4x4x4:tt"));
    assertThrows(InputException.class, () -> GemmShape.parseList("99999x99999x1"));
  }
}
