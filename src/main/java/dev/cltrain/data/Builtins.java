package dev.cltrain.data;

import java.util.Map;
import java.util.function.IntBinaryOperator;

/** The built-in truth tables of two inputs: xor (the seed's), and, or. Inputs in the seed's order. */
public final class Builtins {
  private static final Map<String, IntBinaryOperator> TABLES = Map.of(
      "xor", (a, b) -> a ^ b,
      "and", (a, b) -> a & b,
      "or", (a, b) -> a | b);

  private Builtins() {}

  /**
   * @param name a data set name, e.g. "xor"
   * @return whether it is a built-in truth table (xor, and, or)
   */
  public static boolean has(String name) {
    return TABLES.containsKey(name);
  }

  /**
   * X = [[0,0],[0,1],[1,0],[1,1]] and y = op(x0, x1), as in the seed.
   *
   * @param name "xor", "and" or "or"
   * @return the truth table: 4 rows, 2 inputs, 1 output, named {@code name}
   * @throws IllegalArgumentException if there is no built-in of that name (see {@link #has})
   */
  public static DataSet get(String name) {
    IntBinaryOperator op = TABLES.get(name);
    if (op == null) {
      throw new IllegalArgumentException("no built-in data set " + name);
    }
    float[] x = {0, 0, 0, 1, 1, 0, 1, 1};
    float[] y = new float[4];
    for (int row = 0; row < 4; row++) {
      y[row] = op.applyAsInt((int) x[2 * row], (int) x[2 * row + 1]);
    }
    return new DataSet(name, 4, 2, 1, x, y);
  }
}
