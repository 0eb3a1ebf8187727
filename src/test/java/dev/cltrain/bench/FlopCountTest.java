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
  void gemmFlopsAreTwoMNK() {
    assertEquals(2L * 1024 * 1024 * 1024, FlopCount.gemmFlops(1024, 1024, 1024));
    assertEquals(2L * 128 * 784 * 256, new GemmShape(128, 784, 256, "tn").flops());
  }
}
