package dev.cltrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cltrain.core.Wording;
import dev.cltrain.nn.Loss;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LossInference}: class labels suggest cross-entropy, a network whose output width does not fit them keeps
 * MSE, and the notes name parameters in Java terms (the command line calls them by their options).
 */
class LossInferenceTest {
  @TempDir Path dir;

  private String csv(String text) throws IOException {
    Path file = dir.resolve("d.csv");
    Files.writeString(file, text);
    return file.toString();
  }

  private static List<String> java(LossInference inferred) {
    return inferred.notes().stream().map(Wording::toString).toList();
  }

  @Test
  void classNamesSuggestCrossEntropyWithoutAskingTheOutputWidth() throws IOException {
    LossInference inferred = LossInference.of(csv("1,2,dog\n3,4,cat\n"), CsvLayout.DEFAULT,
        () -> { throw new AssertionError("the output width is asked for integer labels only"); }, false);
    assertEquals(Loss.XENT, inferred.loss());
    assertEquals(List.of("note: the last column of d.csv holds 2 class names: training a classifier (loss xent)"),
        java(inferred));
  }

  @Test
  void integerLabelsSuggestCrossEntropyUnlessTheGivenOutputWidthDoesNotFitThem() throws IOException {
    String data = csv("label,a,y\n0,1,0\n0,2,2\n0,3,1\n");
    LossInference fits = LossInference.of(data, CsvLayout.DEFAULT, () -> 3, false);
    assertEquals(Loss.XENT, fits.loss());
    assertEquals(List.of("note: column 1 of d.csv is named 'label', but the label is the last column ('y'); give label "
        + "label to learn it", "note: the last column of d.csv holds integer labels 0..2: training a classifier (loss "
        + "xent, 3 classes); give loss mse for regression"), java(fits));
    LossInference misfit = LossInference.of(data, CsvLayout.DEFAULT, () -> 1, true);
    assertNull(misfit.loss(), "an output width of 1 keeps the default loss");
    assertEquals("note: the last column of d.csv holds integer labels 0..2, but net's output layer is dense:1: "
        + "training loss mse on them as numbers (loss xent for a classifier)", java(misfit).get(1));
  }

  @Test
  void builtinDataAndNumbersThatAreNoClassLabelsSuggestNothing() throws IOException {
    assertEquals(new LossInference(null, List.of()), LossInference.of("xor", CsvLayout.DEFAULT, () -> 0, false));
    assertEquals(new LossInference(null, List.of()),
        LossInference.of(csv("1,2,0.5\n3,4,1\n"), CsvLayout.DEFAULT, () -> 0, false));
  }
}
