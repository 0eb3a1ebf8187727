package dev.cltrain.nn;

import dev.cltrain.InputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The loss a network is trained with, by the name the model JSON and the CLI use. */
public enum Loss {
  /** Mean over all output elements of ½(a − y)², the seed's {@code np.mean(0.5 * (a - y) ** 2)}. */
  MSE("mse");

  public final String id;

  Loss(String id) {
    this.id = id;
  }

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
