package dev.cltrain.nn;

import java.util.Arrays;
import java.util.List;

/**
 * An embedding ({@code embedding:V:D}), the first layer of a net on token ids: a row of T ids (integers in
 * [0, V) stored as floats; any shape of T values) becomes T vectors of D, the shape T×1×D (a sequence), row v
 * of the V × D weights for id v. Id 0 is padding, as PyTorch's {@code nn.Embedding(padding_idx=0)}: its row is
 * zero and never updated. A row's length is the index of its first 0 id (T when none): a recurrent layer after
 * the embedding skips the steps at or past it ({@link Recurrent}). An immutable value: the weights are copied.
 *
 * <pre>{@code
 * Embedding e = Embedding.draw(20, 100, 16, new NumpyRandom(0)); // 20 ids per row, V = 100, D = 16
 * String item = e.spec(); // "embedding:100:16"
 * }</pre>
 *
 * @param steps      T: ids per row
 * @param vocabulary V: ids 0 to V − 1, padding 0 included
 * @param dims       D: floats per vector
 * @param weights    V × D row-major, row 0 all zeros
 */
public record Embedding(int steps, int vocabulary, int dims, float[] weights) implements Layer {
  /**
   * @throws IllegalArgumentException if a size is below 1, the weights are not V × D or row 0 is not zero
   */
  public Embedding {
    if (steps < 1 || vocabulary < 1 || dims < 1 || (long) vocabulary * dims != weights.length) {
      throw new IllegalArgumentException("embedding of " + steps + " ids, V " + vocabulary + ", D " + dims + " given "
          + weights.length + " weights");
    }
    for (int d = 0; d < dims; d++) {
      if (weights[d] != 0f) {
        throw new IllegalArgumentException("embedding row 0 (padding) must be zero, weight " + d + " is " + weights[d]);
      }
    }
    weights = weights.clone();
  }

  /**
   * A new layer with PyTorch's initial values: each weight of rows 1 to V − 1 standard normal
   * ({@code np.random.randn}, row-major), row 0 zero (padding; nothing drawn for it).
   *
   * @param steps      T
   * @param vocabulary V
   * @param dims       D
   * @param random     the generator, left where the draws end
   * @return the layer
   */
  public static Embedding draw(int steps, int vocabulary, int dims, NumpyRandom random) {
    float[] w = new float[vocabulary * dims];
    System.arraycopy(random.randnFloats((vocabulary - 1) * dims), 0, w, dims, (vocabulary - 1) * dims);
    return new Embedding(steps, vocabulary, dims, w);
  }

  /**
   * Refuses rows whose ids are not integers in [0, V): a data error naming the first such row (1-based), the
   * position in it and the value.
   *
   * @param x    rows of T ids, row-major
   * @param rows how many rows
   * @param name the rows' name (a data set's), to begin the message with
   * @throws dev.cltrain.core.InputException naming the row
   */
  public void checkIds(float[] x, int rows, String name) {
    for (int n = 0; n < rows; n++) {
      for (int t = 0; t < steps; t++) {
        float v = x[n * steps + t];
        if (!(v >= 0 && v < vocabulary) || v != (float) Math.floor(v)) {
          throw new dev.cltrain.core.InputException(name + ": row " + (n + 1) + ": token id " + v + " at position "
              + (t + 1) + " is not an integer in [0, " + vocabulary + ") (embedding:" + vocabulary + ":" + dims + ")");
        }
      }
    }
  }

  @Override
  public float[] weights() {
    return weights.clone();
  }

  /** @return 1×1×T: a row of T ids */
  @Override
  public Shape input() {
    return new Shape(1, 1, steps);
  }

  /** @return whether {@code at} holds T values (any shape of them) */
  @Override
  public boolean takes(Shape at) {
    return at.size() == steps;
  }

  /** @return T×1×D */
  @Override
  public Shape output() {
    return new Shape(steps, 1, dims);
  }

  @Override
  public LayerKind kind() {
    return LayerKind.EMBEDDING;
  }

  @Override
  public long parameterCount() {
    return weights.length;
  }

  @Override
  public List<float[]> parameters() {
    return List.of(weights());
  }

  @Override
  public Embedding withParameters(List<float[]> values) {
    return new Embedding(steps, vocabulary, dims, values.get(0));
  }

  /** @return e.g. "embedding:100:16" */
  @Override
  public String spec() {
    return "embedding:" + vocabulary + ":" + dims;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Embedding e && steps == e.steps && vocabulary == e.vocabulary && dims == e.dims
        && Arrays.equals(weights, e.weights);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(steps, vocabulary, dims, Arrays.hashCode(weights));
  }

  @Override
  public String toString() {
    return "Embedding(" + steps + " ids, " + spec() + ")";
  }
}
