package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.cmd.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * --optimizer adamw, --decay-all, --clip-norm and --label-smoothing on the command line: --verify finds the
 * device's weights equal to the reference's (difference 0), a checkpointed run resumes to the uninterrupted
 * run's bytes, and bad values exit 2 with one line naming the option. (--no-check: --verify judges the device.)
 */
class OptimizerOptionsCliTest {
  @TempDir
  Path dir;

  private static final List<String> WORK = List.of("--data", "random:120x6x3", "--layers", "6,5,3", "--loss", "xent",
      "--batch-size", "32", "--log-every", "1000");

  private static String[] train(List<String> workload, String... more) {
    List<String> all = new ArrayList<>(List.of("train"));
    all.addAll(workload);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--optimizer adamw --weight-decay 0.1 --decay-all", "--optimizer momentum --clip-norm 0.05",
      "--optimizer adam --label-smoothing 0.1",
      "--optimizer sgd --weight-decay 0.01 --decay-all --clip-norm 0.5 --label-smoothing 0.2"})
  void verifyFindsTheDeviceEqualToTheReference(String options) {
    dev.cltrain.testing.OpenClDevices.firstCpu(); // --device cpu: skipped without OpenCL, failed under CI
    List<String> work = new ArrayList<>(WORK);
    work.addAll(List.of(options.split(" ")));
    Cli run = Cli.run(train(work, "--epochs", "1", "--device", "cpu", "--no-check", "--verify"));
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.out().contains("largest weight difference 0.0e+00") && run.out().contains("PASS"), run.toString());
  }

  @Test
  void adamwOnTheOneLaunchPathVerifiesBitForBit() {
    // xor on the full batch: train_small's OPT_ADAMW branch
    dev.cltrain.testing.OpenClDevices.firstCpu(); // --device cpu: skipped without OpenCL, failed under CI
    Cli run = Cli.run("train", "--optimizer", "adamw", "--epochs", "50", "--device", "cpu", "--no-check", "--verify",
        "--profile");
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.out().contains("train_small"), "ran as train_small launches: " + run);
    assertTrue(run.out().contains("largest weight difference 0.0e+00"), run.toString());
  }

  @Test
  void anAdamwRunResumedFromItsCheckpointEndsByteForByteAsTheStraightRun() throws Exception {
    List<String> work = new ArrayList<>(WORK);
    work.addAll(List.of("--optimizer", "adamw", "--decay-all", "--clip-norm", "0.5", "--label-smoothing", "0.1",
        "--device", "reference"));
    Path straight = dir.resolve("straight.json");
    Cli run = Cli.run(train(work, "--epochs", "4", "--save", straight.toString()));
    assertEquals(0, run.exit(), run.toString());
    Path checkpoint = dir.resolve("c.ckpt");
    Cli half = Cli.run(train(work, "--epochs", "2", "--checkpoint", checkpoint.toString(), "--checkpoint-every", "1"));
    assertEquals(0, half.exit(), half.toString());
    Path resumed = dir.resolve("resumed.json");
    Cli resume = Cli.run("train", "--resume", checkpoint.toString(), "--epochs", "4", "--save", resumed.toString());
    assertEquals(0, resume.exit(), resume.toString());
    assertArrayEquals(Files.readAllBytes(straight), Files.readAllBytes(resumed), "the straight run's model");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "--clip-norm 0|--clip-norm", "--clip-norm -1|--clip-norm", "--label-smoothing 1|--label-smoothing",
      "--label-smoothing -0.1|--label-smoothing", "--decay-all|--decay-all",
      "--optimizer adamw --weight-decay 0 --decay-all|--decay-all",
      "--label-smoothing 0.1 --loss mse|--label-smoothing"})
  void badValuesExitTwoWithOneLineNamingTheOption(String options, String named) {
    List<String> args = new ArrayList<>(List.of("train", "--epochs", "1", "--device", "reference"));
    args.addAll(List.of(options.split(" ")));
    Cli run = Cli.run(args.toArray(String[]::new));
    assertEquals(ExitCodes.BAD_INPUT, run.exit(), run.toString());
    assertEquals(1, run.err().lines().count(), "one line: " + run);
    assertTrue(run.err().contains(named), run.toString());
    assertFalse(run.err().contains("Exception"), run.toString());
  }
}
