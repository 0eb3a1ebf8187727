package dev.cltrain.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.data.DataSet;
import dev.cltrain.nn.ModelJson;
import dev.cltrain.nn.Network;
import dev.cltrain.train.PartitionedTraining;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SparkTrain on a standalone cluster on this machine (scripts/spark-cluster: a Master and two Workers of one
 * core each on 127.0.0.1), the driver in this JVM, the application jar made from target/classes: the model
 * equals the one-process run on the same partitions byte for byte; killing one worker (and its executor) after
 * the first epoch, the run still finishes with the same model; {@code scripts/spark-cluster submit} trains the
 * same model in a driver of its own. The script itself waits on its daemons' log lines, however slow they are
 * to start, and prints the URL alone on stdout (its errors on stderr). Every wait here is on a condition, with
 * generous bounds: the machine may be busy.
 */
@Tag("slow")
class SparkStandaloneTest {
  static final Path ROOT = Path.of("").toAbsolutePath();
  static final Path CLUSTER = ROOT.resolve("target/spark-cluster-test");

  @TempDir
  static Path dir;
  static String url;
  static Path appJar;
  static Path csv;

  /** Bound of every wait on the script or the cluster: far above a busy machine's minute, below a hang's forever. */
  static final long BOUND_MINUTES = 10;
  static final java.util.regex.Pattern URL = java.util.regex.Pattern.compile("spark://127\\.0\\.0\\.1:[0-9]+\n");
  /** The model of SparkLocalTest.args(csv), once the first test has trained it. */
  static String expected;

  /**
   * The two cases of scripted daemons (a late worker, a stuck one): no JVM, no CPU, but the late one waits 35 s.
   * They start once the real cluster's SPARK_HOME exists (they share it) and run beside the cluster's tests, on a
   * thread of their own; their tests wait for them and check what they returned.
   */
  static final ExecutorService SCRIPTED = Executors.newFixedThreadPool(2);
  static Path lateFolder;
  static Future<Started> lateStart;
  static Path stuckFolder;
  static Future<Started> stuckStart;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster("stop");
    url = startedUrl(cluster("start"));
    lateFolder = fakeCluster("slow-worker");
    java.util.Map<String, String> late = java.util.Map.of("JAVA_HOME", fakeJavaHome("slow-java", 35).toString(),
        "SPARK_WORKERS", "1");
    lateStart = SCRIPTED.submit(() -> startThenStop(late, lateFolder));
    stuckFolder = fakeCluster("stuck-worker");
    java.util.Map<String, String> stuck = java.util.Map.of("JAVA_HOME", fakeJavaHome("stuck-java", -1).toString(),
        "SPARK_WORKERS", "1", "SPARK_CLUSTER_TIMEOUT", "3");
    stuckStart = SCRIPTED.submit(() -> startThenStop(stuck, stuckFolder));
    appJar = jar(ROOT.resolve("target/classes"), dir.resolve("cltrain-app.jar"));
    csv = SparkLocalTest.writeData(dir);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    try {
      cluster("stop");
    } finally {
      SCRIPTED.shutdown();
      SCRIPTED.awaitTermination(BOUND_MINUTES * 3, TimeUnit.MINUTES);
    }
  }

  /**
   * What start printed, and whether the pid files of its master and first worker were there once it had returned
   * (before the stop that follows it).
   */
  record Started(Script script, boolean pidFilesLeft) {}

  /** {@code scripts/spark-cluster start FOLDER} with {@code env}, then stop (whatever start did). */
  static Started startThenStop(java.util.Map<String, String> env, Path folder)
      throws IOException, InterruptedException {
    try {
      Script start = script(env, List.of("start", folder.toString()));
      boolean left = Files.exists(folder.resolve("master.pid")) || Files.exists(folder.resolve("worker-1.pid"));
      return new Started(start, left);
    } finally {
      script(env, List.of("stop", folder.toString()));
    }
  }

  /** What a scripted start returned, once it has (at most the bound of both scripts it runs). */
  static Started awaited(Future<Started> start) throws Exception {
    return start.get(2 * BOUND_MINUTES, TimeUnit.MINUTES);
  }

  /** What scripts/spark-cluster printed: its exit status, stdout and stderr, kept apart. */
  record Script(int status, String out, String err) {}

  /** Runs scripts/spark-cluster with {@code args} and the environment {@code env} added. */
  static Script script(java.util.Map<String, String> env, List<String> args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(ROOT.resolve("scripts/spark-cluster").toString()));
    command.addAll(args);
    Path err = Files.createTempFile(dir, "spark-cluster", ".err");
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
    builder.environment().putAll(env);
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(BOUND_MINUTES, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("scripts/spark-cluster " + String.join(" ", args) + " still running after "
          + BOUND_MINUTES + " minutes; stderr:\n" + Files.readString(err));
    }
    return new Script(p.exitValue(), out, Files.readString(err));
  }

  /** scripts/spark-cluster CMD [ARGS] CLUSTER, which must succeed; its stdout. */
  static String cluster(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(args));
    command.add(CLUSTER.toString());
    Script r = script(java.util.Map.of(), command);
    assertEquals(0, r.status(), "scripts/spark-cluster " + String.join(" ", args) + " failed: " + r.err() + r.out());
    return r.out();
  }

  /** The URL that start printed: the whole of its stdout, one line. */
  static String startedUrl(String out) {
    assertTrue(URL.matcher(out).matches(), "scripts/spark-cluster start printed, instead of the URL alone: " + out);
    return out.strip();
  }

  /** target/classes as a jar, which spark.jars ships to the executors. */
  static Path jar(Path classes, Path jar) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
        Stream<Path> walk = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
    return jar;
  }

  static SparkSession session() {
    SparkSession spark = SparkSession.builder().master(url).appName("cltrain-standalone-test")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").config("spark.jars", appJar.toString())
        .config("spark.executor.memory", "512m").config("spark.executor.cores", "1").config("spark.cores.max", "2")
        .config("spark.executor.extraJavaOptions", "--add-modules jdk.incubator.vector")
        .config("spark.sql.shuffle.partitions", "2").getOrCreate();
    // wait for both executors (the driver counts as one more)
    awaitExecutors(spark, 3);
    assertEquals(3, spark.sparkContext().statusTracker().getExecutorInfos().length, "two executors registered");
    return spark;
  }

  /** Waits until the driver knows {@code count} executors (itself included), at most {@link #BOUND_MINUTES}. */
  static void awaitExecutors(SparkSession spark, int count) {
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(BOUND_MINUTES);
    while (spark.sparkContext().statusTracker().getExecutorInfos().length != count && System.nanoTime() < until) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
  }

  @Test
  void theClusterTrainsTheOneProcessModelByteForByteAndAKilledWorkerChangesNothing() throws Exception {
    SparkSession spark = session();
    try {
      SparkJob job = SparkTrain.prepare(SparkLocalTest.args(csv), spark);
      List<DataSet> parts = job.data().collect();
      long t0 = System.nanoTime();
      Network expected = PartitionedTraining.runLocal(job.initial(), parts, job.settings(), job.seed(), job.epochs());
      double localMs = (System.nanoTime() - t0) / 1e6;
      String want = ModelJson.toJson(expected);
      SparkStandaloneTest.expected = want;

      SparkJob.Run run = job.train(new PrintStream(new ByteArrayOutputStream()), true);
      assertEquals(want, ModelJson.toJson(run.network()), "the cluster's model");
      assertEquals(2, run.executors().size(), "both executors ran tasks: " + run.executors());
      System.out.printf("standalone: %s; one process (runLocal): %.2f ms/step%n", run.summary(),
          localMs / run.steps());

      // again, killing worker 2 (and its executor, with its cached partitions) after the first epoch
      Thread[] killer = new Thread[1];
      job.afterEpoch(() -> {
        if (killer[0] == null) {
          killer[0] = new Thread(() -> {
            try {
              cluster("kill-worker", "2");
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
          killer[0].start();
        }
      });
      SparkJob.Run afterKill = job.train(new PrintStream(new ByteArrayOutputStream()), true);
      killer[0].join();
      assertEquals(want, ModelJson.toJson(afterKill.network()), "the model after a worker was killed");
      System.out.printf("standalone, worker 2 killed after epoch 0: %s%n", afterKill.summary());
      // the kill took: one executor left (the driver counts as one more; it may learn of the loss late)
      awaitExecutors(spark, 2);
      assertEquals(2, spark.sparkContext().statusTracker().getExecutorInfos().length, "worker 2's executor is gone");
      job.release();
    } finally {
      spark.stop();
    }
  }

  /**
   * {@code scripts/spark-cluster submit OPTIONS}: SparkTrain in a driver of its own through Spark's SparkSubmit,
   * the application jar shipped to the executors; the epoch lines and train's {@code saved:} line on stdout, and
   * the one-process run's model byte for byte (whichever workers are left).
   */
  @Test
  void submitRunsSparkTrainOnTheClusterAndSavesTheSameModel() throws Exception {
    if (expected == null) {
      SparkSession spark = session();
      try {
        SparkJob job = SparkTrain.prepare(SparkLocalTest.args(csv), spark);
        expected = ModelJson.toJson(PartitionedTraining.runLocal(job.initial(), job.data().collect(), job.settings(),
            job.seed(), job.epochs()));
        job.release();
      } finally {
        spark.stop();
      }
    }
    Path model = dir.resolve("submitted.json");
    List<String> args = new java.util.ArrayList<>(List.of("submit", "--dir", CLUSTER.toString(), "--jar",
        appJar.toString()));
    args.addAll(List.of(SparkLocalTest.args(csv, "--save", model.toString())));
    args.remove("--quiet");
    Script r = script(java.util.Map.of(), args);
    assertEquals(0, r.status(), "submit failed:\n" + r.err() + r.out());
    assertTrue(r.out().contains("Epoch 2, Loss: "), r.out());
    assertTrue(r.out().lines().anyMatch(("saved:       " + model)::equals), "train's saved: line\n" + r.out());
    assertEquals(expected, ModelJson.toJson(dev.cltrain.Model.load(model).network()), "the submitted run's model");
  }

  /**
   * A "java" that starts daemons which write the script's log lines as Spark's do: the Master's at once; each
   * Worker's after {@code workerDelay} seconds, its log file missing until then (as when the daemon's shell has
   * not yet opened it on a busy machine), or never, when negative. No JVM runs: it costs no CPU.
   */
  static Path fakeJavaHome(String name, int workerDelay) throws IOException {
    Path bin = Files.createDirectories(dir.resolve(name).resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(java, "#!/bin/sh\n"
        + "case \"$*\" in\n"
        + "  *deploy.master.Master*) echo 'I have been elected leader'; exec sleep 3600 ;;\n"
        + "  *deploy.worker.Worker*) " + (workerDelay < 0 ? "exec sleep 3600"
            : "log=$(readlink /proc/$$/fd/1); rm -f \"$log\"; sleep " + workerDelay
                + "; echo 'Successfully registered with master' > \"$log\"; exec sleep 3600") + " ;;\n"
        + "esac\n");
    java.toFile().setExecutable(true);
    return bin.getParent();
  }

  /** A cluster folder of its own, sharing the real cluster's SPARK_HOME (no second Maven run). */
  static Path fakeCluster(String name) throws IOException {
    Path folder = Files.createDirectories(dir.resolve(name));
    Files.createSymbolicLink(folder.resolve("home"), CLUSTER.resolve("home"));
    return folder;
  }

  /**
   * A worker that takes 35 s to come up, its log file missing meanwhile (a JVM's start on a busy machine):
   * start waits for it, rather than for a fixed 30 s, prints the URL alone and nothing on stderr (the old
   * script's grep wrote "No such file or directory" there, which this test's helper once read as the URL).
   */
  @Test
  void startWaitsForALateWorkerAndPrintsOnlyTheUrl() throws Exception {
    Script r = awaited(lateStart).script();
    assertEquals(0, r.status(), "start failed: " + r.err());
    startedUrl(r.out());
    assertEquals("", r.err(), "nothing on stderr when the cluster starts");
  }

  /**
   * A worker that never comes up: start fails after SPARK_CLUSTER_TIMEOUT seconds with exit 1, its own one-line
   * message on stderr (naming the worker and its log) and nothing on stdout, and stops what it started.
   */
  @Test
  void startGivesUpAfterItsBoundWithItsOwnMessage() throws Exception {
    Started started = awaited(stuckStart);
    Script r = started.script();
    assertEquals(1, r.status(), r.err());
    assertEquals("", r.out(), "nothing on stdout, where the URL would be");
    assertEquals("scripts/spark-cluster: worker 1 was not up after 3 s (SPARK_CLUSTER_TIMEOUT; see " + stuckFolder
        + "/worker-1.log)\n", r.err());
    assertTrue(!started.pidFilesLeft(), "the daemons it started are stopped");
  }
}
