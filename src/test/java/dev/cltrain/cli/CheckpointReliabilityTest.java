package dev.cltrain.cli;

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
import dev.cltrain.TrainerState;
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
    assertEquals(Main.EXIT_DIVERGED, diverged.exit(), diverged.toString());
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
    assertEquals(Main.EXIT_CHECK_FAILED, run.exit(), run.toString());
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
    TestHooks.metricsFailAfterRows = 2; // the third row fails, as on a full disk
    try {
      run = Cli.run(train(WORK, "--epochs", "6", "--metrics", metrics.toString(), "--save", save.toString()));
    } finally {
      TestHooks.metricsFailAfterRows = -1;
    }
    assertEquals(Main.EXIT_BAD_INPUT, run.exit(), run.toString());
    assertEquals(1, run.err().lines().filter(l -> l.startsWith("warning: --metrics")).count(), "warns once: " + run);
    assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(save), "trained to the end and saved: " + run);
    assertEquals("the previous metrics\n", Files.readString(metrics), "the target is left as it was");
    assertTrue(run.err().lines().anyMatch(l -> l.startsWith("cltrain train: --metrics " + metrics + " was not written")
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
    assertEquals(Main.EXIT_BAD_INPUT, run.exit(), run.toString());
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
    List<String> devices = new ArrayList<>(List.of("reference"));
    OpenClDevices.all().forEach(d -> devices.add(d.ref()));
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
    assertEquals(Main.EXIT_BAD_INPUT, batches.exit(), "batch 19 of 19 batches: " + batches);
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
