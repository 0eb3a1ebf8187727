package dev.cltrain.data;

import dev.cltrain.core.InputException;
import dev.cltrain.core.Wording;
import dev.cltrain.nn.Shape;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;

/**
 * The pixels of one image file, for {@link ImageFolder}: read by ImageIO (a warning counts as a failure), converted
 * to the shape's channels, resized bilinearly and, as a row, scaled as IDX pixels; the rules are
 * {@link ImageFolder#decode(Path, Shape)}'s.
 */
final class ImageDecoder {
  /** The image kinds ImageIO reads, for messages. */
  static final String KINDS = "PNG, JPEG, BMP or GIF";

  private ImageDecoder() {}

  /**
   * One image file as a row: its pixels as IDX pixels ({@link IdxReader#pixel}), then {@code extra} zeros.
   *
   * @throws InputException when it cannot be decoded, or (without {@code sized}) its size is not {@code shape}'s
   */
  static float[] row(Path file, Shape shape, boolean sized, int extra) {
    BufferedImage image = read(file);
    if (!sized && (image.getHeight() != shape.height() || image.getWidth() != shape.width())) {
      throw new InputException(Wording.of(file + ": " + image.getHeight() + "x" + image.getWidth()
          + " pixels, but the first image is " + shape.height() + "x" + shape.width() + "; give every image "
          + "that size, or a shape to resize them to (", Wording.param("inputShape"), ")"));
    }
    int[] pixels = pixels(image, shape);
    float[] row = new float[pixels.length + extra];
    for (int j = 0; j < pixels.length; j++) {
      row[j] = IdxReader.pixel(pixels[j]);
    }
    return row;
  }

  /**
   * Reads one image file with ImageIO (its first frame for a GIF); a warning while decoding (a truncated file)
   * counts as a failure.
   *
   * @throws InputException naming the file; with a cause when the file exists but cannot be decoded (what
   *     skipping leaves out)
   */
  private static BufferedImage read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new InputException(file + ": " + (Files.exists(file) ? "not a file" : "not found")
          + ", expected a " + KINDS + " image");
    }
    List<String> warnings = new ArrayList<>();
    try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new InputException(file + ": not a " + KINDS + " image (no ImageIO reader recognises its contents)",
            new IOException("unrecognised"));
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage image = reader.read(0);
        if (!warnings.isEmpty()) {
          throw new InputException(file + ": damaged " + reader.getFormatName().toUpperCase(Locale.ROOT)
              + " image: " + warnings.get(0), new IOException(warnings.get(0)));
        }
        return image;
      } finally {
        reader.dispose();
      }
    } catch (InputException e) {
      throw e;
    } catch (IOException | RuntimeException e) { // decoders throw IIOException, and some a RuntimeException
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
      if (e instanceof java.nio.file.AccessDeniedException || e instanceof java.io.FileNotFoundException) {
        throw new InputException(file + ": cannot read (" + why + ")", e);
      }
      throw new InputException(file + ": cannot decode this image (" + why.lines().findFirst().orElse(why) + ")", e);
    }
  }

  private static boolean isGray(BufferedImage image) {
    return !(image.getColorModel() instanceof IndexColorModel)
        && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
  }

  /** A palette of grays only (as ImageIO reads a 1-, 2- or 4-bit grayscale PNG). */
  private static boolean hasGrayPalette(BufferedImage image) {
    if (!(image.getColorModel() instanceof IndexColorModel palette)) {
      return false;
    }
    for (int i = 0; i < palette.getMapSize(); i++) {
      if (palette.getRed(i) != palette.getGreen(i) || palette.getGreen(i) != palette.getBlue(i)) {
        return false;
      }
    }
    return true;
  }

  /** The image's values in {@code shape}'s channels, then resized: see {@link ImageFolder#decode(Path, Shape)}. */
  /**
   * One image file decoded to {@code shape}, whose channels are checked: see {@link ImageFolder#decode(Path, Shape)}.
   */
  static int[] pixels(Path file, Shape shape) {
    return pixels(read(file), shape);
  }

  /** {@return an image file's own shape: its size, and 1 channel for grays (or a palette of grays only), else 3} */
  static Shape shapeOf(Path file) {
    BufferedImage image = read(file);
    return new Shape(image.getHeight(), image.getWidth(), isGray(image) || hasGrayPalette(image) ? 1 : 3);
  }

  private static int[] pixels(BufferedImage image, Shape shape) {
    int h = image.getHeight();
    int w = image.getWidth();
    int c = shape.channels();
    int[] v = new int[h * w * c];
    if (isGray(image)) {
      Raster raster = image.getRaster();
      int bits = image.getColorModel().getComponentSize(0);
      long max = (1L << bits) - 1;
      for (int yy = 0; yy < h; yy++) {
        for (int xx = 0; xx < w; xx++) {
          int s = raster.getSample(xx, yy, 0);
          int g = bits == 8 ? s : (int) ((s * 255L * 2 + max) / (2 * max)); // round(s·255/max)
          for (int ch = 0; ch < c; ch++) {
            v[(yy * w + xx) * c + ch] = g;
          }
        }
      }
    } else {
      for (int yy = 0; yy < h; yy++) {
        for (int xx = 0; xx < w; xx++) {
          int argb = image.getRGB(xx, yy);
          int r = (argb >> 16) & 0xff;
          int g = (argb >> 8) & 0xff;
          int b = argb & 0xff;
          int at = (yy * w + xx) * c;
          if (c == 1) {
            v[at] = (19595 * r + 38470 * g + 7471 * b + 32768) >> 16;
          } else {
            v[at] = r;
            v[at + 1] = g;
            v[at + 2] = b;
          }
        }
      }
    }
    return h == shape.height() && w == shape.width() ? v : resize(v, h, w, shape);
  }

  /** Bilinear resizing with half-pixel centres, per channel: see {@link ImageFolder#decode(Path, Shape)}. */
  private static int[] resize(int[] v, int h, int w, Shape shape) {
    int oh = shape.height();
    int ow = shape.width();
    int c = shape.channels();
    int[] out = new int[oh * ow * c];
    for (int oy = 0; oy < oh; oy++) {
      double sy = Math.min(Math.max((oy + 0.5) * h / oh - 0.5, 0), h - 1);
      int y0 = (int) sy;
      int y1 = Math.min(y0 + 1, h - 1);
      double fy = sy - y0;
      for (int ox = 0; ox < ow; ox++) {
        double sx = Math.min(Math.max((ox + 0.5) * w / ow - 0.5, 0), w - 1);
        int x0 = (int) sx;
        int x1 = Math.min(x0 + 1, w - 1);
        double fx = sx - x0;
        for (int ch = 0; ch < c; ch++) {
          double top = v[(y0 * w + x0) * c + ch] * (1 - fx) + v[(y0 * w + x1) * c + ch] * fx;
          double bottom = v[(y1 * w + x0) * c + ch] * (1 - fx) + v[(y1 * w + x1) * c + ch] * fx;
          long rounded = (long) Math.floor(top * (1 - fy) + bottom * fy + 0.5);
          out[(oy * ow + ox) * c + ch] = (int) Math.min(255, Math.max(0, rounded));
        }
      }
    }
    return out;
  }
}
