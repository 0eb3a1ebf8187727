package dev.cltrain.data;

/**
 * Rows read by index from outside the Java heap (a memory-mapped row file, and views of one): what a streamed
 * {@link DataSet} holds instead of its arrays. Row r's inputs are {@code inputs} floats and its targets
 * {@code outputs} floats, exactly the values the in-memory reader of the same source gives, so that a streamed
 * run computes the same bits. Another kind of source (a folder of images decoded by index) is one more
 * implementation. Reads may come from a background thread, one at a time.
 */
public interface RowSource {
  /** {@return the number of rows} */
  int rows();

  /** {@return inputs per row} */
  int inputs();

  /** {@return targets per row; 0 for inputs only} */
  int outputs();

  /**
   * Copies rows {@code order[from .. from + count)} into the starts of {@code x} (count × inputs) and {@code y}
   * (count × outputs), in that order.
   *
   * @param order row indices, each 0 to rows − 1
   * @param from  the first of them to copy
   * @param count how many
   * @param x     gets the inputs, row-major; at least count × inputs long
   * @param y     gets the targets, row-major; at least count × outputs long (may be null when outputs is 0)
   */
  void gather(int[] order, int from, int count, float[] x, float[] y);

  /**
   * Copies rows {@code from .. from + count)} into the starts of {@code x} and {@code y}, as {@link #gather} with
   * the rows in order.
   *
   * @param from  the first row
   * @param count how many
   * @param x     gets the inputs
   * @param y     gets the targets
   */
  default void read(int from, int count, float[] x, float[] y) {
    int[] order = new int[count];
    java.util.Arrays.setAll(order, i -> from + i);
    gather(order, 0, count, x, y);
  }

  /**
   * Checks that what the rows were read from has not changed since (a file replaced during a run).
   *
   * @throws dev.cltrain.core.InputException naming the file when it has
   */
  default void checkUnchanged() {}

  /**
   * @param rows the rows to keep, in their new order (repeats allowed), each 0 to rows − 1
   * @return a view whose row i is this source's row {@code rows[i]}
   */
  default RowSource subset(int[] rows) {
    RowSource base = this;
    int[] picked = rows.clone();
    return new RowSource() {
      @Override public int rows() {
        return picked.length;
      }

      @Override public int inputs() {
        return base.inputs();
      }

      @Override public int outputs() {
        return base.outputs();
      }

      @Override public void gather(int[] order, int from, int count, float[] x, float[] y) {
        int[] mapped = new int[count];
        for (int i = 0; i < count; i++) {
          mapped[i] = picked[order[from + i]];
        }
        base.gather(mapped, 0, count, x, y);
      }

      @Override public void checkUnchanged() {
        base.checkUnchanged();
      }
    };
  }

  /**
   * @param change takes the inputs of n whole rows (n × inputs floats, row-major) and returns them changed (a
   *     standardization, a scale), element by element as it would change the whole set's array
   * @return a view of these rows with their inputs so changed
   */
  default RowSource mapInputs(java.util.function.UnaryOperator<float[]> change) {
    RowSource base = this;
    return new RowSource() {
      @Override public int rows() {
        return base.rows();
      }

      @Override public int inputs() {
        return base.inputs();
      }

      @Override public int outputs() {
        return base.outputs();
      }

      @Override public void gather(int[] order, int from, int count, float[] x, float[] y) {
        base.gather(order, from, count, x, y);
        float[] changed = change.apply(java.util.Arrays.copyOf(x, count * base.inputs()));
        System.arraycopy(changed, 0, x, 0, changed.length);
      }

      @Override public void checkUnchanged() {
        base.checkUnchanged();
      }
    };
  }
}
