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
}
