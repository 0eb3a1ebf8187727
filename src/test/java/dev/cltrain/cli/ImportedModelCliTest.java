package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.Data;
import dev.cltrain.device.DeviceChoice;
import dev.cltrain.Devices;
import dev.cltrain.core.InputException;
import dev.cltrain.Model;
import dev.cltrain.data.IdxFiles;
import dev.cltrain.nn.Loss;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models imported from PyTorch say less than cltrain's own files, and the command line lets a person say the rest:
 * {@code --input-scale} for a graph with no Div or Mul on its input (trained on pixels / 255, it meets IDX pixels
 * at the right scale only when told), {@code --loss xent} for a graph ending in logits. Without them, eval and
 * train refuse a scale they cannot know in one line, and the logits model comes with one note line. Data: IDX
 * folders of 8x8 images labelled by the PyTorch fixture's own prediction on pixels / 255 (so the right scale
 * scores 1.0), and a CSV of four inputs and a class label for the 4-8-3 logits MLP.
 */
class ImportedModelCliTest {
  /** The printed loss has 4 decimals; our cross-entropy is summed in double from float outputs. */
  static final double PRINTED_LOSS_ATOL = 1e-4;
  /** Outputs of the same rows scaled by the model or scaled in the test (÷255 vs ×(1/255f) may differ by an ulp). */
  static final float SCALED_OUTPUT_ATOL = 1e-5f;

  @TempDir
  static Path dir;
  static Path cnn;       // torch_cnn: [batch,1,8,8] -> 5 classes, softmax, no Div on its input
  static Path cnnLogits; // torch_cnn_avg: [batch,1,8,8] -> 3 outputs, no activation
  static Path mlp;       // torch_mlp: 4 -> 8 -> 3 logits
  static Path mlpSoftmax;
  static Path idx5;
  static Path idx3;      // labels 0, 1, 2, 0, ... (every class present: train infers the classes)
  static Path idxTrain5;
  static int[][] pixels5;
  static int[] labels5;
  static Path iris;

  @BeforeAll
  static void fixtures() throws Exception {
    cnn = resource("torch_cnn");
    cnnLogits = resource("torch_cnn_avg");
    mlp = resource("torch_mlp");
    mlpSoftmax = resource("torch_mlp_softmax");
    pixels5 = pixels(60, 1);
    labels5 = classes(Model.load(cnn), pixels5);
    idx5 = idx("idx5", pixels5, labels5);
    idx3 = idx("idx3", pixels(60, 2), cycle(60, 3));
    idxTrain5 = idx("idx5-cycle", pixels5, cycle(60, 5));
    iris = dir.resolve("iris.csv");
    Random r = new Random(3);
    StringBuilder s = new StringBuilder("a,b,c,d,label\n");
    for (int i = 0; i < 30; i++) {
      for (int c = 0; c < 4; c++) {
        s.append(String.format(Locale.ROOT, "%.3f,", r.nextGaussian() + i % 3));
      }
      s.append(i % 3).append('\n');
    }
    Files.writeString(iris, s);
  }

  @Test
  void evalOfAModelThatStatesNoScaleOnIdxPixelsIsRefusedInOneLineSayingWhatToAdd() {
    Cli r = Cli.run("eval", "--model", cnn.toString(), "--data", idx5.toString(), "--device", "reference");
    assertEquals(2, r.exit(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertTrue(r.err().contains("--input-scale 1/255") && r.err().contains("--input-scale 1 "), r.err());
    assertTrue(r.out().isEmpty(), "no figures at a guessed scale: " + r.out());
  }

  @Test
  void evalWithInputScaleFeedsPixelsOver255AndScoresThePyTorchModelsOwnLabels() {
    Cli r = Cli.run("eval", "--model", cnn.toString(), "--data", idx5.toString(), "--input-scale", "1/255",
        "--device", "reference");
    assertEquals(0, r.exit(), r.toString());
    assertEquals("1.0000 (60 of 60)", field(r, "accuracy"), "the labels are the model's own on pixels / 255");
    assertEquals(crossEntropy(outputs(Model.load(cnn), pixels5, 1 / 255f), labels5),
        Double.parseDouble(field(r, "loss")), PRINTED_LOSS_ATOL, r.toString());
    Cli raw = Cli.run("eval", "--model", cnn.toString(), "--data", idx5.toString(), "--input-scale", "1",
        "--device", "reference");
    assertEquals(0, raw.exit(), raw.toString());
    assertEquals(crossEntropy(outputs(Model.load(cnn), pixels5, 1f), labels5),
        Double.parseDouble(field(raw, "loss")), PRINTED_LOSS_ATOL, "--input-scale 1: raw pixels\n" + raw);
  }

  @Test
  void exportKeepsTheStatedScaleSoTheSavedModelNeedsNoOption() throws Exception {
    Cli stated = Cli.run("eval", "--model", cnn.toString(), "--data", idx5.toString(), "--input-scale", "1/255",
        "--device", "reference");
    for (String kind : new String[] {"--json", "--onnx"}) {
      Path saved = dir.resolve("cnn-scaled" + (kind.equals("--json") ? ".json" : ".onnx"));
      Cli export = Cli.run("export", "--model", cnn.toString(), "--input-scale", "1/255", kind, saved.toString());
      assertEquals(0, export.exit(), export.toString());
      assertEquals(1 / 255f, Model.load(saved).network().inputScale(), kind);
      Cli eval = Cli.run("eval", "--model", saved.toString(), "--data", idx5.toString(), "--device", "reference");
      assertEquals(0, eval.exit(), eval.toString());
      assertEquals(stated.out().substring(stated.out().indexOf('\n')), eval.out().substring(eval.out().indexOf('\n')),
          kind + ": the same figures as with --input-scale 1/255");
      Cli contradicted = Cli.run("eval", "--model", saved.toString(), "--data", idx5.toString(), "--input-scale", "1");
      assertEquals(2, contradicted.exit(), contradicted.toString());
      assertTrue(contradicted.err().contains("input scale 1 given, but the model " + saved + " states its own, 1/255"),
          contradicted.err());
    }
  }

  @Test
  void predictWithInputScaleScalesRawRows() throws Exception {
    Path raw = dir.resolve("raw.csv");
    Path scaled = dir.resolve("scaled.csv");
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    for (int[] row : pixels5) {
      for (int i = 0; i < row.length; i++) {
        a.append(i == 0 ? "" : ",").append(row[i]);
        b.append(i == 0 ? "" : ",").append(row[i] / 255f);
      }
      a.append('\n');
      b.append('\n');
    }
    Files.writeString(raw, a);
    Files.writeString(scaled, b);
    Cli p1 = Cli.run("predict", "--model", cnn.toString(), "--data", raw.toString(), "--input-scale", "1/255",
        "--device", "reference");
    Cli p2 = Cli.run("predict", "--model", cnn.toString(), "--data", scaled.toString(), "--device", "reference");
    assertEquals(0, p1.exit(), p1.toString());
    assertEquals(0, p2.exit(), p2.toString());
    List<String> l1 = p1.outLines();
    List<String> l2 = p2.outLines();
    assertEquals(l2.size(), l1.size());
    for (int i = 1; i < l1.size(); i++) {
      String[] c1 = l1.get(i).split(",");
      String[] c2 = l2.get(i).split(",");
      for (int c = 0; c < 5; c++) {
        assertEquals(Float.parseFloat(c2[c]), Float.parseFloat(c1[c]), SCALED_OUTPUT_ATOL, "row " + i + " output " + c);
      }
      assertEquals(c2[5], c1[5], "row " + i + "'s class");
    }
    Cli bad = Cli.run("predict", "--model", cnn.toString(), "--data", raw.toString(), "--input-scale", "1/0");
    assertEquals(2, bad.exit(), bad.toString());
    assertTrue(bad.err().contains("--input-scale '1/0'"), bad.err());
  }

  @Test
  void trainFromTheImportedModelRefusesTheUnknownScaleAsEvalDoesAndTakesInputScale() throws Exception {
    String[] common = {"train", "--init-model", cnn.toString(), "--data", idxTrain5.toString(), "--epochs", "1",
        "--device", "reference"};
    Cli refused = Cli.run(common);
    assertEquals(2, refused.exit(), refused.toString());
    assertEquals(1, refused.err().strip().lines().count(), "one line: " + refused.err());
    assertTrue(refused.err().contains("states no input scale (no Div or Mul on its input); say what its training "
        + "inputs were: --input-scale 1/255"), "eval's line: " + refused.err());
    Path saved = dir.resolve("trained.json");
    Cli trained = Cli.run(concat(common, "--input-scale", "1/255", "--save", saved.toString()));
    assertEquals(0, trained.exit(), trained.toString());
    assertEquals(1 / 255f, new ObjectMapper().readTree(saved.toFile()).get("inputScale").floatValue());
    Cli noInit = Cli.run("train", "--data", idx5.toString(), "--input-scale", "1/255", "--epochs", "1");
    assertEquals(2, noInit.exit(), noInit.toString());
    assertTrue(noInit.err().contains("--input-scale applies to --init-model only"), noInit.err());
  }

  @Test
  void trainFromALogitsModelOnIdxLabelsMakesItAClassifierWithANote() throws Exception {
    Path saved = dir.resolve("logits-trained.json");
    Cli trained = Cli.run("train", "--init-model", cnnLogits.toString(), "--data", idx3.toString(), "--input-scale",
        "1/255", "--epochs", "1", "--device", "reference", "--save", saved.toString());
    assertEquals(0, trained.exit(), trained.toString());
    assertTrue(trained.err().lines().anyMatch(l -> l.startsWith("note: ") && l.contains("logits")
        && l.contains("classifier of 3 classes")), trained.err());
    assertEquals("xent", new ObjectMapper().readTree(saved.toFile()).get("loss").asText());
  }

  @Test
  void javaApiStatesTheScaleAndTheLoss() {
    DeviceChoice reference = DeviceChoice.of(Devices.reference());
    Model imported = Model.load(cnn);
    InputException e = assertThrows(InputException.class, () -> Data.labelledFor(imported, idx5.toString()));
    assertTrue(e.getMessage().contains("withInputScale"), e.getMessage());
    Model stated = imported.withInputScale(1 / 255f);
    assertEquals(1f, stated.evaluate(Data.labelledFor(stated, idx5.toString()), reference).evaluation().accuracy());
    InputException viaTrainingData = assertThrows(InputException.class,
        () -> Model.load(cnnLogits).evaluate(Data.idx(idx3), reference));
    assertTrue(viaTrainingData.getMessage().contains("withInputScale"), viaTrainingData.getMessage());
    Model logits = Model.load(mlp);
    assertTrue(logits.note() != null && logits.note().toString().startsWith("note: "), String.valueOf(logits.note()));
    float[] z = logits.predict(1, 2, 3, 4);
    float[] p = logits.withLoss(Loss.XENT).predict(1, 2, 3, 4);
    double sum = 0;
    for (float v : z) {
      sum += Math.exp(v);
    }
    for (int c = 0; c < 3; c++) {
      assertEquals(Math.exp(z[c]) / sum, p[c], 1e-6, "softmax of the logits, output " + c);
    }
    assertEquals(null, logits.withLoss(Loss.XENT).note());
    assertThrows(InputException.class, () -> Model.load(mlpSoftmax).withLoss(Loss.MSE));
  }

  @Test
  void evalOfALogitsModelOnClassLabelsIsAClassifierWithOneNote() {
    Cli r = Cli.run("eval", "--model", mlp.toString(), "--data", iris.toString(), "--device", "reference");
    assertEquals(0, r.exit(), r.toString());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("note: ") && r.err().contains("logits") && r.err().contains("--loss mse"), r.err());
    assertTrue(r.out().lines().findFirst().orElseThrow().endsWith("(4,8,3, xent)"), r.out());
    float[][] x = new float[30][];
    int[] labels = new int[30];
    List<String> lines = readLines(iris);
    for (int i = 0; i < 30; i++) {
      String[] cells = lines.get(i + 1).split(",");
      x[i] = new float[4];
      for (int c = 0; c < 4; c++) {
        x[i][c] = Float.parseFloat(cells[c]);
      }
      labels[i] = Integer.parseInt(cells[4]);
    }
    float[][] probabilities = softmax(Model.load(mlp).predict(x));
    assertEquals(crossEntropy(probabilities, labels), Double.parseDouble(field(r, "loss")), PRINTED_LOSS_ATOL);
    Cli declared = Cli.run("eval", "--model", mlp.toString(), "--data", iris.toString(), "--loss", "xent",
        "--device", "reference");
    assertEquals(r.out(), declared.out());
    assertTrue(declared.err().isEmpty(), "--loss xent says it, so no note: " + declared.err());
  }

  @Test
  void predictAndExportOfALogitsModelNoteItAndTakeLossXent() throws Exception {
    Cli plain = Cli.run("predict", "--model", mlp.toString(), "--input", "1,2,3,4", "--device", "reference");
    assertEquals(0, plain.exit(), plain.toString());
    assertEquals(1, plain.err().lines().count(), plain.err());
    assertTrue(plain.err().startsWith("note: ") && plain.err().contains("mse regression of 3 identity outputs")
        && plain.err().contains("--loss xent makes it a classifier"), plain.err());
    Cli xent = Cli.run("predict", "--model", mlp.toString(), "--input", "1,2,3,4", "--loss", "xent",
        "--device", "reference");
    assertEquals(0, xent.exit(), xent.toString());
    assertTrue(xent.err().isEmpty(), xent.err());
    assertTrue(xent.out().contains("class:  "), "a classifier's class line: " + xent.out());
    Path json = dir.resolve("mlp-xent.json");
    Cli export = Cli.run("export", "--model", mlp.toString(), "--loss", "xent", "--json", json.toString());
    assertEquals(0, export.exit(), export.toString());
    assertEquals("xent", new ObjectMapper().readTree(json.toFile()).get("loss").asText());
    Cli softmaxMse = Cli.run("eval", "--model", mlpSoftmax.toString(), "--data", iris.toString(), "--loss", "mse",
        "--device", "reference");
    assertEquals(2, softmaxMse.exit(), softmaxMse.toString());
    assertEquals(1, softmaxMse.err().strip().lines().count(), softmaxMse.err());
  }

  @Test
  void aCsvOfTheWrongWidthIsReportedAsSuchBeforeAnyLabel() throws Exception {
    Path narrow = dir.resolve("narrow.csv");
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      s.append(i % 5).append(".5,1,2,").append(3 + i % 7).append('\n'); // 3 inputs, then labels 3..9
    }
    Files.writeString(narrow, s);
    for (String[] args : new String[][] {{"--model", mlpSoftmax.toString()}, {"--model", mlp.toString(), "--loss", "xent"}}) {
      Cli r = Cli.run(concat(concat(new String[] {"eval", "--data", narrow.toString()}, args), "--device", "reference"));
      assertEquals(2, r.exit(), r.toString());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertTrue(r.err().contains("narrow.csv: 4 columns, but the model ") && r.err().contains(
          " takes 4 inputs and a class label: 5 columns"), r.err());
    }
    Cli mse = Cli.run("eval", "--model", mlp.toString(), "--data", narrow.toString(), "--loss", "mse");
    assertEquals(2, mse.exit(), mse.toString());
    assertTrue(mse.err().contains("takes 4 inputs and gives 3 outputs (one target column each): 7 columns"), mse.err());
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  private static Path resource(String name) throws Exception {
    Path file = dir.resolve(name + ".onnx");
    try (InputStream in = ImportedModelCliTest.class.getResourceAsStream("/onnx/" + name + ".onnx")) {
      Files.copy(in, file);
    }
    return file;
  }

  /** Seeded 8x8 images of pixels 0..255. */
  private static int[][] pixels(int count, long seed) {
    Random r = new Random(seed);
    int[][] images = new int[count][64];
    for (int[] image : images) {
      for (int i = 0; i < 64; i++) {
        image[i] = r.nextInt(256);
      }
    }
    return images;
  }

  /** The model's outputs on the pixels times {@code scale}, computed in this test (the model reads them as given). */
  private static float[][] outputs(Model model, int[][] pixels, float scale) {
    float[][] x = new float[pixels.length][64];
    for (int r = 0; r < pixels.length; r++) {
      for (int i = 0; i < 64; i++) {
        x[r][i] = pixels[r][i] * scale;
      }
    }
    return model.predict(x);
  }

  /** Labels 0, 1, ..., classes − 1, 0, 1, ... */
  private static int[] cycle(int count, int classes) {
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = i % classes;
    }
    return labels;
  }

  /** The class the model gives each image of pixels / 255. */
  private static int[] classes(Model model, int[][] pixels) {
    float[][] out = outputs(model, pixels, 1 / 255f);
    int[] labels = new int[out.length];
    for (int r = 0; r < out.length; r++) {
      labels[r] = Model.classOf(out[r]);
    }
    return labels;
  }

  private static Path idx(String name, int[][] pixels, int[] labels) throws Exception {
    Path folder = Files.createDirectories(dir.resolve(name));
    byte[] body = new byte[pixels.length * 64];
    for (int r = 0; r < pixels.length; r++) {
      for (int i = 0; i < 64; i++) {
        body[r * 64 + i] = (byte) pixels[r][i];
      }
    }
    for (String set : new String[] {"train", "t10k"}) {
      IdxFiles.write(folder.resolve(set + "-images-idx3-ubyte"), IdxFiles.images(pixels.length, 8, 8, body));
      IdxFiles.write(folder.resolve(set + "-labels-idx1-ubyte"), IdxFiles.labels(labels.length, labels));
    }
    return folder;
  }

  private static float[][] softmax(float[][] logits) {
    float[][] p = new float[logits.length][];
    for (int r = 0; r < logits.length; r++) {
      double sum = 0;
      for (float v : logits[r]) {
        sum += Math.exp(v);
      }
      p[r] = new float[logits[r].length];
      for (int c = 0; c < p[r].length; c++) {
        p[r][c] = (float) (Math.exp(logits[r][c]) / sum);
      }
    }
    return p;
  }

  /** Mean of −ln p[label] over rows. */
  private static double crossEntropy(float[][] probabilities, int[] labels) {
    double sum = 0;
    for (int r = 0; r < labels.length; r++) {
      sum -= Math.log(probabilities[r][labels[r]]);
    }
    return sum / labels.length;
  }

  private static String field(Cli run, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + ":\\s+(.*)$").matcher(run.out());
    assertTrue(m.find(), name + " in:\n" + run);
    return m.group(1).strip();
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
