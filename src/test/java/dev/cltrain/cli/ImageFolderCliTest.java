package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.data.IdxReader;
import dev.cltrain.data.ImageFolderWriter;
import dev.cltrain.data.MnistDir;
import dev.cltrain.testing.IdxFolders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --data DIR} of class subfolders of images, and {@code predict --image}: the same model as from the IDX
 * folder the images were written from, class names from the folders, damaged files, and bad input (exit 2, one
 * line). Every run uses {@code --device reference} and images of at most 6x6.
 */
class ImageFolderCliTest {
  private static final String NET = "conv:4:3,relu,maxpool:2,flatten,dense:3";

  @TempDir
  Path tmp;

  /** The model file with its "training.data" (the data's path, which differs by design) blanked. */
  private static String withoutDataPath(Path model) throws IOException {
    String text = Files.readString(model);
    String blanked = text.replaceFirst("\"data\"\\s*:\\s*\"[^\"]*\"", "\"data\":\"\"");
    assertNotEquals(text, blanked, "the model names its data: " + model);
    return blanked;
  }

  private static List<String> epochLines(Cli run) {
    return run.outLines().stream().filter(l -> l.startsWith("Epoch")).toList();
  }

  private static void assertBad(Cli run, String... phrases) {
    assertEquals(2, run.exit(), "exit 2: " + run);
    List<String> lines = run.err().lines().toList();
    assertEquals(1, lines.size(), "one line on stderr: " + run);
    assertFalse(lines.get(0).contains("Exception"), "no exception text: " + run);
    for (String phrase : phrases) {
      assertTrue(lines.get(0).contains(phrase), "expected '" + phrase + "': " + run);
    }
  }

  private static void gray(Path file, int width, int height, int... values) throws IOException {
    Files.createDirectories(file.getParent());
    ImageFolderWriter.writeGray(file, height, width, values);
  }

  @Test
  void theImageFolderOfAnIdxSetTrainsTheIdxModelBitForBitAndPredictReadsItsImagesAsTheIdxRows() throws IOException {
    Path idx = IdxFolders.write(tmp.resolve("idx"));
    Path png = tmp.resolve("png");
    ImageFolderWriter.write(idx, png);
    Path fromIdx = tmp.resolve("idx.json");
    Path fromPng = tmp.resolve("png.json");
    List<String> common = List.of("--net", NET, "--epochs", "1", "--batch-size", "32", "--optimizer", "adam",
        "--device", "reference");
    Cli a = Cli.run(args("train", "--data", idx.toString(), "--save", fromIdx.toString(), common));
    Cli b = Cli.run(args("train", "--data", png.toString(), "--save", fromPng.toString(), common));
    assertEquals(0, a.exit(), a.toString());
    assertEquals(0, b.exit(), b.toString());
    assertEquals(1, epochLines(a).size(), a.toString());
    assertTrue(epochLines(a).get(0).contains("Test accuracy"), "the t10k pair and test/ are the test sets: " + a);
    assertEquals(epochLines(a), epochLines(b), "the same log lines, digit for digit");
    assertEquals(withoutDataPath(fromIdx), withoutDataPath(fromPng), "the same model file but the data's path");
    // issue 26: the folder decoded once into the row cache and streamed trains to the in-memory run's bytes
    Path streamed = tmp.resolve("png-streamed.json");
    List<String> streaming = new java.util.ArrayList<>(common);
    streaming.addAll(List.of("--stream", "on", "--cache", tmp.resolve("cache").toString()));
    Cli c = Cli.run(args("train", "--data", png.toString(), "--save", streamed.toString(), streaming));
    assertEquals(0, c.exit(), c.toString());
    assertTrue(c.err().contains("converted " + png + " into the row cache: "), c.toString());
    assertEquals(epochLines(b), epochLines(c), "streamed: the same log lines");
    assertEquals(Files.readString(fromPng), Files.readString(streamed), "streamed: the same model file");

    // predict --image: the same outputs, as text, as predict --data of the IDX test rows' raw pixels
    IdxReader.Images t10k = IdxReader.readImages(idx.resolve(MnistDir.TEST_IMAGES));
    StringBuilder csv = new StringBuilder();
    for (int row = 0; row < 2; row++) {
      for (int j = 0; j < t10k.width(); j++) {
        csv.append(j == 0 ? "" : ",").append(Math.round(t10k.pixels()[row * t10k.width() + j] * 255));
      }
      csv.append('\n');
    }
    Path raw = Files.writeString(tmp.resolve("raw.csv"), csv);
    Cli byRows = Cli.run("predict", "--model", fromPng.toString(), "--data", raw.toString(), "--device", "reference");
    Path first = png.resolve("test/0/00000.png");
    Path second = png.resolve("test/1/00001.png");
    Cli byImages = Cli.run("predict", "--model", fromPng.toString(), "--image", first.toString(), second.toString(),
        "--device", "reference");
    assertEquals(0, byImages.exit(), byImages.toString());
    List<String> rows = byRows.outLines();
    List<String> images = byImages.outLines();
    assertEquals("file," + rows.get(0), images.get(0), "header: file, then predict --data's");
    assertEquals(first + "," + rows.get(1), images.get(1));
    assertEquals(second + "," + rows.get(2), images.get(2));
    assertEquals(3, images.size(), byImages.toString());
    Path damaged = Files.writeString(tmp.resolve("damaged.png"), "not a PNG");
    assertBad(Cli.run("predict", "--model", fromPng.toString(), "--image", first.toString(), damaged.toString(),
        "--device", "reference"), damaged.toString(), "not a PNG, JPEG, BMP or GIF image");
  }

  @Test
  void classNamesComeFromTheFoldersAndInputShapeResizesForADenseNet() throws IOException {
    Path dir = tmp.resolve("pets");
    gray(dir.resolve("cat/1.png"), 2, 2, 200, 200, 0, 0);
    gray(dir.resolve("cat/2.png"), 2, 2, 210, 190, 10, 0);
    gray(dir.resolve("dog/1.png"), 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255);
    gray(dir.resolve("dog/2.png"), 2, 2, 0, 5, 250, 255);
    Path model = tmp.resolve("pets.json");
    Cli mixed = Cli.run("train", "--data", dir.toString(), "--layers", "4,2", "--epochs", "1", "--device",
        "reference");
    assertBad(mixed, dir.resolve("dog/1.png").toString(), "4x4 pixels", "the first image is 2x2", "--input-shape");
    Cli train = Cli.run("train", "--data", dir.toString(), "--input-shape", "2x2x1", "--layers", "4,2", "--loss",
        "xent", "--lr", "1", "--epochs", "200", "--device", "reference", "--save", model.toString());
    assertEquals(0, train.exit(), train.toString());
    assertTrue(Files.readString(model).replaceAll("\\s", "").contains("\"classNames\":[\"cat\",\"dog\"]"),
        Files.readString(model));
    Cli bare = Cli.run("predict", "--model", model.toString(), "--image", dir.resolve("dog/1.png").toString(),
        "--device", "reference");
    assertBad(bare, "the model's input is 4 values, not an image", "--input-shape HxWxC");
    Cli predict = Cli.run("predict", "--model", model.toString(), "--input-shape", "2x2x1", "--image",
        dir.resolve("dog/1.png").toString(), dir.resolve("cat/1.png").toString(), "--device", "reference");
    assertEquals(0, predict.exit(), predict.toString());
    assertEquals("file,output_0,output_1,class,class_name", predict.outLines().get(0));
    assertTrue(predict.outLines().get(1).endsWith(",1,dog"), "the 4x4 dog, resized to 2x2: " + predict);
    assertTrue(predict.outLines().get(2).endsWith(",0,cat"), predict.toString());
  }

  @Test
  void damagedFilesAreNamedOrSkippedInOneLine() throws IOException {
    Path dir = tmp.resolve("d");
    gray(dir.resolve("0/1.png"), 2, 2, 0, 0, 0, 0);
    gray(dir.resolve("1/2.png"), 2, 2, 9, 9, 9, 9);
    Path bad = Files.writeString(dir.resolve("1/3.jpg"), "not a JPEG");
    assertBad(Cli.run("train", "--data", dir.toString(), "--epochs", "1", "--device", "reference"), bad.toString(),
        "not a PNG, JPEG, BMP or GIF image");
    // the count is a notice on the JVM's stderr (Notices), caught here
    java.io.PrintStream before = System.err;
    java.io.ByteArrayOutputStream notices = new java.io.ByteArrayOutputStream();
    Cli skipped;
    try {
      System.setErr(new java.io.PrintStream(notices, true, java.nio.charset.StandardCharsets.UTF_8));
      skipped = Cli.run("train", "--data", dir.toString(), "--skip-bad-files", "--epochs", "1", "--device",
          "reference");
    } finally {
      System.setErr(before);
    }
    assertEquals(0, skipped.exit(), skipped.toString());
    List<String> said = notices.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
        .filter(l -> l.contains("skipped")).toList();
    assertEquals(List.of("cltrain: skipped 1 image file that could not be decoded (--skip-bad-files), the first: "
        + bad + ": not a PNG, JPEG, BMP or GIF image (no ImageIO reader recognises its contents)"), said);
    assertTrue(skipped.out().contains("on the 2 training rows"), "the two good images train: " + skipped);
    String[] streamed = {"train", "--data", dir.toString(), "--skip-bad-files", "--epochs", "1", "--device",
        "reference", "--stream", "on", "--cache", tmp.resolve("cache").toString()};
    for (int run = 0; run < 2; run++) { // converting, then from the cache: the same count
      notices.reset();
      Cli s;
      try {
        System.setErr(new java.io.PrintStream(notices, true, java.nio.charset.StandardCharsets.UTF_8));
        s = Cli.run(streamed);
      } finally {
        System.setErr(before);
      }
      assertEquals(0, s.exit(), s.toString());
      assertTrue(s.out().contains("on the 2 training rows"), "streamed, the two good images train: " + s);
      String line = notices.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
          .filter(l -> l.contains("skipped")).findFirst().orElse("");
      assertTrue(line.startsWith("cltrain: skipped 1 image file that could not be decoded (--skip-bad-files)"),
          "run " + run + ": " + line);
    }
  }

  @Test
  void badImageFolderInputIsExitTwoAndOneLine() throws IOException {
    Path dir = tmp.resolve("d");
    gray(dir.resolve("a/1.png"), 1, 1, 0);
    gray(dir.resolve("b/1.png"), 1, 1, 255);
    assertBad(Cli.run("train", "--data", "xor", "--skip-bad-files", "--device", "reference"), "--skip-bad-files",
        "applies to an image folder only");
    assertBad(Cli.run("train", "--data", dir.toString(), "--input-shape", "1x1x2", "--device", "reference"),
        "--input-shape", "1 channel (grayscale) or 3 (RGB)");
    gray(dir.resolve("val/a/2.png"), 1, 1, 0);
    assertBad(Cli.run("train", "--data", dir.toString(), "--validation-split", "0.5", "--device", "reference"),
        "--validation-split", "val/ folder is the validation set");
    Files.createDirectories(dir.resolve("c"));
    assertBad(Cli.run("train", "--data", dir.toString(), "--device", "reference"), dir.resolve("c").toString(),
        "no PNG, JPEG, BMP or GIF files");
  }

  private static String[] args(String command, String option, String value, String saveOption, String save,
      List<String> rest) {
    List<String> all = new ArrayList<>(Arrays.asList(command, option, value, saveOption, save));
    all.addAll(rest);
    return all.toArray(String[]::new);
  }
}
