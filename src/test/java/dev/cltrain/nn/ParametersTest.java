package dev.cltrain.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Parameters} over every layer's arrays, generic over kinds: a batch norm's γ and β as its parameters and
 * its running statistics as its state. Tolerance: none (exact values).
 */
class ParametersTest {
  private static Network net() {
    return NetSpec.parse("conv:2:3,bn,relu,gap,dense:3").build(new Shape(4, 4, 1), 3, Loss.XENT, Activation.SOFTMAX,
        null, new NumpyRandom(3), 1L);
  }

  /** The net with layer {@code index} replaced by {@code layer}. */
  private static Network with(Network net, int index, Layer layer) {
    List<Layer> layers = new ArrayList<>(net.layers());
    layers.set(index, layer);
    return net.withLayers(layers);
  }

  @Test
  void aBatchNormsParametersAndRunningStatisticsAreCheckedAndCompared() {
    Network net = net();
    BatchNorm bn = (BatchNorm) net.layers().get(1);
    assertNull(Network.firstNonFinite(net), "a fresh net is finite");
    assertEquals(2, Parameters.state(net).size(), "the running mean and variance");

    float[] gamma = bn.gamma();
    gamma[1] = Float.NaN;
    assertEquals("weight 1 of batchnorm layer 1 became NaN",
        Network.firstNonFinite(with(net, 1, bn.withParameters(List.of(gamma, bn.beta())))));
    float[] variance = bn.runningVariance();
    variance[0] = Float.POSITIVE_INFINITY;
    assertEquals("state array 2 value 0 of batchnorm layer 1 became Infinity",
        Network.firstNonFinite(with(net, 1, bn.withState(List.of(bn.runningMean(), variance)))));

    float[] mean = bn.runningMean();
    mean[1] += 0.25f;
    assertEquals(0.25f, Network.maxAbsDifference(net, with(net, 1, bn.withState(List.of(mean,
        bn.runningVariance())))), "a running mean moved by 0.25 is the largest difference");
    float[] beta = bn.beta();
    beta[0] -= 0.5f;
    assertEquals(0.5f, Network.maxAbsDifference(net, with(net, 1, bn.withParameters(List.of(bn.gamma(), beta)))),
        "β moved by 0.5");
  }
}
