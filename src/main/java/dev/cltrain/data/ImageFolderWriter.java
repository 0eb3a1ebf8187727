package dev.cltrain.data;

import dev.cltrain.core.InputException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Writes a folder of MNIST IDX files ({@link MnistDir}) out as an {@link ImageFolder}: each training image as an
 * 8-bit grayscale PNG {@code OUT/LABEL/INDEX.png}, each t10k image as {@code OUT/test/LABEL/INDEX.png}, INDEX the
 * image's place in its IDX file, zero-padded to at least 5 digits so that the image folder's row order (by file
 * name) is the IDX order. Read back, the folder gives the IDX folder's rows bit for bit. {@code scripts/idx-to-images}
 * runs {@link #main}.
 */
public final class ImageFolderWriter {
  private ImageFolderWriter() {}

  /**
   * {@code java -cp cltrain.jar dev.cltrain.data.ImageFolderWriter IDX_DIR OUT_DIR}: exit 0 with one line saying
   * what was written, 2 with one line on bad input.
   *
   * @param args the IDX folder and the new image folder
   */
  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: idx-to-images IDX_DIR OUT_DIR (writes OUT_DIR/LABEL/INDEX.png and "
          + "OUT_DIR/test/LABEL/INDEX.png)");
      System.exit(2);
    }
    try {
      long start = System.nanoTime();
      int[] written = write(Path.of(args[0]), Path.of(args[1]));
      System.out.printf("wrote %d training and %d test images to %s in %.1f s%n", written[0], written[1], args[1],
          (System.nanoTime() - start) / 1e9);
    } catch (InputException e) {
      System.err.println("idx-to-images: " + e.getMessage());
      System.exit(2);
    }
  }

  /**
   * Writes the IDX folder's training images (and its t10k pair, if present, under {@code test/}) as PNG files.
   *
   * @param idx the IDX folder
   * @param out the image folder to create; it must not exist or be empty
   * @return the training and test images written
   * @throws InputException when the IDX folder is bad, or {@code out} is a file or a folder with entries, or a
   *     file cannot be written
   */
  public static int[] write(Path idx, Path out) {
    if (!MnistDir.looksLikeMnist(idx)) {
      throw new InputException(idx + ": not a folder of MNIST IDX files (" + MnistDir.TRAIN_IMAGES + "[.gz])");
    }
    if (Files.exists(out) && !(Files.isDirectory(out) && isEmpty(out))) {
      throw new InputException(out + ": exists and is not an empty folder; name a new one");
    }
    int train = writeSplit(out, MnistDir.find(idx, MnistDir.TRAIN_IMAGES), MnistDir.find(idx, MnistDir.TRAIN_LABELS));
    Path testImages = MnistDir.find(idx, MnistDir.TEST_IMAGES);
    Path testLabels = MnistDir.find(idx, MnistDir.TEST_LABELS);
    int test = testImages == null || testLabels == null ? 0
        : writeSplit(out.resolve(ImageFolder.TEST), testImages, testLabels);
    return new int[] {train, test};
  }

  private static int writeSplit(Path folder, Path imagesFile, Path labelsFile) {
    if (labelsFile == null) {
      throw new InputException(imagesFile + ": its labels file is missing");
    }
    IdxReader.Images images = IdxReader.readImages(imagesFile);
    int[] labels = IdxReader.readLabels(labelsFile);
    if (labels.length != images.count()) {
      throw new InputException(imagesFile + " has " + images.count() + " images but " + labelsFile + " has "
          + labels.length + " labels; the counts must match");
    }
    int digits = Math.max(5, String.valueOf(images.count() - 1).length());
    try {
      for (int label : IntStream.of(labels).distinct().toArray()) {
        Files.createDirectories(folder.resolve(String.valueOf(label)));
      }
      IntStream.range(0, images.count()).parallel().forEach(i -> {
        int[] gray = new int[images.width()];
        for (int j = 0; j < gray.length; j++) {
          gray[j] = Math.round(images.pixels()[i * images.width() + j] * 255f); // back to the file's byte
        }
        Path file = folder.resolve(labels[i] + "/" + String.format("%0" + digits + "d", i) + ".png");
        writeGray(file, images.rows(), images.cols(), gray);
      });
    } catch (IOException e) {
      throw new InputException(folder + ": cannot write (" + e.getMessage() + ")");
    } catch (UncheckedIOException e) {
      throw new InputException("cannot write " + e.getMessage());
    }
    return images.count();
  }

  /**
   * Writes an 8-bit grayscale PNG.
   *
   * @param file   the PNG file
   * @param height rows of pixels
   * @param width  pixels per row
   * @param gray   height × width values 0..255, row by row
   * @throws UncheckedIOException when the file cannot be written
   */
  public static void writeGray(Path file, int height, int width, int[] gray) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setSamples(0, 0, width, height, 0, gray);
    try {
      if (!ImageIO.write(image, "png", file.toFile())) {
        throw new IOException("no PNG writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  private static boolean isEmpty(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }
}
