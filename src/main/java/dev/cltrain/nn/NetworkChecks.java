package dev.cltrain.nn;

import java.util.List;

/** {@link Network}'s checks on its list of layers: how they chain, and where a freeze leaves training to start. */
final class NetworkChecks {
  private NetworkChecks() {}

  /**
   * The layers chain from the input: each takes what the one before gives, nothing but a batch norm and a dropout
   * follow a dense layer, a dense layer takes at most one of each (the batch norm first), and the last layer is
   * dense.
   *
   * @param input  the shape of one input sample
   * @param layers the layers from input to output, at least one
   * @throws IllegalArgumentException naming the first layer that breaks a rule
   */
  static void chain(Shape input, List<Layer> layers) {
    Shape at = input;
    int denseSeen = -1;
    for (int l = 0; l < layers.size(); l++) {
      Layer layer = layers.get(l);
      boolean dense = isDense(layer);
      if (!layer.takes(at)) {
        throw new IllegalArgumentException(dense && l > 0 && isDense(layers.get(l - 1))
            ? "layer " + l + " takes " + layer.input().size() + " inputs but layer " + (l - 1) + " gives " + at.size()
            : "layer " + l + " (" + layer.spec() + ") takes " + layer.input() + " but is given " + at
                + (dense ? " = " + at.size() : ""));
      }
      LayerKind.Place place = layer.kind().place;
      if (denseSeen >= 0 && !dense && place != LayerKind.Place.BETWEEN && place != LayerKind.Place.STAGE_OR_BETWEEN) {
        throw new IllegalArgumentException("layer " + l + " (" + layer.spec() + ") cannot follow a dense layer");
      }
      // after a dense layer: at most one batch norm, then at most one dropout
      if (denseSeen >= 0 && !dense && !isDense(layers.get(l - 1)) && !(place == LayerKind.Place.BETWEEN
          && l - 1 == denseSeen + 1 && layers.get(l - 1).kind().place == LayerKind.Place.STAGE_OR_BETWEEN)) {
        throw new IllegalArgumentException("layer " + l + " (" + layer.spec() + "): a dense layer takes one batch "
            + "norm, then one dropout");
      }
      denseSeen = dense ? l : denseSeen;
      at = layer.output();
    }
    if (denseSeen != layers.size() - 1) {
      throw new IllegalArgumentException(denseSeen < 0 ? "a network ends with a dense layer, the output layer"
          : "the output layer cannot have " + layers.get(denseSeen + 1).kind().ids.get(0));
    }
  }

  /** Whether a layer is one of the dense layers, the part after the stages ({@link LayerKind.Place#DENSE}). */
  static boolean isDense(Layer layer) {
    return layer.kind().place == LayerKind.Place.DENSE;
  }

  /**
   * {@link Network#firstTrainable}: the first layer with parameters at or after {@code frozen}.
   *
   * @param layers the network's layers
   * @param frozen the first layers not to train
   * @return the index of the first layer trained
   */
  static int firstTrainable(List<Layer> layers, int frozen) {
    if (frozen < 0) {
      throw dev.cltrain.core.InputException.parameter("freeze", "must be at least 0, got " + frozen);
    }
    boolean dense = false;
    for (int l = 0; l < Math.min(frozen, layers.size()); l++) {
      dense |= isDense(layers.get(l));
      // a frozen stage's batch norm normalizes with its running statistics (train.Stages); past the first dense
      // layer it would still train on its batch statistics
      if (dense && !layers.get(l).state().isEmpty()) {
        throw dev.cltrain.core.InputException.parameter("freeze", frozen + " would freeze layer " + l + " ("
            + layers.get(l).spec() + "), whose running statistics training updates; freeze at most " + l);
      }
    }
    for (int l = frozen; l < layers.size(); l++) {
      if (layers.get(l).parameterCount() > 0) {
        return l;
      }
    }
    StringBuilder list = new StringBuilder();
    for (Layer l : layers) {
      list.append(list.length() == 0 ? "" : ", ").append(l.spec());
    }
    String what = frozen > layers.size() ? " is past the last layer" : " freezes every layer with parameters";
    throw dev.cltrain.core.InputException.parameter("freeze", frozen + what + ": the network has "
        + layers.size() + " layers (" + list + "; every item of its layer list counts, an activation belongs to "
        + "its layer), so freeze at most " + (layers.size() - 1));
  }

  /** The first layer's input shape, the network's. */
  static Shape firstInput(List<? extends Layer> layers) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("a network needs at least one layer");
    }
    return layers.get(0).input();
  }

  /** The input scale, refused unless positive and finite. */
  static float checkInputScale(float scale) {
    if (!(scale > 0) || Float.isInfinite(scale)) {
      throw new dev.cltrain.core.InputException("the input scale must be positive and finite, got " + scale);
    }
    return scale;
  }
}
