package dev.cltrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import dev.cltrain.nn.Shape;
import dev.cltrain.testing.IdxFolders;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageFolder}: the folder's classes and rows, each format's pixels, resizing, and every refusal. */
class ImageFolderTest {
  @TempDir
  Path tmp;

  /** Writes a width × height RGB image of {@code rgb} (0xRRGGBB, row by row) in {@code format}. */
  static Path rgb(Path file, String format, int width, int height, int... rgb) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    image.setRGB(0, 0, width, height, rgb, 0, width);
    Files.createDirectories(file.getParent());
    assertTrue(ImageIO.write(image, format, file.toFile()), "ImageIO writes " + format);
    return file;
  }

  /** Writes an 8-bit grayscale PNG. */
  static Path gray(Path file, int width, int height, int... values) throws IOException {
    Files.createDirectories(file.getParent());
    ImageFolderWriter.writeGray(file, height, width, values);
    return file;
  }

  private static void assertMentions(InputException e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), () -> "message lacks '" + part + "': " + e.getMessage());
    }
    assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
  }

  @Test
  void aFolderWrittenFromIdxLoadsTheIdxFloatsBitForBitInTheIdxRowOrder() throws IOException {
    Path idx = IdxFolders.write(tmp.resolve("idx"));
    int[] written = ImageFolderWriter.write(idx, tmp.resolve("png"));
    assertArrayEquals(new int[] {240, 90}, written, "training and test images written");
    TrainingData fromIdx = MnistDir.load(idx);
    TrainingData fromPng = ImageFolder.load(tmp.resolve("png"), 0, ImageFolder.Options.DEFAULT);
    assertArrayEquals(fromIdx.train().x(), fromPng.train().x(), "training pixels, exactly");
    assertArrayEquals(fromIdx.train().y(), fromPng.train().y(), "training labels, same order");
    assertArrayEquals(fromIdx.test().x(), fromPng.test().x(), "test/ pixels as the t10k pair's");
    assertArrayEquals(fromIdx.test().y(), fromPng.test().y(), "test/ labels");
    assertEquals(fromIdx.imageShape(), fromPng.imageShape());
    assertEquals(fromIdx.inputScale(), fromPng.inputScale(), "input scale 1/255 as IDX");
    assertEquals(3, fromPng.classes());
    assertNull(fromPng.classNames(), "folders 0..K-1 are labels, unnamed as IDX's");
    assertNull(fromPng.validation(), "no val/ folder");
    ImageFolder folder = ImageFolder.open(tmp.resolve("png"));
    int[] row = folder.decode(7, fromPng.imageShape()); // one image by row index, as a streamed source reads it
    for (int j = 0; j < row.length; j++) {
      assertEquals(fromIdx.train().x()[7 * row.length + j], IdxReader.pixel(row[j]), "row 7 value " + j);
    }
    assertEquals(240, folder.train().files().size());
    assertTrue(ImageFolder.looksLikeImageFolder(tmp.resolve("png")));
    assertFalse(ImageFolder.looksLikeImageFolder(idx), "an IDX folder is not an image folder");
  }

  @Test
  void classesAreOrderedByValueWhenAllAreNumbersElseByUnicodeAndStoredAsNames() throws IOException {
    for (String c : List.of("10", "2", "0")) {
      gray(tmp.resolve("numbers/" + c + "/a.png"), 1, 1, 7);
    }
    ImageFolder numbers = ImageFolder.open(tmp.resolve("numbers"));
    assertEquals(List.of("0", "2", "10"), numbers.classes(), "by value");
    assertEquals(List.of("0", "2", "10"), numbers.classNames(), "not 0..K-1: stored as names");
    for (String c : List.of("cat", "Dog", "bird", "007")) {
      gray(tmp.resolve("words/" + c + "/a.png"), 1, 1, 7);
    }
    Files.createDirectories(tmp.resolve("words/.hidden"));
    TrainingData words = ImageFolder.load(tmp.resolve("words"), 0, ImageFolder.Options.DEFAULT);
    assertEquals(List.of("007", "Dog", "bird", "cat"), words.classNames(), "String.compareTo order, hidden left out");
    assertEquals(4, words.classes());
  }

  @Test
  void rowsAreOrderedByFileNameThenClassAndOtherFilesAreLeftAlone() throws IOException {
    Path dir = tmp.resolve("d");
    gray(dir.resolve("a/2.png"), 1, 1, 20);
    gray(dir.resolve("a/1.PNG"), 1, 1, 10);
    gray(dir.resolve("b/1.png"), 1, 1, 11);
    Files.writeString(dir.resolve("b/notes.txt"), "not an image");
    gray(dir.resolve("b/.hidden.png"), 1, 1, 99);
    TrainingData d = ImageFolder.load(dir, 0, ImageFolder.Options.DEFAULT);
    // "1.PNG" < "1.png" < "2.png" in String order
    assertArrayEquals(new float[] {IdxReader.pixel(10), IdxReader.pixel(11), IdxReader.pixel(20)}, d.train().x());
    assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0}, d.train().y(), "classes a, b, a");
  }

  @Test
  void rgbImagesGiveTheirChannelsAndPilsGrayscaleInPngBmpGifAndJpeg() throws IOException {
    int[] colours = {0xff0000, 0x00ff00, 0x0000ff, 0x808080};
    // PIL convert("L"): (19595 R + 38470 G + 7471 B + 32768) >> 16
    int[] grays = {76, 150, 29, 128};
    int[][] channels = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {128, 128, 128}};
    // 8x8, the four colours in turn (JDK 17's GIF writer keeps them exactly at this size; at 2x2 and 4x4 it does not)
    int[] pixels = new int[64];
    int[] rgbValues = new int[64 * 3];
    int[] grayValues = new int[64];
    for (int i = 0; i < 64; i++) {
      pixels[i] = colours[i % 4];
      System.arraycopy(channels[i % 4], 0, rgbValues, 3 * i, 3);
      grayValues[i] = grays[i % 4];
    }
    for (String format : List.of("png", "bmp", "gif")) {
      Path file = rgb(tmp.resolve("c." + format), format, 8, 8, pixels);
      assertArrayEquals(rgbValues, ImageFolder.decode(file, new Shape(8, 8, 3)), format + " RGB, HWC");
      assertArrayEquals(grayValues, ImageFolder.decode(file, new Shape(8, 8, 1)), format + " grayscale");
    }
    // JPEG is lossy: a flat 8x8 block keeps its colour within a few levels
    int[] flat = new int[64];
    Arrays.fill(flat, 0x3366cc);
    int[] decoded = ImageFolder.decode(rgb(tmp.resolve("c.jpg"), "jpg", 8, 8, flat), new Shape(8, 8, 3));
    int[] expected = {0x33, 0x66, 0xcc};
    for (int i = 0; i < decoded.length; i++) {
      assertTrue(Math.abs(decoded[i] - expected[i % 3]) <= 4, "JPEG value " + i + " " + decoded[i] + " within 4 of "
          + expected[i % 3]);
    }
    int[] grayPng = ImageFolder.decode(gray(tmp.resolve("g.png"), 2, 1, 0, 201), new Shape(1, 2, 3));
    assertArrayEquals(new int[] {0, 0, 0, 201, 201, 201}, grayPng, "grayscale to RGB repeats the value");
  }

  @Test
  void aOneBitImageIsGrayscaleByDefault() throws IOException {
    Path dir = tmp.resolve("bits");
    for (String c : List.of("a", "b")) {
      BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY); // a black and white palette
      image.setRGB(1, 0, 0xffffff);
      Files.createDirectories(dir.resolve(c));
      assertTrue(ImageIO.write(image, "png", dir.resolve(c + "/1.png").toFile()));
    }
    TrainingData d = ImageFolder.load(dir, 0, ImageFolder.Options.DEFAULT);
    assertEquals(new Shape(1, 2, 1), d.imageShape(), "a palette of grays is one channel");
    assertArrayEquals(new float[] {0, 1, 0, 1}, d.train().x());
  }

  @Test
  void resizingIsBilinearWithHalfPixelCentresRoundedHalfUp() throws IOException {
    Path file = gray(tmp.resolve("r.png"), 2, 2, 0, 100, 200, 255);
    int[] out = ImageFolder.decode(file, new Shape(4, 4, 1));
    // source x of output 0..3: clamp((o + 0.5)·2/4 − 0.5) = 0, 0.25, 0.75, 1; the same for y
    assertArrayEquals(new int[] {0, 25, 75, 100}, Arrays.copyOfRange(out, 0, 4), "row 0: the top row, interpolated");
    // row 1 at y 0.25: 0.75·top + 0.25·bottom, bottom = 200, 213.75, 241.25, 255
    assertArrayEquals(new int[] {50, 72, 117, 139}, Arrays.copyOfRange(out, 4, 8), "row 1");
    assertArrayEquals(new int[] {200, 214, 241, 255}, Arrays.copyOfRange(out, 12, 16), "row 3: the bottom row");
  }

  @Test
  void aShapeResizesEveryImageAndWithoutOneTheFirstImageSetsIt() throws IOException {
    Path dir = tmp.resolve("d");
    gray(dir.resolve("a/1.png"), 2, 2, 0, 0, 0, 0);
    rgb(dir.resolve("b/2.png"), "png", 3, 1, 0xffffff, 0xffffff, 0xffffff);
    TrainingData resized = ImageFolder.load(dir, 0, new ImageFolder.Options(new Shape(2, 2, 3), false));
    assertEquals(new Shape(2, 2, 3), resized.imageShape());
    assertEquals(2 * 12, resized.train().x().length);
    InputException mixed = assertThrows(InputException.class,
        () -> ImageFolder.load(dir, 0, ImageFolder.Options.DEFAULT));
    assertMentions(mixed, dir.resolve("b/2.png").toString(), "1x3 pixels", "the first image is 2x2", "inputShape");
    InputException channels = assertThrows(InputException.class,
        () -> new ImageFolder.Options(new Shape(2, 2, 2), false));
    assertEquals("inputShape", channels.parameter());
  }

  @Test
  void aDamagedFileIsNamedOrSkippedAndCountedWhenAsked() throws IOException {
    Path dir = tmp.resolve("d");
    gray(dir.resolve("a/1.png"), 2, 2, 1, 2, 3, 4);
    Path good = gray(dir.resolve("b/2.png"), 2, 2, 5, 6, 7, 8);
    gray(dir.resolve("b/3.png"), 2, 2, 9, 9, 9, 9);
    Files.writeString(dir.resolve("a/0.png"), "this is not a PNG");
    byte[] png = Files.readAllBytes(good);
    Files.write(dir.resolve("b/4.png"), Arrays.copyOf(png, png.length / 2)); // truncated
    InputException garbage = assertThrows(InputException.class,
        () -> ImageFolder.load(dir, 0, ImageFolder.Options.DEFAULT));
    assertMentions(garbage, dir.resolve("a/0.png").toString(), "not a PNG, JPEG, BMP or GIF image");
    Files.delete(dir.resolve("a/0.png"));
    InputException truncated = assertThrows(InputException.class,
        () -> ImageFolder.load(dir, 0, ImageFolder.Options.DEFAULT));
    assertMentions(truncated, dir.resolve("b/4.png").toString());
    Files.writeString(dir.resolve("a/0.png"), "this is not a PNG");
    TrainingData skipped = ImageFolder.load(dir, 0, new ImageFolder.Options(null, true));
    assertEquals(3, skipped.train().rows(), "5 files, 2 skipped");
    float[] expected = new float[12];
    int[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9};
    for (int i = 0; i < 12; i++) {
      expected[i] = IdxReader.pixel(values[i]);
    }
    assertArrayEquals(expected, skipped.train().x(), "the good rows, in order");
    assertArrayEquals(new float[] {1, 0, 0, 1, 0, 1}, skipped.train().y());
  }

  @Test
  void aTruncatedJpegIsRefused() throws IOException {
    int[] noise = new int[64 * 64];
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < noise.length; i++) {
      noise[i] = r.nextInt(0x1000000);
    }
    Path file = rgb(tmp.resolve("n.jpg"), "jpg", 64, 64, noise);
    byte[] jpg = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(jpg, jpg.length / 2));
    InputException e = assertThrows(InputException.class, () -> ImageFolder.decode(file, new Shape(64, 64, 3)));
    assertMentions(e, file.toString());
  }

  @Test
  void foldersThatCannotBeAnImageFolderAreRefusedInOneLine() throws IOException {
    gray(tmp.resolve("one/a/1.png"), 1, 1, 0);
    assertMentions(assertThrows(InputException.class, () -> ImageFolder.open(tmp.resolve("one"))),
        "one class subfolder (a)", "at least 2");
    gray(tmp.resolve("empty/a/1.png"), 1, 1, 0);
    Files.createDirectories(tmp.resolve("empty/b"));
    Files.writeString(tmp.resolve("empty/b/readme.txt"), "no images");
    assertMentions(assertThrows(InputException.class, () -> ImageFolder.open(tmp.resolve("empty"))),
        tmp.resolve("empty/b").toString(), "no PNG, JPEG, BMP or GIF files");
    gray(tmp.resolve("split/a/1.png"), 1, 1, 0);
    gray(tmp.resolve("split/b/1.png"), 1, 1, 0);
    gray(tmp.resolve("split/test/c/1.png"), 1, 1, 0);
    assertMentions(assertThrows(InputException.class, () -> ImageFolder.open(tmp.resolve("split"))),
        "class c is not one of the training classes", "(a, b)");
    assertMentions(assertThrows(InputException.class, () -> ImageFolder.open(tmp.resolve("nowhere"))),
        "not found");
  }

  @Test
  void aValFolderIsTheValidationSetAndATestFolderMayHoldSomeClasses() throws IOException {
    Path dir = tmp.resolve("d");
    gray(dir.resolve("a/1.png"), 1, 1, 1);
    gray(dir.resolve("b/1.png"), 1, 1, 2);
    gray(dir.resolve("val/b/9.png"), 1, 1, 3);
    gray(dir.resolve("test/a/8.png"), 1, 1, 4);
    TrainingData d = ImageFolder.load(dir, 0, ImageFolder.Options.DEFAULT);
    assertEquals(2, d.train().rows());
    assertArrayEquals(new float[] {0, 1}, d.validation().y(), "val/b is class b");
    assertArrayEquals(new float[] {IdxReader.pixel(3)}, d.validation().x());
    assertArrayEquals(new float[] {1, 0}, d.test().y(), "test/a is class a");
    assertEquals(List.of("a", "b"), d.classNames());
    InputException split = assertThrows(InputException.class, () -> DataSets.load(new DataOptions(dir.toString(), 1,
        true, 0, null, 0.5, 0, null, null, null)));
    assertEquals("validationSplit", split.parameter());
    InputException classes = assertThrows(InputException.class, () -> ImageFolder.load(dir, 3,
        ImageFolder.Options.DEFAULT));
    assertEquals("classes", classes.parameter());
  }
}
