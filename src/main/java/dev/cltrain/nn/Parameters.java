package dev.cltrain.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * A network's trainable arrays as a whole, layer by layer in list order (each layer's {@link Layer#parameters()}:
 * weights then biases), which is the checkpoint's order: the arrays themselves, the first value gone non-finite
 * and the largest difference between two networks.
 */
public final class Parameters {
  private Parameters() {}

  /**
   * @param network a network
   * @return copies of every trainable array, layer by layer, weights then biases
   */
  public static List<float[]> arrays(Network network) {
    List<float[]> arrays = new ArrayList<>();
    for (Layer layer : network.layers()) {
      arrays.addAll(layer.parameters());
    }
    return arrays;
  }

  /**
   * @param network a network
   * @return copies of every state array ({@link Layer#state()}: not trained, changed by training, e.g. a batch
   *     norm's running statistics), layer by layer
   */
  public static List<float[]> state(Network network) {
    List<float[]> arrays = new ArrayList<>();
    for (Layer layer : network.layers()) {
      arrays.addAll(layer.state());
    }
    return arrays;
  }

  /**
   * Finds the first weight or bias (then state value, {@link Layer#state()}), layer by layer, that is NaN or
   * infinite.
   *
   * @param network the network to check
   * @return e.g. "weight 3 of layer 2 became NaN" (dense layers counted from 1 as "layer", the others by kind,
   *     e.g. "conv layer 1"; weights row-major from 0), or null if every parameter is finite
   */
  static String firstNonFinite(Network network) {
    int[] counts = new int[LayerKind.values().length];
    for (Layer layer : network.layers()) {
      List<float[]> parameters = layer.parameters();
      if (parameters.isEmpty() && layer.state().isEmpty()) {
        continue;
      }
      int n = ++counts[layer.kind().ordinal()];
      String name = (layer.kind().place == LayerKind.Place.DENSE ? "layer " : layer.kind().ids.get(0) + " layer ") + n;
      List<float[]> state = layer.state();
      for (int p = 0; p < parameters.size() + state.size(); p++) {
        float[] values = p < parameters.size() ? parameters.get(p) : state.get(p - parameters.size());
        for (int i = 0; i < values.length; i++) {
          if (!Float.isFinite(values[i])) {
            String what = p == 0 ? "weight " : p == 1 ? "bias " : "state array " + (p - parameters.size() + 1) + " value ";
            return what + i + " of " + name + " became " + values[i];
          }
        }
      }
    }
    return null;
  }

  /**
   * @param a a network
   * @param b a network of the same shape
   * @return the largest |a − b| over every weight and bias, and every state value ({@link Layer#state()}, e.g.
   *     a batch norm's running statistics) (NaN if either side has a NaN there)
   */
  static float maxAbsDifference(Network a, Network b) {
    float max = 0;
    for (int l = 0; l < a.layers().size(); l++) {
      List<float[]> pa = new ArrayList<>(a.layers().get(l).parameters());
      List<float[]> pb = new ArrayList<>(b.layers().get(l).parameters());
      pa.addAll(a.layers().get(l).state());
      pb.addAll(b.layers().get(l).state());
      for (int p = 0; p < pa.size(); p++) {
        max = Math.max(max, maxAbs(pa.get(p), pb.get(p)));
      }
    }
    return max;
  }

  private static float maxAbs(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      float d = Math.abs(a[i] - b[i]);
      if (Float.isNaN(d)) {
        return Float.NaN; // a NaN on either side is the largest difference there is
      }
      max = Math.max(max, d);
    }
    return max;
  }

}
