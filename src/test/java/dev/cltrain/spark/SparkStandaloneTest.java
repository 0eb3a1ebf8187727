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
 * the first epoch, the run still finishes with the same model.
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

  @BeforeAll
  static void startCluster() throws Exception {
    cluster("stop");
    url = cluster("start").strip();
    appJar = jar(ROOT.resolve("target/classes"), dir.resolve("cltrain-app.jar"));
    csv = SparkLocalTest.writeData(dir);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    cluster("stop");
  }

  static String cluster(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of(ROOT.resolve("scripts/spark-cluster").toString()));
    command.addAll(List.of(args));
    command.add(CLUSTER.toString());
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(3, TimeUnit.MINUTES), "scripts/spark-cluster " + args[0] + " timed out");
    assertEquals(0, p.exitValue(), "scripts/spark-cluster " + String.join(" ", args) + ":\n" + out);
    return out;
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
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (spark.sparkContext().statusTracker().getExecutorInfos().length < 3 && System.nanoTime() < until) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    assertEquals(3, spark.sparkContext().statusTracker().getExecutorInfos().length, "two executors registered");
    return spark;
  }

  @Test
  void theClusterTrainsTheOneProcessModelByteForByteAndAKilledWorkerChangesNothing() throws Exception {
    SparkSession spark = session();
    try {
      SparkTrain.Job job = SparkTrain.prepare(SparkLocalTest.args(csv), spark);
      List<DataSet> parts = job.data().collect();
      long t0 = System.nanoTime();
      Network expected = PartitionedTraining.runLocal(job.initial(), parts, job.settings(), job.seed(), job.epochs());
      double localMs = (System.nanoTime() - t0) / 1e6;
      String want = ModelJson.toJson(expected);

      SparkTrain.Run run = job.train(new PrintStream(new ByteArrayOutputStream()), true);
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
      SparkTrain.Run afterKill = job.train(new PrintStream(new ByteArrayOutputStream()), true);
      killer[0].join();
      assertEquals(want, ModelJson.toJson(afterKill.network()), "the model after a worker was killed");
      System.out.printf("standalone, worker 2 killed after epoch 0: %s%n", afterKill.summary());
      // the kill took: one executor left (the driver counts as one more)
      assertEquals(2, spark.sparkContext().statusTracker().getExecutorInfos().length, "worker 2's executor is gone");
      job.release();
    } finally {
      spark.stop();
    }
  }
}
