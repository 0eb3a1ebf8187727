package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import dev.cltrain.testing.Backends;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checkpoints, signals and resuming: a run killed in the middle (SIGKILL, SIGTERM, SIGINT) and resumed from its
 * checkpoint ends with the same model file, byte for byte, as a run that was never stopped, on the reference
 * and on every OpenCL device. The runs are child JVMs, so that they can be signalled.
 */
@Tag("slow")
class ResumeTest {
  @TempDir
  Path dir;

  /** The device and how many epochs make a run long enough (a few seconds) to be stopped in the middle. */
  static Stream<Arguments> devices() {
    return Backends.all().stream().map(d -> Arguments.of(d.id(), d.isReference() ? 600 : 40));
  }

  private static List<String> workload(String device, int epochs) {
    return List.of("--data", "random:3000x20x3", "--layers", "20,16,3", "--activation", "relu", "--optimizer", "adam",
        "--batch-size", "16", "--epochs", String.valueOf(epochs), "--device", device, "--log-every", "1000");
  }

  @ParameterizedTest(name = "{0}: SIGKILL, then --resume")
  @MethodSource("devices")
  void aRunKilledMidwayAndResumedEndsBitForBitAsAnUninterruptedRun(String device, int epochs) throws Exception {
    Path full = dir.resolve("full.json");
    Path fullMetrics = dir.resolve("full.csv");
    Cli uninterrupted = Cli.runInChild(java.util.Map.of(), dir, args(workload(device, epochs), "--save", full.toString(),
        "--metrics", fullMetrics.toString()));
    assertEquals(0, uninterrupted.exit(), uninterrupted.toString());

    Path checkpoint = dir.resolve("run.ckpt");
    Path metrics = dir.resolve("run.csv");
    Process run = start(args(workload(device, epochs), "--checkpoint", checkpoint.toString(), "--checkpoint-every", "3",
        "--metrics", metrics.toString()));
    waitFor(() -> Files.exists(checkpoint), run, "a first checkpoint");
    int first = checkpointEpoch(checkpoint);
    waitFor(() -> checkpointEpoch(checkpoint) > first, run, "a checkpoint after the one at epoch " + first);
    run.destroyForcibly(); // SIGKILL: no chance to write anything more
    assertTrue(run.waitFor(30, TimeUnit.SECONDS));
    assertEquals(137, run.exitValue(), "killed by SIGKILL");
    int at = checkpointEpoch(checkpoint);
    List<String> survived = CheckpointReliabilityTest.rowsWithoutSeconds(metrics);
    assertTrue(survived.size() >= 1 + at, "the header and the rows of the " + at + " epochs checkpointed survive a kill -9: "
        + survived);

    Path resumed = dir.resolve("resumed.json");
    Cli resume = Cli.runInChild(java.util.Map.of(), dir, "train", "--resume", checkpoint.toString(), "--device", device,
        "--save", resumed.toString(), "--metrics", metrics.toString());
    assertEquals(0, resume.exit(), resume.toString());
    assertTrue(resume.err().contains("resumed:     " + checkpoint + " at epoch "), resume.toString());
    assertArrayEquals(Files.readAllBytes(full), Files.readAllBytes(resumed), "the same model, byte for byte");
    assertEquals(CheckpointReliabilityTest.rowsWithoutSeconds(fullMetrics),
        CheckpointReliabilityTest.rowsWithoutSeconds(metrics), "the uninterrupted run's rows, each once");
  }

  @ParameterizedTest(name = "{0}: SIGTERM mid-epoch, then --resume")
  @MethodSource("devices")
  void sigtermStopsAfterTheCurrentBatchWritesTheCheckpointAndExits143(String device, int epochs) throws Exception {
    Path full = dir.resolve("full.json");
    assertEquals(0, Cli.runInChild(java.util.Map.of(), dir, args(workload(device, epochs), "--save", full.toString())).exit());
    Path checkpoint = dir.resolve("run.ckpt");
    Path save = dir.resolve("stopped.json");
    Process run = start(args(workload(device, epochs), "--checkpoint", checkpoint.toString(), "--checkpoint-every",
        "1000", "--save", save.toString()));
    waitForFirstEpoch(run);
    run.destroy(); // SIGTERM
    assertTrue(run.waitFor(60, TimeUnit.SECONDS));
    String err = Files.readString(dir.resolve("child.err"), StandardCharsets.UTF_8);
    assertEquals(143, run.exitValue(), err);
    assertTrue(err.contains("stopped by SIGTERM") && err.contains("checkpoint written to " + checkpoint), err);
    assertTrue(Files.exists(checkpoint), "the checkpoint");
    assertTrue(!Files.exists(save), "--save is for a finished run; a stopped one leaves it unwritten");

    Path resumed = dir.resolve("resumed.json");
    Cli resume = Cli.runInChild(java.util.Map.of(), dir, "train", "--resume", checkpoint.toString(), "--device", device,
        "--save", resumed.toString());
    assertEquals(0, resume.exit(), resume.toString());
    assertArrayEquals(Files.readAllBytes(full), Files.readAllBytes(resumed), "the same model, byte for byte");
  }

  @Test
  void sigintExits130WithALineSayingWhereItStopped() throws Exception {
    Process run = start(args(workload("reference", 2000), "--checkpoint", dir.resolve("c.ckpt").toString()));
    waitForFirstEpoch(run);
    new ProcessBuilder("kill", "-INT", String.valueOf(run.pid())).start().waitFor();
    assertTrue(run.waitFor(60, TimeUnit.SECONDS));
    String err = Files.readString(dir.resolve("child.err"), StandardCharsets.UTF_8);
    assertEquals(130, run.exitValue(), err);
    assertTrue(err.lines().anyMatch(l -> l.startsWith("cltrain train: stopped by SIGINT ") && l.contains("epoch")), err);
  }

  @Test
  void resumeRefusesOptionsThatTheCheckpointSetsAndDamagedFiles() throws Exception {
    Path checkpoint = dir.resolve("c.ckpt");
    Cli first = Cli.run(args(workload("reference", 2), "--checkpoint", checkpoint.toString()));
    assertEquals(0, first.exit(), first.toString());
    Cli clash = Cli.run("train", "--resume", checkpoint.toString(), "--layers", "20,8,3");
    assertEquals(ExitCodes.BAD_INPUT, clash.exit(), clash.toString());
    assertTrue(clash.err().contains("--resume") && clash.err().contains("leave out"), clash.toString());
    Cli done = Cli.run("train", "--resume", checkpoint.toString());
    assertEquals(0, done.exit(), "already at --epochs: nothing to train, the outputs are written: " + done);
    Cli more = Cli.run("train", "--resume", checkpoint.toString(), "--epochs", "4");
    assertEquals(0, more.exit(), more.toString());
    String text = Files.readString(checkpoint);
    Files.writeString(checkpoint, text.substring(0, text.length() / 2));
    Cli damaged = Cli.run("train", "--resume", checkpoint.toString(), "--epochs", "5");
    assertEquals(ExitCodes.BAD_INPUT, damaged.exit(), damaged.toString());
    assertEquals(1, damaged.err().lines().count(), damaged.toString());
    Cli missing = Cli.run("train", "--resume", dir.resolve("nope.ckpt").toString());
    assertEquals(ExitCodes.BAD_INPUT, missing.exit(), missing.toString());
  }

  private static String[] args(List<String> workload, String... more) {
    List<String> all = new ArrayList<>();
    all.add("train");
    all.addAll(workload);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  private Process start(String... args) throws Exception {
    return Cli.startChild(java.util.Map.of(), dir, args);
  }

  /**
   * Waits until the run has logged its first epoch ("Epoch 0, ..." on stdout): training is under way and its
   * SIGINT/SIGTERM handlers are in place (they are installed before the first epoch, after the "device:" line).
   */
  private void waitForFirstEpoch(Process run) throws Exception {
    Path out = dir.resolve("child.out");
    waitFor(() -> Files.readString(out, StandardCharsets.UTF_8).lines().anyMatch(l -> l.startsWith("Epoch 0,")), run,
        "the first epoch's line on stdout");
  }

  /** The epoch a checkpoint was written at (files are replaced whole, by a rename, so a read sees one of them). */
  private static int checkpointEpoch(Path checkpoint) throws IOException {
    JsonNode epoch = new ObjectMapper().readTree(checkpoint.toFile()).get("epoch");
    if (epoch == null || !epoch.canConvertToInt()) {
      throw new AssertionError("no epoch in " + checkpoint + ": " + Files.readString(checkpoint));
    }
    return epoch.intValue();
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void waitFor(Check check, Process run, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!check.holds()) {
      if (!run.isAlive()) {
        throw new AssertionError("the run ended (exit " + run.exitValue() + ") before " + what);
      }
      if (System.nanoTime() > deadline) {
        run.destroyForcibly();
        throw new AssertionError("no " + what + " within 60 s");
      }
      Thread.sleep(20);
    }
  }
}
