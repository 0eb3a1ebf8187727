package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import dev.cltrain.cmd.MetricsCsv;

import dev.cltrain.testing.Backends;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.Checkpoint;
import dev.cltrain.Model;
import dev.cltrain.device.TrainerState;
import dev.cltrain.nn.Network;
import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.OpenClKernelFiles;
import dev.cltrain.testing.OpenClDevices;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability II, checkpoints and models: no model is lost after the last checkpoint, divergence never
 * overwrites the last good checkpoint, a failed --verify or a failing --metrics keeps --save, and a damaged or
 * hostile checkpoint is refused with one line naming the field, before anything reaches a device.
 */
class CheckpointReliabilityTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private static final List<String> WORK = List.of("--data", "random:300x5x3", "--layers", "5,8,3", "--activation",
      "relu", "--optimizer", "adam", "--batch-size", "16", "--device", "reference", "--log-every", "1000");

  private static String[] train(List<String> workload, String... more) {
    List<String> all = new ArrayList<>(List.of("train"));
    all.addAll(workload);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private Path straightModel(int epochs) throws IOException {
    Path straight = dir.resolve("straight-" + epochs + ".json");
    Cli run = Cli.run(train(WORK, "--epochs", String.valueOf(epochs), "--save", straight.toString()));
    assertEquals(0, run.exit(), run.toString());
    return straight;
  }

  // 1. A kill after the last checkpoint, before --save

  @Test
  void aKillAfterTheFinalCheckpointLosesNoModelResumingWritesSaveAndExitsZero() throws Exception {
    Path straight = straightModel(3);
    Path checkpoint = dir.resolve("c.ckpt");
    Path save = dir.resolve("m.json");
    Cli killed = Cli.runInChild(List.of("-Dcltrain.test.haltAfterFinalCheckpoint=true"), dir, train(WORK,
        "--epochs", "3", "--checkpoint", checkpoint.toString(), "--checkpoint-every", "1", "--save", save.toString()));
    assertEquals(137, killed.exit(), "halted after the final checkpoint, before --save: " + killed);
    assertFalse(Files.exists(save), killed.toString());
    assertEquals(3, JSON.readTree(checkpoint.toFile()).get("epoch").asInt());

    Path metrics = dir.resolve("m.csv");
    Path plot = dir.resolve("m.png");
    Cli resume = Cli.run("train", "--resume", checkpoint.toString(), "--save", save.toString(), "--metrics",
        metrics.toString(), "--plot", plot.toString());
    assertEquals(0, resume.exit(), resume.toString());
    assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(save), "the straight run's model, byte for byte");
    assertTrue(resume.err().lines().anyMatch(l -> l.contains("--metrics " + metrics) && l.contains("--plot " + plot)
        && l.contains("not written")), "says the curves cannot be rebuilt: " + resume);
    assertFalse(Files.exists(metrics) || Files.exists(plot), resume.toString());
    assertTrue(resume.out().contains("saved:       " + save), resume.toString());

    Path past = dir.resolve("past.json");
    Cli beyond = Cli.run("train", "--resume", checkpoint.toString(), "--epochs", "2", "--save", past.toString());
    assertEquals(0, beyond.exit(), "a checkpoint past --epochs saves its model: " + beyond);
    assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(past));
    assertTrue(beyond.err().contains("past --epochs 2"), beyond.toString());
  }

  @Test
  void theGoOnCommandPrintedAfterASignalInTheLastBatchWorksAsPrinted() throws Exception {
    Path straight = straightModel(3);
    Path checkpoint = dir.resolve("c.ckpt");
    Path save = dir.resolve("m.json");
    Cli stopped;
    TestHooks.termInLastBatch = true;
    try {
      stopped = Cli.run(train(WORK, "--epochs", "3", "--checkpoint", checkpoint.toString(), "--save", save.toString()));
    } finally {
      TestHooks.termInLastBatch = false;
    }
    assertEquals(143, stopped.exit(), stopped.toString());
    assertFalse(Files.exists(save), stopped.toString());
    String line = stopped.err().lines().filter(l -> l.contains("go on with: ")).findFirst().orElseThrow(
        () -> new AssertionError("no go-on command: " + stopped));
    String command = line.substring(line.indexOf("go on with: ") + "go on with: ".length(), line.lastIndexOf(')'));
    List<String> words = Arrays.asList(command.split(" "));
    assertEquals(List.of("cltrain", "train"), words.subList(0, 2), command);
    Cli resumed = Cli.run(words.subList(1, words.size()).toArray(String[]::new));
    assertEquals(0, resumed.exit(), "the printed command " + command + ": " + resumed);
    assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(save), "--save is in the printed command");
  }

  // 2. Divergence keeps the last good checkpoint

  @Test
  void divergenceNeverOverwritesTheLastGoodCheckpointAndResumeWithASmallerLrWorks() throws Exception {
    Path checkpoint = dir.resolve("c.ckpt");
    Cli diverged = Cli.run("train", "--data", "random:2000x20x3", "--layers", "20,64,3", "--activation", "relu",
        "--optimizer", "momentum", "--lr", "2", "--batch-size", "50", "--epochs", "30", "--checkpoint",
        checkpoint.toString(), "--checkpoint-every", "1", "--device", "reference");
    assertEquals(ExitCodes.DIVERGED, diverged.exit(), diverged.toString());
    assertTrue(Files.exists(checkpoint), "a good epoch was checkpointed before the divergence: " + diverged);
    TrainerState state = Checkpoint.read(checkpoint).state();
    assertNull(Network.firstNonFinite(state.network()), "finite weights in " + checkpoint);
    state.optimizerState().forEach(layer -> layer.forEach(values -> {
      for (float v : values) {
        assertTrue(Float.isFinite(v), "finite momentum");
      }
    }));
    assertTrue(diverged.err().contains(checkpoint + " keeps the last good state (the end of epoch " + (state.epoch() - 1) + ")"),
        diverged.toString());
    Path save = dir.resolve("m.json");
    Cli resumed = Cli.run("train", "--resume", checkpoint.toString(), "--lr", "0.01", "--save", save.toString());
    assertEquals(0, resumed.exit(), resumed.toString());
    assertNull(Network.firstNonFinite(Model.load(save).network()));
  }

  // 7. A failed --verify; a --metrics file that cannot be written

  @Test
  void aFailedVerifyKeepsTheModelSaysSoBeforeSavedAndExitsOne() throws Exception {
    ClDevice cpu = OpenClDevices.firstCpu();
    Path kernels = Files.createDirectory(dir.resolve("kernels"));
    // XOR trains in train_small (one launch for many epochs): its sgd step is the one broken
    OpenClKernelFiles.copyWithChange(kernels, "small_net.cl", "p[0] = p[0] - learning_rate * g;",
        "p[0] = p[0] - 1.01f * learning_rate * g;");
    Path save = dir.resolve("m.json");
    // --no-check: the first-use check would refuse this kernel before --verify could report it
    Cli run = Cli.run("train", "--device", cpu.ref(), "--kernels", kernels.toString(), "--no-check", "--verify",
        "--epochs", "2000", "--save", save.toString());
    assertEquals(ExitCodes.CHECK_FAILED, run.exit(), run.toString());
    assertTrue(Files.exists(save), "the model is kept: " + run);
    List<String> lines = run.outLines();
    int fail = indexOf(lines, "verify:", "FAIL");
    int saved = indexOf(lines, "saved:", "");
    assertTrue(fail >= 0 && saved >= 0 && fail < saved, "FAIL is said before saved: " + run);
    assertTrue(lines.get(fail).contains("saved all the same"), run.toString());
  }

  private static int indexOf(List<String> lines, String prefix, String containing) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix) && lines.get(i).contains(containing)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void aMetricsFileThatFailsMidRunWarnsOnceTrainingGoesOnAndSaveIsWritten() throws Exception {
    Path metrics = dir.resolve("m.csv");
    Files.writeString(metrics, "the previous metrics\n");
    Path save = dir.resolve("m.json");
    Path straight = straightModel(6);
    Cli run;
    MetricsCsv.failAfterRows = 2; // the third row fails, as on a full disk
    try {
      run = Cli.run(train(WORK, "--epochs", "6", "--metrics", metrics.toString(), "--save", save.toString()));
    } finally {
      MetricsCsv.failAfterRows = -1;
    }
    assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
    assertEquals(1, run.err().lines().filter(l -> l.startsWith("warning: --metrics")).count(), "warns once: " + run);
    assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(save), "trained to the end and saved: " + run);
    List<String> rows = Files.readAllLines(metrics);
    assertEquals(3, rows.size(), "the header and the two rows written before the disk filled: " + rows);
    assertEquals(MetricsCsv.HEADER, rows.get(0));
    assertTrue(rows.get(1).startsWith("0,") && rows.get(2).startsWith("1,") && rows.get(2).split(",", -1).length == 8,
        "whole rows, the half-written third cut off: " + rows);
    assertTrue(run.err().lines().anyMatch(l -> l.startsWith("cltrain train: --metrics " + metrics + " was not written whole")
        && l.contains("No space left on device")), run.toString());
    try (Stream<Path> files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
    }
  }

  // 8. Row indices from a file; 10. missing fields

  /** A checkpoint in the middle of epoch 2 (batch 1 of 19), made by editing an epoch-boundary one. */
  private Path midEpochCheckpoint(Consumer<ObjectNode> damage) throws IOException {
    Path checkpoint = dir.resolve("c.ckpt");
    if (!Files.exists(checkpoint)) {
      Cli first = Cli.run(train(WORK, "--epochs", "2", "--checkpoint", checkpoint.toString()));
      assertEquals(0, first.exit(), first.toString());
    }
    ObjectNode root = (ObjectNode) JSON.readTree(checkpoint.toFile());
    int[] order = new int[300];
    for (int i = 0; i < order.length; i++) {
      order[i] = order.length - 1 - i;
    }
    root.put("batch", 1);
    root.put("step", root.get("step").asLong() + 1); // one step a batch
    root.put("order", base64(order));
    root.put("lossSlots", base64(new float[] {0.5f}));
    root.put("correctSlots", base64(new float[] {7}));
    damage.accept(root);
    Path damaged = dir.resolve("damaged.ckpt");
    Files.writeString(damaged, JSON.writeValueAsString(root));
    return damaged;
  }

  private static String base64(int[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asIntBuffer().put(values);
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private static String base64(float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private static int[] reversed(int rows, int position, int value) {
    int[] order = new int[rows];
    for (int i = 0; i < rows; i++) {
      order[i] = rows - 1 - i;
    }
    order[position] = value;
    return order;
  }

  private static void assertRefused(Cli run, String field) {
    assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
    assertEquals(1, run.err().lines().count(), "one line: " + run);
    assertTrue(run.err().contains("\"" + field + "\""), "names " + field + ": " + run);
    assertFalse(run.err().contains("Exception") || run.err().contains("internal error"), run.toString());
  }

  @Test
  void aMidEpochCheckpointAsWrittenResumes() throws Exception {
    Path good = midEpochCheckpoint(root -> {});
    Cli run = Cli.run("train", "--resume", good.toString(), "--epochs", "3");
    assertEquals(0, run.exit(), "the edited checkpoint is valid as it stands: " + run);
  }

  @Test
  void rowIndicesOutsideTheDataOrRepeatedAreRefusedBeforeReachingAnyDevice() throws Exception {
    List<String> devices = Backends.all().stream().map(d -> d.id()).toList();
    // positions past the first batch (done before the checkpoint), so that the old code gathered them: PoCL died
    // with SIGSEGV (exit 134), the reference with an internal error
    int[][] orders = {reversed(300, 100, 100_000_000), reversed(300, 200, -1), reversed(300, 50, 3), new int[299]};
    for (int[] order : orders) {
      Path damaged = midEpochCheckpoint(root -> root.put("order", base64(order)));
      for (String device : devices) {
        // a child JVM for OpenCL: a read outside a buffer kills the JVM, not just the test
        Cli run = device.equals("reference")
            ? Cli.run("train", "--resume", damaged.toString(), "--epochs", "3", "--device", device)
            : Cli.runInChild(java.util.Map.of(), dir, "train", "--resume", damaged.toString(), "--epochs", "3",
                "--device", device);
        assertRefused(run, "order");
      }
    }
  }

  @Test
  void countsThatDoNotFitAreRefusedNamingTheField() throws Exception {
    assertRefused(Cli.run("train", "--resume", midEpochCheckpoint(r -> r.put("step", -3)).toString(), "--epochs", "3"),
        "step");
    assertRefused(Cli.run("train", "--resume", midEpochCheckpoint(r -> r.put("lossSlots", base64(new float[3])))
        .toString(), "--epochs", "3"), "lossSlots");
    assertRefused(Cli.run("train", "--resume", midEpochCheckpoint(r -> r.put("epoch", "two")).toString()), "epoch");
    assertRefused(Cli.run("train", "--resume", midEpochCheckpoint(r -> ((ObjectNode) r.get("shuffler")).put("pos", 9999))
        .toString(), "--epochs", "3"), "shuffler");
    Cli batches = Cli.run("train", "--resume", midEpochCheckpoint(r -> r.put("batch", 19)
        .put("lossSlots", base64(new float[19])).put("correctSlots", base64(new float[19]))).toString(), "--epochs", "3");
    assertEquals(ExitCodes.BAD_INPUT, batches.exit(), "batch 19 of 19 batches: " + batches);
    assertEquals(1, batches.err().lines().count(), batches.toString());
  }

  @Test
  void aCheckpointMissingAFieldNamesIt() throws Exception {
    for (String field : List.of("model", "shuffler", "step", "order", "lossSlots", "correctSlots", "epoch", "batch",
        "optimizerState")) {
      Path damaged = midEpochCheckpoint(root -> root.remove(field));
      assertRefused(Cli.run("train", "--resume", damaged.toString(), "--epochs", "3"), field);
    }
    for (String field : List.of("key", "pos", "hasGauss", "gauss")) {
      Path damaged = midEpochCheckpoint(root -> ((ObjectNode) root.get("shuffler")).remove(field));
      assertRefused(Cli.run("train", "--resume", damaged.toString(), "--epochs", "3"), "shuffler." + field);
    }
  }

  // Reliability III

  /** Mounts a tmpfs of {@code bytes} at {@code folder}, or skips the test (not root, no mount). */
  private static void mountTmpfs(Path folder, long bytes) throws Exception {
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", folder.toString())
        .redirectErrorStream(true).start();
    boolean mounted = mount.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && mount.exitValue() == 0;
    org.junit.jupiter.api.Assumptions.assumeTrue(mounted, "mount -t tmpfs works here (root): "
        + new String(mount.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip());
  }

  private static void unmount(Path folder) throws Exception {
    Process umount = new ProcessBuilder("umount", folder.toString()).inheritIO().start();
    assertTrue(umount.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && umount.exitValue() == 0, "unmounted " + folder);
  }

  @Test
  void aCheckpointThatCannotBeWrittenWarnsKeepsTheLastGoodOneTrainingGoesOnAndSaveIsWritten() throws Exception {
    List<String> work = List.of("--data", "random:300x20x3", "--layers", "20,256,3", "--optimizer", "adam",
        "--batch-size", "50", "--device", "reference", "--log-every", "1000");
    Path probe = dir.resolve("probe.ckpt");
    assertEquals(0, Cli.run(train(work, "--epochs", "1", "--checkpoint", probe.toString())).exit());
    long size = Files.size(probe);
    Path straight = dir.resolve("straight.json");
    assertEquals(0, Cli.run(train(work, "--epochs", "4", "--save", straight.toString())).exit());
    // room for one checkpoint, not for the temporary file of a second beside it: a disk full at the second
    Path small = Files.createDirectory(dir.resolve("small"));
    mountTmpfs(small, size * 3 / 2);
    try {
      Path checkpoint = small.resolve("c.ckpt");
      Path save = dir.resolve("m.json"); // on another file system
      Cli run = Cli.run(train(work, "--epochs", "4", "--checkpoint", checkpoint.toString(), "--checkpoint-every", "1",
          "--save", save.toString()));
      assertEquals(ExitCodes.BAD_INPUT, run.exit(), "a requested output not written: exit 2, as for --metrics: " + run);
      assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(save), "trained to the end and saved: " + run);
      assertEquals(1, run.err().lines().filter(l -> l.startsWith("warning: --checkpoint " + checkpoint + " not written")
          && l.contains("No space left on device")).count(), "warns once: " + run);
      assertTrue(run.err().lines().anyMatch(l -> l.startsWith("cltrain train: --checkpoint " + checkpoint + ": 3 checkpoints"
          + " could not be written") && l.contains("1 epoch done")), run.toString());
      assertEquals(1, Checkpoint.read(checkpoint).state().epoch(), "the last good checkpoint, whole");
      try (Stream<Path> files = Files.list(small)) {
        assertEquals(List.of(checkpoint), files.toList(), "no temporary file left");
      }
      Path resumed = dir.resolve("resumed.json");
      Cli resume = Cli.run("train", "--resume", checkpoint.toString(), "--epochs", "4", "--save", resumed.toString());
      assertEquals(0, resume.exit(), resume.toString());
      assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(resumed), "it resumes to the straight run's model");
    } finally {
      unmount(small);
    }
  }

  /** The rows of a metrics file without the seconds column (wall time differs from run to run). */
  static List<String> rowsWithoutSeconds(Path metrics) throws IOException {
    return Files.readAllLines(metrics).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
  }

  @Test
  void metricsSurviveASignalAndAResumedRunAppendsToThem() throws Exception {
    Path straight = dir.resolve("straight.csv");
    assertEquals(0, Cli.run(train(WORK, "--epochs", "5", "--metrics", straight.toString())).exit());
    Path checkpoint = dir.resolve("c.ckpt");
    Path metrics = dir.resolve("m.csv");
    Cli stopped;
    TestHooks.termInLastBatch = true;
    try {
      stopped = Cli.run(train(WORK, "--epochs", "3", "--checkpoint", checkpoint.toString(), "--metrics",
          metrics.toString()));
    } finally {
      TestHooks.termInLastBatch = false;
    }
    assertEquals(143, stopped.exit(), stopped.toString());
    // the stop came in the last batch of epoch 2, which is whole: its row is written too
    assertEquals(rowsWithoutSeconds(straight).subList(0, 4), rowsWithoutSeconds(metrics),
        "the header and the rows of epochs 0 to 2 survive the stop");
    String line = stopped.err().lines().filter(l -> l.contains("go on with: ")).findFirst().orElseThrow();
    String command = line.substring(line.indexOf("go on with: ") + "go on with: ".length(), line.lastIndexOf(')'));
    List<String> words = Arrays.asList(command.split(" "));
    Cli goOn = Cli.run(words.subList(1, words.size()).toArray(String[]::new));
    assertEquals(0, goOn.exit(), command + ": " + goOn);
    assertEquals(rowsWithoutSeconds(straight).subList(0, 4), rowsWithoutSeconds(metrics), "no epoch left: kept as it was");

    Cli resumed = Cli.run("train", "--resume", checkpoint.toString(), "--epochs", "5", "--metrics", metrics.toString());
    assertEquals(0, resumed.exit(), resumed.toString());
    assertEquals(rowsWithoutSeconds(straight), rowsWithoutSeconds(metrics), "the straight run's rows, once each");
    double previous = -1;
    for (String row : Files.readAllLines(metrics).subList(1, 6)) {
      double seconds = Double.parseDouble(row.substring(row.lastIndexOf(',') + 1));
      assertTrue(seconds >= previous, "the seconds go on across the resume: " + Files.readAllLines(metrics));
      previous = seconds;
    }
  }

  @Test
  void aRelativeDataPathResumesToTheStraightRunsModelByteForByte() throws Exception {
    Files.createDirectory(dir.resolve("d1"));
    Files.writeString(dir.resolve("blobs.csv"), "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n0.5,0.5,1\n");
    List<String> work = List.of("--data", "d1/../blobs.csv", "--device", "reference");
    assertEquals(0, Cli.runInChild(java.util.Map.of(), dir, train(work, "--epochs", "4", "--save", "s.json")).exit());
    Cli half = Cli.runInChild(java.util.Map.of(), dir, train(work, "--epochs", "2", "--checkpoint", "c.ckpt"));
    assertEquals(0, half.exit(), half.toString());
    assertEquals(dir.toRealPath().resolve("blobs.csv").toString(),
        JSON.readTree(dir.resolve("c.ckpt").toFile()).get("options").get("data").asText(), "the normalised real path");
    Path other = Files.createDirectory(dir.resolve("elsewhere"));
    Cli resumed = Cli.runInChild(java.util.Map.of(), other, "train", "--resume", "../c.ckpt", "--epochs", "4",
        "--save", "r.json");
    assertEquals(0, resumed.exit(), resumed.toString());
    assertArrayEquals(Files.readAllBytes(dir.resolve("s.json")), Files.readAllBytes(other.resolve("r.json")),
        "resumed from another folder, the straight run's model");
  }

  @Test
  void damagedValuesAreRefusedNamingTheField() throws Exception {
    Map<String, Consumer<ObjectNode>> damages = new java.util.LinkedHashMap<>();
    damages.put("correctSlots", r -> r.put("correctSlots", base64(new float[] {-9.7e28f})));
    damages.put("correctSlots ", r -> r.put("correctSlots", base64(new float[] {17}))); // a batch holds 16 rows
    damages.put("correctSlots  ", r -> r.put("correctSlots", base64(new float[] {2.5f})));
    damages.put("lossSlots", r -> r.put("lossSlots", base64(new float[] {Float.NaN})));
    damages.put("step", r -> r.put("step", Long.MAX_VALUE));
    damages.put("step ", r -> r.put("step", r.get("step").asLong() + 5)); // a count, but not this run's
    damages.put("optimizerState layer 2 buffer 3", r -> {
      com.fasterxml.jackson.databind.node.ArrayNode layer = (com.fasterxml.jackson.databind.node.ArrayNode)
          r.get("optimizerState").get(1);
      float[] values = new float[3];
      values[1] = Float.POSITIVE_INFINITY;
      layer.set(2, new com.fasterxml.jackson.databind.node.TextNode(base64(values)));
    });
    damages.put("shuffler.gauss", r -> ((ObjectNode) r.get("shuffler")).put("gauss", "NaN"));
    damages.put("options.data", r -> ((ObjectNode) r.get("options")).remove("data"));
    damages.put("options.epochs", r -> ((ObjectNode) r.get("options")).put("epochs", -4));
    for (Map.Entry<String, Consumer<ObjectNode>> damage : damages.entrySet()) {
      Path damaged = midEpochCheckpoint(damage.getValue());
      Cli run = Cli.run("train", "--resume", damaged.toString(), "--epochs", "3");
      assertRefused(run, damage.getKey().strip());
    }
  }

  // 9. Large networks

  @Test
  @Tag("slow")
  void aCheckpointOfTenMillionParametersWithAdamResumes() throws Exception {
    List<String> big = List.of("--data", "random:32x2x2", "--layers", "2,3200,3200,2", "--activation", "relu",
        "--optimizer", "adam", "--batch-size", "16", "--device", "reference");
    Path checkpoint = dir.resolve("big.ckpt");
    Cli first = Cli.run(train(big, "--epochs", "1", "--checkpoint", checkpoint.toString()));
    assertEquals(0, first.exit(), first.toString());
    long parameters = 2L * 3200 + 3200 + 3200L * 3200 + 3200 + 3200L * 2 + 2;
    assertTrue(parameters >= 10_000_000, "parameters " + parameters);
    assertTrue(Files.size(checkpoint) > StreamReadConstraints.DEFAULT_MAX_STRING_LEN,
        "a file larger than Jackson's default string limit: " + Files.size(checkpoint));
    Path save = dir.resolve("big.json");
    Cli resumed = Cli.run("train", "--resume", checkpoint.toString(), "--epochs", "2", "--save", save.toString());
    assertEquals(0, resumed.exit(), resumed.toString());
    assertTrue(Files.exists(save), resumed.toString());
  }
}
