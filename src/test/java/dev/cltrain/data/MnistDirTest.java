package dev.cltrain.data;

import static dev.cltrain.data.IdxFiles.bytes;
import static dev.cltrain.data.IdxFiles.gzip;
import static dev.cltrain.data.IdxFiles.images;
import static dev.cltrain.data.IdxFiles.labels;
import static dev.cltrain.data.IdxFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistDirTest {
  @TempDir
  Path dir;

  /** Three 2×2 training images labelled 0, 3, 1; two test images labelled 2, 0. */
  private void writeTinyMnist(boolean trainGz, boolean testGz) {
    byte[] trainImages = images(3, 2, 2, bytes(0, 51, 255, 0, 255, 255, 255, 255, 0, 0, 0, 51));
    byte[] trainLabels = labels(3, 0, 3, 1);
    byte[] testImages = images(2, 2, 2, bytes(51, 51, 51, 51, 0, 0, 0, 255));
    byte[] testLabels = labels(2, 2, 0);
    write(dir.resolve(MnistDir.TRAIN_IMAGES + (trainGz ? ".gz" : "")), trainGz ? gzip(trainImages) : trainImages);
    write(dir.resolve(MnistDir.TRAIN_LABELS), trainLabels);
    write(dir.resolve(MnistDir.TEST_IMAGES + (testGz ? ".gz" : "")), testGz ? gzip(testImages) : testImages);
    write(dir.resolve(MnistDir.TEST_LABELS + ".gz"), gzip(testLabels));
  }

  private static void assertMentions(InputException e, String... parts) {
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), () -> "message lacks '" + part + "': " + e.getMessage());
    }
  }

  @Test
  void mixOfGzAndRawFilesLoadsTrainAndTestWithOneHotLabelsAndScaledPixels() {
    writeTinyMnist(true, false);
    TrainingData loaded = MnistDir.load(dir);
    assertEquals(4, loaded.classes(), "K = max label 3 + 1");
    assertEquals(1 / 255f, loaded.inputScale());
    assertNull(loaded.validation());

    DataSet train = loaded.train();
    assertEquals(3, train.rows());
    assertEquals(4, train.inputs(), "2×2 pixels flatten to 4 inputs");
    assertEquals(4, train.outputs());
    assertArrayEquals(new float[] {0, 0.2f, 1, 0}, train.inputRow(0), 0f);
    assertArrayEquals(new float[] {1, 0, 0, 0}, train.targetRow(0), 0f);
    assertArrayEquals(new float[] {0, 0, 0, 1}, train.targetRow(1), 0f);
    assertArrayEquals(new float[] {0, 1, 0, 0}, train.targetRow(2), 0f);

    DataSet test = loaded.test();
    assertEquals(2, test.rows());
    assertEquals(4, test.inputs());
    assertEquals(4, test.outputs());
    assertArrayEquals(new float[] {0.2f, 0.2f, 0.2f, 0.2f}, test.inputRow(0), 0f);
    assertArrayEquals(new float[] {0, 0, 1, 0}, test.targetRow(0), 0f);
    assertArrayEquals(new float[] {1, 0, 0, 0}, test.targetRow(1), 0f);
  }

  @Test
  void classesCountTestLabelsTooAndAreAtLeastTwo() {
    write(dir.resolve(MnistDir.TRAIN_IMAGES), images(2, 1, 1, bytes(1, 2)));
    write(dir.resolve(MnistDir.TRAIN_LABELS), labels(2, 0, 0));
    assertEquals(2, MnistDir.load(dir).classes(), "all labels 0 still gives 2 classes");
    write(dir.resolve(MnistDir.TEST_IMAGES), images(1, 1, 1, bytes(1)));
    write(dir.resolve(MnistDir.TEST_LABELS), labels(1, 6));
    assertEquals(7, MnistDir.load(dir).classes(), "a test label 6 makes K = 7");
  }

  @Test
  void explicitClassesWidenTheOneHotAndRejectLabelsAtOrOverIt() {
    writeTinyMnist(false, false);
    TrainingData wide = MnistDir.load(dir, 10);
    assertEquals(10, wide.classes());
    assertEquals(10, wide.train().outputs());
    assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, wide.train().targetRow(1), 0f);
    InputException e = assertThrows(InputException.class, () -> MnistDir.load(dir, 3));
    assertMentions(e, MnistDir.TRAIN_LABELS, "label 3", "3 classes");
  }

  @Test
  void rawFileIsPreferredWhenBothRawAndGzExist() {
    write(dir.resolve(MnistDir.TRAIN_IMAGES), images(1, 1, 2, bytes(255, 0)));
    write(dir.resolve(MnistDir.TRAIN_IMAGES + ".gz"), gzip(images(1, 1, 2, bytes(0, 255))));
    write(dir.resolve(MnistDir.TRAIN_LABELS), labels(1, 1));
    write(dir.resolve(MnistDir.TRAIN_LABELS + ".gz"), new byte[] {1, 2, 3}); // would fail if read
    TrainingData loaded = MnistDir.load(dir);
    assertArrayEquals(new float[] {1, 0}, loaded.train().inputRow(0), 0f);
    assertTrue(loaded.train().name().endsWith(MnistDir.TRAIN_IMAGES));
  }

  @Test
  void missingTrainFilesAreNamedWithTheFolder() {
    InputException both = assertThrows(InputException.class, () -> MnistDir.load(dir));
    assertMentions(both, dir.toString(), "missing", MnistDir.TRAIN_IMAGES, MnistDir.TRAIN_LABELS);
    write(dir.resolve(MnistDir.TRAIN_IMAGES + ".gz"), gzip(images(1, 1, 1, bytes(1))));
    InputException labelsOnly = assertThrows(InputException.class, () -> MnistDir.load(dir));
    assertMentions(labelsOnly, dir.toString(), "missing " + MnistDir.TRAIN_LABELS);
    assertTrue(!labelsOnly.getMessage().contains(MnistDir.TRAIN_IMAGES), labelsOnly.getMessage());
  }

  @Test
  void testImagesWithoutTestLabelsAndViceVersaAreRejected() {
    write(dir.resolve(MnistDir.TRAIN_IMAGES), images(1, 1, 1, bytes(1)));
    write(dir.resolve(MnistDir.TRAIN_LABELS), labels(1, 1));
    Path testImages = write(dir.resolve(MnistDir.TEST_IMAGES), images(1, 1, 1, bytes(1)));
    assertMentions(assertThrows(InputException.class, () -> MnistDir.load(dir)),
        MnistDir.TEST_IMAGES + " is there but " + MnistDir.TEST_LABELS);
    try {
      Files.delete(testImages);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    write(dir.resolve(MnistDir.TEST_LABELS + ".gz"), gzip(labels(1, 1)));
    assertMentions(assertThrows(InputException.class, () -> MnistDir.load(dir)),
        MnistDir.TEST_LABELS + ".gz is there but " + MnistDir.TEST_IMAGES);
  }

  @Test
  void testImagesOfAnotherSizeThanTrainingImagesAreRejected() {
    write(dir.resolve(MnistDir.TRAIN_IMAGES), images(1, 2, 2, bytes(1, 2, 3, 4)));
    write(dir.resolve(MnistDir.TRAIN_LABELS), labels(1, 1));
    write(dir.resolve(MnistDir.TEST_IMAGES), images(1, 1, 3, bytes(1, 2, 3)));
    write(dir.resolve(MnistDir.TEST_LABELS), labels(1, 0));
    assertMentions(assertThrows(InputException.class, () -> MnistDir.load(dir)),
        MnistDir.TEST_IMAGES, "1×3 = 3 inputs", "2×2 = 4");
  }

  @Test
  void notADirectoryIsReported() {
    Path file = write(dir.resolve("file"), new byte[] {1});
    assertMentions(assertThrows(InputException.class, () -> MnistDir.load(file)), file.toString(), "not a directory");
    assertMentions(assertThrows(InputException.class, () -> MnistDir.load(dir.resolve("absent"))), "not found");
  }

  @Test
  void dataSetsLoadOfAFolderUsesT10kAsTestAndATestCsvReplacesItScaledLikeTheImages() throws Exception {
    writeTinyMnist(false, true);
    TrainingData fromDir = DataSets.load(new DataOptions(dir.toString(), 1, false, 0, null, 0, 0));
    assertEquals(4, fromDir.classes());
    assertEquals(2, fromDir.test().rows());

    Path csv = Files.writeString(dir.resolve("test.csv"), "255,0,0,51,3\n0,0,0,0,0\n0,0,0,0,1\n");
    TrainingData withCsv = DataSets.load(new DataOptions(dir.toString(), 1, true, 0, csv.toString(), 0, 0));
    assertEquals(3, withCsv.test().rows(), "the --test file wins over the t10k pair");
    assertEquals(4, withCsv.test().outputs());
    assertArrayEquals(new float[] {1, 0, 0, 0.2f}, withCsv.test().inputRow(0), 0f, "raw 0..255 scaled by 1/255");
    assertArrayEquals(new float[] {0, 0, 0, 1}, withCsv.test().targetRow(0), 0f);
  }

  @Test
  void scaleInputsOfIdxDataDividesBy255ExactlyAsThePixelsWere() {
    TrainingData idx = new TrainingData(new DataSet("t", 1, 1, 1, new float[1], new float[1]), null, null, 1 / 255f, 2);
    float[] raw = new float[256];
    for (int b = 0; b < 256; b++) {
      raw[b] = b;
    }
    idx.scaleInputs(raw);
    for (int b = 0; b < 256; b++) {
      assertEquals(b / 255f, raw[b], 0f, "pixel " + b);
    }
    float[] same = {3, 4};
    new TrainingData(idx.train(), null, null, 1f, 0).scaleInputs(same);
    assertArrayEquals(new float[] {3, 4}, same, 0f);
  }

  @Test
  void fashionMnistInTheSystemDatasetsFolderLoadsWithItsKnownShape() {
    Path fashion = Path.of("/usr/share/datasets/fashion-mnist");
    Assumptions.assumeTrue(Files.isDirectory(fashion), "no " + fashion);
    TrainingData loaded = MnistDir.load(fashion);
    assertEquals(60000, loaded.train().rows());
    assertEquals(10000, loaded.test().rows());
    assertEquals(784, loaded.train().inputs());
    assertEquals(784, loaded.test().inputs());
    assertEquals(10, loaded.classes());
    assertEquals(10, loaded.train().outputs());
    float sum = 0;
    float max = 0;
    for (float v : loaded.train().x()) {
      max = Math.max(max, v);
    }
    for (int i = 0; i < 10; i++) {
      sum += loaded.train().targetRow(0)[i];
    }
    assertEquals(1f, max, "some pixel is 255");
    assertEquals(1f, sum, "one-hot");
  }
}
