package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 items 3 and 4: the defaults taken from a CSV's targets (xent for integer labels, an identity output
 * for regression targets outside [0, 1], a warning for targets a sigmoid cannot reach), and predict --data
 * refusing rows wider than the model unless --ignore-extra.
 */
class DataDefaultsTest {
  @TempDir Path dir;

  /** Two blobs, labels 0 and 1 in the last column. */
  private Path moons() throws IOException {
    StringBuilder s = new StringBuilder("x,y,label\n");
    java.util.Random random = new java.util.Random(1);
    for (int i = 0; i < 100; i++) {
      int c = i % 2;
      s.append(String.format(java.util.Locale.ROOT, "%.3f,%.3f,%d%n", c * 2 + random.nextGaussian() * 0.5,
          -c + random.nextGaussian() * 0.5, c));
    }
    Path file = dir.resolve("moons.csv");
    Files.writeString(file, s);
    return file;
  }

  /** y = a + 2b + 2: targets between 2 and 8. */
  private Path regression() throws IOException {
    StringBuilder s = new StringBuilder();
    java.util.Random random = new java.util.Random(2);
    for (int i = 0; i < 100; i++) {
      float a = random.nextFloat() * 2;
      float b = random.nextFloat() * 2;
      s.append(String.format(java.util.Locale.ROOT, "%.3f,%.3f,%.3f%n", a, b, a + 2 * b + 2 + 0.25));
    }
    Path file = dir.resolve("reg.csv");
    Files.writeString(file, s);
    return file;
  }

  @Test
  void integerLabelsInferACrossEntropyClassifierWithOneNoteAndAccuracy() throws IOException {
    Cli run = Cli.run("train", "--data", moons().toString(), "--layers", "2,8,2", "--epochs", "100", "--lr", "0.5",
        "--device", "reference");
    assertEquals(0, run.exit(), run.toString());
    assertEquals(1, run.err().lines().filter(l -> l.startsWith("note:") && l.contains("--loss xent")).count(),
        run.toString());
    assertTrue(run.out().contains("Accuracy:"), run.toString());
    assertTrue(run.out().contains("final loss:") && run.out().contains("accuracy"), run.toString());
  }

  @Test
  void layersEndingInOneKeepMseOnZeroOneLabels() throws IOException {
    Cli run = Cli.run("train", "--data", moons().toString(), "--layers", "2,4,1", "--epochs", "10", "--device", "reference");
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.err().lines().anyMatch(l -> l.startsWith("note:") && l.contains("--loss mse")), run.toString());
    assertTrue(!run.out().contains("Accuracy:"), run.toString());
  }

  @Test
  void anExplicitLossIsNotOverruled() throws IOException {
    Cli run = Cli.run("train", "--data", moons().toString(), "--loss", "mse", "--epochs", "10", "--device", "reference");
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.err().lines().noneMatch(l -> l.startsWith("note:")), run.toString());
  }

  @Test
  void regressionTargetsAboveOneGetAnIdentityOutputThatReachesThem() throws IOException {
    Path model = dir.resolve("reg.json");
    Cli run = Cli.run("train", "--data", regression().toString(), "--epochs", "2000", "--lr", "0.05",
        "--device", "reference", "--save", model.toString());
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.err().lines().anyMatch(l -> l.startsWith("note:") && l.contains("identity")), run.toString());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("final loss:\\s+(\\S+)").matcher(run.out());
    assertTrue(m.find(), run.toString());
    assertTrue(Float.parseFloat(m.group(1)) < 0.01f, "the old sigmoid output stuck near 10: " + run);
    assertTrue(Files.readString(model).contains("\"identity\""), "the output activation is saved");
    Cli predict = Cli.run("predict", "--model", model.toString(), "--input", "1,1");
    assertEquals(0, predict.exit(), predict.toString());
    float y = Float.parseFloat(predict.out().replaceAll("(?s).*output: \\[?([-0-9.]+).*", "$1"));
    assertEquals(5.25f, y, 0.2f, predict.toString());
  }

  @Test
  void aSigmoidOutputAskedForWithUnreachableTargetsIsWarnedAbout() throws IOException {
    Cli run = Cli.run("train", "--data", regression().toString(), "--output", "sigmoid", "--epochs", "10",
        "--device", "reference");
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.err().lines().anyMatch(l -> l.startsWith("warning:") && l.contains("cannot reach")), run.toString());
  }

  @Test
  void identityOutputUnderXentIsRefused() throws IOException {
    Cli run = Cli.run("train", "--data", moons().toString(), "--loss", "xent", "--output", "identity",
        "--device", "reference");
    assertEquals(2, run.exit(), run.toString());
  }

  @Test
  void theSeedsDefaultRunHasNoNotes() {
    Cli run = Cli.run("train", "--device", "reference");
    assertEquals(0, run.exit(), run.toString());
    assertEquals(TrainCommandTest.SEED_LINES, run.outLines().subList(0, 10));
    assertTrue(run.err().lines().noneMatch(l -> l.startsWith("note:") || l.startsWith("warning:")), run.toString());
  }

  @Test
  void predictRefusesExtraColumnsUnlessTold() throws IOException {
    Path model = dir.resolve("m.json");
    Path data = regression();
    assertEquals(0, Cli.run("train", "--data", data.toString(), "--epochs", "5", "--device", "reference",
        "--save", model.toString()).exit());
    Cli refused = Cli.run("predict", "--model", model.toString(), "--data", data.toString());
    assertEquals(2, refused.exit(), refused.toString());
    assertEquals(1, refused.err().strip().lines().count(), refused.toString());
    assertTrue(refused.err().contains("--ignore-extra"), refused.toString());
    Cli accepted = Cli.run("predict", "--model", model.toString(), "--data", data.toString(), "--ignore-extra");
    assertEquals(0, accepted.exit(), accepted.toString());
    assertEquals(101, accepted.outLines().size(), accepted.toString());
  }
}
