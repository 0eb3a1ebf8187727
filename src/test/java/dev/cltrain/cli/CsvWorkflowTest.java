package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12: string labels, --standardize kept in the model and applied by eval/predict/Model.predict, per-class figures. */
class CsvWorkflowTest {
  @TempDir Path dir;

  private static final String[] NAMES = {"setosa", "versicolor", "virginica"};

  /** Three species; the first input in the hundreds, the second below 3: standardisation matters. */
  private Path flowers(String name, int rows, long seed, boolean header) throws IOException {
    Random random = new Random(seed);
    StringBuilder s = new StringBuilder(header ? "\"petal length\",\"petal width, cm\",species\n" : "");
    for (int i = 0; i < rows; i++) {
      int c = i % 3;
      s.append(String.format(Locale.ROOT, "%.1f,%.2f,\"%s\"%n", (1.5 + 2.5 * c + random.nextGaussian() * 0.4) * 100,
          0.3 + 0.8 * c + random.nextGaussian() * 0.2, NAMES[c]));
    }
    Path file = dir.resolve(name);
    Files.writeString(file, s);
    return file;
  }

  @Test
  void stringLabelsAndStandardizeTrainSaveEvaluateAndPredict() throws IOException {
    Path train = flowers("flowers.csv", 150, 3, true);
    Path test = flowers("test.csv", 30, 4, false);
    Path model = dir.resolve("flowers.json");
    Cli run = Cli.run("train", "--data", train.toString(), "--standardize", "--layers", "2,8,3", "--optimizer", "adam",
        "--lr", "0.05", "--epochs", "100", "--device", "reference", "--save", model.toString());
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.err().contains("3 class names"), run.toString());

    JsonNode json = new ObjectMapper().readTree(model.toFile());
    assertEquals(List.of("setosa", "versicolor", "virginica"),
        List.of(json.get("classNames").get(0).asText(), json.get("classNames").get(1).asText(), json.get("classNames").get(2).asText()));
    assertTrue(json.get("standardize").get("mean").get(0).asDouble() > 100, json.toString());

    Cli eval = Cli.run("eval", "--model", model.toString(), "--data", test.toString(), "--device", "reference");
    assertEquals(0, eval.exit(), eval.toString());
    assertTrue(eval.out().contains("accuracy:    1.0000"), eval.toString());
    assertTrue(eval.out().contains("per class:") && eval.out().lines().anyMatch(l -> l.startsWith("virginica ")
        && l.contains("1.0000")), eval.toString());

    Cli asJson = Cli.run("eval", "--model", model.toString(), "--data", test.toString(), "--device", "reference", "--json");
    assertEquals(0, asJson.exit(), asJson.toString());
    JsonNode figures = new ObjectMapper().readTree(asJson.out());
    assertEquals("versicolor", figures.get("per_class").get(1).get("class").asText());
    assertEquals(1.0, figures.get("per_class").get(1).get("f1").asDouble());
    assertEquals(10, figures.get("per_class").get(1).get("support").asInt());

    Cli predict = Cli.run("predict", "--model", model.toString(), "--input", "650,2.1", "--device", "reference");
    assertEquals(0, predict.exit(), predict.toString());
    assertTrue(predict.out().contains("class:  2 virginica"), predict.toString());

    // The API applies the stored standardisation to raw inputs: raw 150,0.3 is a setosa
    Model api = Model.load(model);
    assertEquals(0, api.predictClass(150f, 0.3f));
    assertEquals(2, api.predictClass(650f, 1.9f));
    assertNotNull(api.network().standardization());
  }

  @Test
  void perClassFiguresFromAConfusionMatrix() {
    double[][] prf = EvalCommand.perClass(new int[][] {{3, 1}, {2, 4}});
    assertArrayEquals(new double[] {0.6, 0.75, 2 * 0.6 * 0.75 / 1.35, 4}, prf[0], 1e-12);
    assertArrayEquals(new double[] {0.8, 4 / 6.0, 2 * 0.8 * (4 / 6.0) / (0.8 + 4 / 6.0), 6}, prf[1], 1e-12);
    double[][] none = EvalCommand.perClass(new int[][] {{0, 0}, {0, 2}}); // class 0 never true nor predicted
    assertArrayEquals(new double[] {0, 0, 0, 0}, none[0]);
  }
}
