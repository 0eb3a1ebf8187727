package dev.cltrain.reference;

/**
 * Philox-4×32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11; Random123), the
 * counter-based generator of the dropout masks: four 32-bit words out for a 128-bit counter and a 64-bit key,
 * a pure function, so that every device and the reference draw the same numbers for the same (key, counter).
 * kernels/conv.cl {@code philox_first} is the same function in OpenCL C; PhiloxTest checks Random123's
 * known-answer vectors.
 */
public final class Philox {
  private static final int M0 = 0xD2511F53;
  private static final int M1 = 0xCD9E8D57;
  private static final int W0 = 0x9E3779B9;
  private static final int W1 = 0xBB67AE85;

  private Philox() {}

  /**
   * @param counter four words, c0 first
   * @param key0 the key's first word
   * @param key1 the key's second word
   * @return the four output words of ten rounds
   */
  public static int[] philox4x32(int[] counter, int key0, int key1) {
    int c0 = counter[0];
    int c1 = counter[1];
    int c2 = counter[2];
    int c3 = counter[3];
    int k0 = key0;
    int k1 = key1;
    for (int round = 0; round < 10; round++) {
      if (round > 0) {
        k0 += W0;
        k1 += W1;
      }
      long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
      long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
      int hi0 = (int) (p0 >>> 32);
      int lo0 = (int) p0;
      int hi1 = (int) (p1 >>> 32);
      int lo1 = (int) p1;
      c0 = hi1 ^ c1 ^ k0;
      c1 = lo1;
      c2 = hi0 ^ c3 ^ k1;
      c3 = lo0;
    }
    return new int[] {c0, c1, c2, c3};
  }

  /**
   * Whether dropout keeps value {@code index}: the first output word, shifted right by 8 (a 24-bit draw),
   * reaches {@code threshold}. kernels/conv.cl {@code dropout} decides the same way.
   *
   * @param index the value's index
   * @param threshold round(rate · 2²⁴)
   * @param seedLo the key's first word
   * @param seedHi the key's second word
   * @param stepLo counter word 1
   * @param stepHi counter word 2
   * @param stream counter word 3
   * @return true to keep the value
   */
  public static boolean keep(int index, int threshold, int seedLo, int seedHi, int stepLo, int stepHi, int stream) {
    int first = philox4x32(new int[] {index, stepLo, stepHi, stream}, seedLo, seedHi)[0];
    return (first >>> 8) >= threshold;
  }

  /**
   * A draw of the data augmentation (kernels/augment.cl {@code augment_draw}): the high word of r·n, r the first
   * output word for the key (seedLo, seedHi) and the counter (sample, epoch, which, 0x80000000), so uniform in
   * 0 .. n − 1. The counter's top bit keeps these apart from every dropout stream.
   *
   * @param sample the sample's row in the data set
   * @param epoch the epoch, from 0
   * @param which 0 for the flip, 1 for the vertical shift, 2 for the horizontal one
   * @param n how many values (2 for the flip, 2·pad + 1 for a shift)
   * @param seedLo the key's first word
   * @param seedHi the key's second word
   * @return the draw, 0 .. n − 1
   */
  public static int augmentDraw(int sample, int epoch, int which, int n, int seedLo, int seedHi) {
    int first = philox4x32(new int[] {sample, epoch, which, 0x80000000}, seedLo, seedHi)[0];
    return (int) (((first & 0xFFFFFFFFL) * n) >>> 32);
  }
}
