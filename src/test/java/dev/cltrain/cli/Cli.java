package dev.cltrain.cli;

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

  /** Runs {@code dev.cltrain.cli.Main} in a new JVM on the test class path with extra environment variables. */
  static Cli runInChild(Map<String, String> env, Path workDir, String... args) throws IOException, InterruptedException {
    Process p = startChild(env, workDir, args);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child JVM did not finish in 120 s: " + List.of(args));
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
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child JVM did not finish in 120 s: " + List.of(args));
    }
    return new Cli(p.exitValue(), java.nio.file.Files.readString(workDir.resolve("child.out"), StandardCharsets.UTF_8),
        java.nio.file.Files.readString(workDir.resolve("child.err"), StandardCharsets.UTF_8));
  }

  /** {@link #startChild(Map, Path, String...)} with options for the child JVM. */
  static Process startChild(List<String> jvmOptions, Map<String, String> env, Path workDir, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
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

  List<String> outLines() {
    return out.lines().toList();
  }

  @Override
  public String toString() {
    return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
