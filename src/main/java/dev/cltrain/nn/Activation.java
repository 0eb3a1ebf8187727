package dev.cltrain.nn;

import dev.cltrain.core.InputException;
import dev.cltrain.core.Wording;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A layer's activation function, by the name the model JSON and the CLI use. {@code code} is what the
 * kernels switch on: prelude.cl defines it as {@code ACT_NAME} (KernelCodesTest keeps the two in step); softmax
 * has its own kernel and is only an output layer's (cross-entropy).
 */
public enum Activation {
  /** f(x) = x. */
  IDENTITY("identity", 0),
  /** f(x) = 1 / (1 + e^−x), the seed's activation. */
  SIGMOID("sigmoid", 1),
  /** f(x) = tanh(x). */
  TANH("tanh", 2),
  /** f(x) = max(0, x). */
  RELU("relu", 3),
  /** Softmax over each sample's outputs; output layer only, with cross-entropy ({@link Loss#XENT}). */
  SOFTMAX("softmax", -1);

  /** The name in the model JSON and on the command line ({@code --activation}). */
  public final String id;
  /** The code the kernels switch on; −1 for softmax, which no element-wise kernel computes. */
  public final int code;

  Activation(String id, int code) {
    this.id = id;
    this.code = code;
  }

  /**
   * The activation named {@code id}; an unknown name is bad input naming {@code where}.
   *
   * @param id    the activation's name, e.g. {@code "relu"}
   * @param where what the name came from (an option or a model file's field), for the message
   * @return the activation with that {@link #id}
   * @throws InputException if no activation has that name
   */
  public static Activation parse(String id, String where) {
    for (Activation a : values()) {
      if (a.id.equals(id)) {
        return a;
      }
    }
    throw new InputException(where + ": unknown activation '" + id + "' (supported: "
        + Arrays.stream(values()).map(a -> a.id).collect(Collectors.joining(", ")) + ")");
  }

  /**
   * The activations a hidden layer may use (--activation): any but softmax.
   *
   * @param id    the activation's name, e.g. {@code "relu"}
   * @param where what the name came from (an option or a model file's field), for the message
   * @return the activation with that {@link #id}
   * @throws InputException if no activation has that name, or it is softmax
   */
  public static Activation parseHidden(String id, String where) {
    Activation a = parse(id, where);
    if (a == SOFTMAX) {
      throw new InputException(Wording.of(where, ": softmax is only an output activation (use ", Wording.param("loss"),
          " xent)"));
    }
    return a;
  }
}
