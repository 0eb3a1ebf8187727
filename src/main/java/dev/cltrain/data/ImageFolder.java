package dev.cltrain.data;

import dev.cltrain.core.InputException;
import dev.cltrain.core.Notices;
import dev.cltrain.core.Wording;
import dev.cltrain.nn.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A folder of images in class subfolders ({@code DIR/CLASS/IMAGE}), as Keras' {@code image_dataset_from_directory}
 * and PyTorch's {@code ImageFolder} read it; decoded by Java's ImageIO (PNG, JPEG, BMP, GIF's first frame).
 *
 * <ul>
 *   <li><b>Classes:</b> DIR's subfolders but {@code test} and {@code val}, and but hidden ones (a leading dot). When
 *       every name is a whole number without leading zeros they are ordered by value, else by {@link String#compareTo}
 *       (Unicode order, as Python's {@code sorted}). Classes named exactly 0..K−1 are labels as an IDX folder's are:
 *       the model names them as {@link MnistDir#classNames} does (Fashion-MNIST's names when the path says
 *       "fashion", else none); any other names are stored as the model's class names.
 *   <li><b>Images:</b> the files directly in a class folder whose name ends in .png, .jpg, .jpeg, .bmp or .gif (any
 *       case) and does not start with a dot; other entries are left alone. Rows are ordered by file name, then
 *       by class for equal names, so a folder written from an indexed set ({@link ImageFolderWriter} names files by
 *       their index) keeps that set's row order.
 *   <li><b>Splits:</b> {@code DIR/test} and {@code DIR/val}, each optional, hold class folders of the same names
 *       (a subset is fine): {@code test} is the test set (as an IDX folder's t10k pair), {@code val} the validation
 *       set.
 *   <li><b>Shape:</b> {@link Options#shape} H×W×C, or else the first image's size (in row order) with C = 1 for a
 *       grayscale image (or one whose palette holds only grays) and 3 otherwise; without a shape every image must have the first's size.
 *   <li><b>Pixels:</b> see {@link #decode}: 8-bit values, converted to C channels, resized bilinearly to H×W, then
 *       scaled as IDX pixels are ({@link IdxReader#pixel}), the input scale 1/255; so the PNG of an IDX image gives the
 *       same floats, bit for bit.
 * </ul>
 *
 * <p>A file ImageIO cannot decode (or decodes with a warning, e.g. a truncated JPEG) is an {@link InputException}
 * naming it, or, with {@link Options#skipBadFiles}, left out and counted in one notice. The images are listed first
 * and decoded one by one by row index ({@link #decode(int, Shape)}).
 */
public final class ImageFolder {
  /** The image files' name endings, lower case. */
  public static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");
  /** The test split's folder name. */
  public static final String TEST = "test";
  /** The validation split's folder name. */
  public static final String VAL = "val";

  /** From this many images on, loading says in one line how long decoding took (small sets stay quiet). */
  private static final int NOTICE_IMAGES = 10_000;

  /**
   * How to read an image folder.
   *
   * @param shape        every image resized to this H×W×C (C 1 or 3), or null for the first image's size
   * @param skipBadFiles leave out the files that cannot be decoded (counted in one notice) instead of refusing them
   */
  public record Options(Shape shape, boolean skipBadFiles) {
    /** The first image's shape; a bad file is refused. */
    public static final Options DEFAULT = new Options(null, false);

    /**
     * @param shape        the shape, or null
     * @param skipBadFiles whether to skip bad files
     * @throws InputException when the shape's channels are not 1 or 3
     */
    public Options {
      if (shape != null && shape.channels() != 1 && shape.channels() != 3) {
        throw InputException.parameter("inputShape", shape + ": an image folder's images have 1 channel "
            + "(grayscale) or 3 (RGB), not " + shape.channels());
      }
    }
  }

  /**
   * One split's images in row order.
   *
   * @param dir    the folder of its class folders
   * @param files  the image files, in row order
   * @param labels each file's class, 0..K−1
   */
  public record Listing(Path dir, List<Path> files, int[] labels) {}

  private final Path dir;
  private final List<String> classes;
  private final Listing train;
  private final Listing test;
  private final Listing validation;

  private ImageFolder(Path dir, List<String> classes, Listing train, Listing test, Listing validation) {
    this.dir = dir;
    this.classes = classes;
    this.train = train;
    this.test = test;
    this.validation = validation;
  }

  /**
   * @param dir a path
   * @return true when {@code dir} is a folder with no MNIST IDX files ({@link MnistDir#looksLikeMnist}) and at
   *     least one class subfolder; nothing is decoded
   */
  public static boolean looksLikeImageFolder(Path dir) {
    if (!Files.isDirectory(dir) || MnistDir.looksLikeMnist(dir)) {
      return false;
    }
    return !subfolders(dir, true).isEmpty();
  }

  /**
   * Lists the folder: its classes and each split's files, nothing decoded.
   *
   * @param dir the image folder
   * @return the listing
   * @throws InputException when the folder cannot be listed, has fewer than 2 classes, a class folder holds no
   *     image, or a split names a class the training folder lacks
   */
  public static ImageFolder open(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new InputException(dir + ": " + (Files.exists(dir) ? "not a directory" : "not found")
          + ", expected a folder of class subfolders of images");
    }
    List<String> classes = order(names(subfolders(dir, true)));
    if (classes.size() < 2) {
      throw new InputException(dir + ": " + (classes.isEmpty() ? "no class subfolders" : "one class subfolder ("
          + classes.get(0) + ")") + "; an image folder needs one subfolder of images per class, at least 2");
    }
    Listing train = list(dir, classes, classes);
    Listing test = split(dir, TEST, classes);
    Listing validation = split(dir, VAL, classes);
    return new ImageFolder(dir, classes, train, test, validation);
  }

  /**
   * Loads the folder into memory: {@link #open}, then every image decoded by {@link #decode(int, Shape)}.
   *
   * @param dir     the image folder
   * @param classes K, or 0 for the number of class folders (which it must otherwise equal)
   * @param options the shape and the bad-file rule
   * @return the training set, the test/ and val/ sets where present, input scale 1/255, K classes, the image
   *     shape
   * @throws InputException when the folder is not a usable image folder, a file cannot be decoded (without
   *     skipping), or an image's size differs from the first's without a shape
   */
  public static TrainingData load(Path dir, int classes, Options options) {
    return load(dir, classes, options, Streaming.OFF);
  }

  /**
   * {@link #load(Path, int, Options)}, or, when {@code streaming} says so (its estimate: 4 bytes per pixel of
   * every split's images), each split decoded once into the row cache ({@link RowCache#openListing}: keyed by the
   * folder's listing, each file's name, size and time) and streamed from it: the same rows either way.
   *
   * @param dir       the image folder
   * @param classes   K, or 0 for the number of class folders
   * @param options   the shape and the bad-file rule
   * @param streaming whether to stream
   * @return the data
   */
  public static TrainingData load(Path dir, int classes, Options options, Streaming streaming) {
    long start = System.nanoTime();
    ImageFolder folder = open(dir);
    int k = folder.classes.size();
    if (classes != 0 && classes != k) {
      throw InputException.parameter("classes", "is " + classes + " but " + dir + " has " + k + " class folders");
    }
    Bad bad = new Bad();
    Shape shape = options.shape() != null ? options.shape() : folder.firstShape(options.skipBadFiles());
    long files = 0;
    for (Listing l : new Listing[] {folder.train, folder.test, folder.validation}) {
      files += l == null ? 0 : l.files().size();
    }
    if (streaming.mode() != Streaming.Mode.OFF && streaming.streams(dir.toString(), 4 * files * shape.size())) {
      return folder.streamed(shape, options, streaming);
    }
    DataSet train = folder.read(folder.train, shape, options, bad);
    DataSet test = folder.test == null ? null : folder.read(folder.test, shape, options, bad);
    DataSet validation = folder.validation == null ? null : folder.read(folder.validation, shape, options, bad);
    if (train.rows() == 0) {
      throw new InputException(dir + ": none of the " + folder.train.files().size() + " images could be decoded");
    }
    int images = train.rows() + (test == null ? 0 : test.rows()) + (validation == null ? 0 : validation.rows());
    if (images >= NOTICE_IMAGES) {
      Notices.say(String.format(Locale.ROOT, "read %d images of %s as %s in %.1f s", images, dir, shape,
          (System.nanoTime() - start) / 1e9));
    }
    bad.say();
    return new TrainingData(train, test, validation, 1 / 255f, k, folder.classNames(), shape);
  }

  /** Each split converted into the row cache (once: later runs find it) and streamed. */
  private TrainingData streamed(Shape shape, Options options, Streaming streaming) {
    Bad bad = new Bad();
    DataSet trainRows = streamedSplit(train, shape, options, streaming, bad);
    DataSet testRows = test == null ? null : streamedSplit(test, shape, options, streaming, bad);
    DataSet validationRows = validation == null ? null : streamedSplit(validation, shape, options, streaming, bad);
    int skipped = train.files().size() - trainRows.rows() + (test == null ? 0 : test.files().size() - testRows.rows())
        + (validation == null ? 0 : validation.files().size() - validationRows.rows());
    bad.count = skipped; // counted from the cache's rows: a conversion of an earlier run skipped them too
    bad.say();
    return new TrainingData(trainRows, testRows, validationRows, 1 / 255f, classes.size(), classNames(), shape);
  }

  /** Decodes a split's images in blocks, on all cores, and writes them in row order (pixels and class). */
  private DataSet streamedSplit(Listing listing, Shape shape, Options options, Streaming streaming, Bad bad) {
    int k = classes.size();
    int[] classOf = new int[k];
    java.util.Arrays.setAll(classOf, c -> c);
    int width = shape.size();
    String conversion = "images v1 shape " + shape + " sized " + (options.shape() != null) + " skip "
        + options.skipBadFiles() + " classes " + classes;
    RowFile rows = RowCache.openListing(listing.dir(), listing.files(), conversion, streaming.cache(),
        (out, progress) -> {
          out.widths(width, 1);
          List<Path> files = listing.files();
          float[][] block = new float[STREAM_BLOCK][];
          InputException[] errors = new InputException[STREAM_BLOCK];
          long bytes = 0;
          for (int from = 0; from < files.size(); from += STREAM_BLOCK) {
            int base = from;
            int m = Math.min(STREAM_BLOCK, files.size() - from);
            IntStream.range(0, m).parallel().forEach(i -> {
              block[i] = null;
              errors[i] = null;
              try {
                block[i] = ImageDecoder.row(files.get(base + i), shape, options.shape() != null, 1);
              } catch (InputException e) {
                errors[i] = e;
              }
            });
            for (int i = 0; i < m; i++) {
              bytes += files.get(base + i).toFile().length();
              if (errors[i] != null) {
                if (!options.skipBadFiles() || errors[i].getCause() == null) { // a size is refused, as in memory
                  throw errors[i];
                }
                bad.add(errors[i].getMessage());
                continue;
              }
              block[i][width] = listing.labels()[base + i];
              out.row(block[i], 0);
              progress.bytes(bytes);
              progress.rows(out.rows());
            }
          }
          if (out.rows() == 0) {
            throw new InputException(listing.dir() + ": none of the " + files.size() + " images could be decoded");
          }
          return new RowCache.Converted(k, classOf, null);
        });
    return DataSet.streamed(listing.dir().toString(), rows);
  }

  /** Images decoded at once while converting a split into the row cache (the heap holds this many rows). */
  private static final int STREAM_BLOCK = 256;

  /** {@return the class folders' names, in class order} */
  public List<String> classes() {
    return classes;
  }

  /** {@return the training images} */
  public Listing train() {
    return train;
  }

  /** {@return the model's class names: null or IDX's for folders named 0..K−1 ({@link MnistDir#classNames})} */
  public List<String> classNames() {
    for (int i = 0; i < classes.size(); i++) {
      if (!classes.get(i).equals(String.valueOf(i))) {
        return classes;
      }
    }
    return MnistDir.classNames(dir, classes.size());
  }

  /**
   * One training image's raw pixels ({@link #decode(Path, Shape)}), by row index.
   *
   * @param row   the row, 0 to the training images − 1
   * @param shape the shape to give it
   * @return H×W×C values 0..255, HWC order
   * @throws InputException when the file cannot be decoded
   */
  public int[] decode(int row, Shape shape) {
    return decode(train.files().get(row), shape);
  }

  /** Files that could not be decoded: how many were skipped and the first one's message. */
  private static final class Bad {
    int count;
    String first;

    synchronized void add(String message) {
      if (count++ == 0) {
        first = message;
      }
    }

    /** The one notice of the files skipped, if any (the first's message when it was met in this run). */
    void say() {
      if (count > 0) {
        Notices.say(Wording.of("skipped ", count, " image file", count == 1 ? "" : "s", " that could not be "
            + "decoded (", Wording.param("skipBadFiles"), ")", first == null ? "" : ", the first: " + first));
      }
    }
  }

  private Shape firstShape(boolean skip) {
    for (Path file : train.files()) {
      try {
        return ImageDecoder.shapeOf(file);
      } catch (InputException e) {
        if (!skip || e.getCause() == null) {
          throw e;
        }
      }
    }
    throw new InputException(dir + ": none of the " + train.files().size() + " images could be decoded");
  }

  private DataSet read(Listing listing, Shape shape, Options options, Bad bad) {
    int n = listing.files().size();
    int width = shape.size();
    float[] x = new float[Math.multiplyExact(n, width)];
    InputException[] errors = new InputException[n];
    boolean sized = options.shape() != null;
    IntStream.range(0, n).parallel().forEach(i -> {
      Path file = listing.files().get(i);
      try {
        System.arraycopy(ImageDecoder.row(file, shape, sized, 0), 0, x, i * width, width);
      } catch (InputException e) {
        errors[i] = e;
      }
    });
    int kept = 0;
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      if (errors[i] != null) {
        if (!options.skipBadFiles() || errors[i].getCause() == null) { // a size, not a damaged file, is refused
          throw errors[i];
        }
        bad.add(errors[i].getMessage());
        continue;
      }
      if (kept != i) {
        System.arraycopy(x, i * width, x, kept * width, width);
      }
      labels[kept++] = listing.labels()[i];
    }
    float[] y = MnistDir.oneHot(java.util.Arrays.copyOf(labels, kept), classes.size());
    return new DataSet(listing.dir().toString(), kept, width, classes.size(),
        kept == n ? x : java.util.Arrays.copyOf(x, kept * width), y);
  }

  /**
   * Decodes one image file to {@code shape}: its 8-bit values (16-bit samples as round(s·255/65535)) converted to
   * C channels (grayscale to RGB by repeating the value; RGB to grayscale as PIL's {@code convert("L")}, (19595·R +
   * 38470·G + 7471·B + 32768) >> 16, i.e. round(0.299·R + 0.587·G + 0.114·B)); alpha is dropped. Then, when its
   * size differs from H×W, each channel is resized bilinearly with half-pixel centres (source coordinate
   * (d + 0.5)·in/out − 0.5, clamped to the edge pixels, no antialiasing, as {@code tf.image.resize}'s bilinear
   * mode) and rounded half up to 0..255.
   *
   * @param file  the image file
   * @param shape H×W×C, C 1 or 3
   * @return H×W×C values 0..255, HWC order (channels fastest)
   * @throws InputException when the file cannot be read or decoded, naming it
   */
  public static int[] decode(Path file, Shape shape) {
    new Options(shape, false); // checks the channels
    return ImageDecoder.pixels(file, shape);
  }

  /** The split folder {@code dir/name}'s listing, or null when there is none. */
  private static Listing split(Path dir, String name, List<String> classes) {
    Path folder = dir.resolve(name);
    if (!Files.isDirectory(folder)) {
      return null;
    }
    List<String> own = names(subfolders(folder, false));
    for (String c : own) {
      if (!classes.contains(c)) {
        throw new InputException(folder.resolve(c) + ": class " + c + " is not one of the training classes in "
            + dir + " (" + String.join(", ", classes) + ")");
      }
    }
    if (own.isEmpty()) {
      throw new InputException(folder + ": no class subfolders; the " + name + " split holds one subfolder of "
          + "images per class, as " + dir + " does");
    }
    return list(folder, own, classes);
  }

  /** The images of {@code present} (class folders of {@code folder}), labelled by their place in {@code classes}. */
  private static Listing list(Path folder, List<String> present, List<String> classes) {
    record Entry(Path file, String name, int label) {}
    List<Entry> entries = new ArrayList<>();
    for (String c : present) {
      Path classDir = folder.resolve(c);
      int label = classes.indexOf(c);
      int before = entries.size();
      try (Stream<Path> files = Files.list(classDir)) {
        files.filter(ImageFolder::isImageFile).forEach(f -> entries.add(new Entry(f, f.getFileName().toString(), label)));
      } catch (IOException e) {
        throw new InputException(classDir + ": cannot list this class folder (" + e.getMessage() + ")");
      }
      if (entries.size() == before) {
        throw new InputException(classDir + ": no " + ImageDecoder.KINDS + " files (.png, .jpg, .jpeg, .bmp, .gif) in this "
            + "class folder");
      }
    }
    entries.sort(Comparator.comparing(Entry::name).thenComparingInt(Entry::label));
    List<Path> files = new ArrayList<>(entries.size());
    int[] labels = new int[entries.size()];
    for (int i = 0; i < labels.length; i++) {
      files.add(entries.get(i).file());
      labels[i] = entries.get(i).label();
    }
    return new Listing(folder, List.copyOf(files), labels);
  }

  private static boolean isImageFile(Path file) {
    String name = file.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    return !name.startsWith(".") && EXTENSIONS.stream().anyMatch(lower::endsWith) && Files.isRegularFile(file);
  }

  /** The visible subfolders of {@code dir}; with {@code top}, but the split folders. */
  private static List<Path> subfolders(Path dir, boolean top) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(Files::isDirectory)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(p -> !top || !(p.getFileName().toString().equals(TEST) || p.getFileName().toString().equals(VAL)))
          .toList();
    } catch (IOException e) {
      throw new InputException(dir + ": cannot list this folder (" + e.getMessage() + ")");
    }
  }

  private static List<String> names(List<Path> folders) {
    return order(folders.stream().map(p -> p.getFileName().toString()).toList());
  }

  /** Whole numbers without leading zeros by value, else Unicode order. */
  private static List<String> order(List<String> names) {
    boolean numbers = names.stream().allMatch(n -> n.matches("0|[1-9][0-9]{0,8}"));
    Comparator<String> by = numbers ? Comparator.comparingInt(Integer::parseInt) : Comparator.naturalOrder();
    return names.stream().sorted(by).toList();
  }
}
