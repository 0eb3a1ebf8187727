package dev.cltrain.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Philox-4×32-10 against Random123's known-answer vectors (kat_vectors: philox4x32 with 10 rounds), so that the
 * dropout masks are Random123's numbers and not merely the same wrong numbers on both sides. kernels/conv.cl
 * philox_first is checked against this class bit for bit by ConvKernelsTest.
 */
class PhiloxTest {
  private static void assertKnownAnswer(int[] counter, int key0, int key1, int[] expected) {
    int[] actual = Philox.philox4x32(counter.clone(), key0, key1);
    assertArrayEquals(expected, actual, () -> String.format("philox4x32-10 of counter %08x %08x %08x %08x key %08x "
        + "%08x: got %08x %08x %08x %08x, Random123 says %08x %08x %08x %08x", counter[0], counter[1], counter[2],
        counter[3], key0, key1, actual[0], actual[1], actual[2], actual[3], expected[0], expected[1], expected[2],
        expected[3]));
  }

  @Test
  void zeroCounterAndKey() {
    assertKnownAnswer(new int[] {0, 0, 0, 0}, 0, 0, new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
  }

  @Test
  void allOnesCounterAndKey() {
    assertKnownAnswer(new int[] {-1, -1, -1, -1}, -1, -1, new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
  }

  @Test
  void piDigitsCounterAndKey() {
    assertKnownAnswer(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, 0xa4093822, 0x299f31d0,
        new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
  }

  @Test
  void theCounterIsNotModified() {
    int[] counter = {1, 2, 3, 4};
    Philox.philox4x32(counter, 5, 6);
    assertArrayEquals(new int[] {1, 2, 3, 4}, counter);
  }

  /** keep() decides on the first word's top 24 bits: threshold 0 keeps everything, 2²⁴ nothing. */
  @Test
  void keepComparesTheFirstWordsTop24Bits() {
    int first = Philox.philox4x32(new int[] {0, 0, 0, 0}, 0, 0)[0]; // 0x6627e8d5
    assertEquals(0x6627e8, first >>> 8);
    assertEquals(true, Philox.keep(0, 0x6627e8, 0, 0, 0, 0, 0));
    assertEquals(false, Philox.keep(0, 0x6627e9, 0, 0, 0, 0, 0));
    assertEquals(true, Philox.keep(0, 0, 0, 0, 0, 0, 0));
    assertEquals(false, Philox.keep(0, 1 << 24, 0, 0, 0, 0, 0));
  }
}
