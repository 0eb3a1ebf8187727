package dev.cltrain.data;

import dev.cltrain.core.Wording;
import dev.cltrain.core.InputException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which columns of a CSV are labels, which are left out, and what a missing cell does: the grammar of
 * {@code --label}, {@code --ignore} and {@code --missing}, shared by train, eval, predict, SparkTrain and the
 * API. A column is named by its number (1 for the first) or by its name in the header line; the label columns
 * (by default the last one, or the last K with {@code --targets K}) are the targets, the ignored columns are
 * not read at all, and the rest, in file order, are the inputs. A missing cell (empty, {@code NA},
 * {@code N/A}, {@code #N/A}, {@code null} or {@code None}) in a column that is read is an error naming its line
 * and column, or with {@code dropMissing} leaves its row out.
 *
 * @param label       the label columns, in target order; empty for the default (the last column or columns)
 * @param ignore      the columns not read
 * @param dropMissing whether a row with a missing cell is left out (else refused)
 * @serial exclude
 */
public record CsvLayout(List<String> label, List<String> ignore, boolean dropMissing) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The last column (or last {@code --targets} columns) is the label, nothing is ignored, a missing cell is refused. */
  public static final CsvLayout DEFAULT = new CsvLayout(List.of(), List.of(), false);

  /**
   * Checks the column names.
   *
   * @param label       the label columns, or null for none given
   * @param ignore      the ignored columns, or null for none
   * @param dropMissing whether rows with a missing cell are left out
   * @throws InputException if a column is blank
   */
  public CsvLayout {
    label = List.copyOf(label == null ? List.of() : label);
    ignore = List.copyOf(ignore == null ? List.of() : ignore);
    for (String c : label) {
      checkName(c, "label");
    }
    for (String c : ignore) {
      checkName(c, "ignore");
    }
  }

  /**
   * The layout the command-line options give.
   *
   * @param label   --label's columns (null or empty: the default)
   * @param ignore  --ignore's columns (null: none)
   * @param missing --missing: {@code error} (default, also for null) or {@code drop}
   * @return the layout
   * @throws InputException if {@code missing} is neither, or a column is blank
   */
  public static CsvLayout of(List<String> label, List<String> ignore, String missing) {
    boolean drop;
    if (missing == null || missing.equals("error")) {
      drop = false;
    } else if (missing.equals("drop")) {
      drop = true;
    } else {
      throw InputException.parameter("missing", "must be error or drop, got '" + missing + "'");
    }
    return new CsvLayout(label, ignore, drop);
  }

  /**
   * @param columns the label columns, by number (from 1) or header name, in target order
   * @return this layout with those label columns
   */
  public CsvLayout withLabel(String... columns) {
    return new CsvLayout(Arrays.asList(columns), ignore, dropMissing);
  }

  /**
   * @param columns the columns to leave out, by number (from 1) or header name
   * @return this layout ignoring those columns
   */
  public CsvLayout withIgnore(String... columns) {
    return new CsvLayout(label, Arrays.asList(columns), dropMissing);
  }

  /**
   * @param drop whether a row with a missing cell is left out (else refused)
   * @return this layout with that rule
   */
  public CsvLayout withDropMissing(boolean drop) {
    return new CsvLayout(label, ignore, drop);
  }

  /** @return whether this is {@link #DEFAULT} */
  public boolean isDefault() {
    return label.isEmpty() && ignore.isEmpty() && !dropMissing;
  }

  /**
   * @param data data that is not a CSV file
   * @return the refusal of a layout other than the default for it
   */
  public static InputException notCsv(String data) {
    return new InputException("label, ignore and missing (the CSV layout) apply to CSV data, not to " + data);
  }

  private static void checkName(String column, String option) {
    if (column == null || column.isBlank()) {
      throw InputException.parameter(option, "needs a column: its number (1 for the first) or its name in the header");
    }
  }

  /** The missing-value markers: a cell equal to one of these (ignoring case) or empty is missing. */
  private static final List<String> MISSING = List.of("NA", "N/A", "#N/A", "null", "None");

  /**
   * @param cell a stripped cell
   * @return whether it marks a missing value: empty, NA, N/A, #N/A, null or None (any case)
   */
  public static boolean isMissing(String cell) {
    if (cell.isEmpty()) {
      return true;
    }
    for (String m : MISSING) {
      if (m.equalsIgnoreCase(cell)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Resolves the columns on a file's first data row.
   *
   * @param file          the file's name, for messages
   * @param header        the header line's cells, or null when the file has none
   * @param columns       the cells per row
   * @param firstLine     the first data row's line
   * @param defaultLabels the label columns when {@link #label} is empty: that many last columns (not ignored)
   * @param classifier    whether the label is a class label (exactly one label column)
   * @return the resolved columns
   * @throws InputException when a column is not in the file, is both label and ignored, or no input is left
   */
  public Columns resolve(String file, List<String> header, int columns, int firstLine, int defaultLabels,
      boolean classifier) {
    boolean[] ignored = new boolean[columns];
    for (String c : ignore) {
      int i = index(c, "ignore", file, header, columns);
      if (ignored[i]) {
        throw InputException.parameter("ignore", "names column " + (i + 1) + " twice");
      }
      ignored[i] = true;
    }
    List<Integer> labels = new ArrayList<>();
    if (label.isEmpty()) {
      for (int i = columns - 1; i >= 0 && labels.size() < defaultLabels; i--) {
        if (!ignored[i]) {
          labels.add(0, i);
        }
      }
    } else {
      for (String c : label) {
        int i = index(c, "label", file, header, columns);
        if (ignored[i]) {
          throw new InputException("column " + (i + 1) + " (" + c + ") is given to both label and ignore");
        }
        if (labels.contains(i)) {
          throw InputException.parameter("label", "names column " + (i + 1) + " twice");
        }
        labels.add(i);
      }
      if (classifier && labels.size() != 1) {
        throw InputException.parameter("label", "names " + labels.size() + " columns, but a classifier (loss xent) takes "
            + "one class-label column");
      }
    }
    List<Integer> inputs = new ArrayList<>();
    for (int i = 0; i < columns; i++) {
      if (!ignored[i] && !labels.contains(i)) {
        inputs.add(i);
      }
    }
    if (inputs.isEmpty() || labels.size() < defaultLabels && label.isEmpty()) {
      String needed = !label.isEmpty() ? "the label column" + (labels.size() == 1 ? "" : "s")
          : classifier ? "a class label column"
          : defaultLabels + " target column" + (defaultLabels == 1 ? "" : "s");
      throw new InputException(file + ":" + firstLine + ": " + columns + " column" + (columns == 1 ? "" : "s")
          + (ignore.isEmpty() ? "" : " (" + ignore.size() + " ignored)") + ", but " + needed
          + " and at least one input are needed");
    }
    return new Columns(columns, firstLine, toArray(inputs), toArray(labels), dropMissing);
  }

  private static int[] toArray(List<Integer> list) {
    return list.stream().mapToInt(Integer::intValue).toArray();
  }

  /** A column by number (from 1) or header name, as a 0-based index. */
  static int index(String column, String option, String file, List<String> header, int columns) {
    String c = column.strip();
    if (c.chars().allMatch(Character::isDigit) && c.length() < 10) {
      int n = Integer.parseInt(c);
      if (n < 1 || n > columns) {
        throw InputException.parameter(option, c + ": " + file + " has " + columns + " column"
            + (columns == 1 ? "" : "s") + " (numbered from 1)");
      }
      return n - 1;
    }
    if (header == null) {
      throw InputException.parameter(option, c + ": " + file + " has no header line to name columns by; give the "
          + "column's number (1 to " + columns + ")");
    }
    int found = -1;
    for (int i = 0; i < header.size(); i++) {
      if (header.get(i).strip().equals(c)) {
        if (found >= 0) {
          throw InputException.parameter(option, c + ": " + file + " has two columns of that name (" + (found + 1)
              + " and " + (i + 1) + "); give the column's number");
        }
        found = i;
      }
    }
    if (found < 0) {
      throw InputException.parameter(option, c + ": " + file + " has no column of that name (its header: "
          + CsvNumbers.abbreviate(String.join(", ", header)) + ")");
    }
    if (found >= columns) {
      throw new InputException(option + " " + c + ": column " + (found + 1) + " of the header, but the rows of "
          + file + " have " + columns);
    }
    return found;
  }

  /**
   * The columns of one file, resolved: what each row is read into. Serializable, so Spark's executors read
   * every row with it as the CLI does.
   */
  public static final class Columns implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Cells per row. */
    private final int columns;
    /** The first data row's line, for messages about other rows' widths. */
    private final int firstLine;
    /** The input columns (0-based), in order. */
    private final int[] inputs;
    /** The label columns (0-based), in target order. */
    private final int[] labels;
    /** Whether a row with a missing cell is left out. */
    private final boolean dropMissing;
    /** The slots (inputs 0.., then labels) in the file order of their columns. */
    private final int[] order;

    /**
     * @param columns     cells per row
     * @param firstLine   the first data row's line, for messages about other rows' widths
     * @param inputs      the input columns (0-based), in order
     * @param labels      the label columns (0-based), in target order
     * @param dropMissing whether a row with a missing cell is left out
     */
    Columns(int columns, int firstLine, int[] inputs, int[] labels, boolean dropMissing) {
      this.columns = columns;
      this.firstLine = firstLine;
      this.inputs = inputs;
      this.labels = labels;
      this.dropMissing = dropMissing;
      int n = inputs.length + labels.length;
      int[] byColumn = new int[columns];
      Arrays.fill(byColumn, -1);
      for (int s = 0; s < n; s++) {
        byColumn[s < inputs.length ? inputs[s] : labels[s - inputs.length]] = s;
      }
      order = Arrays.stream(byColumn).filter(s -> s >= 0).toArray();
    }

    /** @return cells per row */
    public int columns() {
      return columns;
    }

    /** @return the input columns (0-based), in order */
    public int[] inputs() {
      return inputs.clone();
    }

    /** @return the label columns (0-based), in target order */
    public int[] labels() {
      return labels.clone();
    }

    /**
     * @param n how many of the input columns to keep
     * @return these columns with only the first {@code n} inputs read, for prediction (the other inputs and the
     *     labels are not read)
     */
    Columns firstInputs(int n) {
      return new Columns(columns, firstLine, Arrays.copyOf(inputs, n), new int[0], dropMissing);
    }

    /** Told of an input cell that is a word, not a number, instead of failing at once (the CLI's id check). */
    public interface Words {
      /**
       * @param column the column, from 1
       * @param cell   the stripped cell
       */
      void word(int column, String cell);
    }

    /**
     * Reads one data row: the inputs, then (with {@code labelCells} null) the labels as numbers.
     *
     * @param cells      the row's cells, as split
     * @param file       the file's name, for messages
     * @param line       the row's line, for messages
     * @param labelCells where the label cells go as text (classification), or null to read them as numbers
     * @param words      told of an input cell that is a word (it reads as 0), or null to fail on it
     * @return inputs then labels (when read as numbers); or null when the row has a missing cell and missing
     *     cells drop their rows
     * @throws InputException naming the line and column of a bad cell, or a row of another width
     */
    public float[] row(String[] cells, String file, long line, String[] labelCells, Words words) {
      if (cells.length != columns) {
        throw new InputException(file + ":" + line + ": " + cells.length + " column" + (cells.length == 1 ? "" : "s")
            + ", expected " + columns + " (as on line " + firstLine + ")");
      }
      float[] out = new float[inputs.length + (labelCells == null ? labels.length : 0)];
      // file order, so that the first bad cell of the row is the one named
      for (int k = 0; k < order.length; k++) {
        int slot = order[k];
        int column = slot < inputs.length ? inputs[slot] : labels[slot - inputs.length];
        String cell = cells[column].strip();
        boolean isLabel = slot >= inputs.length;
        if (isMissing(cell)) {
          if (dropMissing) {
            return null;
          }
          throw new InputException(Wording.of(CsvReader.where(file, line, column + 1) + ": "
              + (cell.isEmpty() ? "empty " + (isLabel && labelCells != null ? "class label" : "cell")
                  : "'" + cell + "' marks a missing value")
              + " (", Wording.param("dropMissing"), " leaves out rows with missing values)"));
        }
        if (isLabel && labelCells != null) {
          labelCells[slot - inputs.length] = cell;
          continue;
        }
        float value = CsvNumbers.parse(cell);
        if (Float.isNaN(value)) {
          if (!isLabel && words != null && CsvReader.isWord(cell)) {
            words.word(column + 1, cell);
            continue;
          }
          throw new InputException(CsvReader.where(file, line, column + 1) + ": " + CsvNumbers.problem(cell));
        }
        out[slot] = value;
      }
      return out;
    }
  }
}
