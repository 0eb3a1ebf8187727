package dev.cltrain.nn;

import java.util.StringJoiner;

/**
 * A network's architecture in one line, for summaries: what {@code eval}, a model's {@code toString} and bench
 * tables print for a network with convolutions, pooling or dropout, where the dense widths alone would leave the convolutions
 * out.
 */
public final class Architecture {
  private Architecture() {}

  /**
   * The input's shape (when the network has more than dense layers), then each layer as {@link Layer#describe()} gives it, e.g.
   * {@code "28x28x1 -> conv:32:3 relu -> maxpool:2 -> dense 6272x128 relu -> dropout:0.5 -> dense 128x10 softmax"};
   * a dense network is {@code "dense 2x4 sigmoid -> dense 4x1 sigmoid"}.
   *
   * @param network the network
   * @return the line
   */
  public static String describe(Network network) {
    StringJoiner line = new StringJoiner(" -> ");
    if (network.hasFeatures()) {
      line.add(network.input().toString());
    }
    for (Layer layer : network.layers()) {
      line.add(layer.describe());
    }
    return line.toString();
  }

  /**
   * The short form summaries have always printed for a dense network, the widths joined by commas
   * ({@code "2,4,1"}), and {@link #describe} for a network with more than dense layers.
   *
   * @param network the network
   * @return the widths or the architecture line
   */
  public static String summary(Network network) {
    if (!network.hasFeatures()) {
      StringJoiner widths = new StringJoiner(",");
      for (int w : network.widths()) {
        widths.add(String.valueOf(w));
      }
      return widths.toString();
    }
    return describe(network);
  }
}
