package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C through {@code scripts/cltrain} (issue 12 item 2): the launcher runs in a process group of its own
 * ({@code setsid}), as a shell's foreground job does, and the whole group gets SIGINT, as Ctrl-C sends it. The
 * JVM writes its checkpoint and says so on stderr; the launcher's stderr filter must outlive it and pass that
 * line on. Before, the filter died of the same SIGINT and the line was lost. Runs after {@code package}
 * (maven-failsafe-plugin), since the launcher runs the jar.
 */
class LauncherSigintIT {
  @TempDir
  Path dir;

  @Test
  void ctrlCOnTheLaunchersProcessGroupKeepsTheStoppedLine() throws Exception {
    assumeTrue(onPath("setsid") && onPath("perl"), "needs setsid and perl");
    Path launcher = Path.of("scripts", "cltrain").toAbsolutePath();
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Path checkpoint = dir.resolve("c.ckpt");
    Process run = new ProcessBuilder("setsid", launcher.toString(), "train", "--data", "random:2000x20x3",
        "--layers", "20,16,3", "--batch-size", "16", "--epochs", "100000", "--log-every", "1", "--device", "reference",
        "--checkpoint", checkpoint.toString())
        .directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!Files.readString(out, StandardCharsets.UTF_8).contains("Epoch 0,")) {
        assertTrue(run.isAlive(), "the run ended before its first epoch: " + Files.readString(err));
        assertTrue(System.nanoTime() < deadline, "no first epoch within 120 s");
        Thread.sleep(20);
      }
      // the process group: setsid made the launcher its leader, and the launcher exec'd bash, then java
      assertEquals(0, new ProcessBuilder("kill", "-INT", "--", "-" + run.pid()).start().waitFor());
      assertTrue(run.waitFor(60, TimeUnit.SECONDS), "exited after SIGINT");
      assertEquals(130, run.exitValue(), Files.readString(err));
      String text = "";
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // the filter may pass it on just after
      while (!(text = Files.readString(err, StandardCharsets.UTF_8)).contains("resume") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      String stderr = text;
      assertTrue(stderr.lines().anyMatch(l -> l.startsWith("cltrain train: stopped by SIGINT ")
          && l.contains("checkpoint written to " + checkpoint) && l.contains("--resume")), stderr);
      assertFalse(stderr.contains("WARNING: Using incubator modules"), "the filter still drops the notice: " + stderr);
      assertFalse(stderr.contains("\r"), "stderr is a file: no progress bar: " + stderr);
      assertTrue(Files.exists(checkpoint));
    } finally {
      new ProcessBuilder("kill", "-KILL", "--", "-" + run.pid()).start().waitFor();
    }
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }
}
