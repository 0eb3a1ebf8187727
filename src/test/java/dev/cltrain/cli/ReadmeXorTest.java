package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Issue 12 item 6: the README's XOR story is true and every file its commands name is in the repository. */
class ReadmeXorTest {
  private static final Path README = Path.of("README.md");

  @Test
  void everyScriptTheReadmeNamesIsInTheRepositoryAndNothingPointsOutsideIt() throws Exception {
    String readme = Files.readString(README);
    assertFalse(readme.contains("../shared"), "the README points outside the repository");
    Matcher m = Pattern.compile("scripts/[A-Za-z0-9_.-]+").matcher(readme);
    int found = 0;
    while (m.find()) {
      found++;
      assertTrue(Files.exists(Path.of(m.group())), m.group() + " is named by the README but not in the repository");
    }
    assertTrue(found > 0 && readme.contains("python3 scripts/seed_xor.py"));
  }

  @Test
  void theTwoLayerXorCommandPrintsWhatTheReadmeShows() throws Exception {
    String readme = Files.readString(README);
    Cli run = Cli.run("train", "--layers", "2,4,1", "--lr", "2", "--epochs", "3000", "--device", "reference");
    assertEquals(0, run.exit(), run.toString());
    for (String line : List.of("Epoch 0, Loss: 0.2200", "Epoch 2700, Loss: 0.0008",
        "final loss:  0.0007 (the end weights on the 4 training rows)", "  [0, 0] -> [0.0218]  (target [0])",
        "  [0, 1] -> [0.9632]  (target [1])", "  [1, 0] -> [0.9611]  (target [1])", "  [1, 1] -> [0.0457]  (target [0])")) {
      assertTrue(run.outLines().contains(line), line + "\n" + run);
      assertTrue(readme.contains(line + "\n"), "the README shows " + line);
    }
    Cli seed = Cli.run("train", "--device", "reference");
    assertTrue(seed.out().contains("final loss:  0.1250 (the end weights on the 4 training rows)"), seed.toString());
    assertTrue(readme.contains("final loss:  0.1250 (the end weights on the 4 training rows)"));
    assertEquals(4, seed.outLines().stream().filter(l -> l.contains("-> [0.5000]")).count(), seed.toString());
  }

  @Test
  void theCopiedSeedScriptPrintsTheSeedsLines() throws Exception {
    Process p;
    try {
      p = new ProcessBuilder("python3", "-c", "import numpy").start();
    } catch (java.io.IOException e) {
      assumeTrue(false, "no python3");
      return;
    }
    assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "no NumPy");
    Process seed = new ProcessBuilder("python3", "scripts/seed_xor.py").redirectErrorStream(true).start();
    String out = new String(seed.getInputStream().readAllBytes());
    assertTrue(seed.waitFor(120, TimeUnit.SECONDS));
    assertEquals(TrainCommandTest.SEED_LINES, out.lines().toList());
  }
}
