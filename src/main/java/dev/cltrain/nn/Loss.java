package dev.cltrain.nn;

import dev.cltrain.core.InputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The loss a network is trained with, and the output activation that goes with it. */
public enum Loss {
  /** Mean over all output elements of ½(a − y)², the seed's {@code np.mean(0.5 * (a - y) ** 2)}; sigmoid outputs. */
  MSE("mse", Activation.SIGMOID),
  /** Softmax outputs with cross-entropy: mean over samples of −Σ y·log p; the output error is p − y. */
  XENT("xent", Activation.SOFTMAX);

  /** The name in the model JSON and on the command line ({@code --loss}). */
  public final String id;
  /** The output layer's activation under this loss. */
  public final Activation output;

  Loss(String id, Activation output) {
    this.id = id;
    this.output = output;
  }

  /**
   * Whether the output layer may have this activation under this loss: the loss's own, or identity under MSE
   * (regression with targets outside [0, 1]; mse_delta's slope for identity is 1).
   *
   * @param activation an output layer's activation
   * @return true if allowed
   */
  public boolean allowsOutput(Activation activation) {
    return activation == output || (this == MSE && activation == Activation.IDENTITY);
  }

  /**
   * The loss named {@code id}; an unknown name is bad input naming {@code where}.
   *
   * @param id    the loss's name, {@code "mse"} or {@code "xent"}
   * @param where what the name came from (an option or a model file's field), for the message
   * @return the loss with that {@link #id}
   * @throws InputException if no loss has that name
   */
  public static Loss parse(String id, String where) {
    for (Loss l : values()) {
      if (l.id.equals(id)) {
        return l;
      }
    }
    throw new InputException(where + ": unknown loss '" + id + "' (supported: "
        + Arrays.stream(values()).map(l -> l.id).collect(Collectors.joining(", ")) + ")");
  }
}
