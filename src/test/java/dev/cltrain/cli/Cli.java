package dev.cltrain.cli;

import dev.cltrain.opencl.MatmulTuner;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the command line in-process (or in a child JVM, for environment variables) and keeps what it printed. */
record Cli(int exit, String out, String err) {
  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Cli(exit, out.toString(), err.toString());
  }

  /**
   * How long a child JVM may take before it counts as hung: runs take seconds, but minutes on a machine busy with
   * another build beside the suite's two JVMs (120 s was once too short there).
   */
  static final long CHILD_TIMEOUT_SECONDS = 600;

  /** Runs {@code dev.cltrain.cli.Main} in a new JVM on the test class path with extra environment variables. */
  static Cli runInChild(Map<String, String> env, Path workDir, String... args) throws IOException, InterruptedException {
    Process p = startChild(env, workDir, args);
    if (!p.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child JVM did not finish in " + CHILD_TIMEOUT_SECONDS + " s: " + List.of(args));
    }
    return new Cli(p.exitValue(), java.nio.file.Files.readString(workDir.resolve("child.out"), StandardCharsets.UTF_8),
        java.nio.file.Files.readString(workDir.resolve("child.err"), StandardCharsets.UTF_8));
  }

  /** Starts {@code dev.cltrain.cli.Main} in a new JVM, stdout and stderr to child.out and child.err in {@code workDir}. */
  static Process startChild(Map<String, String> env, Path workDir, String... args) throws IOException {
    return startChild(List.of(), env, workDir, args);
  }

  /** {@link #runInChild} with options for the child JVM, e.g. {@code -Dcltrain.test...} hooks. */
  static Cli runInChild(List<String> jvmOptions, Path workDir, String... args) throws IOException, InterruptedException {
    return runInChild(jvmOptions, Map.of(), workDir, args);
  }

  /** {@link #runInChild} with options for the child JVM and extra environment variables. */
  static Cli runInChild(List<String> jvmOptions, Map<String, String> env, Path workDir, String... args)
      throws IOException, InterruptedException {
    Process p = startChild(jvmOptions, env, workDir, args);
    if (!p.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child JVM did not finish in " + CHILD_TIMEOUT_SECONDS + " s: " + List.of(args));
    }
    return new Cli(p.exitValue(), java.nio.file.Files.readString(workDir.resolve("child.out"), StandardCharsets.UTF_8),
        java.nio.file.Files.readString(workDir.resolve("child.err"), StandardCharsets.UTF_8));
  }

  /** {@link #startChild(Map, Path, String...)} with options for the child JVM. */
  static Process startChild(List<String> jvmOptions, Map<String, String> env, Path workDir, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // the parent's per-device cache and tuning budget, so that a child finds the plans tuned and the devices checked
    // (a test's own -D options come after, and win)
    for (String property : List.of(MatmulTuner.CACHE_PROPERTY, MatmulTuner.BUDGET_PROPERTY)) {
      String value = System.getProperty(property);
      if (value != null) {
        command.add("-D" + property + "=" + value);
      }
    }
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    pb.environment().putAll(env);
    pb.redirectOutput(workDir.resolve("child.out").toFile()).redirectError(workDir.resolve("child.err").toFile());
    return pb.start();
  }

  /** Runs the command line in-process and asserts that it exited 0. */
  static Cli ok(String... args) {
    Cli c = run(args);
    org.junit.jupiter.api.Assertions.assertEquals(0, c.exit(), c.toString());
    return c;
  }

  /** {@code base} followed by {@code more}, as one argument array. */
  static String[] args(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  /** Asserts exit 2 and one line on stderr, with no exception text, that holds every phrase. */
  void assertRefused(String... phrases) {
    org.junit.jupiter.api.Assertions.assertEquals(2, exit, "exit 2: " + this);
    List<String> lines = err.lines().toList();
    org.junit.jupiter.api.Assertions.assertEquals(1, lines.size(), "one line on stderr: " + this);
    org.junit.jupiter.api.Assertions.assertFalse(err.contains("Exception"), "no exception text: " + this);
    for (String phrase : phrases) {
      org.junit.jupiter.api.Assertions.assertTrue(lines.get(0).contains(phrase), "'" + phrase + "' in " + this);
    }
  }

  /** Asserts that {@code --verify} found weight difference 0 (bit for bit) and passed. */
  void assertVerifiedBitForBit() {
    org.junit.jupiter.api.Assertions.assertTrue(out.contains("largest weight difference 0.0e+00") && out.contains(": PASS"),
        "--verify: weight difference 0 and PASS: " + this);
  }

  /**
   * Trains {@code total} epochs straight and {@code first} epochs with a checkpoint that is then resumed to
   * {@code total} on {@code device}, in {@code dir} (files named from {@code tag}); asserts that both runs save the
   * same model file, byte for byte. {@code train} gives a run's arguments for a number of epochs.
   *
   * @return the straight run's model file
   */
  static Path assertResumeEndsAsTheStraightRun(Path dir, String tag, java.util.function.IntFunction<String[]> train,
      int first, int total, String device) throws IOException {
    Path straight = dir.resolve(tag + "-straight.json");
    ok(args(List.of(train.apply(total)), "--save", straight.toString()));
    Path checkpoint = dir.resolve(tag + ".ckpt");
    ok(args(List.of(train.apply(first)), "--checkpoint", checkpoint.toString()));
    Path resumed = dir.resolve(tag + "-resumed.json");
    ok("train", "--resume", checkpoint.toString(), "--epochs", Integer.toString(total), "--device", device, "--save",
        resumed.toString());
    org.junit.jupiter.api.Assertions.assertArrayEquals(java.nio.file.Files.readAllBytes(straight),
        java.nio.file.Files.readAllBytes(resumed),
        first + " epoch(s), then " + (total - first) + " more resumed, give the " + total + " epochs' model byte for byte");
    return straight;
  }

  List<String> outLines() {
    return out.lines().toList();
  }

  @Override
  public String toString() {
    return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
