package dev.cltrain.data;

/**
 * Samples in rows: {@code x} is rows × inputs and {@code y} rows × outputs, both row-major float32.
 *
 * @param name where the data came from, for messages ("xor", "data/iris.csv")
 */
public record DataSet(String name, int rows, int inputs, int outputs, float[] x, float[] y) {
  public DataSet {
    if (x.length != rows * inputs || y.length != rows * outputs) {
      throw new IllegalArgumentException("data set " + name + ": " + rows + " rows do not match "
          + x.length + " inputs and " + y.length + " targets");
    }
  }

  /** Inputs of sample {@code row}. */
  public float[] inputRow(int row) {
    return java.util.Arrays.copyOfRange(x, row * inputs, (row + 1) * inputs);
  }

  /** Targets of sample {@code row}. */
  public float[] targetRow(int row) {
    return java.util.Arrays.copyOfRange(y, row * outputs, (row + 1) * outputs);
  }

  /** A new data set of the rows at {@code indices}, in that order (copies; repeats allowed). */
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
