package dev.cltrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.backend.Backend;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.NetSpec;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.nn.Shape;
import dev.cltrain.reference.ReferenceDevice;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * {@link MemoryPlan}'s figures are what the trainers really allocate: a backend that counts the floats (and ints)
 * of every allocate, upload and uploadIndices call, around the reference's, for dense and convolutional nets, the
 * full batch and mini-batches, sgd, momentum and Adam, a data-parallel replica and a forward pass. Tolerance: none,
 * the counts are equal; and training allocates nothing more after the constructor, except train_small's packed
 * buffers at its first launch, which are {@link SmallNet#bufferFloats}.
 */
class MemoryPlanTest {
  /** Floats (and ints) a backend has been asked to allocate. */
  private static final class Count {
    long floats;
  }

  @SuppressWarnings("unchecked")
  private static <B, I> Backend<B, I> counting(Backend<B, I> backend, Count count) {
    return (Backend<B, I>) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "allocate" -> count.floats += (Integer) args[0];
            case "upload" -> count.floats += ((float[]) args[0]).length;
            case "uploadIndices" -> count.floats += ((int[]) args[0]).length;
            default -> { }
          }
          try {
            return method.invoke(backend, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /** The reference's backend, counted into {@code count}. */
  private static Backend<?, ?> reference(Count count) {
    return counting(ReferenceDevice.INSTANCE.openBackend(false), count);
  }

  private static Network net(String spec, Shape input, int outputs) {
    return NetSpec.parse(spec).build(input, outputs, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(1), 7);
  }

  private static DataSet data(Network net, int rows) {
    NumpyRandom r = new NumpyRandom(3);
    float[] x = new float[rows * net.inputs()];
    float[] y = new float[rows * net.outputs()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.randn();
    }
    for (int s = 0; s < rows; s++) {
      y[s * net.outputs() + s % net.outputs()] = 1;
    }
    return new DataSet("counted", rows, net.inputs(), net.outputs(), x, y);
  }

  static Stream<Arguments> runs() {
    Shape image = new Shape(6, 6, 2);
    Shape flat = new Shape(1, 1, 5);
    String cnn = "conv:3:3,relu,maxpool:2,dropout:0.25,flatten,dense:6,relu,dropout:0.5,dense:3";
    String cnn2 = "conv:2:3,tanh,dropout:0,conv:3:3:s2:valid,relu,avgpool:2,dense:4,dense:3";
    String residual = "conv:3:3,relu,residual(conv:3:3,relu,conv:3:3),relu,residual(conv:4:3:s2,maxpool:1,conv:4:3),"
        + "dense:3";
    return Stream.of(
        Arguments.of("dense, full batch, sgd", net("dense:7,tanh,dense:3", flat, 3), Optimizer.sgd(0.1f), 0),
        Arguments.of("dense, mini-batches, momentum", net("dense:7,relu,dense:4,dense:3", flat, 3),
            Optimizer.momentum(0.1f, 0.9f), 16),
        Arguments.of("dense, full batch, adam", net("dense:9,relu,dropout:0.5,dense:3", flat, 3),
            Optimizer.adam(0.01f), 0),
        Arguments.of("cnn, mini-batches, adam", net(cnn, image, 3), Optimizer.adam(0.01f), 8),
        Arguments.of("cnn, full batch, sgd", net(cnn2, image, 3), Optimizer.sgd(0.1f), 0),
        Arguments.of("cnn, mini-batches, momentum", net(cnn2, image, 3), Optimizer.momentum(0.1f, 0.9f), 16),
        Arguments.of("cnn with bn and gap, mini-batches, adam", net("conv:3:3,bn,relu,maxpool:2,conv:4:3,"
            + "bn:0.2:1e-4,tanh,gap,dense:3", image, 3), Optimizer.adam(0.01f), 8),
        Arguments.of("cnn with bn, full batch, sgd", net("bn,conv:3:3,bn,relu,dense:3", image, 3),
            Optimizer.sgd(0.1f), 0),
        Arguments.of("dense with bn per unit, mini-batches, adam", net("dense:9,bn,relu,dropout:0.5,dense:5,tanh,bn,"
            + "dense:3", flat, 3), Optimizer.adam(0.01f), 8),
        Arguments.of("residual, mini-batches, adam", net(residual, image, 3), Optimizer.adam(0.01f), 8),
        Arguments.of("residual with bn on its shortcut, mini-batches, adam", net("residual(conv:4:3:s2,bn,relu,"
            + "conv:4:3,bn),relu,dense:3", image, 3), Optimizer.adam(0.01f), 8),
        Arguments.of("residual first, full batch, sgd", net("residual(conv:2:3,relu,conv:2:3),relu,dense:3", image, 3),
            Optimizer.sgd(0.1f), 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  void aTrainerAllocatesExactlyWhatThePlanCounts(String name, Network net, Optimizer optimizer, int batch) {
    DataSet train = data(net, 37);
    Count count = new Count();
    Settings settings = new Settings(optimizer, batch, new NumpyRandom(5));
    try (Backprop<?, ?> t = new Backprop<>(reference(count), net, train, settings)) {
      assertEquals(MemoryPlan.bytesNeeded(net, train, settings), 4 * count.floats,
          name + ": bytes after the constructor");
      long made = count.floats;
      t.epochs(3, true);
      assertEquals(t.small.used() ? SmallNet.bufferFloats(net, optimizer, train.rows(), true) : 0,
          count.floats - made, name + ": floats allocated by training (train_small's packed buffers only)");
      t.epochs(2, true);
      t.state();
      assertEquals(t.small.used() ? SmallNet.bufferFloats(net, optimizer, train.rows(), true) : 0,
          count.floats - made, name + ": nothing more on later epochs");
    }
  }

  /** The one-launch path allocates its packed buffers at its first launch, as many floats as it says. */
  @Test
  void trainSmallsPackedBuffersAreWhatItSays() {
    for (Optimizer optimizer : new Optimizer[] {Optimizer.sgd(0.1f), Optimizer.adam(0.01f)}) {
      Network net = Network.initNormal(new int[] {5, 7, 3}, 2);
      DataSet train = data(net, 20);
      Settings settings = new Settings(optimizer, 0, new NumpyRandom(5));
      Count count = new Count();
      try (Backprop<?, ?> t = new Backprop<>(reference(count), net, train, settings)) {
        t.small.trainSmallWhereItFits();
        assertTrue(t.small.used(), "a 5-7-3 net on 20 rows takes train_small on the reference");
        long made = count.floats;
        assertEquals(MemoryPlan.bytesNeeded(net, train, settings), 4 * made, optimizer.kind() + ": constructor");
        t.epochs(4, true);
        assertEquals(SmallNet.bufferFloats(net, optimizer, train.rows(), true), count.floats - made,
            optimizer.kind() + ": the packed buffers");
      }
    }
  }

  /** A replica of data-parallel training has batch buffers even where the batch is the whole set. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  void aReplicaAllocatesExactlyWhatThePlanCounts(String name, Network net, Optimizer optimizer, int batch) {
    Count count = new Count();
    DataSet train = data(net, 37);
    Settings settings = new Settings(optimizer, batch, new NumpyRandom(5));
    try (Replica<?, ?> r = new Replica<>(reference(count), net, train, settings, 1, true)) {
      assertEquals(MemoryPlan.trainingFloats(net, train, settings, true), count.floats, name);
      long made = count.floats;
      int[] order = new int[train.rows()];
      java.util.Arrays.setAll(order, i -> i);
      r.shardEpoch(order);
      r.shardStep(0, 5, 10, 0);
      float[] g = new float[r.gradientFloats()];
      r.downloadGradients(g);
      r.uploadGradients(g);
      r.shardUpdate();
      assertEquals(made, count.floats, name + ": a step allocates nothing");
    }
  }

  /** A forward pass over a set in one chunk, and over one in several (batch buffers and the identity order). */
  @ParameterizedTest(name = "{0}")
  @MethodSource("runs")
  void aForwardPassAllocatesExactlyWhatThePlanCounts(String name, Network net, Optimizer unused, int batch) {
    for (int rows : new int[] {9, 37}) {
      DataSet set = data(net, rows);
      Count count = new Count();
      try (Inference<?, ?> inference = new Inference<>(reference(count), net, 10)) {
        inference.evaluate(set, true);
        inference.evaluate(set, false);
        assertEquals(MemoryPlan.inferenceBytes(net, rows, 10), 4 * count.floats, name + ", " + rows + " rows");
      }
    }
  }
}
