package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cltrain.Data;
import dev.cltrain.core.InputException;
import dev.cltrain.TrainingRecipe;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24 item 4: library errors speak Java. A Java caller of Data or TrainingRecipe is told the parameter's Java
 * name ("targets", "batchSize"), never a command-line option; the CLI says its option ("--targets",
 * "--batch-size") for the same failure, mapped in one place ({@link OptionNames}).
 */
class LibraryErrorNamesTest {
  @TempDir
  Path dir;

  @Test
  void aCsvOfNoTargetColumnsIsRefusedByItsJavaNameThroughTheApiAndByItsOptionThroughTheCli() throws Exception {
    Path csv = Files.writeString(dir.resolve("rows.csv"), "1,2,3\n4,5,6\n");
    InputException e = assertThrows(InputException.class, () -> Data.csv(csv, 0));
    assertEquals("targets must be at least 1, got 0", e.getMessage());
    assertEquals("targets", e.parameter());
    Cli cli = Cli.run("train", "--data", csv.toString(), "--targets", "0", "--device", "reference");
    assertEquals(2, cli.exit(), cli.err());
    assertEquals("cltrain train: --targets must be at least 1, got 0", cli.err().strip());
  }

  @Test
  void aBadBatchSizeIsBatchSizeInJavaAndDashDashBatchSizeOnTheCommandLine() {
    InputException e = assertThrows(InputException.class,
        () -> TrainingRecipe.defaults().withBatchSize(0).rowsPerBatch());
    assertEquals("batchSize must be positive, got 0", e.getMessage());
    assertFalse(e.getMessage().contains("--"), e.getMessage());
    InputException seed = assertThrows(InputException.class, () -> TrainingRecipe.defaults().withSeed(-1L).check());
    assertEquals("seed must be between 0 and 4294967295, got -1", seed.getMessage());
    Cli cli = Cli.run("train", "--batch-size", "0", "--device", "reference");
    assertEquals(2, cli.exit(), cli.err());
    assertEquals("cltrain train: --batch-size must be positive, got 0", cli.err().strip());
    cli = Cli.run("train", "--seed", "-1", "--device", "reference");
    assertEquals("cltrain train: --seed must be between 0 and 4294967295, got -1", cli.err().strip());
  }

  @Test
  void theRecipesDefaultsAreTheSeedsAndTheOptimizersUsualOnes() {
    TrainingRecipe d = TrainingRecipe.defaults();
    assertEquals(dev.cltrain.nn.Sgd.KIND, d.toOptimizer().kind(), "the seed's sgd");
    assertEquals(0.1f, d.toOptimizer().learningRate(), 0f, "at the seed's η 0.1");
    assertEquals(dev.cltrain.nn.Optimizer.adam(0.001f), d.withOptimizer("adam").toOptimizer());
    assertEquals(0, d.rowsPerBatch(), "the whole set");
    assertEquals(0, d.seedOrDefault());
  }
}
