package dev.cltrain.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.Model;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.ModelJson;
import dev.cltrain.nn.Network;
import dev.cltrain.train.PartitionedTraining;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SparkTrain in Spark's local[2] mode: the model equals the one-process run on the same partitions byte for
 * byte; CSV, Parquet and LIBSVM give the same rows; bad input exits 2 with one line.
 */
class SparkLocalTest {
  static final int ROWS = 600;
  static final int INPUTS = 12;
  static final int CLASSES = 4;

  @TempDir
  static Path dir;
  static SparkSession spark;
  static Path csv;

  @BeforeAll
  static void start() throws Exception {
    spark = session("local[2]");
    csv = writeData(dir);
  }

  static SparkSession session(String master) {
    return SparkSession.builder().master(master).appName("cltrain-test").config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2").getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** 600 rows of 12 inputs and a class label 0..3 (it depends on the inputs, so there is something to learn). */
  static Path writeData(Path dir) throws Exception {
    Random random = new Random(16);
    StringBuilder b = new StringBuilder();
    for (int c = 0; c < INPUTS; c++) {
      b.append("x").append(c).append(',');
    }
    b.append("label\n");
    for (int r = 0; r < ROWS; r++) {
      float[] x = new float[INPUTS];
      for (int c = 0; c < INPUTS; c++) {
        x[c] = (float) random.nextGaussian();
        b.append(x[c]).append(',');
      }
      int label = (x[0] + x[1] > 0 ? 1 : 0) + (x[2] - x[3] > 0 ? 2 : 0);
      b.append(label).append('\n');
    }
    Path file = dir.resolve("rows.csv");
    Files.writeString(file, b.toString());
    return file;
  }

  static String[] args(Path data, String... more) {
    List<String> a = new ArrayList<>(List.of("--data", data.toString(), "--layers", "12,16,4", "--activation", "relu",
        "--loss", "xent", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "64", "--epochs", "3", "--seed", "7",
        "--partitions", "3", "--device", "reference", "--quiet"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  @Test
  void theModelSparkTrainsEqualsTheOneProcessRunOnTheSamePartitionsByteForByte() {
    SparkJob job = SparkTrain.prepare(args(csv), spark);
    try {
      List<DataSet> parts = job.data().collect();
      assertEquals(3, parts.size());
      assertEquals(List.of(200, 200, 200), parts.stream().map(DataSet::rows).toList());
      long t0 = System.nanoTime();
      Network expected = PartitionedTraining.runLocal(job.initial(), parts, job.settings(), job.seed(), job.epochs());
      double localMs = (System.nanoTime() - t0) / 1e6;
      SparkJob.Run run = job.train(new PrintStream(new ByteArrayOutputStream()), true);
      assertEquals(ModelJson.toJson(expected), ModelJson.toJson(run.network()));
      assertEquals(3 * 10, run.steps()); // 600 rows, batch 64: 10 steps an epoch
      System.out.printf("local[2]: %s; one process (runLocal): %.2f ms/step%n", run.summary(), localMs / run.steps());
      // not the initial network: it trained
      assertTrue(!ModelJson.toJson(job.initial()).equals(ModelJson.toJson(run.network())));
    } finally {
      job.release();
    }
  }

  /** A convolutional network (--net, --input-shape): the same bytes as the one-process run, dropout included. */
  @Test
  void aConvolutionalNetworkTrainsToTheOneProcessRunsBytes() {
    List<String> a = new ArrayList<>(List.of(args(csv)));
    int at = a.indexOf("--layers");
    a.remove(at + 1);
    a.remove(at);
    a.remove(a.indexOf("--activation") + 1);
    a.remove(a.indexOf("--activation"));
    a.addAll(List.of("--net", "conv:4:3,relu,dropout:0.25,maxpool:2,flatten,dense:8,tanh,dropout:0.5,dense:4",
        "--input-shape", "4x3x1"));
    SparkJob job = SparkTrain.prepare(a.toArray(String[]::new), spark);
    try {
      assertTrue(job.initial().hasFeatures(), "a network with stages");
      Network expected = PartitionedTraining.runLocal(job.initial(), job.data().collect(), job.settings(), job.seed(),
          job.epochs());
      SparkJob.Run run = job.train(new PrintStream(new ByteArrayOutputStream()), true);
      assertEquals(ModelJson.toJson(expected), ModelJson.toJson(run.network()));
    } finally {
      job.release();
    }
  }

  /**
   * Parameter averaging (--average-every 4): equal to the one-process averaging run when no worker is lost,
   * and, as documented, another model than synchronous training's.
   */
  @Test
  void parameterAveragingEqualsTheOneProcessAveragingRunAndIsNotTheSynchronousModel() {
    SparkJob job = SparkTrain.prepare(args(csv, "--average-every", "4"), spark);
    try {
      List<DataSet> parts = job.data().collect();
      Network expected = PartitionedTraining.runLocalAveraging(job.initial(), parts, job.settings(), job.seed(),
          job.epochs(), 4);
      SparkJob.Run run = job.train(new PrintStream(new ByteArrayOutputStream()), true);
      assertEquals(ModelJson.toJson(expected), ModelJson.toJson(run.network()));
      assertEquals(3 * 10, run.steps(), "10 steps an epoch, in rounds of 4, 4 and 2");
      Network synchronous = PartitionedTraining.runLocal(job.initial(), parts, job.settings(), job.seed(), job.epochs());
      assertTrue(!ModelJson.toJson(synchronous).equals(ModelJson.toJson(run.network())), "another model");
    } finally {
      job.release();
    }
  }

  @Test
  void theCommandSavesTheSameModelAndLogsAnEpochLineEach() throws Exception {
    Path model = dir.resolve("model.json");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> a = new ArrayList<>(List.of(args(csv, "--save", model.toString())));
    a.remove("--quiet");
    int status = SparkTrain.run(a.toArray(String[]::new), spark, new PrintStream(out, true), new PrintStream(err, true));
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    String log = out.toString(StandardCharsets.UTF_8);
    assertTrue(log.contains("Epoch 0, Loss: ") && log.contains("Epoch 2, Loss: "), log);
    assertTrue(log.lines().anyMatch(("saved:       " + model)::equals), "train's saved: line\n" + log);
    assertSavedModelIsTheOneProcessRun(model);
  }

  /** Exit status, the error text, and the standard output of one SparkTrain run on the local[2] session. */
  record Result(int status, String err, String out) {
    /** Asserts exit {@code status} with one error line holding {@code words}. */
    void refused(int expected, String words) {
      assertEquals(expected, status, err);
      assertEquals(1, err.strip().lines().count(), "one line:\n" + err);
      assertTrue(err.contains(words), "'" + words + "' in: " + err);
    }
  }

  static Result run(SparkSession session, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = SparkTrain.run(args, session, new PrintStream(out, true), new PrintStream(err, true));
    return new Result(status, err.toString(StandardCharsets.UTF_8), out.toString(StandardCharsets.UTF_8));
  }

  /** args(data, more) with --epochs set to {@code epochs}, then each option/value pair of {@code set} set. */
  static String[] epochs(int epochs, Path data, String... set) {
    List<String> a = new ArrayList<>(List.of(args(data)));
    a.set(a.indexOf("--epochs") + 1, String.valueOf(epochs));
    for (int i = 0; i < set.length; i += 2) {
      int at = a.indexOf(set[i]);
      if (at < 0) {
        a.addAll(List.of(set[i], set[i + 1]));
      } else {
        a.set(at + 1, set[i + 1]);
      }
    }
    return a.toArray(String[]::new);
  }

  /**
   * A checkpoint goes on only with the run that wrote it: another --lr, --optimizer, seed or data (the same path,
   * one value changed) is refused in one line with exit 2, before any step, and --save is not written.
   */
  @Test
  void aCheckpointOfAnotherRunIsRefusedInOneLine() throws Exception {
    Path data = dir.resolve("own.csv");
    Files.copy(csv, data);
    Path checkpoint = dir.resolve("other-run.checkpoint");
    Path model = dir.resolve("other-run.json");
    Result first = run(spark, epochs(1, data, "--checkpoint", checkpoint.toString()));
    assertEquals(0, first.status(), first.err());
    byte[] written = Files.readAllBytes(checkpoint);

    run(spark, epochs(3, data, "--checkpoint", checkpoint.toString(), "--save", model.toString(), "--lr", "0.02"))
        .refused(2, "--checkpoint " + checkpoint + " is the checkpoint of another run: --lr 0.01 there, 0.02 here");
    run(spark, epochs(3, data, "--checkpoint", checkpoint.toString(), "--save", model.toString(), "--optimizer", "sgd"))
        .refused(2, "--optimizer adam there, sgd here");
    run(spark, epochs(3, data, "--checkpoint", checkpoint.toString(), "--save", model.toString(), "--seed", "8"))
        .refused(2, "--seed 7 there, 8 here");
    List<String> lines = new ArrayList<>(Files.readAllLines(data));
    lines.set(5, lines.get(5).replaceFirst("^-?[0-9.E-]+,", "0.5,"));
    Files.write(data, lines);
    run(spark, epochs(3, data, "--checkpoint", checkpoint.toString(), "--save", model.toString()))
        .refused(2, "the data's rows ");
    assertTrue(!Files.exists(model), "--save not written");
    assertArrayEquals(written, Files.readAllBytes(checkpoint), "the checkpoint left as it was");

    // cltrain train's checkpoint (its options are not SparkTrain's): refused too, not an internal error
    Path trainCheckpoint = dir.resolve("train.checkpoint");
    Files.writeString(trainCheckpoint, Files.readString(checkpoint).replace("\"command\":\"cltrain-spark\",", ""));
    run(spark, epochs(3, data, "--checkpoint", trainCheckpoint.toString()))
        .refused(2, "it holds no SparkTrain options");
  }

  /**
   * The outputs are checked before any work, as cltrain train checks them: --save or --checkpoint the same file
   * as --data, or --save in a folder that does not exist, exit 2 in one line; the data file is left as it was
   * and the checkpoint is never written (no epoch ran).
   */
  @Test
  void outputsAreCheckedBeforeAnyWork() throws Exception {
    byte[] rows = Files.readAllBytes(csv);
    Path checkpoint = dir.resolve("never.checkpoint");
    run(spark, args(csv, "--save", csv.toString(), "--checkpoint", checkpoint.toString()))
        .refused(2, "--save " + csv + " is the same file as --data " + csv);
    run(spark, args(csv, "--checkpoint", dir.resolve(".").resolve(csv.getFileName()).toString()))
        .refused(2, "is the same file as --data");
    // --data a folder: each of its files is an input
    Path folder = Files.createDirectories(dir.resolve("rows-folder"));
    Files.copy(csv, folder.resolve("part-0.csv"));
    run(spark, args(folder, "--save", folder.resolve("part-0.csv").toString()))
        .refused(2, "is the same file as --data");
    Path missing = dir.resolve("no-such-folder").resolve("model.json");
    run(spark, args(csv, "--save", missing.toString(), "--checkpoint", checkpoint.toString()))
        .refused(2, "--save " + missing);
    assertArrayEquals(rows, Files.readAllBytes(csv), "the data file is unchanged");
    assertTrue(!Files.exists(checkpoint), "no epoch ran: the checkpoint was never written");
  }

  /**
   * A spark:// master that accepts no connection: exit 3 (a cluster that cannot be used, as train's device) in
   * one line naming the URL and the timeout, without Spark's minute of retries. The port is one just closed.
   */
  @Test
  void anUnreachableMasterFailsInOneLineWithExitThree() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    String url = "spark://127.0.0.1:" + port;
    run(null, args(csv, "--master", url, "--connect-timeout", "5"))
        .refused(3, "--master " + url + ": no Spark master accepted a connection within --connect-timeout 5 s");
  }

  @Test
  void aRunResumedFromItsCheckpointEndsWithTheSameModel() throws Exception {
    Path checkpoint = dir.resolve("run.checkpoint");
    Path model = dir.resolve("resumed.json");
    String[] first = args(csv, "--checkpoint", checkpoint.toString());
    first[java.util.Arrays.asList(first).indexOf("--epochs") + 1] = "1";
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(0, SparkTrain.run(first, spark, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true)),
        err.toString(StandardCharsets.UTF_8));
    assertTrue(Files.isRegularFile(checkpoint));
    // a new driver goes on from epoch 1 to epoch 3
    assertEquals(0, SparkTrain.run(args(csv, "--checkpoint", checkpoint.toString(), "--save", model.toString()), spark,
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true)), err.toString(StandardCharsets.UTF_8));
    assertSavedModelIsTheOneProcessRun(model);
  }

  /** The model file equals, byte for byte in JSON, the one-process run of the default arguments. */
  private static void assertSavedModelIsTheOneProcessRun(Path model) {
    SparkJob job = SparkTrain.prepare(args(csv), spark);
    try {
      Network expected = PartitionedTraining.runLocal(job.initial(), job.data().collect(), job.settings(), job.seed(),
          job.epochs());
      assertEquals(ModelJson.toJson(expected), ModelJson.toJson(Model.load(model).network()));
    } finally {
      job.release();
    }
  }

  @Test
  void parquetAndLibsvmReadToTheSameRowsAsTheCsv() throws Exception {
    List<DataSet> fromCsv = SparkData.read(spark, csv.toString(), 3, true, 0).collect();
    // the same rows as Parquet (numeric columns, the label last) and as LIBSVM (zeros left out)
    List<Row> rows = new ArrayList<>();
    StringBuilder libsvm = new StringBuilder();
    List<StructField> fields = new ArrayList<>();
    for (int c = 0; c < INPUTS; c++) {
      fields.add(DataTypes.createStructField("x" + c, DataTypes.FloatType, false));
    }
    fields.add(DataTypes.createStructField("label", DataTypes.IntegerType, false));
    for (DataSet part : fromCsv) {
      for (int r = 0; r < part.rows(); r++) {
        Object[] cells = new Object[INPUTS + 1];
        float[] x = part.inputRow(r);
        int label = Model.classOf(part.targetRow(r));
        libsvm.append(label);
        for (int c = 0; c < INPUTS; c++) {
          cells[c] = x[c];
          if (x[c] != 0) {
            libsvm.append(' ').append(c + 1).append(':').append(x[c]);
          }
        }
        cells[INPUTS] = label;
        rows.add(RowFactory.create(cells));
        libsvm.append('\n');
      }
    }
    Dataset<Row> df = spark.createDataFrame(rows, new StructType(fields.toArray(StructField[]::new)));
    Path parquet = dir.resolve("rows.parquet");
    df.repartition(3).sortWithinPartitions("label").write().parquet(parquet.toString()); // several files, shuffled
    Path sorted = dir.resolve("rows-in-order.parquet");
    df.coalesce(1).write().parquet(sorted.toString());
    Path svm = dir.resolve("rows.libsvm");
    Files.writeString(svm, libsvm.toString());

    assertSameRows(fromCsv, SparkData.read(spark, sorted.toString(), 3, true, 0).collect());
    assertSameRows(fromCsv, SparkData.read(spark, svm.toString(), 3, true, INPUTS).collect());
    // several Parquet files: the same rows in the order of their files' paths, read the same way twice
    List<DataSet> a = SparkData.read(spark, parquet.toString(), 3, true, 0).collect();
    assertSameRows(a, SparkData.read(spark, parquet.toString(), 3, true, 0).collect());
    assertEquals(ROWS, a.stream().mapToInt(DataSet::rows).sum());
  }

  /**
   * Issue 24 item 4: a decimal where reading through a double would give another float reaches the cluster with
   * the bits train reads, from a CSV and from LIBSVM text alike.
   */
  @Test
  void aDecimalNearAFloatMidpointHasTrainsBitsOnTheCluster() throws Exception {
    String s = dev.cltrain.data.CsvNumbersTest.trap();
    Path trapCsv = Files.writeString(dir.resolve("trap.csv"), "x,y\n" + s + "," + s + "\n0.5,0.25\n");
    Path trapSvm = Files.writeString(dir.resolve("trap.libsvm"), s + " 1:" + s + "\n0.25 1:0.5\n");
    DataSet train = dev.cltrain.data.CsvReader.read(trapCsv, 1);
    for (Path file : new Path[] {trapCsv, trapSvm}) {
      List<DataSet> parts = SparkData.read(spark, file.toString(), 1, false, 1).collect();
      assertEquals(1, parts.size(), file.toString());
      assertArrayEquals(train.x(), parts.get(0).x(), file + ": the inputs, bit for bit");
      assertArrayEquals(train.y(), parts.get(0).y(), file + ": the targets, bit for bit");
    }
  }

  static void assertSameRows(List<DataSet> expected, List<DataSet> actual) {
    assertEquals(expected.size(), actual.size());
    for (int p = 0; p < expected.size(); p++) {
      assertEquals(expected.get(p).rows(), actual.get(p).rows(), "partition " + p);
      assertEquals(expected.get(p).inputs(), actual.get(p).inputs(), "partition " + p);
      assertArrayEquals(expected.get(p).x(), actual.get(p).x(), "partition " + p);
      assertArrayEquals(expected.get(p).y(), actual.get(p).y(), "partition " + p);
    }
  }

  @Test
  void badInputExitsTwoWithOneLine() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = SparkTrain.run(args(dir.resolve("missing.csv")), spark, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true));
    String message = err.toString(StandardCharsets.UTF_8);
    assertEquals(2, status, message);
    assertEquals(1, message.strip().lines().count(), message);
    assertTrue(message.contains("missing.csv: file not found"), message);

    err.reset();
    String[] wrongWidths = args(csv);
    wrongWidths[3] = "12,8,3";
    status = SparkTrain.run(wrongWidths, spark, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true));
    message = err.toString(StandardCharsets.UTF_8);
    assertEquals(2, status, message);
    assertTrue(message.contains("--layers 12,8,3: the last width is 3 but the data ("), message);
  }

  /** The CLI's reader's message for a bad CSV, from the place on ("FILE:LINE, column C: ..." without FILE). */
  private static String cliMessage(Path file) {
    String m = org.junit.jupiter.api.Assertions.assertThrows(dev.cltrain.core.InputException.class,
        () -> dev.cltrain.data.CsvReader.readClassified(file, 0, null)).getMessage();
    return m.substring(file.toString().length());
  }

  /**
   * Issue 23 item 9: the cluster accepted {@code 1.86f} and dropped a row of words without a word; it now reads
   * with the CLI's grammar and refuses both with the CLI's message (exit 2, one line).
   */
  @Test
  void theClusterRefusesWhatTrainRefusesWithTheSameMessage() throws Exception {
    Path suffix = Files.writeString(dir.resolve("suffix.csv"), "x0,x1,label\n1,2,0\n1.86f,2,1\n3,4,1\n");
    Path words = Files.writeString(dir.resolve("words.csv"), "x0,x1,label\n1,2,0\n3,4,1\nsome,words,here\n");
    assertEquals(":3, column 1: '1.86f' is not a number", cliMessage(suffix));
    assertEquals(":4, column 1: 'some' is not a number", cliMessage(words));
    for (Path file : new Path[] {suffix, words}) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int status = SparkTrain.run(new String[] {"--data", file.toString(), "--loss", "xent", "--partitions", "1",
          "--device", "reference", "--quiet"}, spark, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
      String message = err.toString(StandardCharsets.UTF_8).strip();
      assertEquals(2, status, message);
      assertEquals(1, message.lines().count(), message);
      assertTrue(message.startsWith("error: ") && message.endsWith(file.getFileName() + cliMessage(file)), message);
    }
  }

  /** --label and --ignore on the cluster: the rows the CLI reads, from a folder of files each with a header. */
  @Test
  void labelAndIgnoreReadTheRowsTheCliReads() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("labelled"));
    StringBuilder all = new StringBuilder("id,label,a,b\n");
    for (int f = 0; f < 2; f++) {
      StringBuilder b = new StringBuilder("id,label,a,b\n");
      for (int r = 0; r < 5; r++) {
        String row = "row-" + f + r + "," + (r % 3) + "," + (f * 10 + r) + "," + (r == 2 ? "NA" : String.valueOf(r * 0.5)) + "\n";
        b.append(row);
        all.append(row);
      }
      Files.writeString(folder.resolve("part-" + f + ".csv"), b);
    }
    Path one = Files.writeString(dir.resolve("labelled-all.csv"), all);
    dev.cltrain.data.CsvLayout layout = dev.cltrain.data.CsvLayout.DEFAULT.withLabel("label").withIgnore("1")
        .withDropMissing(true);
    DataSet cli = dev.cltrain.data.CsvReader.readClassified(one, 0, null, layout).set();
    assertEquals(8, cli.rows(), "two rows with NA left out");
    List<DataSet> parts = SparkData.read(spark, folder.toString(), 2, true, 0, layout).collect();
    assertEquals(cli.rows(), parts.stream().mapToInt(DataSet::rows).sum());
    int row = 0;
    for (DataSet part : parts) {
      for (int r = 0; r < part.rows(); r++, row++) {
        assertArrayEquals(cli.inputRow(row), part.inputRow(r), "row " + row);
        assertArrayEquals(cli.targetRow(row), part.targetRow(r), "row " + row);
      }
    }
  }

  /**
   * Class names in the label column and --standardize, as train reads and saves them: the classes are
   * CsvReader.readClassified's (the distinct names sorted, kept in the saved model), the standardization is
   * Standardization.of over the CLI's rows (bit for bit with one partition; with three, whose column sums are
   * added per partition, within one float ulp), stored in the model, and the rows trained on are the CLI's rows
   * standardized.
   */
  @Test
  void classNamesAndStandardizeAreReadAndSavedAsTrainDoes() throws Exception {
    Path named = writeNamed("named.csv", 1, ROWS + 1);
    dev.cltrain.data.CsvReader.Classified cli = dev.cltrain.data.CsvReader.readClassified(named, 0, null);
    assertEquals(List.of("ant", "bee", "moth", "zebra"), cli.names());
    DataSet rows = cli.set();
    dev.cltrain.nn.Standardization expected = dev.cltrain.nn.Standardization.of(rows.x(), rows.rows(), rows.inputs());

    Path model = dir.resolve("named-model.json");
    List<String> a = new ArrayList<>(List.of(epochs(1, named, "--partitions", "1", "--save", model.toString())));
    a.add("--standardize");
    Result result = run(spark, a.toArray(String[]::new));
    assertEquals(0, result.status(), result.err());
    assertTrue(result.out().lines().anyMatch(("saved:       " + model)::equals), result.out());
    Network saved = Model.load(model).network();
    assertEquals(cli.names(), saved.classNames(), "the class names in the saved model");
    assertEquals(expected, saved.standardization(), "one partition: Standardization.of's bits");

    a.set(a.indexOf("--partitions") + 1, "3");
    SparkJob job = SparkTrain.prepare(a.toArray(String[]::new), spark);
    try {
      assertEquals(cli.names(), job.initial().classNames());
      dev.cltrain.nn.Standardization st = job.initial().standardization();
      for (int c = 0; c < rows.inputs(); c++) {
        // partition sums added in another order than one running sum: the float results within 1 ulp
        assertEquals(expected.mean()[c], st.mean()[c], Math.ulp(expected.mean()[c]), "mean of column " + c);
        assertEquals(expected.std()[c], st.std()[c], Math.ulp(expected.std()[c]), "std of column " + c);
      }
      DataSet scaled = rows.standardized(st);
      int row = 0;
      for (DataSet part : job.data().collect()) {
        for (int r = 0; r < part.rows(); r++, row++) {
          assertArrayEquals(scaled.inputRow(row), part.inputRow(r), "row " + row + ": the CLI's row standardized");
          assertArrayEquals(rows.targetRow(row), part.targetRow(r), "row " + row + ": its class as the CLI numbers it");
        }
      }
      assertEquals(rows.rows(), row);
    } finally {
      job.release();
    }
  }

  /**
   * Lines [from, to) of the data rows of {@link #csv} (from 1: the first after the header) with the header, the first
   * input column scaled far from mean 0 and std 1, and label k written as a class name (zebra, ant, moth, bee:
   * sorting renumbers them).
   */
  static Path writeNamed(String name, int from, int to) throws Exception {
    String[] names = {"zebra", "ant", "moth", "bee"};
    StringBuilder b = new StringBuilder();
    List<String> lines = Files.readAllLines(csv);
    b.append(lines.get(0)).append('\n');
    for (String line : lines.subList(from, to)) {
      int comma = line.lastIndexOf(',');
      String[] cells = line.substring(0, comma).split(",");
      cells[0] = String.valueOf(Float.parseFloat(cells[0]) * 100 + 50);
      b.append(String.join(",", cells)).append(',').append(names[Integer.parseInt(line.substring(comma + 1))])
          .append('\n');
    }
    return Files.writeString(dir.resolve(name), b);
  }

  /**
   * --test, --validation-split and --metrics as train has them: the split holds out the rows train's does and
   * trains on the others in train's order; the epoch lines carry the test set's and the split's loss and accuracy,
   * the test: and validation: lines give the end weights' figures, which equal what 'cltrain eval' computes from
   * the saved model on those rows (its class names and standardization applied); the metrics file has train's
   * header and one row per epoch. A test label that is none of the training classes exits 2 with train's one line.
   */
  @Test
  void testSetValidationSplitAndMetricsAreReportedAsTrainReportsThem() throws Exception {
    Path train = writeNamed("named-train.csv", 1, 501);
    Path test = writeNamed("named-test.csv", 501, ROWS + 1);
    Path model = dir.resolve("tested-model.json");
    Path metrics = dir.resolve("metrics.csv");
    List<String> a = new ArrayList<>(List.of(epochs(2, train, "--partitions", "2", "--save", model.toString(),
        "--test", test.toString(), "--metrics", metrics.toString(), "--validation-split", "0.2")));
    a.remove("--quiet");
    a.add("--standardize");
    Result result = run(spark, a.toArray(String[]::new));
    assertEquals(0, result.status(), result.err());
    List<String> epochLines = result.out().lines().filter(l -> l.startsWith("Epoch ")).toList();
    assertEquals(2, epochLines.size(), result.out());
    for (String line : epochLines) {
      assertTrue(line.matches("Epoch \\d, Loss: [0-9.]+, Accuracy: [0-9.]+, Test loss: [0-9.]+, Test accuracy: [0-9.]+"
          + ", Validation loss: [0-9.]+, Validation accuracy: [0-9.]+"), line);
    }
    Model saved = Model.load(model);
    dev.cltrain.device.Trainer.Evaluation eval = saved.evaluate(dev.cltrain.Data.labelledFor(saved, test.toString()),
        dev.cltrain.device.DeviceChoice.of(dev.cltrain.Devices.reference())).evaluation();
    String expected = String.format(java.util.Locale.ROOT, "test:        loss %.4f, accuracy %.4f (100 rows)",
        eval.loss(), eval.accuracy());
    assertTrue(result.out().lines().anyMatch(expected::equals), expected + " in:\n" + result.out());
    assertTrue(epochLines.get(1).contains(String.format(java.util.Locale.ROOT, "Test loss: %.4f, Test accuracy: %.4f",
        eval.loss(), eval.accuracy())), "the last epoch line has the end weights' test figures: " + epochLines.get(1));

    // the split: train's rows (DataSets.withValidation with --seed 7) of the CLI's reading of the file
    dev.cltrain.data.CsvReader.Classified cli = dev.cltrain.data.CsvReader.readClassified(train, 0, null);
    dev.cltrain.data.TrainingData split = dev.cltrain.data.DataSets.withValidation(new dev.cltrain.data.TrainingData(
        cli.set(), null, null, 1f, CLASSES), 0.2, 7);
    assertEquals(100, split.validation().rows());
    dev.cltrain.device.Trainer.Evaluation val = saved.evaluate(split.validation().standardized(saved.network().standardization()),
        dev.cltrain.device.DeviceChoice.of(dev.cltrain.Devices.reference())).evaluation();
    String validation = String.format(java.util.Locale.ROOT, "validation:  loss %.4f, accuracy %.4f (100 rows)",
        val.loss(), val.accuracy());
    assertTrue(result.out().lines().anyMatch(validation::equals), validation + " in:\n" + result.out());
    int row = 0;
    for (DataSet part : SparkData.read(spark, train.toString(), 2, true, 0, dev.cltrain.data.CsvLayout.DEFAULT, 0.2, 7)
        .collect()) {
      for (int r = 0; r < part.rows(); r++, row++) {
        assertArrayEquals(split.train().inputRow(row), part.inputRow(r), "training row " + row + " in train's order");
        assertArrayEquals(split.train().targetRow(row), part.targetRow(r), "training row " + row);
      }
    }
    assertEquals(split.train().rows(), row);
    List<String> rows = Files.readAllLines(metrics);
    assertEquals(3, rows.size(), String.join("\n", rows));
    assertEquals(dev.cltrain.cmd.MetricsCsv.HEADER, rows.get(0));
    String[] last = rows.get(2).split(",", -1);
    assertEquals("1", last[0]);
    assertEquals(val.loss(), Double.parseDouble(last[3]), 1e-5 * val.loss(), "val_loss");
    // the CSV keeps 6 significant digits: relative 1e-5 covers its rounding
    assertEquals(eval.loss(), Double.parseDouble(last[5]), 1e-5 * eval.loss(), "test_loss");
    assertEquals(eval.accuracy(), Double.parseDouble(last[6]), 1e-5, "test_accuracy");
    assertTrue(result.out().lines().anyMatch(("metrics:     " + metrics)::equals), result.out());

    Path stranger = Files.writeString(dir.resolve("stranger.csv"), Files.readString(test).replaceFirst(",ant\n", ",yak\n"));
    String line = Files.readAllLines(stranger).indexOf(Files.readAllLines(stranger).stream()
        .filter(l -> l.endsWith(",yak")).findFirst().orElseThrow()) + 1 + "";
    a.set(a.indexOf("--test") + 1, stranger.toString());
    a.set(a.indexOf("--save") + 1, dir.resolve("not-written.json").toString());
    run(spark, a.toArray(String[]::new)).refused(2, "stranger.csv:" + line + ", column 13: class label 'yak' is not one"
        + " of the 4 classes");
    assertTrue(!Files.exists(dir.resolve("not-written.json")));
    run(spark, epochs(1, train, "--validation-split", "1.5")).refused(2, "--validation-split must be in [0, 1), got 1.5");
  }
}
