package dev.cltrain.cli;

import dev.cltrain.cmd.ExitCodes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.nn.ModelJson;
import dev.cltrain.nn.Network;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input on the command line: exit 2, exactly one line on stderr that says what and where, and an existing
 * {@code --save} target left byte for byte as it was. Every run uses {@code --device reference} (no OpenCL).
 */
class BadInputTest {
  private static final byte[] KNOWN = "{\"previous\": \"model, must survive\"}\n".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path tmp;

  /** Input files (CSV, models) live here. */
  private Path in;
  /** Holds only the existing --save target. */
  private Path outDir;
  private Path save;

  @BeforeEach
  void setUp() throws IOException {
    in = Files.createDirectory(tmp.resolve("in"));
    outDir = Files.createDirectory(tmp.resolve("out"));
    save = Files.write(outDir.resolve("model.json"), KNOWN);
  }

  private record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  private Path csv(String name, String text) throws IOException {
    return Files.writeString(in.resolve(name), text, StandardCharsets.UTF_8);
  }

  /**
   * Runs {@code train ARGS --save <existing file>} and checks: exit 2, one stderr line without a stack trace
   * holding every phrase, nothing on stdout, and the save folder exactly as it was.
   */
  private Run assertBadInput(List<String> args, String... phrases) throws IOException {
    List<String> full = new ArrayList<>();
    full.add("train");
    full.addAll(args);
    full.add("--save");
    full.add(save.toString());
    Run run = cli(full.toArray(String[]::new));

    assertEquals(2, run.exit(), "exit code 2 for bad input: " + run);
    List<String> lines = run.err().lines().toList();
    assertEquals(1, lines.size(), "exactly one line on stderr: " + run);
    String line = lines.get(0);
    assertFalse(line.contains("Exception"), "no exception text: " + run);
    assertFalse(line.contains("internal error"), "not an internal error: " + run);
    for (String phrase : phrases) {
      assertTrue(line.contains(phrase), "expected '" + phrase + "' in stderr: " + run);
    }
    assertEquals("", run.out(), "nothing on stdout: " + run);

    assertArrayEquals(KNOWN, Files.readAllBytes(save), "the existing --save file is unchanged");
    try (Stream<Path> files = Files.list(outDir)) {
      assertEquals(List.of(save), files.toList(), "no other file appeared beside the --save target");
    }
    return run;
  }

  @Test
  void missingDataFileSaysFileNotFoundAndNamesIt() throws IOException {
    Path absent = in.resolve("absent.csv");
    assertBadInput(List.of("--data", absent.toString(), "--device", "reference"), absent.toString(), "file not found");
  }

  @Test
  void nonNumericCellNamesLineAndColumn() throws IOException {
    Path data = csv("bad.csv", "x1,x2,y\n0,0,0\n0,abc,1\n1,0,1\n");
    assertBadInput(List.of("--data", data.toString(), "--device", "reference"),
        data + ":3, column 2", "'abc' is not a number");
  }

  @Test
  void raggedRowNamesItsLineAndColumnCounts() throws IOException {
    Path data = csv("ragged.csv", "0,0,0\n0,1,1\n1,0\n");
    assertBadInput(List.of("--data", data.toString(), "--device", "reference"),
        data + ":3:", "2 columns, expected 3");
  }

  @Test
  void emptyDataFileSaysNoDataRows() throws IOException {
    Path data = csv("empty.csv", "");
    assertBadInput(List.of("--data", data.toString(), "--device", "reference"), data.toString(), "no data rows");
  }

  @Test
  void nanInDataNamesLineColumnAndSaysNotFinite() throws IOException {
    Path data = csv("nan.csv", "a,b,y\n0,0,0\n0,1,NaN\n");
    assertBadInput(List.of("--data", data.toString(), "--device", "reference"),
        data + ":3, column 3", "not a finite number");
  }

  @Test
  void layersWhoseFirstWidthDoesNotMatchXorInputsSayWhichWidth() throws IOException {
    assertBadInput(List.of("--layers", "3,1", "--device", "reference"),
        "--layers 3,1", "first width is 3", "xor", "2 input columns");
  }

  @Test
  void layersWhoseLastWidthDoesNotMatchTargetsSayWhichWidth() throws IOException {
    assertBadInput(List.of("--layers", "2,4,3", "--device", "reference"),
        "--layers 2,4,3", "last width is 3", "xor");
  }

  @Test
  void layerWidthsWhoseWeightCountOverflowsAreRejectedWithoutAStackTrace() throws IOException {
    assertBadInput(List.of("--layers", "2,65536,32769,1", "--device", "reference"),
        "--layers 2,65536,32769,1", "65536 and 32769", "weights in one layer");
    assertBadInput(List.of("--layers", "2,50000,50000,1", "--device", "reference"), "--layers 2,50000,50000,1");
  }

  @Test
  void networkTooLargeForTheHeapIsOneLineAndExitTwoNotAStackTrace() throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "train", "--layers", "2,3000,3000,1", "--epochs", "1", "--device", "reference", "--save", save.toString()));
    Path childOut = in.resolve("child.out");
    Path childErr = in.resolve("child.err");
    Process p = new ProcessBuilder(command).redirectOutput(childOut.toFile()).redirectError(childErr.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("child JVM did not finish in 120 s");
    }
    Run run = new Run(p.exitValue(), Files.readString(childOut), Files.readString(childErr));
    assertEquals(2, run.exit(), run.toString());
    assertEquals(1, run.err().lines().count(), "one line on stderr: " + run);
    assertTrue(run.err().contains("bytes of Java heap") && run.err().contains("--layers"), run.toString()); // refused before drawing (issue 23 item 12)
    assertFalse(run.err().contains("\tat "), "no stack trace: " + run);
    assertArrayEquals(KNOWN, Files.readAllBytes(save), "the existing --save file is unchanged");
  }

  @Test
  void nonIntegerLayerWidthNamesTheWidth() throws IOException {
    assertBadInput(List.of("--layers", "2,x,1", "--device", "reference"),
        "--layers 2,x,1", "width 2 'x'", "not a positive integer");
  }

  @Test
  void zeroEpochsIsRejected() throws IOException {
    assertBadInput(List.of("--epochs", "0", "--device", "reference"), "--epochs", "positive", "got 0");
  }

  @Test
  void negativeEpochsIsRejected() throws IOException {
    assertBadInput(List.of("--epochs", "-5", "--device", "reference"), "--epochs", "-5");
  }

  @Test
  void zeroLearningRateIsRejected() throws IOException {
    assertBadInput(List.of("--lr", "0", "--device", "reference"), "--lr", "positive finite");
  }

  @Test
  void negativeLearningRateIsRejected() throws IOException {
    assertBadInput(List.of("--lr", "-1", "--device", "reference"), "--lr", "-1");
  }

  @Test
  void nanLearningRateIsRejectedInAnySpelling() throws IOException {
    assertBadInput(List.of("--lr", "nan", "--device", "reference"), "--lr", "nan");
    assertBadInput(List.of("--lr", "NaN", "--device", "reference"), "--lr", "NaN");
    assertBadInput(List.of("--lr", "Infinity", "--device", "reference"), "--lr", "Infinity");
  }

  @Test
  void malformedInitModelJsonNamesTheFileAndSaysNotValidJson() throws IOException {
    Path model = Files.writeString(in.resolve("broken.json"), "{\"format\": \"cltrain-model\", \"version\": 1,");
    assertBadInput(List.of("--init-model", model.toString(), "--device", "reference"),
        model.toString(), "not valid JSON");
  }

  @Test
  void initModelWithWrongFormatNamesTheField() throws IOException {
    Path model = Files.writeString(in.resolve("other.json"), "{\"format\": \"keras\"}");
    assertBadInput(List.of("--init-model", model.toString(), "--device", "reference"),
        model.toString(), "\"format\"");
  }

  @Test
  void missingInitModelSaysFileNotFound() throws IOException {
    Path model = in.resolve("absent.json");
    assertBadInput(List.of("--init-model", model.toString(), "--device", "reference"),
        model.toString(), "file not found");
  }

  @Test
  void initModelWhoseInputWidthMismatchesTheDataSaysSo() throws IOException {
    Path model = in.resolve("three-inputs.json");
    ModelJson.save(Network.initNormal(new int[] {3, 1}, 1), model);
    assertBadInput(List.of("--init-model", model.toString(), "--device", "reference"),
        "--init-model " + model, "first width is 3", "2 input columns");
  }

  @Test
  void unknownDeviceSyntaxListsTheAcceptedForms() throws IOException {
    assertBadInput(List.of("--device", "foo"), "--device", "unknown device 'foo'", "reference");
  }

  @Test
  void unknownOptionNamesTheOption() throws IOException {
    assertBadInput(List.of("--bogus", "--device", "reference"), "Unknown option", "--bogus");
  }

  @Test
  void kernelsFolderThatDoesNotExistNamesTheOption() throws IOException {
    assertBadInput(List.of("--kernels", "/nonexistent", "--device", "reference"),
        "--kernels /nonexistent", "not a directory");
  }

  @Test
  void goodRunSavesALoadableModelThatAnotherRunCanStartFrom() throws IOException {
    Path model = outDir.resolve("trained.json");
    Run first = cli("train", "--epochs", "10", "--device", "reference", "--save", model.toString());
    assertEquals(0, first.exit(), first.toString());
    assertTrue(first.out().contains("saved:"), first.toString());
    Network trained = ModelJson.read(model);
    assertArrayEquals(new int[] {2, 1}, trained.widths());
    try (Stream<Path> files = Files.list(outDir)) {
      assertEquals(2, files.count(), "only the model beside the existing file, no temporary left: " + first);
    }

    Run second = cli("train", "--init-model", model.toString(), "--epochs", "1", "--device", "reference");
    assertEquals(0, second.exit(), second.toString());
    assertTrue(second.out().contains("final loss:"), second.toString());
  }

  @Test
  void goodRunOverwritesAnExistingSaveTarget() throws IOException {
    Run run = cli("train", "--epochs", "10", "--device", "reference", "--save", save.toString());
    assertEquals(0, run.exit(), run.toString());
    assertArrayEquals(new int[] {2, 1}, ModelJson.read(save).widths());
    try (Stream<Path> files = Files.list(outDir)) {
      assertEquals(List.of(save), files.toList(), "no temporary file left");
    }
  }

  @Test
  void saveIntoAMissingFolderIsRejectedBeforeTraining() throws IOException {
    Path target = tmp.resolve("no-such-folder").resolve("model.json");
    Run run = cli("train", "--device", "reference", "--save", target.toString());
    assertEquals(2, run.exit(), run.toString());
    assertEquals(1, run.err().lines().count(), run.toString());
    assertTrue(run.err().contains("--save") && run.err().contains("does not exist"), run.toString());
    assertEquals("", run.out(), "no training happened: " + run);
    assertFalse(Files.exists(target.getParent()));
  }

  @Test
  void explicitDeviceThatDoesNotExistExitsThreeListingUsableDevices() throws IOException {
    Run run = cli("train", "--device", "cl:9:9", "--epochs", "1", "--save", save.toString());
    assertEquals(ExitCodes.DEVICE, run.exit(), run.toString());
    assertTrue(run.err().contains("usable devices"), run.toString());
    assertTrue(run.err().contains("cl:9:9"), run.toString());
    assertFalse(run.err().contains("\tat "), "no stack trace: " + run);
    assertArrayEquals(KNOWN, Files.readAllBytes(save), "the existing --save file is unchanged");
  }
}
