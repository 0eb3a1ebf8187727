package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.Model;
import dev.cltrain.TrainingFacts;
import dev.cltrain.onnx.Onnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX workflow on the command line: train and save, {@code export --onnx}, then eval, predict and
 * {@code train --init-model} from the ONNX file say exactly what they say of the JSON model; {@code --save x.onnx}
 * writes ONNX directly; bad ONNX files exit 2 with one line and leave outputs untouched.
 */
class OnnxCliTest {
  @TempDir
  static Path dir;
  static Path csv;
  static Path json;
  static Path onnx;

  @BeforeAll
  static void trainAndExport() throws Exception {
    csv = dir.resolve("blobs.csv");
    ModelCommandsTest.blobs(csv, 120, 3);
    json = dir.resolve("blobs.json");
    Cli trained = Cli.run("train", "--data", csv.toString(), "--loss", "xent", "--layers", "2,8,3", "--activation",
        "tanh", "--optimizer", "adam", "--lr", "0.05", "--batch-size", "16", "--epochs", "20", "--device", "reference",
        "--standardize", "--save", json.toString());
    assertEquals(0, trained.exit(), trained.err());
    onnx = dir.resolve("blobs.onnx");
    Cli export = Cli.run("export", "--model", json.toString(), "--onnx", onnx.toString());
    assertEquals(0, export.exit(), export.err());
    assertTrue(export.out().contains("trained:     20 epochs on " + csv + " (120x2), final loss "), export.out());
    assertTrue(export.out().contains("ONNX, opset 17, input \"input\" [batch, 2], output \"output\" [batch, 3]"),
        export.out());
  }

  @Test
  void evalAndPredictOfTheOnnxFileEqualThoseOfTheJsonModel() throws Exception {
    Cli fromJson = Cli.run("eval", "--model", json.toString(), "--data", csv.toString(), "--device", "reference");
    Cli fromOnnx = Cli.run("eval", "--model", onnx.toString(), "--data", csv.toString(), "--device", "reference");
    assertEquals(0, fromOnnx.exit(), fromOnnx.err());
    // every line but the first (which names the file) is the same: loss, accuracy, confusion matrix, per class
    assertEquals(fromJson.out().substring(fromJson.out().indexOf('\n')),
        fromOnnx.out().substring(fromOnnx.out().indexOf('\n')));
    Cli p1 = Cli.run("predict", "--model", json.toString(), "--data", csv.toString(), "--ignore-extra", "--device", "reference");
    Cli p2 = Cli.run("predict", "--model", onnx.toString(), "--data", csv.toString(), "--ignore-extra", "--device", "reference");
    assertEquals(0, p2.exit(), p2.err());
    assertEquals(p1.out(), p2.out(), "the same predictions, printed digit for digit");
  }

  @Test
  void theOnnxFileCarriesTheTrainingFactsAndImportsToTheSameModel() {
    Model a = Model.load(json);
    Model b = Model.load(onnx);
    assertEquals(a.network(), b.network(), "weights, standardization and input scale bit for bit");
    assertEquals(a.facts(), b.facts());
    TrainingFacts f = b.facts();
    assertEquals(20, f.epochs());
    assertEquals("120x2", f.dataShape());
    assertTrue(f.finalLoss() > 0 && f.finalLoss() < 2, "final loss " + f.finalLoss());
    Map<String, String> meta = Onnx.metadata(onnx);
    assertEquals("xent", meta.get("loss"));
    assertEquals("20", meta.get("epochs"));
    assertEquals("120x2", meta.get("data_shape"));
  }

  @Test
  void exportToJsonOfTheOnnxFileGivesBackTheJsonModelByteForByte() throws Exception {
    Path back = dir.resolve("back.json");
    Cli export = Cli.run("export", "--model", onnx.toString(), "--json", back.toString());
    assertEquals(0, export.exit(), export.err());
    assertArrayEquals(Files.readAllBytes(json), Files.readAllBytes(back));
  }

  @Test
  void trainingFromTheOnnxFileContinuesAsFromTheJsonModel() throws Exception {
    Path fromJson = dir.resolve("more-json.json");
    Path fromOnnx = dir.resolve("more-onnx.onnx");
    String[] common = {"train", "--data", csv.toString(), "--loss", "xent", "--optimizer", "adam", "--lr", "0.05", "--batch-size", "16",
        "--epochs", "5", "--device", "reference", "--standardize"};
    Cli a = Cli.run(concat(common, "--init-model", json.toString(), "--save", fromJson.toString()));
    Cli b = Cli.run(concat(common, "--init-model", onnx.toString(), "--save", fromOnnx.toString()));
    assertEquals(0, a.exit(), a.err());
    assertEquals(0, b.exit(), b.err());
    assertEquals(a.out().lines().filter(l -> l.startsWith("Epoch")).toList(),
        b.out().lines().filter(l -> l.startsWith("Epoch")).toList(), "the same epoch lines");
    assertTrue(Onnx.isOnnx(fromOnnx) && Files.readAllBytes(fromOnnx)[0] == 0x08, "--save x.onnx writes ONNX");
    assertEquals(Model.load(fromJson).network(), Model.load(fromOnnx).network(), "the same trained weights");
  }

  @Test
  void badOnnxFilesExitTwoWithOneLineAndLeaveTheOutputAlone() throws Exception {
    Path out = dir.resolve("kept.onnx");
    Files.writeString(out, "keep me");
    byte[] good = Files.readAllBytes(onnx);
    Path truncated = dir.resolve("truncated.onnx");
    Files.write(truncated, java.util.Arrays.copyOf(good, good.length / 2));
    Path text = dir.resolve("text.onnx");
    Files.writeString(text, "{\"format\":\"cltrain-model\"}");
    for (Path bad : new Path[] {truncated, text, dir.resolve("missing.onnx")}) {
      Cli r = Cli.run("export", "--model", bad.toString(), "--onnx", out.toString());
      assertEquals(2, r.exit(), bad + ": " + r.err());
      assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
      assertTrue(r.err().contains(bad.toString()), "names the file: " + r.err());
      assertFalse(r.err().contains("Exception"), "no stack trace: " + r.err());
      assertEquals("keep me", Files.readString(out), "the output is untouched");
      Cli e = Cli.run("eval", "--model", bad.toString(), "--data", csv.toString());
      assertEquals(2, e.exit(), e.err());
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
