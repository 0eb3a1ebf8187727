package dev.cltrain.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FlopCountTest {
  @Test
  void aThreeFourTwoNetOverFiveRowsCountsTwoHundredFortyMultiplyAddsByHand() {
    // forward: 5·3·4 = 60 (layer 1) + 5·4·2 = 40 (layer 2)
    // weight gradients aᵀ·dz: 60 + 40
    // delta back through layer 2 only (the input needs none): dz·Wᵀ = 5·2·4 = 40
    assertEquals(60 + 40 + 60 + 40 + 40, FlopCount.multiplyAdds(new int[] {3, 4, 2}, 5));
    assertEquals(2 * 240, FlopCount.flops(new int[] {3, 4, 2}, 5));
  }

  @Test
  void theSeedsXorNetIsSixteenMultiplyAddsPerEpoch() {
    // 4 rows, 2 inputs, 1 output, one layer: forward 8, weight gradient 8, no delta back
    assertEquals(16, FlopCount.multiplyAdds(new int[] {2, 1}, 4));
  }

  @Test
  void theDefaultMlpCountsEveryLayer() {
    long rows = 4096;
    long expected = rows * (784L * 512 * 2 + 512L * 512 * 3 + 512L * 10 * 3);
    assertEquals(expected, FlopCount.multiplyAdds(new int[] {784, 512, 512, 10}, rows));
  }

  @Test
  void aConvNetCountsEachConvolutionAsItsIm2colMatmul() {
    var input = new dev.cltrain.nn.Shape(4, 4, 1);
    var conv = new dev.cltrain.nn.Conv(input, 2, 3, 1, true, dev.cltrain.nn.Activation.RELU, new float[18], new float[2]);
    var pool = new dev.cltrain.nn.Pool(conv.output(), true, 2); // 2x2x2: 8 values
    var dense = new dev.cltrain.nn.Dense(8, 3, dev.cltrain.nn.Activation.SOFTMAX, new float[24], new float[3]);
    var net = new dev.cltrain.nn.Network(dev.cltrain.nn.Loss.XENT, java.util.List.of(conv, pool, dense));
    // conv: 16 output pixels x 9 patch values x 2 filters = 288 per row, forward and weight gradient (first layer:
    // no delta back); dense 8x3 = 24 per row, three times (its delta goes back to the stages)
    assertEquals(5 * (288 * 2 + 24 * 3), FlopCount.multiplyAdds(net, 5));
    assertEquals(2 * FlopCount.multiplyAdds(net, 5), FlopCount.flops(net, 5));
    var mlp = dev.cltrain.nn.Network.initNormal(new int[] {3, 4, 2}, 0);
    assertEquals(FlopCount.multiplyAdds(new int[] {3, 4, 2}, 5), FlopCount.multiplyAdds(mlp, 5));
  }

  @Test
  void gemmFlopsAreTwoMNK() {
    assertEquals(2L * 1024 * 1024 * 1024, FlopCount.gemmFlops(1024, 1024, 1024));
    assertEquals(2L * 128 * 784 * 256, new GemmShape(128, 784, 256, "tn").flops());
  }
}
