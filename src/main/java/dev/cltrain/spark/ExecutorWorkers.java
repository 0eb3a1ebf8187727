package dev.cltrain.spark;

import dev.cltrain.device.Device;
import dev.cltrain.Devices;
import dev.cltrain.nn.ModelJson;
import dev.cltrain.nn.Network;
import dev.cltrain.train.PartitionPlan;
import dev.cltrain.train.PartitionWorker;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The executor side: per executor JVM, one {@link PartitionWorker} per (run, partition) that ran a task here,
 * holding that partition's rows on the executor's device from its first step to the end of the run. A task
 * for another run closes the workers of earlier runs; the driver closes its own in local mode
 * ({@link #closeRun}); a cluster's executors end with the application.
 */
final class ExecutorWorkers {
  private static final Map<String, PartitionWorker> WORKERS = new HashMap<>();
  private static final Map<String, Device> DEVICES = new HashMap<>();
  private static String weightsKey;
  private static Network weights;

  private ExecutorWorkers() {}

  /**
   * One step's result for partition p: its worker (opened here from the partition's cached rows when this JVM
   * has none), at the driver's weights.
   */
  static PartitionWorker.StepResult step(RunSpec run, int p, Iterator<SparkData.Shard> rows, String weightsJson,
      long step, int epoch, int s) {
    Network at = weights(run.runId() + ":" + step, weightsJson);
    PartitionWorker worker = worker(run, p, rows, at);
    PartitionPlan plan = new PartitionPlan(run.partitionRows(), run.batchSize());
    synchronized (worker) {
      return worker.step(at, step, epoch, s, plan, run.seed());
    }
  }

  /** A round of parameter averaging for partition p: its worker's local steps from the averaged weights. */
  static PartitionWorker.LocalResult localSteps(RunSpec run, int p, Iterator<SparkData.Shard> rows, String weightsJson,
      String round, int epoch, int from, int count) {
    Network at = weights(round, weightsJson);
    PartitionWorker worker = worker(run, p, rows, at);
    PartitionPlan plan = new PartitionPlan(run.partitionRows(), run.batchSize());
    synchronized (worker) {
      return worker.localSteps(at, epoch, from, count, plan, run.seed());
    }
  }

  private static synchronized Network weights(String key, String json) {
    if (!key.equals(weightsKey)) {
      weights = ModelJson.parse(json, "the driver's weights");
      weightsKey = key;
    }
    return weights;
  }

  private static PartitionWorker worker(RunSpec run, int p, Iterator<SparkData.Shard> rows, Network network) {
    String key = run.runId() + ":" + p;
    synchronized (WORKERS) {
      PartitionWorker w = WORKERS.get(key);
      if (w != null) {
        return w;
      }
      // a new run: the workers of earlier ones are done
      WORKERS.entrySet().removeIf(e -> {
        if (!e.getKey().startsWith(run.runId() + ":")) {
          e.getValue().close();
          return true;
        }
        return false;
      });
      SparkData.Shard shard = rows.next();
      if (shard.index() != p || shard.rows() != run.partitionRows()[p]) {
        throw new IllegalStateException("partition " + p + " holds " + shard.rows() + " rows of partition "
            + shard.index() + ", expected " + run.partitionRows()[p]);
      }
      Device device = DEVICES.computeIfAbsent(run.device(), spec -> Devices.choose(spec).device());
      w = PartitionWorker.open(device, network, shard.dataSet(run.dataName(), run.inputs(), run.outputs()), p,
          run.settings());
      WORKERS.put(key, w);
      return w;
    }
  }

  /**
   * Closes this JVM's workers of a run (the driver's, in local mode).
   *
   * @param runId the run
   */
  static void closeRun(String runId) {
    synchronized (WORKERS) {
      WORKERS.entrySet().removeIf(e -> {
        if (e.getKey().startsWith(runId + ":")) {
          e.getValue().close();
          return true;
        }
        return false;
      });
    }
  }

  /** {@return the devices this JVM's workers run on, by spec, for reports} */
  static synchronized String devices() {
    StringBuilder b = new StringBuilder();
    DEVICES.forEach((k, d) -> b.append(k).append('=').append(d.name()).append(' '));
    return b.toString().strip();
  }
}
