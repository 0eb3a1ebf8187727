package dev.cltrain.nn;

import dev.cltrain.core.InputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Data augmentation of training images, applied on the device as each batch is gathered
 * ({@code kernels/augment.cl}): a random horizontal flip (probability ½) and a random translation by −pad..pad
 * pixels in each direction (a crop of the image zero-padded by pad pixels on every side, the same size as the
 * image). Only the training rows are augmented, never validation, test, evaluation or prediction rows.
 *
 * <p>The draws are Philox-4×32-10 keyed by {@link #seed} and counted by (the sample's row in the data set, the
 * epoch): each sample gets the same image in an epoch on every device, in any batch and any split of a batch
 * over devices, and in a run resumed from a checkpoint.
 *
 * <pre>{@code
 * Augment a = Augment.parse("flip,crop:2", 0);   // as cltrain train --augment flip,crop:2 --seed 0
 * a.spec();                                       // "flip,crop:2"
 * }</pre>
 *
 * @param flip whether to flip half the images left to right
 * @param pad  the largest shift in pixels, 0 to {@link #MAX_PAD} (0: no shift)
 * @param seed the draws' key, 0 to 2⁶⁴−1 as a long (the command line's --seed)
 */
public record Augment(boolean flip, int pad, long seed) {
  /** The largest padding crop:P takes: more would only shift every image out of sight. */
  public static final int MAX_PAD = 65535;
  /** The items {@code --augment} takes, for messages. */
  public static final String GRAMMAR = "flip, crop:P (P from 1 to " + MAX_PAD + ")";

  /**
   * @param flip whether to flip half the images left to right
   * @param pad  the largest shift in pixels, 0 to {@link #MAX_PAD}
   * @param seed the draws' key
   * @throws InputException when pad is out of range or the augmentation does nothing
   */
  public Augment {
    if (pad < 0 || pad > MAX_PAD) {
      throw InputException.parameter("augment", "crop:" + pad + ": P must be from 1 to " + MAX_PAD);
    }
    if (!flip && pad == 0) {
      throw InputException.parameter("augment", "names no augmentation (items: " + GRAMMAR + ")");
    }
  }

  /**
   * Reads a comma-separated list of items: {@code flip} (random horizontal flip) and {@code crop:P} (random
   * translation by up to P pixels), each at most once, e.g. "flip,crop:2".
   *
   * @param spec the list
   * @param seed the draws' key
   * @return the augmentation
   * @throws InputException naming the first bad item (parameter "augment")
   */
  public static Augment parse(String spec, long seed) {
    InputException.require(spec, "the augmentation");
    boolean flip = false;
    int pad = 0;
    for (String item : spec.split(",", -1)) {
      String t = item.trim();
      if (t.equals("flip")) {
        if (flip) {
          throw bad(t, "is given twice");
        }
        flip = true;
      } else if (t.startsWith("crop:") || t.equals("crop")) {
        if (pad != 0) {
          throw bad(t, "is given twice (one crop)");
        }
        pad = padding(t);
      } else {
        throw bad(t, t.startsWith("flip") ? "takes no value (flip is p = 0.5)" : "is not an item (" + GRAMMAR + ")");
      }
    }
    return new Augment(flip, pad, seed);
  }

  private static int padding(String item) {
    String value = item.length() > 5 ? item.substring(5) : "";
    try {
      int p = Integer.parseInt(value);
      if (p >= 1 && p <= MAX_PAD) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(item, "expects crop:P, P a whole number of pixels from 1 to " + MAX_PAD);
  }

  private static InputException bad(String item, String problem) {
    return InputException.parameter("augment", "item '" + item + "' " + problem);
  }

  /** {@return the items as {@link #parse} reads them, flip first: e.g. "flip,crop:2"} */
  public String spec() {
    List<String> items = new ArrayList<>();
    if (flip) {
      items.add("flip");
    }
    if (pad > 0) {
      items.add("crop:" + pad);
    }
    return String.join(",", items);
  }

  /**
   * Checks that the images are images: the shape is known and more than one pixel.
   *
   * @param image the training rows' image shape, or null when the data has none
   * @return the shape
   * @throws InputException when there is none, or it is a single pixel (a row of plain features)
   */
  public Shape check(Shape image) {
    if (image == null || image.height() * (long) image.width() == 1) {
      throw InputException.parameter("augment", spec() + " needs image-shaped input (IDX images, or a network "
          + "whose input is an image shape), but the rows are plain features");
    }
    return image;
  }
}
