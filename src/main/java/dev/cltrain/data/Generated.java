package dev.cltrain.data;

import dev.cltrain.core.InputException;
import dev.cltrain.nn.NumpyRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --data random:ROWSxINPUTSxCLASSES}: a generated classification set for benchmarks and sweeps, the
 * same for the same seed everywhere. Each class has a centre drawn from N(0, 1) per input; a row is its
 * class's centre plus N(0, 1) noise; rows cycle through the classes. Learnable, but not trivially.
 */
public final class Generated {
  private static final Pattern SPEC = Pattern.compile("random:(\\d{1,9})x(\\d{1,7})x(\\d{1,6})");
  /** The most floats a generated set may hold (x and y together): 1 GiB of float32. */
  private static final long MAX_FLOATS = 1L << 28;

  private Generated() {}

  /**
   * @param spec a {@code --data} value
   * @return whether it asks for a generated set (starts with {@code random:}); {@link #load} checks the rest
   */
  public static boolean matches(String spec) {
    return spec.startsWith("random:");
  }

  /**
   * The generated set {@code spec} names; its targets are one-hot rows of CLASSES.
   *
   * @param spec {@code random:ROWSxINPUTSxCLASSES}, e.g. {@code random:4096x784x10}
   * @param seed {@code np.random.seed} of the draws, 0 to 2³²−1
   * @return the set, named {@code spec}
   * @throws InputException if {@code spec} is malformed, has fewer than 1 row, 1 input or 2 classes, or
   *     would hold more than 2²⁸ floats (its rows, or its classes' centres)
   */
  public static DataSet load(String spec, long seed) {
    Matcher m = SPEC.matcher(spec);
    if (!m.matches()) {
      throw InputException.parameter("data", spec + ": expected random:ROWSxINPUTSxCLASSES, e.g. random:4096x784x10");
    }
    try {
      return checked(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), seed,
          spec, spec);
    } catch (InputException e) { // the value, named by its parameter
      throw InputException.parameter("data", e.getMessage());
    }
  }

  /**
   * {@link #classification} after checking every value, as {@link #load} does for its spec.
   *
   * @param rows    the number of rows, at least 1
   * @param inputs  values per row, at least 1
   * @param classes K, at least 2
   * @param seed    {@code np.random.seed} of the draws, 0 to 2³²−1
   * @param name    the data set's name
   * @param origin  where the values were given, for the message (e.g. "random:0x4x3")
   * @return the set
   * @throws InputException if a value is out of range, or the set would hold more than 2²⁸ floats
   */
  public static DataSet checked(int rows, int inputs, int classes, long seed, String name, String origin) {
    if (rows < 1 || inputs < 1 || classes < 2) {
      throw new InputException(origin + ": needs at least 1 row, 1 input and 2 classes");
    }
    if (seed < 0 || seed > 0xFFFFFFFFL) {
      throw new InputException(origin + ": the seed must be between 0 and 4294967295, got " + seed);
    }
    long floats = (long) rows * (inputs + classes); // every size in long: an int product wraps round
    long centres = (long) classes * inputs;
    if (floats > MAX_FLOATS || centres > MAX_FLOATS) {
      long needed = 4 * Math.max(floats, centres);
      throw new InputException(origin + ": " + (floats >= centres ? rows + " rows of " + inputs
          + " inputs and " + classes + " classes" : classes + " class centres of " + inputs + " inputs") + " need "
          + needed + " bytes; a generated set holds at most " + 4 * MAX_FLOATS + " (" + MAX_FLOATS + " floats)");
    }
    return classification(rows, inputs, classes, seed, name);
  }

  /**
   * Draws a classification set: first the class centres (classes × inputs, row-major), then row by row each
   * input's noise; row r is of class r mod {@code classes}.
   *
   * @param rows    the number of rows
   * @param inputs  values per row
   * @param classes K, the number of classes; the targets are one-hot rows of K
   * @param seed    {@code np.random.seed} of the draws, 0 to 2³²−1
   * @param name    the data set's name
   * @return the set: rows × inputs inputs, rows × classes one-hot targets
   * @throws IllegalArgumentException if the seed is out of range
   */
  public static DataSet classification(int rows, int inputs, int classes, long seed, String name) {
    NumpyRandom random = new NumpyRandom(seed);
    float[] centres = random.randnFloats(classes * inputs);
    float[] x = new float[rows * inputs];
    float[] y = new float[rows * classes];
    for (int r = 0; r < rows; r++) {
      int c = r % classes;
      for (int i = 0; i < inputs; i++) {
        x[r * inputs + i] = centres[c * inputs + i] + (float) random.randn();
      }
      y[r * classes + c] = 1;
    }
    return new DataSet(name, rows, inputs, classes, x, y);
  }
}
