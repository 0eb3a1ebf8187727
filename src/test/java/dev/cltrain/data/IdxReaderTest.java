package dev.cltrain.data;

import static dev.cltrain.data.IdxFiles.bytes;
import static dev.cltrain.data.IdxFiles.gzip;
import static dev.cltrain.data.IdxFiles.images;
import static dev.cltrain.data.IdxFiles.labels;
import static dev.cltrain.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir
  Path dir;

  /** Two 2×3 images. */
  private static final byte[] PIXELS = bytes(0, 51, 255, 102, 0, 255, 255, 255, 51, 0, 0, 0);
  private static final float[] SCALED = {0f, 0.2f, 1f, 0.4f, 0f, 1f, 1f, 1f, 0.2f, 0f, 0f, 0f};

  private static InputException fails(Path file, boolean images) {
    return assertThrows(InputException.class, () -> {
      if (images) {
        IdxReader.readImages(file);
      } else {
        IdxReader.readLabels(file);
      }
    });
  }

  private static void assertMentions(InputException e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), () -> "message lacks '" + part + "': " + e.getMessage());
    }
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void rawImagesGiveCountRowsColsAndPixelsScaledByOneOver255() {
    Path file = write(dir.resolve("imgs"), images(2, 2, 3, PIXELS));
    IdxReader.Images read = IdxReader.readImages(file);
    assertEquals(2, read.count());
    assertEquals(2, read.rows());
    assertEquals(3, read.cols());
    assertEquals(6, read.width());
    assertArrayEquals(SCALED, read.pixels(), 0f, "255 -> 1.0, 0 -> 0, 51 -> 0.2 exactly (as float32)");
    assertEquals(1.0f, read.pixels()[2]);
    assertEquals(0.2f, read.pixels()[1]);
  }

  @Test
  void gzippedImagesAreDetectedByMagicBytesNotByFileName() {
    Path gzNoSuffix = write(dir.resolve("imgs-no-suffix"), gzip(images(2, 2, 3, PIXELS)));
    Path rawWithGzSuffix = write(dir.resolve("imgs.gz"), images(2, 2, 3, PIXELS));
    assertArrayEquals(SCALED, IdxReader.readImages(gzNoSuffix).pixels(), 0f);
    assertArrayEquals(SCALED, IdxReader.readImages(rawWithGzSuffix).pixels(), 0f);
  }

  @Test
  void rawAndGzippedLabelsReadAsUnsignedBytes() {
    byte[] file = labels(4, 0, 9, 3, 255);
    assertArrayEquals(new int[] {0, 9, 3, 255}, IdxReader.readLabels(write(dir.resolve("raw"), file)));
    assertArrayEquals(new int[] {0, 9, 3, 255}, IdxReader.readLabels(write(dir.resolve("gz"), gzip(file))));
  }

  @Test
  void largeGzippedImagesInflateCompletelyAcrossBufferGrowth() {
    byte[] pixels = new byte[3 * 1000 * 1000];
    new Random(7).nextBytes(pixels);
    Path file = write(dir.resolve("big.gz"), gzip(images(3, 1000, 1000, pixels)));
    float[] read = IdxReader.readImages(file).pixels();
    assertEquals(pixels.length, read.length);
    for (int i = 0; i < pixels.length; i += 99991) {
      assertEquals((pixels[i] & 0xff) / 255f, read[i]);
    }
    assertEquals((pixels[pixels.length - 1] & 0xff) / 255f, read[pixels.length - 1]);
  }

  @Test
  void wrongMagicNumberSaysFoundAndExpectedInHexAndNamesTheFile() {
    Path labelsAsImages = write(dir.resolve("labels-as-images"), labels(2, 1, 2));
    assertMentions(fails(labelsAsImages, true), labelsAsImages.toString(), "wrong magic number",
        "0x00000801", "expected 0x00000803");
    Path imagesAsLabels = write(dir.resolve("images-as-labels.gz"), gzip(images(2, 2, 3, PIXELS)));
    assertMentions(fails(imagesAsLabels, false), imagesAsLabels.toString(), "0x00000803", "expected 0x00000801");
    Path text = write(dir.resolve("text"), "hello, world\n".getBytes());
    assertMentions(fails(text, true), "wrong magic number 0x68656c6c");
  }

  @Test
  void truncatedRawImagesSayExpectedAndFoundBytes() {
    byte[] full = images(2, 2, 3, PIXELS);
    Path file = write(dir.resolve("short"), Arrays.copyOf(full, full.length - 4));
    assertMentions(fails(file, true), file.toString(), "truncated", "2 images of 2×3", "28 bytes",
        "the file has 24 bytes", "only 1 of the 2 images complete");
  }

  @Test
  void truncatedGzippedImagesSayExpectedAndInflatedBytes() {
    byte[] full = images(2, 2, 3, PIXELS);
    Path file = write(dir.resolve("short.gz"), gzip(Arrays.copyOf(full, full.length - 4)));
    assertMentions(fails(file, true), file.toString(), "truncated", "12 bytes after the header",
        "inflates to only 8");
  }

  @Test
  void truncatedLabelsSayExpectedAndFoundItems() {
    Path raw = write(dir.resolve("labels"), labels(5, 1, 2, 3));
    assertMentions(fails(raw, false), raw.toString(), "truncated", "5 labels", "only 3 of the 5 labels complete");
    Path gz = write(dir.resolve("labels.gz"), gzip(labels(5, 1, 2, 3)));
    assertMentions(fails(gz, false), gz.toString(), "truncated", "5 labels", "inflates to only 3");
  }

  @Test
  void truncatedHeaderIsReported() {
    byte[] full = images(2, 2, 3, PIXELS);
    Path file = write(dir.resolve("header"), Arrays.copyOf(full, 10));
    assertMentions(fails(file, true), file.toString(), "truncated IDX header", "expected 16 bytes, found 10");
    Path tiny = write(dir.resolve("tiny"), bytes(0, 0));
    assertMentions(fails(tiny, true), tiny.toString(), "2 bytes", "too short");
    Path empty = write(dir.resolve("empty"), new byte[0]);
    assertMentions(fails(empty, false), empty.toString(), "empty file");
  }

  @Test
  void bytesAfterTheDescribedDataAreRejected() {
    byte[] full = images(1, 2, 3, PIXELS);
    Path raw = write(dir.resolve("extra"), full);
    assertMentions(fails(raw, true), raw.toString(), "6 bytes after the data", "1 image of 2×3");
    Path gz = write(dir.resolve("extra.gz"), gzip(full));
    assertMentions(fails(gz, true), gz.toString(), "more data than the header describes");
  }

  @Test
  void imageAndLabelCountsThatDifferNameBothFilesAndCounts() {
    write(dir.resolve(MnistDir.TRAIN_IMAGES), images(2, 2, 3, PIXELS));
    write(dir.resolve(MnistDir.TRAIN_LABELS + ".gz"), gzip(labels(3, 1, 0, 1)));
    InputException e = assertThrows(InputException.class, () -> MnistDir.load(dir));
    assertMentions(e, dir.resolve(MnistDir.TRAIN_IMAGES).toString(), "2 images",
        dir.resolve(MnistDir.TRAIN_LABELS + ".gz").toString(), "3 labels");
  }

  @Test
  void gzipWithCorruptedDeflateDataSaysDoesNotInflate() {
    byte[] gz = gzip(images(2, 2, 3, PIXELS));
    for (int i = 10; i < 14; i++) {
      gz[i] = (byte) 0xff; // first deflate block header: BTYPE 11, which is reserved
    }
    Path file = write(dir.resolve("corrupt.gz"), gz);
    assertMentions(fails(file, true), file.toString(), "not a valid gzip file", "does not inflate");
  }

  @Test
  void gzipWithWrongChecksumSaysNotAValidGzipFile() {
    byte[] gz = gzip(images(2, 2, 3, PIXELS));
    gz[gz.length - 8] ^= 0x55; // CRC32 in the trailer
    Path file = write(dir.resolve("crc.gz"), gz);
    assertMentions(fails(file, true), file.toString(), "not a valid gzip file");
  }

  @Test
  void gzipWithBadHeaderAfterMagicBytesSaysNotAValidGzipFile() {
    byte[] gz = gzip(images(2, 2, 3, PIXELS));
    gz[2] = 7; // compression method: only 8 (deflate) exists
    Path file = write(dir.resolve("method.gz"), gz);
    assertMentions(fails(file, true), file.toString(), "not a valid gzip file");
  }

  @Test
  void gzipCutShortSaysTruncatedGzipFile() {
    byte[] pixels = new byte[5000];
    new Random(1).nextBytes(pixels);
    byte[] gz = gzip(images(50, 10, 10, pixels));
    Path file = write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
    assertMentions(fails(file, true), file.toString(), "truncated gzip file", "of the 5000 bytes");
  }

  @Test
  void zeroDimensionsAreRejected() {
    Path rows = write(dir.resolve("rows0"), images(2, 0, 3, new byte[0]));
    assertMentions(fails(rows, true), rows.toString(), "rows 0");
    Path count = write(dir.resolve("count0"), images(0, 2, 3, new byte[0]));
    assertMentions(fails(count, true), count.toString(), "image count 0");
    Path labels = write(dir.resolve("labels0"), labels(0));
    assertMentions(fails(labels, false), labels.toString(), "label count 0");
  }

  @Test
  void dimensionsOverIntMaxAreRejected() {
    Path file = write(dir.resolve("huge-dim"), images(0xFFFFFFFF, 28, 28, new byte[10]));
    assertMentions(fails(file, true), file.toString(), "image count 4294967295", "over the limit");
  }

  @Test
  void headerClaimingIntMaxImagesInATinyRawFileFailsFastWithoutAllocating() {
    for (int side : new int[] {1, 28}) {
      Path file = write(dir.resolve("liar" + side), images(Integer.MAX_VALUE, side, side, new byte[14]));
      InputException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> fails(file, true));
      assertMentions(e, file.toString(), "truncated", "2147483647 images of " + side + "×" + side,
          "the file has 30 bytes");
    }
    Path labels = write(dir.resolve("liar-labels"), labels(Integer.MAX_VALUE, 1, 2));
    assertMentions(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> fails(labels, false)),
        "truncated", "2147483647 labels");
  }

  @Test
  void headerClaimingIntMaxImagesInATinyGzipFileFailsFastWithoutAllocating() {
    for (int side : new int[] {1, 28}) {
      Path file = write(dir.resolve("liar" + side + ".gz"), gzip(images(Integer.MAX_VALUE, side, side, new byte[14])));
      InputException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> fails(file, true));
      assertMentions(e, file.toString(), "truncated", "inflates to at most");
    }
  }

  @Test
  void gzipHeaderClaimingMoreThanItInflatesToIsTruncationNotAnUpFrontAllocation() {
    // Incompressible pixels, so the claimed 10x size passes the 1032:1 bound and must be caught by reading.
    byte[] pixels = new byte[100_000];
    new Random(3).nextBytes(pixels);
    Path file = write(dir.resolve("tenfold.gz"), gzip(images(1000, 10, 100, pixels)));
    assertMentions(fails(file, true), file.toString(), "truncated", "1000000 bytes after the header",
        "inflates to only 100000", "only 100 of the 1000 images complete");
  }

  @Test
  void missingFileAndDirectoryAreReported() {
    Path missing = dir.resolve("nope");
    assertMentions(fails(missing, true), missing.toString(), "file not found");
    assertMentions(fails(dir, false), dir.toString(), "is a directory");
  }
}
