package dev.cltrain.train;

import dev.cltrain.testing.Backends;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.device.Device;
import dev.cltrain.core.DeviceException;
import dev.cltrain.device.Trainer;
import dev.cltrain.device.TrainerState;
import dev.cltrain.backend.Backend;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.Generated;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Data-parallel training ({@link ShardedTrainer}): an OpenCL device and the reference sharing every batch give
 * the same bits as the sharded reference (the same shards on the Java reference, added in the same order), at
 * tolerance 0; the replicas stay identical; shares split batches as documented; a mid-epoch checkpoint resumes
 * to the same bits; a device failing mid-run is named, and its last state resumes on the device left.
 */
class ShardedTrainerTest {
  /** 61 rows (prime) in batches of 16: the last batch has 13 rows, split 3:1 into 9 and 4. */
  private static final DataSet DATA = Generated.load("random:61x7x3", 5);
  private static final Device REFERENCE = ReferenceDevice.INSTANCE;

  static Stream<Network> networks() {
    Network dense = Network.builder(7, 11, 5, 3).hidden(Activation.TANH).loss(Loss.XENT).seed(3).build();
    Network conv = NetSpec.parse("conv:3:3,relu,dropout:0.25,maxpool:1,flatten,dense:6,relu,dropout:0.5,dense:3")
        .build(new Shape(7, 1, 1), 3, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(4), 9L);
    return Stream.of(dense, conv);
  }

  /** Batch norms per channel and per unit; 61 rows in batches of 16 split 3:1 (last batch 9 and 4 rows). */
  private static Network batchNormNet() {
    return NetSpec.parse("conv:3:3,bn,relu,dense:6,bn:0.2:1e-4,tanh,dense:3")
        .build(new Shape(7, 1, 1), 3, Loss.XENT, Activation.SOFTMAX, null, new NumpyRandom(4), 9L);
  }

  /**
   * Batch norms with several devices, as PyTorch's DistributedDataParallel without SyncBatchNorm: each replica
   * normalizes with its own shard's statistics, the gradients are added as for any net, and the running
   * statistics are the first device's (the second's differ). Every OpenCL device with the reference equals the
   * sharded reference bit for bit (tolerance 0), running statistics included (the loss within LOSS_RTOL, a tree
   * reduction on the device); a restored state goes on exactly.
   */
  @org.junit.jupiter.api.Test
  void batchNormsTrainOnSeveralDevicesWithEachShardsStatisticsAndTheFirstDevicesRunningStatistics() {
    Network net = batchNormNet();
    int[] shares = {3, 1};
    List<Device> devices = new ArrayList<>(Backends.others());
    devices.add(REFERENCE); // the reference paired with itself too where no OpenCL device is
    for (Device device : devices) {
      try (ShardedTrainer mixed = on(List.of(device, REFERENCE), shares, net);
           ShardedTrainer judge = on(List.of(REFERENCE, REFERENCE), shares, net)) {
        for (int e = 0; e < 3; e++) {
          float expected = judge.epoch(true).loss(); // a sum the device reduces as a tree: its last bit may differ
          assertEquals(expected, mixed.epoch(true).loss(), dev.cltrain.testing.Tolerances.LOSS_RTOL * expected,
              device + ": epoch " + e + " loss");
          assertEquals(judge.network(), mixed.network(), device + ": epoch " + e + ", bit for bit");
        }
        List<Network> replicas = mixed.replicaNetworks();
        assertEquals(dev.cltrain.nn.Parameters.arrays(replicas.get(0)).stream().map(java.util.Arrays::toString)
            .toList(), dev.cltrain.nn.Parameters.arrays(replicas.get(1)).stream().map(java.util.Arrays::toString)
            .toList(), device + ": the replicas' parameters stay identical");
        List<float[]> first = dev.cltrain.nn.Parameters.state(replicas.get(0));
        assertEquals(java.util.Arrays.toString(first.get(0)), java.util.Arrays.toString(
            dev.cltrain.nn.Parameters.state(mixed.network()).get(0)), "the network's running statistics: the first's");
        assertTrue(!java.util.Arrays.equals(first.get(0), dev.cltrain.nn.Parameters.state(replicas.get(1)).get(0)),
            "the second device's shard has statistics of its own");
      }
    }
    try (ShardedTrainer a = on(List.of(REFERENCE, REFERENCE), shares, net);
         ShardedTrainer b = on(List.of(REFERENCE, REFERENCE), shares, net)) {
      a.epoch(false);
      dev.cltrain.device.TrainerState saved = a.state();
      a.epoch(false);
      a.epoch(false);
      b.restore(saved);
      b.epoch(false);
      b.epoch(false);
      assertEquals(a.network(), b.network(), "restored after one epoch, two more: the straight run's bits");
    }
  }

  private static Settings settings() {
    return new Settings(Optimizer.adam(0.01f), 16, new NumpyRandom(7));
  }

  private static ShardedTrainer on(List<Device> devices, int[] shares, Network net) {
    return ShardedTrainer.open(devices, shares, net, DATA, settings(), false);
  }

  static Stream<Object[]> devicesAndNetworks() {
    List<Object[]> cases = new ArrayList<>();
    for (Device d : Backends.others()) {
      networks().forEach(n -> cases.add(new Object[] {d, n}));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("devicesAndNetworks")
  void anOpenClDeviceAndTheReferenceSharingBatchesEqualTheShardedReferenceBitForBit(Device device, Network net) {
    int[] shares = {3, 1};
    try (ShardedTrainer mixed = on(List.of(device, REFERENCE), shares, net);
         ShardedTrainer judge = on(List.of(REFERENCE, REFERENCE), shares, net)) {
      for (int e = 0; e < 4; e++) {
        Trainer.EpochStats a = mixed.epoch(true);
        Trainer.EpochStats b = judge.epoch(true);
        assertEquals(b.loss(), a.loss(), 0f, "epoch " + e + " loss (tolerance 0: same shards, same order)");
        assertEquals(b.accuracy(), a.accuracy(), 0f, "epoch " + e + " accuracy");
        assertEquals(judge.network(), mixed.network(), "epoch " + e + ": weights bit for bit");
      }
      List<Network> replicas = mixed.replicaNetworks();
      assertEquals(replicas.get(0), replicas.get(1), "the replicas stay identical");
      assertEquals(4 * 4, mixed.steps(), "4 epochs of 4 batches");
    }
  }

  /** The dense net only: with dropout, shards draw their own masks, so a CNN with dropout is another run. */
  @Test
  void theShardedReferenceDiffersFromOneDeviceByRoundingOnly() {
    Network net = networks().findFirst().orElseThrow();
    try (ShardedTrainer sharded = on(List.of(REFERENCE, REFERENCE), new int[] {1, 1}, net);
         Trainer one = new Backprop<>(REFERENCE.openBackend(false), net, DATA, settings())) {
      for (int e = 0; e < 3; e++) {
        float a = sharded.epoch(true).loss();
        float b = one.epoch(true).loss();
        // a batch's gradient summed in two parts: float rounding, observed below 1e-6 here
        assertEquals(b, a, 1e-5f, "epoch " + e + " loss against one device");
      }
      assertTrue(Network.maxAbsDifference(sharded.network(), one.network()) < 1e-4, "weights within 1e-4");
    }
  }

  @Test
  void sharesSplitABatchAndTheLastDeviceTakesTheRemainder() {
    assertArrayEquals(new int[] {12, 4}, ShardedTrainer.split(16, new int[] {3, 1}));
    assertArrayEquals(new int[] {9, 4}, ShardedTrainer.split(13, new int[] {3, 1}));
    assertArrayEquals(new int[] {0, 1}, ShardedTrainer.split(1, new int[] {1, 1}));
    assertArrayEquals(new int[] {3, 3, 4}, ShardedTrainer.split(10, new int[] {1, 1, 1}));
    assertArrayEquals(new int[] {0, 7}, ShardedTrainer.split(7, new int[] {1, 1000}));
  }

  @Test
  void aShardOfNoRowsTakesNoPartAndTheUpdateIsStillTheSame() {
    Network net = networks().findFirst().orElseThrow();
    // shares 1:1000 leave the first device no rows in every batch: the run equals one device's gradients exactly
    try (ShardedTrainer sharded = on(List.of(REFERENCE, REFERENCE), new int[] {1, 1000}, net);
         Trainer one = new Backprop<>(REFERENCE.openBackend(false), net, DATA, settings())) {
      for (int e = 0; e < 2; e++) {
        sharded.epoch(false);
        one.epoch(false);
      }
      assertEquals(one.network(), sharded.network(), "bit for bit: the second device's shard is the whole batch");
    }
  }

  @ParameterizedTest
  @MethodSource("networks")
  void aCheckpointMidEpochResumesToTheSameBits(Network net) {
    int[] shares = {2, 1};
    TrainerState saved;
    Network straight;
    try (ShardedTrainer a = on(List.of(REFERENCE, REFERENCE), shares, net)) {
      a.epoch(false);
      a.stopAfterBatch(); // stops after the next epoch's first batch
      assertTrue(!a.epoch(true).complete());
      saved = a.state();
      assertEquals(1, saved.batch());
      a.epoch(false); // the rest of that epoch
      a.epoch(false);
      straight = a.network();
    }
    try (ShardedTrainer b = on(List.of(REFERENCE, REFERENCE), shares, net)) {
      b.restore(saved);
      b.epoch(false);
      b.epoch(false);
      assertEquals(straight, b.network(), "resumed mid-epoch: the same bits as the run that went straight on");
    }
  }

  /** {@code set}'s rows as a streamed set reads them: through a {@link dev.cltrain.data.RowSource}, none resident. */
  private static DataSet streamedView(DataSet set) {
    return DataSet.streamed(set.name(), new dev.cltrain.data.RowSource() {
      @Override public int rows() {
        return set.rows();
      }

      @Override public int inputs() {
        return set.inputs();
      }

      @Override public int outputs() {
        return set.outputs();
      }

      @Override public void gather(int[] order, int from, int count, float[] x, float[] y) {
        set.gather(order, from, count, x, y);
      }
    });
  }

  static Stream<Device> allDevices() {
    return Backends.all().stream();
  }

  /**
   * Issue 26, item 2: streamed rows on two devices (each shard's rows read on the host in the epoch's permutation
   * and written to its device) train the bits of the same rows resident on both, with label smoothing, through a
   * checkpoint taken mid-epoch and restored into a new trainer (tolerance 0: the same shards, the same order).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("allDevices")
  void streamedRowsOnTwoDevicesTrainTheBitsOfResidentRowsThroughAMidEpochCheckpoint(Device device) {
    Network net = networks().findFirst().orElseThrow();
    List<Device> pair = List.of(device, REFERENCE);
    int[] shares = {2, 1};
    Settings smoothed = new Settings(Optimizer.adam(0.01f).withRegularization(
        new dev.cltrain.nn.Regularization(false, 0, 0.1f)), 16, new NumpyRandom(7));
    DataSet streamed = streamedView(DATA);
    Network straight;
    float firstLoss;
    try (ShardedTrainer resident = ShardedTrainer.open(pair, shares, net, DATA, smoothed, false)) {
      firstLoss = resident.epoch(true).loss();
      resident.epoch(false);
      resident.epoch(false);
      straight = resident.network();
    }
    TrainerState saved;
    try (ShardedTrainer a = ShardedTrainer.open(pair, shares, net, streamed, smoothed, false)) {
      assertEquals(firstLoss, a.epoch(true).loss(), 0f, "epoch 1's loss, tolerance 0");
      a.stopAfterBatch(); // stops after the next epoch's first batch
      assertTrue(!a.epoch(false).complete());
      saved = a.state();
      assertEquals(1, saved.batch());
    }
    try (ShardedTrainer b = ShardedTrainer.open(pair, shares, net, streamed, smoothed, false)) {
      b.restore(saved);
      b.epoch(false); // the rest of epoch 2
      b.epoch(false);
      assertEquals(straight, b.network(), device + ": streamed and resumed mid-epoch, the resident run's bits");
    }
  }

  @Test
  void aDeviceFailingMidRunIsNamedAndItsLastStateResumesOnTheDeviceLeft() {
    Network net = networks().findFirst().orElseThrow();
    List<Replica<?, ?>> replicas = new ArrayList<>();
    replicas.add(new Replica<>(REFERENCE.openBackend(false), net, DATA, settings(), 0, true));
    replicas.add(new Replica<>(failingAfter(REFERENCE.openBackend(false), 6), net, DATA, settings(), 1, true));
    TrainerState checkpoint;
    try (ShardedTrainer t = new ShardedTrainer(replicas, List.of("reference", "flaky"), new int[] {1, 1}, DATA,
        settings())) {
      t.epoch(false); // 4 steps
      checkpoint = t.state();
      DeviceException e = assertThrows(DeviceException.class, () -> t.epoch(false));
      assertTrue(e.getMessage().startsWith("flaky failed in data-parallel training at step "), e.getMessage());
      assertTrue(e.getMessage().contains("CL_OUT_OF_RESOURCES"), e.getMessage());
    }
    try (Trainer left = new Backprop<>(REFERENCE.openBackend(false), net, DATA, settings())) {
      left.restore(checkpoint);
      assertEquals(1, left.state().epoch());
      assertTrue(Float.isFinite(left.epoch(true).loss()), "training goes on from the checkpoint on one device");
    }
  }

  /** A backend whose optimizer update throws, as a lost device would, from its {@code calls}-th update on. */
  @SuppressWarnings("unchecked")
  private static <B, I> Backend<B, I> failingAfter(Backend<B, I> backend, int calls) {
    int[] seen = {0};
    return (Backend<B, I>) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
        (proxy, method, args) -> {
          if (method.getName().endsWith("UpdateLayers") && ++seen[0] >= calls) {
            throw new DeviceException("clEnqueueNDRangeKernel(adam_update_layers) failed: CL_OUT_OF_RESOURCES (injected)");
          }
          try {
            return method.invoke(backend, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void theJudgeOfAListIsTheReferenceOnceForEachDevice() {
    List<Device> refs = Collections.nCopies(3, REFERENCE);
    try (ShardedTrainer t = on(refs, new int[] {1, 1, 1}, networks().findFirst().orElseThrow())) {
      assertEquals(3, t.replicaNetworks().size());
      assertEquals(2L * 3 * (7 * 11 + 11 + 11 * 5 + 5 + 5 * 3 + 3) * 4, t.bytesPerStep(),
          "every gradient down from each device and the sum back up to each");
    }
  }
}
