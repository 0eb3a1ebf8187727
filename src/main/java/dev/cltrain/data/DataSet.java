package dev.cltrain.data;

/**
 * Samples in rows: {@code x} is rows × inputs and {@code y} rows × outputs, both row-major float32.
 *
 * @param name    where the data came from, for messages ("xor", "data/iris.csv")
 * @param rows    the number of samples
 * @param inputs  values per sample's input
 * @param outputs values per sample's target; 0 for inputs only (prediction)
 * @param x       the inputs, rows × inputs, row-major
 * @param y       the targets, rows × outputs, row-major
 */
public record DataSet(String name, int rows, int inputs, int outputs, float[] x, float[] y) {
  /**
   * Checks that the arrays have the lengths the shape says. The arrays are not copied.
   *
   * @param name    where the data came from, for messages
   * @param rows    the number of samples
   * @param inputs  values per sample's input
   * @param outputs values per sample's target; 0 for inputs only
   * @param x       the inputs, rows × inputs, row-major
   * @param y       the targets, rows × outputs, row-major
   * @throws IllegalArgumentException if an array's length is not rows × its width
   */
  public DataSet {
    if (x.length != rows * inputs || y.length != rows * outputs) {
      throw new IllegalArgumentException("data set " + name + ": " + rows + " rows do not match "
          + x.length + " inputs and " + y.length + " targets");
    }
  }

  /**
   * @param row a sample, 0 to rows − 1
   * @return a copy of its inputs, {@code inputs} values
   */
  public float[] inputRow(int row) {
    return java.util.Arrays.copyOfRange(x, row * inputs, (row + 1) * inputs);
  }

  /**
   * @param row a sample, 0 to rows − 1
   * @return a copy of its targets, {@code outputs} values
   */
  public float[] targetRow(int row) {
    return java.util.Arrays.copyOfRange(y, row * outputs, (row + 1) * outputs);
  }

  /**
   * @param st the per-input standardization
   * @return these rows with their inputs standardized (a new array), targets shared
   */
  public DataSet standardized(dev.cltrain.nn.Standardization st) {
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
}
