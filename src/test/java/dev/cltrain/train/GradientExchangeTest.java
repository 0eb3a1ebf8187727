package dev.cltrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cltrain.backend.Backend;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.Generated;
import dev.cltrain.device.Device;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Optimizer;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bucketed gradient exchange of data-parallel training ({@link GradientExchange}): a backend maps a buffer's
 * floats for the host to read and overwrite ({@link Backend#map}); a replica's backward pass maps each dense
 * layer's gradients as soon as it has enqueued their last kernel, from the last layer down, and the mapped
 * floats are the gradients, bit for bit (tolerance 0: the same kernels on the same rows).
 */
class GradientExchangeTest {
  /** 40 rows, 7 inputs, 3 classes: one batch of 16 rows is a step. */
  private static final DataSet DATA = Generated.load("random:40x7x3", 5);

  static List<Device> devices() {
    return dev.cltrain.testing.Backends.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void aMappedBufferIsReadAndOverwrittenByTheHostAndTheRestIsKept(Device device) {
    try (Backend<?, ?> backend = device.openBackend(false)) {
      mapAndNegate(backend);
    }
  }

  private static <B> void mapAndNegate(Backend<B, ?> backend) {
    float[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    B buffer = backend.upload(values);
    Backend.Mapped mapped = backend.map(buffer, 7);
    backend.flush();
    java.nio.FloatBuffer floats = mapped.await();
    assertEquals(7, floats.limit(), "the floats mapped");
    for (int i = 0; i < 7; i++) {
      assertEquals(values[i], floats.get(i), 0f, "mapped float " + i);
      floats.put(i, -floats.get(i));
    }
    mapped.release();
    float[] back = new float[10];
    backend.download(buffer, back);
    assertArrayEquals(new float[] {-1, -2, -3, -4, -5, -6, -7, 8, 9, 10}, back, 0f,
        "the host's writes reach the buffer; the floats not mapped stay");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devices")
  void eachLayersGradientsAreMappedAsTheBackwardPassEndsItFromTheLastLayerDownBitForBit(Device device) {
    Network net = Network.builder(7, 11, 5, 3).hidden(Activation.TANH).loss(Loss.XENT).seed(3).build();
    Settings settings = new Settings(Optimizer.adam(0.01f), 16, new NumpyRandom(7));
    int[] identity = java.util.stream.IntStream.range(0, DATA.rows()).toArray();
    try (Replica<?, ?> bucketed = new Replica<>(device.openBackend(false), net, DATA, settings, 0, true);
         Replica<?, ?> plain = new Replica<>(device.openBackend(false), net, DATA, settings, 0, true)) {
      bucketed.exchangeInBuckets();
      for (Replica<?, ?> r : List.of(bucketed, plain)) {
        r.shardEpoch(identity);
        r.shardStep(8, 12, 16, 0);
      }
      GradientExchange.Shard<?> exchange = bucketed.exchange();
      // table: dense 0 w, b (entries 0, 1), dense 1 w, b (2, 3), dense 2 w, b (4, 5)
      assertEquals(List.of("[4, 6]", "[2, 4]", "[0, 2]"),
          exchange.buckets().stream().map(java.util.Arrays::toString).toList(), "one bucket per layer, last first");
      exchange.awaitCompute();
      float[] expected = new float[plain.gradientFloats()];
      plain.downloadGradients(expected);
      float[] mapped = new float[expected.length];
      int at = 0;
      for (int e = 0; e < 6; e++) {
        java.nio.FloatBuffer g = exchange.gradient(e);
        g.get(0, mapped, at, g.limit());
        at += g.limit();
      }
      exchange.release(0, 6);
      assertEquals(expected.length, at, "every gradient float mapped");
      assertArrayEquals(expected, mapped, 0f, "the mapped gradients are the backward pass's, bit for bit");
      float[] after = new float[expected.length];
      bucketed.downloadGradients(after);
      assertArrayEquals(expected, after, 0f, "released unchanged: the buffers hold them still");
    }
  }
}
