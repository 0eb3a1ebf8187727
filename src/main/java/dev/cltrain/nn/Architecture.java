package dev.cltrain.nn;

import java.util.StringJoiner;

/**
 * A network's architecture in one line, for summaries: what {@code eval}, a model's {@code toString} and bench
 * tables print for a network with {@link Features}, where the dense widths alone would leave the convolutions
 * out.
 */
public final class Architecture {
  private Architecture() {}

  /**
   * The input's shape (with features), each stage's {@code --net} item, then each dense layer, e.g.
   * {@code "28x28x1 -> conv:32:3 relu -> maxpool:2 -> dense 6272x128 relu -> dropout:0.5 -> dense 128x10 softmax"};
   * a dense network is {@code "dense 2x4 sigmoid -> dense 4x1 sigmoid"}.
   *
   * @param network the network
   * @return the line
   */
  public static String describe(Network network) {
    StringJoiner line = new StringJoiner(" -> ");
    Features features = network.features();
    float[] denseDropout = null;
    if (features != null) {
      line.add(features.input().toString());
      for (Stage stage : features.stages()) {
        line.add(stage instanceof Conv c ? c.spec() + " " + c.activation().id : stage.spec());
      }
      denseDropout = features.denseDropout();
    }
    for (int l = 0; l < network.layers().size(); l++) {
      Layer layer = network.layers().get(l);
      line.add("dense " + layer.inputs() + "x" + layer.outputs() + " " + layer.activation().id);
      if (denseDropout != null && denseDropout[l] > 0) {
        line.add("dropout:" + denseDropout[l]);
      }
    }
    return line.toString();
  }

  /**
   * The short form summaries have always printed for a dense network, the widths joined by commas
   * ({@code "2,4,1"}), and {@link #describe} for a network with features.
   *
   * @param network the network
   * @return the widths or the architecture line
   */
  public static String summary(Network network) {
    if (network.features() == null) {
      StringJoiner widths = new StringJoiner(",");
      for (int w : network.widths()) {
        widths.add(String.valueOf(w));
      }
      return widths.toString();
    }
    return describe(network);
  }
}
