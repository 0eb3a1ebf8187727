package dev.cltrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.device.Device;
import dev.cltrain.device.Trainer;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.Generated;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.reference.ReferenceDevice;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Data-parallel training over fixed partitions (a cluster's): the plan uses every row once an epoch; one
 * partition is exactly one-device training (tolerance 0: the same rows, order, steps and masks); partitions on
 * an OpenCL device give the bits the reference gives.
 */
class PartitionedTrainingTest {
  private static final DataSet DATA = Generated.load("random:61x7x3", 5);

  private static Settings settings(long seed) {
    return new Settings(Optimizer.adam(0.01f), 16, new NumpyRandom(seed));
  }

  /** Rows [from, to) of DATA. */
  private static DataSet rows(int from, int to) {
    int in = DATA.inputs();
    int out = DATA.outputs();
    return new DataSet("part", to - from, in, out, Arrays.copyOfRange(DATA.x(), from * in, to * in),
        Arrays.copyOfRange(DATA.y(), from * out, to * out));
  }

  @Test
  void thePlanUsesEveryRowOnceAnEpochAndEveryStepHasRows() {
    PartitionPlan plan = new PartitionPlan(new int[] {5, 3, 9}, 4);
    assertEquals(5, plan.stepsPerEpoch(), "17 rows in batches of 4: 5 steps");
    assertArrayEquals(new int[] {1, 1, 2}, new int[] {plan.perStep(0), plan.perStep(1), plan.perStep(2)});
    for (int p = 0; p < 3; p++) {
      int used = 0;
      for (int s = 0; s < plan.stepsPerEpoch(); s++) {
        assertEquals(used, plan.offset(p, s), "partition " + p + " step " + s + " starts where the last ended");
        used += plan.rows(p, s);
      }
      assertEquals(plan.partitionRows()[p], used, "partition " + p + ": every row once");
    }
    for (int s = 0; s < plan.stepsPerEpoch(); s++) {
      assertTrue(plan.batchRows(s) > 0, "step " + s + " has rows");
    }
    assertEquals(1, new PartitionPlan(new int[] {3, 4}, 0).stepsPerEpoch(), "batch 0: the full batch");
    PartitionPlan small = new PartitionPlan(new int[] {3, 3}, 1); // 6 steps nominal, but 3 rows each run out
    assertEquals(3, small.stepsPerEpoch());
  }

  @ParameterizedTest
  @MethodSource("dev.cltrain.train.ShardedTrainerTest#networks")
  void onePartitionIsOneDeviceTrainingBitForBit(Network net) {
    Network partitioned = PartitionedTraining.runLocal(net, List.of(DATA), settings(7), 7, 3);
    try (Trainer one = new Backprop<>(ReferenceDevice.INSTANCE.openBackend(false), net, DATA, settings(7))) {
      for (int e = 0; e < 3; e++) {
        one.epoch(false);
      }
      assertEquals(one.network(), partitioned, "tolerance 0: the same rows, order, steps and dropout masks");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.cltrain.train.ShardedTrainerTest#devicesAndNetworks")
  void partitionsOnAnOpenClDeviceGiveTheReferencesBits(Device device, Network net) {
    List<DataSet> parts = List.of(rows(0, 20), rows(20, 29), rows(29, 61));
    Settings settings = settings(11);
    Network expected = PartitionedTraining.runLocal(net, parts, settings, 11, 2);
    PartitionPlan plan = new PartitionPlan(new int[] {20, 9, 32}, 16);
    List<PartitionWorker> workers = new ArrayList<>();
    try (PartitionDriver driver = PartitionDriver.open(net, settings)) {
      for (int p = 0; p < parts.size(); p++) {
        // the middle partition on the reference, the others on the device: a mixed cluster
        workers.add(PartitionWorker.open(p == 1 ? ReferenceDevice.INSTANCE : device, net, parts.get(p), p, settings));
      }
      long step = 0;
      for (int e = 0; e < 2; e++) {
        for (int s = 0; s < plan.stepsPerEpoch(); s++) {
          Network weights = driver.network();
          List<PartitionWorker.StepResult> results = new ArrayList<>();
          for (PartitionWorker w : workers) {
            results.add(w.step(weights, step, e, s, plan, 11));
          }
          // a step computed twice (a retried task) gives the same gradient, bit for bit
          assertArrayEquals(results.get(0).gradients(), workers.get(0).step(weights, step, e, s, plan, 11).gradients());
          driver.apply(PartitionDriver.add(results));
          step++;
        }
      }
      assertEquals(expected, driver.network(), "tolerance 0");
    } finally {
      workers.forEach(PartitionWorker::close);
    }
  }
}
