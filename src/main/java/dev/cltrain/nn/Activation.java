package dev.cltrain.nn;

import dev.cltrain.InputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** A layer's activation function, by the name the model JSON and the CLI use. */
public enum Activation {
  SIGMOID("sigmoid");

  public final String id;

  Activation(String id) {
    this.id = id;
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
}
