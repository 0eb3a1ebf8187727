package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/cltrain} reached through a symbolic link, the obvious way to put {@code cltrain} on the PATH
 * ({@code ln -s <repo>/scripts/cltrain ~/bin/cltrain}): it finds the repository through the link and runs its jar,
 * and never builds beside the link (a stray {@code target/} there, a Maven run with no pom). After package
 * (maven-failsafe-plugin), since the launcher runs the jar.
 */
class LauncherSymlinkIT {
  @TempDir
  Path dir;

  @Test
  void aLinkToTheLauncherRunsTheRepositorysJarAndLeavesNothingBesideTheLink() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("home").resolve("bin"));
    Path link = Files.createSymbolicLink(bin.resolve("cltrain"), Path.of("scripts", "cltrain").toAbsolutePath());
    Path out = dir.resolve("out.txt");
    Process p = new ProcessBuilder(link.toString(), "predict", "--model", "missing.json", "--input", "1,0")
        .directory(dir.toFile()).redirectOutput(out.toFile()).redirectErrorStream(true).start();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the launcher finished within 300 s");
    String printed = Files.readString(out, StandardCharsets.UTF_8);
    // the jar ran: cltrain's own one-line complaint about the missing model, exit 2 (bad input)
    assertEquals(ExitCodes.BAD_INPUT, p.exitValue(), printed);
    assertTrue(printed.contains("missing.json"), "cltrain itself named the missing model: " + printed);
    assertFalse(Files.exists(dir.resolve("home").resolve("target")), "no target/ beside the link's folder");
    assertFalse(Files.exists(bin.resolve("target")), "no target/ in the link's folder");
  }
}
