package dev.cltrain.data;

import dev.cltrain.core.Wording;
import dev.cltrain.nn.Loss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The loss a CSV's single label column suggests when none is chosen: class labels (only integers 0..255, at
 * least two of them distinct, or at least two class names) suggest cross-entropy, with a note; anything else
 * suggests nothing. A header naming another column "label" (or target, class, y) while the label is the default
 * last column gets a note.
 *
 * @param loss  the loss suggested, or null for none
 * @param notes what was inferred or noticed, one line each
 */
public record LossInference(Loss loss, List<Wording> notes) {
  public LossInference {
    notes = List.copyOf(notes);
  }

  /** The most classes a label column of small non-negative integers may hold for cross-entropy to be inferred. */
  public static final int MAX_CLASSES = 256;

  /** Header names that say "this column is the label" (Kaggle's MNIST CSV has it first). */
  private static final List<String> LABEL_NAMES = List.of("label", "target", "class", "y");

  /**
   * Reads the label column of {@code data} when it is a CSV file with one label column; builtin and generated
   * data, folders and several label columns suggest nothing.
   *
   * @param data    the data's spec: a file, or a builtin or generated set
   * @param layout  its label column (by default the last), ignored columns and the missing-cell rule
   * @param outputs the network's output width as given, 0 for none; asked only for integer labels, which it
   *                must fit (max + 1 classes, at least 2) for cross-entropy to be inferred
   * @param net     whether that width is the last layer of {@code net} (else of {@code layers}), for the note
   * @return the suggestion and its notes
   * @throws dev.cltrain.core.InputException on a bad input cell, as loading the file would report it
   */
  public static LossInference of(String data, CsvLayout layout, IntSupplier outputs, boolean net) {
    List<Wording> notes = new ArrayList<>();
    if (Builtins.has(data) || Generated.matches(data) || layout.label().size() > 1) {
      return new LossInference(null, notes);
    }
    Path path = Path.of(data);
    if (Files.isDirectory(path) || !Files.isRegularFile(path)) {
      return new LossInference(null, notes);
    }
    CsvLabels.Labels peek = CsvLabels.readLabels(path, layout);
    List<String> header = peek.header();
    if (header != null && layout.label().isEmpty()) {
      for (int c = 0; c < header.size() - 1; c++) {
        if (LABEL_NAMES.contains(header.get(c).toLowerCase(Locale.ROOT))) {
          notes.add(Wording.of("note: column " + (c + 1) + " of " + path.getFileName() + " is named '" + header.get(c)
              + "', but the label is the last column ('" + header.get(header.size() - 1) + "'); give ",
              Wording.param("label"), " " + header.get(c) + " to learn it"));
          break;
        }
      }
    }
    List<String> cells = peek.labels();
    String column = layout.label().isEmpty() ? "the last column" : "column " + layout.label().get(0);
    if (!cells.stream().allMatch(CsvNumbers::isNumber)) { // class names
      long names = cells.stream().distinct().count();
      if (names >= 2) { // one name is more likely a stray word
        notes.add(Wording.of("note: " + column + " of " + path.getFileName() + " holds " + names
            + " class names: training a classifier (", Wording.param("loss"), " xent)"));
        return new LossInference(Loss.XENT, notes);
      }
      return new LossInference(null, notes);
    }
    float[] y = new float[cells.size()];
    for (int r = 0; r < y.length; r++) {
      y[r] = CsvNumbers.parse(cells.get(r));
    }
    float max = -1;
    boolean distinct = false;
    for (float v : y) {
      if (v < 0 || v != Math.rint(v) || v >= MAX_CLASSES) {
        return new LossInference(null, notes);
      }
      distinct |= v != y[0];
      max = Math.max(max, v);
    }
    int lastWidth = outputs.getAsInt();
    if (distinct && lastWidth != 0 && lastWidth != Math.max(2, (int) max + 1)) {
      notes.add(Wording.of("note: " + column + " of " + path.getFileName() + " holds integer labels 0.." + (int) max
          + ", but ", net ? Wording.of(Wording.param("net"), "'s output layer is dense:")
              : Wording.of(Wording.param("layers"), " ends in "), lastWidth + ": training ", Wording.param("loss"),
          " mse on them as numbers (", Wording.param("loss"), " xent for a classifier)"));
      return new LossInference(null, notes);
    }
    if (distinct) {
      notes.add(Wording.of("note: " + column + " of " + path.getFileName() + " holds integer labels 0.." + (int) max
          + ": training a classifier (", Wording.param("loss"), " xent, " + ((int) max + 1) + " classes); give ",
          Wording.param("loss"), " mse for regression"));
      return new LossInference(Loss.XENT, notes);
    }
    return new LossInference(null, notes);
  }
}
