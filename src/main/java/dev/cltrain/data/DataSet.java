package dev.cltrain.data;

/**
 * Samples in rows: {@code x} is rows × inputs and {@code y} rows × outputs, both row-major float32.
 *
 * @param name    where the data came from, for messages ("xor", "data/iris.csv")
 * @param rows    the number of samples
 * @param inputs  values per sample's input
 * @param outputs values per sample's target; 0 for inputs only (prediction)
 * @param x       the inputs, rows × inputs, row-major; null when streamed
 * @param y       the targets, rows × outputs, row-major; null when streamed
 * @param source  where a streamed set's rows are read by index ({@link RowSource}), or null when the rows are
 *     in {@code x} and {@code y}
 */
public record DataSet(String name, int rows, int inputs, int outputs, float[] x, float[] y, RowSource source) {
  /**
   * Rows in memory.
   *
   * @param name    where the data came from, for messages
   * @param rows    the number of samples
   * @param inputs  values per sample's input
   * @param outputs values per sample's target; 0 for inputs only
   * @param x       the inputs, rows × inputs, row-major
   * @param y       the targets, rows × outputs, row-major
   * @throws IllegalArgumentException if an array's length is not rows × its width
   */
  public DataSet(String name, int rows, int inputs, int outputs, float[] x, float[] y) {
    this(name, rows, inputs, outputs, x, y, null);
  }

  /**
   * Rows streamed from {@code source}: only a window of them is in the heap at a time.
   *
   * @param name   where the data came from, for messages
   * @param source the rows
   * @return the streamed set
   */
  public static DataSet streamed(String name, RowSource source) {
    return new DataSet(name, source.rows(), source.inputs(), source.outputs(), null, null, source);
  }

  /**
   * Checks that the arrays have the lengths the shape says (or, streamed, that there are none and the source
   * has that shape). The arrays are not copied.
   *
   * @param name    where the data came from, for messages
   * @param rows    the number of samples
   * @param inputs  values per sample's input
   * @param outputs values per sample's target; 0 for inputs only
   * @param x       the inputs, rows × inputs, row-major
   * @param y       the targets, rows × outputs, row-major
   * @param source  the streamed rows, or null
   * @throws IllegalArgumentException if an array's length is not rows × its width
   */
  public DataSet {
    if (source != null) {
      if (x != null || y != null || source.rows() != rows || source.inputs() != inputs
          || source.outputs() != outputs) {
        throw new IllegalArgumentException("streamed data set " + name + ": " + rows + "x" + inputs + "x" + outputs
            + " does not match its source's " + source.rows() + "x" + source.inputs() + "x" + source.outputs());
      }
    } else if (x.length != rows * inputs || y.length != rows * outputs) {
      throw new IllegalArgumentException("data set " + name + ": " + rows + " rows do not match "
          + x.length + " inputs and " + y.length + " targets");
    }
  }

  /**
   * @param row a sample, 0 to rows − 1
   * @return a copy of its inputs, {@code inputs} values
   */
  public float[] inputRow(int row) {
    if (source != null) {
      float[] in = new float[inputs];
      source.read(row, 1, in, new float[outputs]);
      return in;
    }
    return java.util.Arrays.copyOfRange(x, row * inputs, (row + 1) * inputs);
  }

  /**
   * @param row a sample, 0 to rows − 1
   * @return a copy of its targets, {@code outputs} values
   */
  public float[] targetRow(int row) {
    if (source != null) {
      float[] out = new float[outputs];
      source.read(row, 1, new float[inputs], out);
      return out;
    }
    return java.util.Arrays.copyOfRange(y, row * outputs, (row + 1) * outputs);
  }

  /**
   * @param st the per-input standardization
   * @return these rows with their inputs standardized (a new array), targets shared
   */
  public DataSet standardized(dev.cltrain.nn.Standardization st) {
    if (source != null) {
      return streamed(name, source.mapInputs(st::apply));
    }
    return new DataSet(name, rows, inputs, outputs, st.apply(x), y);
  }

  /**
   * A new data set of the rows at {@code indices}, in that order (copies; repeats allowed).
   *
   * @param indices the rows to take, each 0 to rows − 1
   * @param name    the new data set's name
   * @return {@code indices.length} rows, with this data set's widths
   * @throws IndexOutOfBoundsException if an index is not a row of this data set
   */
  public DataSet rows(int[] indices, String name) {
    if (source != null) {
      for (int row : indices) {
        if (row < 0 || row >= rows) {
          throw new IndexOutOfBoundsException("row " + row + " of data set " + this.name + " with " + rows + " rows");
        }
      }
      return streamed(name, source.subset(indices));
    }
    float[] sx = new float[indices.length * inputs];
    float[] sy = new float[indices.length * outputs];
    for (int i = 0; i < indices.length; i++) {
      int row = indices[i];
      if (row < 0 || row >= rows) {
        throw new IndexOutOfBoundsException("row " + row + " of data set " + this.name + " with " + rows + " rows");
      }
      System.arraycopy(x, row * inputs, sx, i * inputs, inputs);
      System.arraycopy(y, row * outputs, sy, i * outputs, outputs);
    }
    return new DataSet(name, indices.length, inputs, outputs, sx, sy);
  }

  /** Floats a streaming pass over the rows (the standardization, the targets' range) reads at a time: 256 KB. */
  static final int CHUNK_FLOATS = 1 << 16;

  /** {@return whether the rows are streamed from a {@link #source()} rather than held in x and y} */
  public boolean isStreamed() {
    return source != null;
  }

  /**
   * @param name the new name
   * @return these rows (the same arrays or source) under another name
   */
  public DataSet named(String name) {
    return new DataSet(name, rows, inputs, outputs, x, y, source);
  }

  /**
   * Copies rows {@code order[from .. from + count)} into the starts of {@code bx} and {@code by}, from the arrays
   * or the source: the same floats either way.
   *
   * @param order row indices
   * @param from  the first of them
   * @param count how many
   * @param bx    gets count × inputs floats
   * @param by    gets count × outputs floats
   */
  public void gather(int[] order, int from, int count, float[] bx, float[] by) {
    if (source != null) {
      source.gather(order, from, count, bx, by);
      return;
    }
    for (int i = 0; i < count; i++) {
      int row = order[from + i];
      System.arraycopy(x, row * inputs, bx, i * inputs, inputs);
      System.arraycopy(y, row * outputs, by, i * outputs, outputs);
    }
  }

  /**
   * Copies rows {@code from .. from + count)} into the starts of {@code bx} and {@code by}.
   *
   * @param from  the first row
   * @param count how many
   * @param bx    gets count × inputs floats
   * @param by    gets count × outputs floats
   */
  public void read(int from, int count, float[] bx, float[] by) {
    if (source != null) {
      source.read(from, count, bx, by);
      return;
    }
    System.arraycopy(x, from * inputs, bx, 0, count * inputs);
    System.arraycopy(y, from * outputs, by, 0, count * outputs);
  }

  /**
   * @param targets targets per row
   * @return these rows of inputs only (no targets) with {@code targets} zero targets each: what a forward pass
   *     that computes outputs only scores against
   * @throws IllegalArgumentException when the rows have targets
   */
  public DataSet withZeroTargets(int targets) {
    if (outputs != 0) {
      throw new IllegalArgumentException("data set " + name + " has targets already");
    }
    if (source == null) {
      return new DataSet(name, rows, inputs, targets, x, new float[rows * targets]);
    }
    RowSource inputsOnly = source;
    return streamed(name, new RowSource() {
      @Override public int rows() {
        return inputsOnly.rows();
      }

      @Override public int inputs() {
        return inputsOnly.inputs();
      }

      @Override public int outputs() {
        return targets;
      }

      @Override public void gather(int[] order, int from, int count, float[] bx, float[] by) {
        inputsOnly.gather(order, from, count, bx, null);
        java.util.Arrays.fill(by, 0, count * targets, 0f);
      }

      @Override public void checkUnchanged() {
        inputsOnly.checkUnchanged();
      }
    });
  }

  /**
   * @return these rows in memory: this set itself when it is, else every row read from the source (the whole
   *     set in the heap: for a full batch, which the device holds whole anyway)
   */
  public DataSet inMemory() {
    if (source == null) {
      return this;
    }
    if ((long) rows * Math.max(inputs, outputs) > Integer.MAX_VALUE - 8) {
      throw new dev.cltrain.core.InputException("data set " + name + ": " + rows + " rows of " + inputs
          + " inputs do not fit in one array (give a batch size: streamed mini-batches hold a window of rows)");
    }
    float[] ax = new float[rows * inputs];
    float[] ay = new float[rows * outputs];
    source.read(0, rows, ax, ay);
    return new DataSet(name, rows, inputs, outputs, ax, ay);
  }

  /**
   * @return the smallest and largest target value ({+∞, −∞} when there are none), streamed in chunks when the
   *     rows are
   */
  public float[] targetRange() {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    int chunk = Math.max(1, Math.min(rows, CHUNK_FLOATS / Math.max(1, inputs + outputs)));
    float[] bx = new float[chunk * inputs];
    float[] by = new float[chunk * outputs];
    for (int from = 0; from < rows; from += chunk) {
      int n = Math.min(chunk, rows - from);
      read(from, n, bx, by);
      for (int i = 0; i < n * outputs; i++) {
        min = Math.min(min, by[i]);
        max = Math.max(max, by[i]);
      }
    }
    return new float[] {min, max};
  }

  /**
   * The mean and standard deviation of each input column ({@code --standardize}): {@link
   * dev.cltrain.nn.Standardization#of(float[], int, int)} of the rows in memory, or its two passes over streamed
   * rows chunk by chunk in the same order, which gives the same bits.
   *
   * @return the standardization of these rows
   */
  public dev.cltrain.nn.Standardization standardization() {
    if (source == null) {
      return dev.cltrain.nn.Standardization.of(x, rows, inputs);
    }
    int chunk = Math.max(1, Math.min(rows, CHUNK_FLOATS / Math.max(1, inputs + outputs)));
    float[] bx = new float[chunk * inputs];
    float[] by = new float[chunk * outputs];
    double[] mean = new double[inputs];
    for (int from = 0; from < rows; from += chunk) {
      int n = Math.min(chunk, rows - from);
      read(from, n, bx, by);
      dev.cltrain.nn.Standardization.addSums(bx, n, inputs, mean);
    }
    for (int c = 0; c < inputs; c++) {
      mean[c] /= rows;
    }
    double[] squares = new double[inputs];
    for (int from = 0; from < rows; from += chunk) {
      int n = Math.min(chunk, rows - from);
      read(from, n, bx, by);
      dev.cltrain.nn.Standardization.addSquaredDeviations(bx, n, inputs, mean, squares);
    }
    return dev.cltrain.nn.Standardization.of(mean, squares, rows);
  }
}
