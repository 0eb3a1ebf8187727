package dev.cltrain.data;

import dev.cltrain.core.InputException;
import java.nio.file.Path;

/**
 * A CSV's label column: a class label checked as a number, the class names of a column of words, and the label
 * cells as text, which {@code train} looks at to tell class labels from regression targets.
 */
public final class CsvLabels {
  private CsvLabels() {}

  /**
   * The classes that label cells name, as {@link CsvReader#readClassified} takes them: when any cell is not a number (nor
   * NaN or Inf), every cell is a class name and the classes are the distinct names sorted; else null (integer
   * labels).
   *
   * @param labelCells the stripped label cells (of all rows, or their distinct values)
   * @return the class names in class order, or null when every label is a number
   */
  public static java.util.List<String> classNames(java.util.Collection<String> labelCells) {
    for (String label : labelCells) {
      if (!CsvNumbers.isNumber(label) && !CsvNumbers.isNonFinite(label)) {
        return new java.util.ArrayList<>(new java.util.TreeSet<>(labelCells));
      }
    }
    return null;
  }

  /**
   * A CSV's header and the text of its one label column, as read for a classifier (the inputs must be
   * numbers): what {@code train} looks at to tell class labels from regression targets.
   *
   * @param header the header line's cells, or null when the file has none
   * @param labels the label cells, one per row, stripped
   */
  public record Labels(java.util.List<String> header, java.util.List<String> labels) {}

  /**
   * Reads {@code file}'s inputs as numbers and its label column as text.
   *
   * @param file   the CSV file
   * @param layout the label column (one; by default the last), ignored columns and the missing-cell rule
   * @return the header and the label cells
   * @throws InputException on a bad cell or row, or a layout naming several label columns
   */
  public static Labels readLabels(Path file, CsvLayout layout) {
    CsvScan s = CsvScan.scan(file, layout, 1, true, -1, false);
    return new Labels(s.header, s.labelCells);
  }

  /**
   * A class label: a number with an integer value (2 or 2.0), {@code 0 ≤ label < classes} (or
   * {@code < CsvReader.MAX_CLASSES} when classes is 0).
   *
   * @param cell    the stripped cell
   * @param name    the file, for messages
   * @param line    its line
   * @param column  its column, from 1
   * @param classes K, or 0 for any label below {@link CsvReader#MAX_CLASSES}
   * @return the label
   * @throws InputException naming the place when the cell is not such a label
   */
  public static int classLabel(String cell, String name, long line, int column, int classes) {
    String where = CsvReader.where(name, line, column);
    float value;
    try {
      value = CsvNumbers.value(cell);
    } catch (NumberFormatException e) {
      throw new InputException(where + ": " + e.getMessage());
    }
    if (value != Math.rint(value)) {
      throw new InputException(where + ": class label '" + CsvNumbers.abbreviate(cell) + "' is not an integer");
    }
    if (value < 0) {
      throw new InputException(where + ": class label " + CsvNumbers.abbreviate(cell) + " is negative; labels are 0..K-1");
    }
    if (classes > 0 && value >= classes) {
      throw new InputException(where + ": class label " + CsvNumbers.abbreviate(cell) + " is out of range for " + classes
          + " classes (0.." + (classes - 1) + ")");
    }
    if (value >= CsvReader.MAX_CLASSES) {
      throw new InputException(where + ": class label " + CsvNumbers.abbreviate(cell) + " is too large (at most "
          + (CsvReader.MAX_CLASSES - 1) + ")");
    }
    return (int) value;
  }
}
