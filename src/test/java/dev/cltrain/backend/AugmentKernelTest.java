package dev.cltrain.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.device.Device;
import dev.cltrain.reference.Philox;
import dev.cltrain.reference.ReferenceKernels;
import dev.cltrain.testing.Backends;
import dev.cltrain.testing.Tolerances;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * augment.cl's gather_augment. Against the reference, on every backend but the reference (tolerance 0, {@link
 * Tolerances#assertSameBits}), at awkward shapes: 1×1 images, prime sizes, one row or column, several channels, a
 * padding as large as the image or larger (every pixel shifted out for some draws), epochs and seeds with their
 * top bits set, rows repeated in the order. Semantics, on the reference and every device: a hand-computed image
 * for a known draw, and every image equal to its definition (zero-pad, crop at the drawn offset, mirror), the
 * draws read from {@link Philox#augmentDraw}; a sample's image depends on its index in the data set, not on its
 * place in the batch.
 */
class AugmentKernelTest {
  private static final Backends.Opened OPEN = new Backends.Opened();
  private static final ReferenceKernels REFERENCE = new ReferenceKernels();

  /** (rows, height, width, channels, pad, flip). */
  private static final int[][] CASES = {{1, 1, 1, 1, 1, 1}, {3, 1, 1, 2, 0, 1}, {4, 1, 1, 1, 3, 0},
      {5, 5, 7, 2, 5, 1}, {7, 13, 11, 3, 2, 1}, {5, 2, 3, 1, 3, 0}, {4, 1, 9, 1, 1, 1}, {6, 11, 1, 2, 4, 1},
      {2, 28, 28, 1, 2, 1}, {3, 3, 3, 1, 40, 1}};

  static Stream<Arguments> devices() {
    return Backends.others().stream().map(Arguments::of);
  }

  static Stream<Arguments> backends() {
    return Backends.all().stream().map(d -> Arguments.of(d.id(), d));
  }

  @AfterAll
  static void release() {
    OPEN.close();
  }

  /** Runs gather_augment on {@code backend}: rows from order[offset ..] of source. */
  @SuppressWarnings("unchecked")
  static float[] gatherAugment(Backend<?, ?> backend, int[] c, int seedLo, int seedHi, int epoch, int offset,
      int[] order, float[] source) {
    Backend<Object, Object> k = (Backend<Object, Object>) backend;
    int cols = c[1] * c[2] * c[3];
    Object indices = k.uploadIndices(order);
    Object x = k.upload(source);
    float[] poison = new float[c[0] * cols];
    Arrays.fill(poison, Float.NaN);
    Object target = k.upload(poison);
    try {
      k.gatherAugment(c[0], c[1], c[2], c[3], c[4], c[5], seedLo, seedHi, epoch, offset, indices, x, target);
      float[] out = new float[poison.length];
      k.download(target, out);
      return out;
    } finally {
      Backends.free(indices);
      Backends.free(x);
      Backends.free(target);
    }
  }

  @ParameterizedTest(name = "{0} gather_augment")
  @MethodSource("devices")
  void gatherAugmentHasTheReferencesBits(Device device) {
    Backend<?, ?> k = OPEN.on(device);
    int seed = 40;
    for (int[] c : CASES) {
      for (int epoch : new int[] {0, 3, 0x7FFFFFFF}) {
        seed++;
        Random r = new Random(seed);
        int sourceRows = c[0] + 2;
        float[] source = new float[sourceRows * c[1] * c[2] * c[3]];
        for (int i = 0; i < source.length; i++) {
          source[i] = r.nextFloat() * 2 - 1;
        }
        int[] order = new int[c[0] + 2];
        for (int i = 0; i < order.length; i++) {
          order[i] = r.nextInt(sourceRows);
        }
        int seedLo = r.nextInt();
        int seedHi = seed % 2 == 0 ? 0 : 0x80000001;
        String what = "gather_augment " + Arrays.toString(c) + " epoch " + epoch + " on " + device.id();
        Tolerances.assertSameBits(what, gatherAugment(REFERENCE, c, seedLo, seedHi, epoch, 2, order, source),
            gatherAugment(k, c, seedLo, seedHi, epoch, 2, order, source));
      }
    }
  }

  /**
   * A 2×3 image 1..6 and the first sample index whose draws (pad 1, with flip) are flipped, dy = +1, dx = −1:
   * out(y, x) = in(y + 1, (2 − x) − 1), so row 0 is in(1, 1), in(1, 0), 0 = 5, 4, 0 and row 1 (in's row 2) is 0.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void aKnownDrawFlipsAndShiftsAsComputedByHand(String name, Device device) {
    int seedLo = 7;
    int seedHi = 0;
    int epoch = 2;
    int sample = -1;
    for (int s = 0; s < 1000 && sample < 0; s++) {
      if (Philox.augmentDraw(s, epoch, 0, 2, seedLo, seedHi) == 1 && Philox.augmentDraw(s, epoch, 1, 3, seedLo,
          seedHi) - 1 == 1 && Philox.augmentDraw(s, epoch, 2, 3, seedLo, seedHi) - 1 == -1) {
        sample = s;
      }
    }
    assertTrue(sample >= 0, "some sample of 1000 draws (flip, dy = 1, dx = -1), 1 in 18");
    float[] source = new float[(sample + 1) * 6];
    for (int i = 0; i < 6; i++) {
      source[sample * 6 + i] = i + 1;
    }
    float[] out = gatherAugment(OPEN.on(device), new int[] {1, 2, 3, 1, 1, 1}, seedLo, seedHi, epoch, 0,
        new int[] {sample}, source);
    assertArrayEquals(new float[] {5, 4, 0, 0, 0, 0}, out, 0f, "sample " + sample + " flipped, dy 1, dx -1");
  }

  /**
   * Every image is its definition: the source image zero-padded by pad pixels, cropped at (pad + dy, pad + dx),
   * then mirrored left to right when flipped, with dy, dx and the flip read from Philox. The same sample placed
   * at another position of another batch gets the same image; the draws take both flips and several shifts.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void everyImageIsThePaddedCropOfItsDrawsAndDependsOnTheSampleNotItsPlace(String name, Device device) {
    Backend<?, ?> k = OPEN.on(device);
    int h = 4;
    int w = 5;
    int ch = 2;
    int pad = 2;
    int rows = 12;
    int size = h * w * ch;
    float[] source = new float[rows * size];
    for (int i = 0; i < source.length; i++) {
      source[i] = i + 1;
    }
    int[] order = new int[rows];
    for (int i = 0; i < rows; i++) {
      order[i] = (i * 5) % rows;
    }
    int seedLo = 0x1234567;
    int seedHi = 3;
    int epoch = 9;
    int[] c = {rows, h, w, ch, pad, 1};
    float[] out = gatherAugment(k, c, seedLo, seedHi, epoch, 0, order, source);
    Set<String> draws = new HashSet<>();
    for (int r = 0; r < rows; r++) {
      int s = order[r];
      boolean flipped = Philox.augmentDraw(s, epoch, 0, 2, seedLo, seedHi) == 1;
      int dy = Philox.augmentDraw(s, epoch, 1, 2 * pad + 1, seedLo, seedHi) - pad;
      int dx = Philox.augmentDraw(s, epoch, 2, 2 * pad + 1, seedLo, seedHi) - pad;
      draws.add(flipped + " " + dy + " " + dx);
      int ph = h + 2 * pad;
      int pw = w + 2 * pad;
      float[] padded = new float[ph * pw * ch];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int q = 0; q < ch; q++) {
            padded[((y + pad) * pw + x + pad) * ch + q] = source[s * size + (y * w + x) * ch + q];
          }
        }
      }
      float[] expected = new float[size];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int cx = flipped ? w - 1 - x : x;
          for (int q = 0; q < ch; q++) {
            expected[(y * w + x) * ch + q] = padded[((y + pad + dy) * pw + cx + pad + dx) * ch + q];
          }
        }
      }
      assertArrayEquals(expected, Arrays.copyOfRange(out, r * size, (r + 1) * size), 0f,
          "row " + r + " (sample " + s + ", flipped " + flipped + ", dy " + dy + ", dx " + dx + ")");
      float[] alone = gatherAugment(k, new int[] {1, h, w, ch, pad, 1}, seedLo, seedHi, epoch, 1,
          new int[] {(s + 1) % rows, s}, source);
      assertArrayEquals(expected, alone, 0f, "sample " + s + " alone at position 1 of another order");
    }
    assertTrue(draws.stream().anyMatch(d -> d.startsWith("true")) && draws.stream().anyMatch(d -> d.startsWith("false"))
        && draws.size() >= 6, "the draws vary: " + draws);
  }

  /** The draw is uniform enough: over 30,000 samples each of 2·2 + 1 shifts comes up within 5% of a fifth. */
  @Test
  void shiftsAreDrawnEvenly() {
    int[] counts = new int[5];
    for (int s = 0; s < 30000; s++) {
      counts[Philox.augmentDraw(s, 1, 1, 5, 11, 0)]++;
    }
    for (int count : counts) {
      assertEquals(6000, count, 300, "counts of the 5 shifts: " + Arrays.toString(counts));
    }
  }
}
