package dev.cltrain.data;

import dev.cltrain.core.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A folder in MNIST's layout: {@code train-images-idx3-ubyte} and {@code train-labels-idx1-ubyte}, and
 * optionally the test pair {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}; each raw or
 * with {@code .gz} appended (the raw file wins when both are there). Pixels become byte / 255f; labels become
 * one-hot rows of K = max label + 1 (at least 2) classes.
 */
public final class MnistDir {
  /** The training images' file name (required), without {@code .gz}. */
  public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  /** The training labels' file name (required), without {@code .gz}. */
  public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  /** The test images' file name (optional, with the test labels), without {@code .gz}. */
  public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  /** The test labels' file name (optional, with the test images), without {@code .gz}. */
  public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

  private MnistDir() {}

  /**
   * @param dir a path
   * @return true when {@code dir} is a folder holding the MNIST training images file (raw or .gz); nothing is
   *     read
   */
  public static boolean looksLikeMnist(Path dir) {
    return Files.isDirectory(dir) && find(dir, TRAIN_IMAGES) != null;
  }

  /**
   * Loads the folder, with K inferred from the labels: max label + 1, at least 2.
   *
   * @param dir the MNIST folder
   * @return the training set, the t10k test set if present, input scale 1/255
   * @throws InputException if the folder or a file is missing, unreadable or inconsistent
   */
  public static TrainingData load(Path dir) {
    return load(dir, 0);
  }

  /**
   * Loads the folder; {@code classes} = 0 infers K as max label + 1 (at least 2), otherwise K = classes and
   * every label must be below it. The t10k pair, when present, becomes the test set; validation is null.
   *
   * @param dir     the MNIST folder
   * @param classes K, at least 2; or 0 to infer it from the training and test labels
   * @return the training set, the t10k test set if present, input scale 1/255, K classes
   * @throws InputException if {@code classes} is 1 or negative; the folder or a file is missing or
   *     unreadable; images and labels differ in count; the test images' size differs from the training
   *     images'; or a label is not below {@code classes}
   */
  public static TrainingData load(Path dir, int classes) {
    if (classes < 0 || classes == 1) {
      throw InputException.parameter("classes", "must be at least 2 (or 0 to infer it from the labels), got " + classes);
    }
    if (!Files.isDirectory(dir)) {
      throw new InputException(dir + ": " + (Files.exists(dir) ? "not a directory" : "not found")
          + ", expected a folder of MNIST IDX files");
    }
    Path trainImages = find(dir, TRAIN_IMAGES);
    Path trainLabels = find(dir, TRAIN_LABELS);
    List<String> missing = new ArrayList<>();
    if (trainImages == null) {
      missing.add(TRAIN_IMAGES + "[.gz]");
    }
    if (trainLabels == null) {
      missing.add(TRAIN_LABELS + "[.gz]");
    }
    if (!missing.isEmpty()) {
      throw new InputException(dir + ": missing " + String.join(" and ", missing) + " in this MNIST folder");
    }
    Path testImages = find(dir, TEST_IMAGES);
    Path testLabels = find(dir, TEST_LABELS);
    if ((testImages == null) != (testLabels == null)) {
      Path present = testImages != null ? testImages : testLabels;
      String absent = testImages != null ? TEST_LABELS : TEST_IMAGES;
      throw new InputException(dir + ": " + present.getFileName() + " is there but " + absent
          + "[.gz] is missing; the test set needs both (or neither)");
    }

    IdxReader.Images trainX = IdxReader.readImages(trainImages);
    int[] trainY = IdxReader.readLabels(trainLabels);
    checkCounts(trainImages, trainX, trainLabels, trainY);
    IdxReader.Images testX = null;
    int[] testY = null;
    if (testImages != null) {
      testX = IdxReader.readImages(testImages);
      testY = IdxReader.readLabels(testLabels);
      checkCounts(testImages, testX, testLabels, testY);
      if (testX.width() != trainX.width()) {
        throw new InputException(testImages + ": images of " + testX.rows() + "×" + testX.cols() + " = "
            + testX.width() + " inputs, but the training images " + trainImages + " are " + trainX.rows() + "×"
            + trainX.cols() + " = " + trainX.width());
      }
    }

    int k = classes;
    if (k == 0) {
      k = Math.max(2, maxLabel(trainY) + 1);
      if (testY != null) {
        k = Math.max(k, maxLabel(testY) + 1);
      }
    } else {
      checkBelow(trainLabels, trainY, k);
      if (testY != null) {
        checkBelow(testLabels, testY, k);
      }
    }
    DataSet train = toDataSet(trainImages, trainX, trainY, k);
    DataSet test = testX == null ? null : toDataSet(testImages, testX, testY, k);
    return new TrainingData(train, test, null, 1 / 255f, k, classNames(dir, k),
        new dev.cltrain.nn.Shape(trainX.rows(), trainX.cols(), 1));
  }

  /** {@code dir/name} if it is a file, else {@code dir/name.gz} if that is, else null. */
  static Path find(Path dir, String name) {
    Path raw = dir.resolve(name);
    if (Files.isRegularFile(raw)) {
      return raw;
    }
    Path gz = dir.resolve(name + ".gz");
    return Files.isRegularFile(gz) ? gz : null;
  }

  private static void checkCounts(Path images, IdxReader.Images x, Path labels, int[] y) {
    if (x.count() != y.length) {
      throw new InputException(images + " has " + x.count() + " images but " + labels + " has " + y.length
          + " labels; the counts must match");
    }
  }

  private static int maxLabel(int[] labels) {
    int max = 0;
    for (int label : labels) {
      max = Math.max(max, label);
    }
    return max;
  }

  private static void checkBelow(Path file, int[] labels, int classes) {
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= classes) {
        throw new InputException(file + ": label " + labels[i] + " (item " + i + ") is out of range for "
            + classes + " classes (0.." + (classes - 1) + ")");
      }
    }
  }

  private static DataSet toDataSet(Path images, IdxReader.Images x, int[] labels, int classes) {
    long cells = (long) labels.length * classes;
    if (cells > Integer.MAX_VALUE - 8) {
      throw new InputException(images + ": too large: " + labels.length + " rows × " + classes
          + " classes do not fit in one array");
    }
    return new DataSet(images.toString(), x.count(), x.width(), classes, x.pixels(), oneHot(labels, classes));
  }

  /**
   * One-hot rows: row i has a 1 in column {@code labels[i]} and 0 elsewhere.
   *
   * @param labels  class labels, each 0 to classes − 1 (not checked here)
   * @param classes K, the row width
   * @return labels.length × classes, row-major
   */
  public static float[] oneHot(int[] labels, int classes) {
    float[] y = new float[labels.length * classes];
    for (int i = 0; i < labels.length; i++) {
      y[i * classes + labels[i]] = 1f;
    }
    return y;
  }

  /** Fashion-MNIST's ten classes, in label order. */
  public static final java.util.List<String> FASHION_NAMES = java.util.List.of("T-shirt/top", "Trouser", "Pullover",
      "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  /**
   * The classes' names for an IDX folder: Fashion-MNIST's ten when the folder's path names "fashion" (as its
   * download does); else null, so that classes show as their digits 0..9 (MNIST) and the model file is as before.
   *
   * @param dir the IDX folder
   * @param k   the number of classes
   * @return the names, or null
   */
  static java.util.List<String> classNames(Path dir, int k) {
    if (k != 10) {
      return null;
    }
    String path = dir.toAbsolutePath().normalize().toString().toLowerCase(java.util.Locale.ROOT);
    if (path.contains("fashion")) {
      return FASHION_NAMES;
    }
    return null;
  }
}
