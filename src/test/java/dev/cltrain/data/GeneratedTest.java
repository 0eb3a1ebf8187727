package dev.cltrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GeneratedTest {
  @Test
  void shapeAndOneHotTargetsFollowTheSpec() {
    DataSet set = Generated.load("random:7x3x4", 0);
    assertEquals(7, set.rows());
    assertEquals(3, set.inputs());
    assertEquals(4, set.outputs());
    for (int r = 0; r < 7; r++) {
      float[] target = set.targetRow(r);
      for (int c = 0; c < 4; c++) {
        assertEquals(c == r % 4 ? 1f : 0f, target[c], 0f, "row " + r + " cycles through the classes");
      }
    }
  }

  @Test
  void theSameSeedGivesTheSameRowsAndAnotherSeedDoesNot() {
    assertArrayEquals(Generated.load("random:5x6x2", 3).x(), Generated.load("random:5x6x2", 3).x(), 0f);
    assertFalse(java.util.Arrays.equals(Generated.load("random:5x6x2", 3).x(), Generated.load("random:5x6x2", 4).x()));
  }

  @Test
  void rowsOfAClassLieCloserToEachOtherThanToAnotherClass() {
    DataSet set = Generated.load("random:40x50x2", 1);
    double same = 0;
    double other = 0;
    for (int r = 2; r < 40; r++) {
      same += distance(set.inputRow(r), set.inputRow(r - 2));
      other += distance(set.inputRow(r), set.inputRow(r - 1));
    }
    assertTrue(same < other, "same-class mean distance " + same / 38 + " < other-class " + other / 38);
  }

  @ParameterizedTest
  @ValueSource(strings = {"random:", "random:10x3", "random:0x3x2", "random:10x0x2", "random:10x3x1",
      "random:ax3x2", "random:100000000x100000x2"})
  void badSpecsAreInputErrorsNamingTheSpec(String spec) {
    InputException e = assertThrows(InputException.class, () -> Generated.load(spec, 0));
    assertTrue(e.getMessage().contains(spec), e.getMessage());
  }

  private static double distance(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return Math.sqrt(sum);
  }
}
