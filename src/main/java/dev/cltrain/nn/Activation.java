package dev.cltrain.nn;

import dev.cltrain.InputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A layer's activation function, by the name the model JSON and the CLI use. {@code code} is what the
 * kernels switch on (prelude.cl); softmax has its own kernel and is only an output layer's (cross-entropy).
 */
public enum Activation {
  IDENTITY("identity", 0),
  SIGMOID("sigmoid", 1),
  TANH("tanh", 2),
  RELU("relu", 3),
  SOFTMAX("softmax", -1);

  public final String id;
  public final int code;

  Activation(String id, int code) {
    this.id = id;
    this.code = code;
  }

  /** The activation named {@code id}; an unknown name is bad input naming {@code where}. */
  public static Activation parse(String id, String where) {
    for (Activation a : values()) {
      if (a.id.equals(id)) {
        return a;
      }
    }
    throw new InputException(where + ": unknown activation '" + id + "' (supported: "
        + Arrays.stream(values()).map(a -> a.id).collect(Collectors.joining(", ")) + ")");
  }

  /** The activations a hidden layer may use (--activation). */
  public static Activation parseHidden(String id, String where) {
    Activation a = parse(id, where);
    if (a == SOFTMAX) {
      throw new InputException(where + ": softmax is only an output activation (use --loss xent)");
    }
    return a;
  }
}
