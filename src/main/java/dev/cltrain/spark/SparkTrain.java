package dev.cltrain.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.core.CltrainException;
import dev.cltrain.core.DeviceException;
import dev.cltrain.core.DivergedException;
import dev.cltrain.core.InputException;
import dev.cltrain.Model;
import dev.cltrain.NetworkRecipe;
import dev.cltrain.TrainingRecipe;
import dev.cltrain.nn.Regularization;
import dev.cltrain.cmd.EpochLines;
import dev.cltrain.cmd.ExitCodes;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.DataSets;
import dev.cltrain.cmd.OutputFiles;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.NetSpec;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.nn.Standardization;
import dev.cltrain.train.PartitionDriver;
import dev.cltrain.train.PartitionWorker;
import dev.cltrain.train.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.stream.Stream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Training on a Spark cluster: {@code spark-submit --class dev.cltrain.spark.SparkTrain cltrain.jar --data PATH
 * --layers 784,128,10 --loss xent --epochs N}. Spark reads the rows and partitions them across the executors
 * ({@link SparkData}); each executor opens its own device ({@code --device}, default auto: a GPU where it has one,
 * else the Java reference) and keeps its partitions there. The driver holds the network and the optimizer state
 * on the Java reference. Every step is one Spark job: the driver broadcasts the weights, each partition's task
 * returns its rows' gradient sum ({@link PartitionWorker#step}), the driver collects the results in partition
 * order, adds them in that order ({@link PartitionDriver#add}) and takes one optimizer step.
 *
 * <p>What is guaranteed: the model equals {@code PartitionedTraining.runLocal} on the same partitions, bit for
 * bit, whatever executors ran the tasks, however often a task was retried, and whether executors were lost
 * (Spark reruns their tasks and rebuilds their cached partitions from the data): a task's result is a pure
 * function of the broadcast weights, the step and the partition's rows, and the sum's order is fixed by the
 * partition indices, not by when results arrive. The same holds when executors run on different devices only if
 * those devices compute the gradients bit for bit alike (the reference does on every machine). A lost driver ends
 * the run; {@code --checkpoint} lets a new one go on from the last finished epoch.
 */
@Command(name = "cltrain-spark", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Trains a dense network on a Spark cluster (data-parallel, synchronous, bit-exact with the one-process run on the same partitions).")
public final class SparkTrain implements Callable<Integer> {
  @Option(names = "--data", required = true, paramLabel = "PATH", description = "Rows Spark reads: .csv, .parquet, or LIBSVM text; a file or folder on any file system the cluster reaches.")
  String data;
  @Option(names = "--features", paramLabel = "N", description = "LIBSVM's input width (default: the largest index).")
  int features;
  @Option(names = "--layers", paramLabel = "W0,W1,...", description = "Widths from input to output (default: inputs,outputs of the data).")
  String layers;
  @Option(names = "--net", paramLabel = "SPEC", description = "A network of convolutions, pooling, dropout and dense "
      + "layers, as 'cltrain train --net' takes it, e.g. conv:8:3,relu,maxpool:2,flatten,dense:10 (instead of --layers).")
  String net;
  @Option(names = "--input-shape", paramLabel = "HxWxC", description = "With --net: the image shape of a row (HWC "
      + "order), e.g. 28x28x1 (default: one row of the inputs, 1x1xN).")
  String inputShape;
  @Option(names = "--activation", paramLabel = "sigmoid|tanh|relu|identity", description = "Hidden layers' activation with --layers (default: sigmoid); --net names each layer's.")
  String activation = "sigmoid";
  @Option(names = "--loss", paramLabel = "mse|xent", description = "mse (the label column, by default the last, is the "
      + "target) or xent (it is a class label: integers 0..K-1, or in a CSV class names, kept in the saved model). "
      + "Default: mse.")
  String loss = "mse";
  @Option(names = "--standardize", description = "Standardize each input column with the training rows' mean and "
      + "standard deviation (as 'cltrain train --standardize'); kept in the model, which applies them in eval, "
      + "predict and Model.predict.")
  boolean standardize;
  @Option(names = "--optimizer", paramLabel = Optimizer.NAMES, description = "Update rule (default: sgd).")
  String optimizer = "sgd";
  @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate (default: "
      + dev.cltrain.nn.Sgd.DEFAULT_LEARNING_RATE + " sgd, " + dev.cltrain.nn.Momentum.DEFAULT_LEARNING_RATE
      + " momentum, " + dev.cltrain.nn.Adam.DEFAULT_LEARNING_RATE + " adam and adamw).")
  Float lr;
  @Option(names = "--weight-decay", paramLabel = "L2", description = "As cltrain train's --weight-decay.")
  Float weightDecay;
  @Option(names = "--decay-all", arity = "0", description = "As cltrain train's --decay-all.")
  Boolean decayAll;
  @Option(names = "--clip-norm", paramLabel = "C", description = "As cltrain train's --clip-norm (after the sum over partitions).")
  Float clipNorm;
  @Option(names = "--label-smoothing", paramLabel = "E", description = "As cltrain train's --label-smoothing.")
  Float labelSmoothing;
  @Option(names = "--batch-size", paramLabel = "N", description = "Rows per step over all partitions (default: all rows).")
  int batchSize;
  @Option(names = "--epochs", paramLabel = "N", description = "Epochs (default: 1).")
  int epochs = 1;
  @Option(names = "--seed", paramLabel = "S", description = "Seed of the initial weights and the partitions' row orders (default: 0).")
  long seed;
  @Option(names = "--partitions", paramLabel = "N", description = "Partitions of the rows (default: the cluster's default parallelism).")
  Integer partitions;
  @Option(names = "--device", paramLabel = "SPEC", description = "The device each executor opens (default: auto, a GPU where the executor has one, else the Java reference).")
  String device = "auto";
  @Option(names = "--test", paramLabel = "FILE.csv", description = "A test set: a CSV file on the driver, read as "
      + "'cltrain train --test' reads it (the training data's classes, --label, --ignore and --missing, "
      + "standardized with the training rows' statistics), evaluated on the driver after every epoch (on the epoch "
      + "lines) and with the end weights (the test: line).")
  Path test;
  @Option(names = "--validation-split", paramLabel = "F", description = "Hold out this fraction of the training rows "
      + "(chosen by --seed, the rows train's --validation-split holds out), brought to the driver and evaluated there "
      + "after every epoch and at the end, as the test set is.")
  Double validationSplit;
  @Option(names = "--save", paramLabel = "FILE", description = "Writes the trained model (JSON) on the driver.")
  Path save;
  @Option(names = "--metrics", paramLabel = "FILE.csv", description = "Writes one row per epoch on the driver, with "
      + "'cltrain train --metrics' columns (val_ columns filled with --validation-split); each row as its epoch "
      + "ends, and a run going on from --checkpoint appends to them.")
  Path metrics;
  @Option(names = "--checkpoint", paramLabel = "FILE", description = "Writes the driver's state after every epoch; when the file exists, training goes on from it "
      + "(only with the options and data rows of the run that wrote it; --epochs, the total, may grow).")
  Path checkpoint;
  @Option(names = "--master", paramLabel = "URL", description = "Spark master when not started by spark-submit (default: spark.master, else local[*]).")
  String master;
  @Option(names = "--average-every", paramLabel = "K", description = "Parameter averaging (Deeplearning4j's scheme, for "
      + "slow networks): each partition takes K local optimizer steps on its own rows, then the driver averages the "
      + "weights; one Spark job per K steps. NOT bit-equal to the default synchronous training (default: 0, "
      + "synchronous: one job per step, the same bits as one process).")
  int averageEvery;
  @Option(names = "--connect-timeout", paramLabel = "SECONDS", description = "How long to wait for a spark:// master "
      + "to accept a connection before giving up with exit 3 (default: 10; Spark alone would retry for a minute).")
  int connectTimeout = 10;
  @picocli.CommandLine.Mixin
  dev.cltrain.cmd.CsvOptions csv = new dev.cltrain.cmd.CsvOptions();

  @Option(names = "--quiet", description = "No epoch lines.")
  boolean quiet;

  private PrintStream out = System.out;
  private SparkSession session;

  /**
   * The entry point for spark-submit.
   *
   * @param args the options
   */
  public static void main(String[] args) {
    System.exit(run(args, null, System.out, System.err));
  }

  /**
   * Runs the command.
   *
   * @param args    the options
   * @param session a session to use (tests), or null to get or create one
   * @param out     where epoch lines go
   * @param err     where errors go (one line)
   * @return the exit status, as {@code cltrain train}'s: 0, 2 bad input, 3 a cluster (or device) that cannot be
   *     used, 4 diverged, 1 anything else
   */
  public static int run(String[] args, SparkSession session, PrintStream out, PrintStream err) {
    dev.cltrain.core.Notices.nameParameters(dev.cltrain.cmd.OptionNames::option);
    SparkTrain command = new SparkTrain();
    command.out = out;
    command.session = session;
    CommandLine cl = new CommandLine(command);
    cl.setOut(new java.io.PrintWriter(out, true));
    cl.setErr(new java.io.PrintWriter(err, true));
    cl.setParameterExceptionHandler((e, a) -> {
      err.println("error: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    });
    cl.setExecutionExceptionHandler((e, c, p) -> {
      String input = causeMessage(e, InputException.class);
      if (input != null) {
        err.println("error: " + input);
        return ExitCodes.BAD_INPUT;
      }
      String device = causeMessage(e, DeviceException.class);
      if (device != null) {
        err.println("error: " + device);
        return ExitCodes.DEVICE;
      }
      String diverged = causeMessage(e, DivergedException.class);
      if (diverged != null) {
        err.println("error: " + diverged);
        return ExitCodes.DIVERGED;
      }
      err.println("error: internal error: " + firstLine(e.toString()));
      return ExitCodes.CHECK_FAILED;
    });
    return cl.execute(args);
  }

  /**
   * The first line of the message of the {@code kind} a failure was caused by, here or on an executor (whose
   * exception reaches the driver as text in the SparkException's message); null when none.
   */
  private static String causeMessage(Throwable e, Class<? extends CltrainException> kind) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (kind.isInstance(t)) {
        return firstLine(dev.cltrain.cmd.OptionNames.message((CltrainException) t));
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      int at = m.indexOf(kind.getName() + ": ");
      if (at >= 0) {
        return firstLine(m.substring(at + kind.getName().length() + 2));
      }
    }
    return null;
  }

  static String firstLine(String s) {
    String m = String.valueOf(s);
    int end = m.indexOf('\n');
    return end < 0 ? m : m.substring(0, end);
  }

  @Override
  public Integer call() {
    checkOutputs();
    SparkSession spark = session;
    boolean own = spark == null;
    if (own) {
      SparkConf conf = new SparkConf().setAppName("cltrain");
      if (master != null) {
        conf.setMaster(master);
      } else if (!conf.contains("spark.master")) {
        conf.setMaster("local[*]");
      }
      String where = (master != null ? "--master " : "spark.master ") + conf.get("spark.master");
      checkReachable(where, conf.get("spark.master"), connectTimeout);
      try {
        spark = SparkSession.builder().config(conf).getOrCreate();
      } catch (RuntimeException e) {
        throw new DeviceException(where + ": no Spark session (" + firstLine(String.valueOf(e.getMessage())) + ")", e);
      }
    }
    try {
      SparkJob job = prepare(spark).metrics(metrics);
      SparkJob.Run result = job.train(out, quiet);
      if (!quiet) {
        out.println(result.summary());
      }
      boolean classification = result.network().loss() == Loss.XENT;
      job.heldOut().forEach((name, rows) -> // train's summary lines, quiet or not
          out.println(EpochLines.heldOut(name, result.heldOut().get(name), classification, rows.rows())));
      if (save != null) {
        Model.of(result.network()).save(save);
        out.println("saved:       " + save);
      }
      if (metrics != null) {
        out.println("metrics:     " + metrics);
      }
      return 0;
    } finally {
      if (own) {
        spark.stop();
      }
    }
  }

  /**
   * Before any work, as {@code cltrain train} does: no output is a data file or the other output, and each can be
   * written. Data on another file system (hdfs://, s3a://...) has no local file to compare.
   */
  private void checkOutputs() {
    OutputFiles files = new OutputFiles();
    for (Path p : localFiles(data)) {
      files.input("--data", p);
    }
    if (test != null) {
      files.input("--test", test);
    }
    files.output("--save", save).output("--checkpoint", checkpoint).output("--metrics", metrics).check();
  }

  /** The local files a --data value names: itself, or a folder's files; none for another file system. */
  private static List<Path> localFiles(String data) {
    Path path;
    try {
      URI uri = new URI(data);
      String scheme = uri.getScheme();
      if (scheme != null && !scheme.equals("file")) {
        return List.of();
      }
      path = scheme == null ? Path.of(data) : Path.of(uri);
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      path = Path.of(data);
    }
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    try (Stream<Path> files = Files.list(path)) {
      return files.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * Fails within {@code seconds} when no master of a {@code spark://} URL accepts a connection (Spark alone
   * retries its registration for about a minute, then ends with a stack trace).
   *
   * @throws DeviceException naming the URL, the timeout and the last connection's failure
   */
  static void checkReachable(String where, String url, int seconds) {
    if (seconds < 1) {
      throw new InputException("--connect-timeout must be at least 1 second, got " + seconds);
    }
    if (url == null || !url.startsWith("spark://")) {
      return;
    }
    String failure = "no host";
    for (String hostPort : url.substring("spark://".length()).split(",")) {
      int colon = hostPort.lastIndexOf(':');
      int port;
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException | IndexOutOfBoundsException e) {
        throw new InputException(where + ": not spark://HOST:PORT (the port of '" + hostPort + "')");
      }
      String host = hostPort.substring(0, Math.max(0, colon)).replace("[", "").replace("]", "");
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), seconds * 1000);
        return;
      } catch (IOException | IllegalArgumentException e) {
        failure = hostPort + ": " + e.getMessage();
      }
    }
    throw new DeviceException(where + ": no Spark master accepted a connection within --connect-timeout " + seconds
        + " s (" + failure + ")");
  }

  /**
   * Parses the options and reads the data (for tests, which then compare with the one-process run).
   *
   * @param args  the options
   * @param spark the session
   * @return the prepared job
   */
  public static SparkJob prepare(String[] args, SparkSession spark) {
    SparkTrain command = new SparkTrain();
    new CommandLine(command).parseArgs(args);
    return command.prepare(spark);
  }

  private SparkJob prepare(SparkSession spark) {
    Loss lossKind = Loss.parse(loss, "--loss");
    Activation hidden = Activation.parseHidden(activation, "--activation");
    // train's recipe: its defaults and checks (--batch-size 0, this command's default, is all rows)
    TrainingRecipe recipe = new TrainingRecipe(optimizer, lr, null, null, null, null, weightDecay,
        batchSize == 0 ? null : batchSize, seed, Regularization.given(decayAll, clipNorm, labelSmoothing)).check();
    Optimizer optimizerWithDefaults = recipe.toOptimizer();
    float rate = optimizerWithDefaults.learningRate();
    if (epochs < 1) {
      throw new InputException("--epochs must be at least 1, got " + epochs);
    }
    recipe.rowsPerBatch();
    if (averageEvery < 0) {
      throw new InputException("--average-every must be 0 (synchronous) or a number of local steps, got " + averageEvery);
    }
    int p = partitions != null ? partitions : spark.sparkContext().defaultParallelism();
    dev.cltrain.data.CsvLayout layout = csv.layout();
    SparkData.Loaded loaded = SparkData.read(spark, data, p, lossKind == Loss.XENT, features, layout,
        validationSplit == null ? 0 : validationSplit, seed);
    Standardization st = standardize ? loaded.standardization() : null;
    if (st != null) {
      loaded = loaded.standardized(st);
    }
    NumpyRandom random = new NumpyRandom(seed);
    Network initial;
    DataSet testSet = null;
    try {
      // train's network from the same options, drawn by the library as train draws it (dropout seed = --seed)
      initial = network(hidden).draw(loaded.inputs(), loaded.outputs(), null, data, lossKind,
          NetworkRecipe.outputOf(lossKind), random, seed);
      // what the trained model records of its data, as train's: the class names and the standardization
      if (loaded.classNames() != null && loaded.classNames().size() == initial.outputs()) {
        initial = initial.withClassNames(loaded.classNames());
      }
      if (st != null) {
        initial = initial.withStandardization(st);
      }
      if (test != null) { // one target column for mse, as train without --targets; K classes for xent
        testSet = DataSets.readTest(test, 1, layout, data, loaded.inputs(), loaded.outputs(),
            lossKind == Loss.XENT ? loaded.outputs() : 0, loaded.classNames());
        testSet = st == null ? testSet : testSet.standardized(st);
      }
    } catch (RuntimeException e) {
      loaded.shards().unpersist(false);
      throw e;
    }
    int[] widths = initial.widths();
    Settings settings = new Settings(optimizerWithDefaults, recipe.rowsPerBatch(), random);
    ObjectNode options = new ObjectMapper().createObjectNode().put("command", SparkCheckpoints.COMMAND).put("data", data)
        .put(net != null ? "net" : "layers", net != null ? net : NetworkRecipe.joined(widths)).put("inputShape", inputShape)
        .put("features", features)
        .put("activation", activation).put("loss", loss).put("optimizer", optimizer).put("lr", rate)
        .put("batchSize", batchSize).put("epochs", epochs).put("seed", seed).put("partitions", p)
        .put("averageEvery", averageEvery);
    if (validationSplit != null) {
      options.put("validationSplit", validationSplit);
    }
    if (standardize) { // only when given: the checkpoints of earlier runs, which have no such key, still fit
      options.put("standardize", true);
    }
    if (weightDecay != null) { // these too only when given
      options.put("weightDecay", weightDecay);
    }
    if (decayAll != null) {
      options.put("decayAll", decayAll);
    }
    if (clipNorm != null) {
      options.put("clipNorm", clipNorm);
    }
    if (labelSmoothing != null) {
      options.put("labelSmoothing", labelSmoothing);
    }
    if (!layout.isDefault()) {
      options.put("csvLayout", layout.toString());
    }
    return new SparkJob(spark, loaded, initial, settings, seed, epochs, device, checkpoint, options).averageEvery(averageEvery)
        .test(testSet);
  }

  /** The network --net or --layers describe, with --input-shape and --activation: train's recipe. */
  private NetworkRecipe network(Activation hidden) {
    if (net != null && layers != null) {
      throw new InputException("--net and --layers exclude each other");
    }
    return new NetworkRecipe(net == null ? null : NetSpec.parse(net), layers == null ? null : NetSpec.parseLayers(layers),
        inputShape == null ? null : NetSpec.parseShape(inputShape, "--input-shape"), hidden, null, standardize);
  }
}
