package dev.cltrain.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.Checkpoint;
import dev.cltrain.core.DivergedException;
import dev.cltrain.core.InputException;
import dev.cltrain.Model;
import dev.cltrain.device.DeviceChoice;
import dev.cltrain.Devices;
import dev.cltrain.device.Trainer;
import dev.cltrain.cmd.EpochLines;
import dev.cltrain.cmd.EpochRecord;
import dev.cltrain.cmd.MetricsCsv;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.ModelJson;
import dev.cltrain.nn.Network;
import dev.cltrain.train.PartitionDriver;
import dev.cltrain.train.PartitionPlan;
import dev.cltrain.train.PartitionWorker;
import dev.cltrain.train.Settings;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/** A run ready to train: the data read and partitioned, the initial network and settings. */
public final class SparkJob {
  private final SparkSession spark;
  private final SparkData.Loaded loaded;
  private final Network initial;
  private final Settings settings;
  private final long seed;
  private final int epochs;
  private final String device;
  private final Path checkpoint;
  private final ObjectNode options;
  private volatile Runnable afterEpoch = () -> {};
  private int averageEvery;
  private DataSet test;
  private Path metrics;

  SparkJob(SparkSession spark, SparkData.Loaded loaded, Network initial, Settings settings, long seed, int epochs,
      String device, Path checkpoint, ObjectNode options) {
    this.spark = spark;
    this.loaded = loaded;
    this.initial = initial;
    this.settings = settings;
    this.seed = seed;
    this.epochs = epochs;
    this.device = device;
    this.checkpoint = checkpoint;
    this.options = options;
  }

  /** {@return the partitioned rows} */
  public SparkData.Loaded data() {
    return loaded;
  }

  /** {@return the initial network} */
  public Network initial() {
    return initial;
  }

  /** {@return the settings} */
  public Settings settings() {
    return settings;
  }

  /** {@return the seed of the row orders} */
  public long seed() {
    return seed;
  }

  /** {@return the epochs} */
  public int epochs() {
    return epochs;
  }

  /**
   * @param k local steps between parameter averages; 0 for synchronous training (the default)
   * @return this job
   */
  public SparkJob averageEvery(int k) {
    this.averageEvery = k;
    return this;
  }

  /**
   * @param rows the test set (--test), its inputs as the network takes them; null for none
   * @return this job
   */
  public SparkJob test(DataSet rows) {
    this.test = rows;
    return this;
  }

  /**
   * @param file where the per-epoch rows go (--metrics, train's columns), or null
   * @return this job
   */
  public SparkJob metrics(Path file) {
    this.metrics = file;
    return this;
  }

  /** {@return the held-out sets by name, as train orders them: "Test", then "Validation"} */
  java.util.Map<String, DataSet> heldOut() {
    java.util.Map<String, DataSet> sets = new java.util.LinkedHashMap<>();
    if (test != null) {
      sets.put("Test", test);
    }
    if (loaded.validation() != null) {
      sets.put("Validation", loaded.validation());
    }
    return sets;
  }

  /** {@return the held-out sets' figures for the network on the driver (the Java reference)} */
  private java.util.Map<String, Trainer.Evaluation> evaluate(Network network) {
    java.util.Map<String, Trainer.Evaluation> figures = new java.util.LinkedHashMap<>();
    heldOut().forEach((name, rows) -> figures.put(name,
        Model.of(network).evaluate(rows, DeviceChoice.of(Devices.reference())).evaluation()));
    return figures;
  }

  /**
   * @param hook run on the driver after each epoch (tests: kill a worker)
   * @return this job
   */
  public SparkJob afterEpoch(Runnable hook) {
    this.afterEpoch = hook;
    return this;
  }

  /**
   * Trains: one Spark job per step.
   *
   * @param out   where the epoch lines go
   * @param quiet no epoch lines
   * @return the trained network and the times
   */
  public Run train(PrintStream out, boolean quiet) {
    String runId = UUID.randomUUID().toString();
    RunSpec spec = RunSpec.of(runId, loaded.name(), loaded.inputs(), loaded.outputs(), loaded.partitionRows(),
        settings, seed, device);
    PartitionPlan plan = new PartitionPlan(loaded.partitionRows(), settings.batchSize());
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<SparkData.Shard> shards = loaded.shards();
    java.util.TreeSet<String> executors = new java.util.TreeSet<>();
    long wall = 0;
    long compute = 0;
    long applying = 0;
    long steps = 0;
    try (PartitionDriver driver = PartitionDriver.open(initial, settings)) {
      int firstEpoch = 0;
      if (checkpoint != null) {
        options.put("dataFingerprint", SparkCheckpoints.fingerprint(loaded));
      }
      if (checkpoint != null && Files.exists(checkpoint)) {
        Checkpoint saved = Checkpoint.read(checkpoint, "--checkpoint");
        String where = "--checkpoint " + checkpoint;
        String other = SparkCheckpoints.otherRun(saved.options(), options);
        if (other != null) {
          throw new InputException(where + " is the checkpoint of another run: " + other
              + " (give the same options and data to go on, or another --checkpoint file)");
        }
        try {
          dev.cltrain.CheckpointFit.restore(saved.state(), initial, driver::restore);
        } catch (InputException e) {
          throw new InputException(dev.cltrain.core.Wording.of(where, ": ", e.wording()), e);
        }
        firstEpoch = saved.state().epoch();
      }
      boolean classification = initial.loss() == Loss.XENT;
      long started = System.nanoTime();
      java.util.Map<String, Trainer.Evaluation> held = null;
      try (MetricsCsv metricsFile = metrics == null ? null : MetricsCsv.open(metrics, firstEpoch)) {
        if (metricsFile != null && metricsFile.note() != null) {
          System.err.println(metricsFile.note());
        }
        for (int e = firstEpoch; e < epochs; e++) {
          double lossSum = 0;
          double hits = 0;
          long rows = 0;
          for (int s = 0; s < plan.stepsPerEpoch() && averageEvery > 0; s += averageEvery) {
            long t0 = System.nanoTime();
            int count = Math.min(averageEvery, plan.stepsPerEpoch() - s);
            Broadcast<String> weights = sc.broadcast(ModelJson.toJson(driver.network()));
            String round = runId + ":" + e + ":" + s;
            int epoch = e;
            int from = s;
            List<PartitionWorker.LocalResult> results = shards.mapPartitionsWithIndex((p, it) -> List.of(
                ExecutorWorkers.localSteps(spec, p, it, weights.value(), round, epoch, from, count)).iterator(), true)
                .collect();
            for (PartitionWorker.LocalResult r : results) {
              lossSum += r.lossSum();
              hits += r.hits();
              rows += r.rows();
            }
            driver.load(PartitionDriver.average(results, "a partition's weights"));
            weights.destroy();
            wall += System.nanoTime() - t0;
            steps += count;
          }
          for (int s = 0; s < plan.stepsPerEpoch() && averageEvery == 0; s++) {
            long t0 = System.nanoTime();
            long step = driver.step();
            Broadcast<String> weights = sc.broadcast(ModelJson.toJson(driver.network()));
            int epoch = e;
            int inEpoch = s;
            List<TaskResult> results = shards.mapPartitionsWithIndex((p, it) -> {
              long start = System.nanoTime();
              PartitionWorker.StepResult r = ExecutorWorkers.step(spec, p, it, weights.value(), step, epoch, inEpoch);
              return List.of(new TaskResult(r, System.nanoTime() - start, executor())).iterator();
            }, true).collect();
            long t1 = System.nanoTime();
            List<PartitionWorker.StepResult> inOrder = new ArrayList<>();
            long slowest = 0;
            for (TaskResult r : results) {
              inOrder.add(r.result());
              slowest = Math.max(slowest, r.nanos());
              executors.add(r.executor());
              lossSum += r.result().lossSum();
              hits += r.result().hits();
              rows += r.result().rows();
            }
            driver.apply(PartitionDriver.add(inOrder));
            long t2 = System.nanoTime();
            weights.destroy();
            wall += t2 - t0;
            compute += slowest;
            applying += t2 - t1;
            steps++;
          }
          driver.epochDone();
          String first = dev.cltrain.nn.Network.firstNonFinite(driver.network());
          if (first != null) {
            throw new dev.cltrain.core.DivergedException(first, e, settings.optimizer().learningRate());
          }
          float epochLoss = (float) (lossSum / rows);
          float accuracy = (float) (hits / rows);
          held = evaluate(driver.network());
          if (!quiet) {
            out.println(EpochLines.epoch(e, epochLoss, accuracy, classification, held));
          }
          if (metricsFile != null) { // train's row: NaN (an empty cell) where nothing was measured
            Trainer.Evaluation v = held.get("Validation");
            Trainer.Evaluation t = held.get("Test");
            metricsFile.append(new EpochRecord(e, epochLoss, classification ? accuracy : Double.NaN,
                v == null ? Double.NaN : v.loss(), v == null || !classification ? Double.NaN : v.accuracy(),
                t == null ? Double.NaN : t.loss(), t == null || !classification ? Double.NaN : t.accuracy(),
                (System.nanoTime() - started) / 1e9));
          }
          if (checkpoint != null) {
            new Checkpoint(options, driver.state()).write(checkpoint);
          }
          afterEpoch.run();
        }
        if (metricsFile != null) {
          metricsFile.commit();
        }
      }
      if (held == null) { // no epoch left to train: the checkpoint's model
        held = evaluate(driver.network());
      }
      double n = Math.max(1, steps);
      return new Run(driver.network(), steps, wall / 1e6 / n, compute / 1e6 / n, applying / 1e6 / n,
          List.copyOf(executors), held);
    } finally {
      if (spark.sparkContext().isLocal()) {
        ExecutorWorkers.closeRun(runId);
      }
    }
  }

  /** Drops the cached partitions. */
  public void release() {
    loaded.shards().unpersist(false);
  }

  /** One task's answer: the partition's step result, how long the step took there, and where it ran. */
  record TaskResult(PartitionWorker.StepResult result, long nanos, String executor) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /**
   * A trained run's outcome.
   *
   * @param network         the trained network
   * @param steps           steps taken in this run
   * @param msPerStep       wall time per step on the driver (broadcast, job, collect, sum, update)
   * @param computeMsPerStep per step, the slowest partition's gradient time on its executor
   * @param applyMsPerStep  per step, the driver's sum and update
   * @param executors       the executors that ran tasks
   * @param heldOut         the test set's ("Test") and validation split's ("Validation") figures with the end
   *     weights, where there are such sets
   */
  public record Run(Network network, long steps, double msPerStep, double computeMsPerStep, double applyMsPerStep,
      List<String> executors, java.util.Map<String, Trainer.Evaluation> heldOut) {
    /** {@return one line: steps and the time per step, split into the executors' compute and the rest} */
    public String summary() {
      return String.format(Locale.ROOT, "%d steps: %.2f ms/step (slowest partition's gradient %.2f ms, driver update "
          + "%.2f ms, Spark job overhead %.2f ms); executors: %s", steps, msPerStep, computeMsPerStep, applyMsPerStep,
          msPerStep - computeMsPerStep - applyMsPerStep, executors);
    }
  }

  private static String executor() {
    org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
    String id = env == null ? "?" : env.executorId();
    return id + "@" + ExecutorWorkers.devices();
  }
}
