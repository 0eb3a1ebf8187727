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
    return load(dir, classes, Streaming.OFF);
  }

  /**
   * {@link #load(Path, int)}, the images streamed from the row cache when {@code streaming} says so: the same
   * pixels (byte / 255f) and one-hot rows, converted once and memory-mapped.
   *
   * @param dir       the folder
   * @param classes   K, or 0 to infer it
   * @param streaming whether to stream
   * @return the training set, and the test set when the folder has one
   * @throws InputException as {@link #load(Path, int)}
   */
  public static TrainingData load(Path dir, int classes, Streaming streaming) {
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

    if (streaming.mode() != Streaming.Mode.OFF) {
      int[] dims = IdxReader.imageDims(trainImages);
      if (streaming.streams(dir.toString(), 4L * dims[0] * dims[1] * dims[2])) {
        return streamed(dir, classes, streaming, trainImages, trainLabels, testImages, testLabels);
      }
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
      checkWidths(testImages, new int[] {testX.count(), testX.rows(), testX.cols()}, trainImages,
          new int[] {trainX.count(), trainX.rows(), trainX.cols()});
    }

    int k = classCount(classes, trainLabels, trainY, testLabels, testY);
    DataSet train = toDataSet(trainImages, trainX, trainY, k);
    DataSet test = testX == null ? null : toDataSet(testImages, testX, testY, k);
    return new TrainingData(train, test, null, 1 / 255f, k, classNames(dir, k),
        new dev.cltrain.nn.Shape(trainX.rows(), trainX.cols(), 1));
  }

  /** {@code dir/name} if it is a file, else {@code dir/name.gz} if that is, else null. */
  /** K: {@code classes}, every label checked below it; or inferred from the labels (at least 2). */
  private static int classCount(int classes, Path trainLabels, int[] trainY, Path testLabels, int[] testY) {
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
    return k;
  }

  private static TrainingData streamed(Path dir, int classes, Streaming streaming, Path trainImages, Path trainLabels,
      Path testImages, Path testLabels) {
    int[] trainDims = IdxReader.imageDims(trainImages);
    int[] trainY = IdxReader.readLabels(trainLabels);
    checkCounts(trainImages, trainDims[0], trainLabels, trainY);
    int[] testY = null;
    if (testImages != null) {
      int[] testDims = IdxReader.imageDims(testImages);
      testY = IdxReader.readLabels(testLabels);
      checkCounts(testImages, testDims[0], testLabels, testY);
      checkWidths(testImages, testDims, trainImages, trainDims);
    }
    int k = classCount(classes, trainLabels, trainY, testLabels, testY);
    DataSet train = streamedImages(trainImages, trainLabels, trainY, k, trainDims[1] * trainDims[2], streaming);
    DataSet test = testY == null ? null
        : streamedImages(testImages, testLabels, testY, k, trainDims[1] * trainDims[2], streaming);
    return new TrainingData(train, test, null, 1 / 255f, k, classNames(dir, k),
        new dev.cltrain.nn.Shape(trainDims[1], trainDims[2], 1));
  }

  /** An IDX pair converted into the row cache: each image's pixels as byte / 255f, its label's one-hot row of K. */
  private static DataSet streamedImages(Path images, Path labelFile, int[] labels, int k, int width,
      Streaming streaming) {
    int[] classOf = new int[k];
    java.util.Arrays.setAll(classOf, c -> c);
    RowFile rows = RowCache.open(List.of(images, labelFile), "idx v1 classes " + k, streaming.cache(),
        (out, progress) -> {
          out.widths(width, 1);
          progress.total((long) labels.length * width); // the pixels, inflated: what the counts below count
          float[] row = new float[width + 1];
          int[] at = new int[2]; // the pixel in the row, the image
          IdxReader.streamImages(images, (bytes, count, read) -> {
            for (int i = 0; i < count; i++) {
              row[at[0]++] = (bytes[i] & 0xff) / 255f; // as IdxReader.readImages scales them
              if (at[0] == width) {
                row[width] = labels[at[1]++];
                try {
                  out.row(row, 0);
                } catch (java.io.IOException e) { // the cache's disk, not the IDX file: not "cannot read"
                  throw new java.io.UncheckedIOException(e);
                }
                at[0] = 0;
                progress.bytes(read);
                progress.rows(at[1]);
              }
            }
          });
          return new RowCache.Converted(k, classOf, null);
        });
    return DataSet.streamed(images.toString(), rows);
  }

  private static void checkWidths(Path testImages, int[] test, Path trainImages, int[] train) {
    if (test[1] * test[2] != train[1] * train[2]) {
      throw new InputException(testImages + ": images of " + test[1] + "×" + test[2] + " = "
          + test[1] * test[2] + " inputs, but the training images " + trainImages + " are " + train[1] + "×"
          + train[2] + " = " + train[1] * train[2]);
    }
  }

  static Path find(Path dir, String name) {
    Path raw = dir.resolve(name);
    if (Files.isRegularFile(raw)) {
      return raw;
    }
    Path gz = dir.resolve(name + ".gz");
    return Files.isRegularFile(gz) ? gz : null;
  }

  private static void checkCounts(Path images, IdxReader.Images x, Path labels, int[] y) {
    checkCounts(images, x.count(), labels, y);
  }

  private static void checkCounts(Path images, int count, Path labels, int[] y) {
    if (count != y.length) {
      throw new InputException(images + " has " + count + " images but " + labels + " has " + y.length
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
