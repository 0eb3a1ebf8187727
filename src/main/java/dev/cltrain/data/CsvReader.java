package dev.cltrain.data;

import dev.cltrain.core.InputException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a numeric CSV: cells separated by commas (quoted per RFC 4180), an optional header line (a first line
 * with no numeric cell), blank lines ignored. Which columns are labels and which are left out is a
 * {@link CsvLayout} (by default the last {@code targets} columns are the targets, the rest the inputs); with
 * {@link #readClassification} the label is an integer class label or a class name that becomes a one-hot row.
 * One pass over the file, in time linear in its length. Every problem is an {@link InputException} naming the
 * file, line and column.
 */
public final class CsvReader {
  private CsvReader() {}

  /**
   * Reads a regression (or any numeric) CSV: the last {@code targets} columns are the targets.
   *
   * @param file    the CSV file
   * @param targets how many trailing columns are targets, at least 1; at least one input column must remain
   * @return the rows, named by the file's path
   * @throws InputException if {@code targets} is below 1, or the file cannot be read or has a bad cell or row
   */
  public static DataSet read(Path file, int targets) {
    return read(file, targets, CsvLayout.DEFAULT);
  }

  /**
   * Reads a regression (or any numeric) CSV laid out as {@code layout} says: its label columns are the targets
   * (by default the last {@code targets} columns), its ignored columns are not read, the rest are the inputs.
   *
   * @param file    the CSV file
   * @param targets how many trailing columns are targets when the layout names no label, at least 1
   * @param layout  the label and ignored columns and the missing-cell rule
   * @return the rows, named by the file's path
   * @throws InputException if {@code targets} is below 1, a column is not in the file, or the file cannot be read
   *     or has a bad cell or row
   */
  public static DataSet read(Path file, int targets, CsvLayout layout) {
    if (targets < 1) {
      throw InputException.parameter("targets", "must be at least 1, got " + targets);
    }
    CsvScan s = CsvScan.scan(file, layout, targets, false, -1, false);
    return new DataSet(s.name, s.rows, s.inputs, s.labels, s.x, s.y);
  }

  /**
   * Reads the first {@code inputs} columns of every row as inputs (outputs = 0), for prediction: further
   * columns, such as targets or labels, are ignored (not read).
   *
   * @param file   the CSV file
   * @param inputs how many leading columns are inputs: the model's input width
   * @return the rows' inputs, with no targets, named by the file's path
   * @throws InputException if the file cannot be read, has a bad cell or row, or has fewer than {@code inputs}
   *     columns
   */
  public static DataSet readInputs(Path file, int inputs) {
    return readInputs(file, inputs, true);
  }

  /**
   * {@link #readInputs(Path, int)}, refusing rows wider than {@code inputs} unless {@code ignoreExtra}.
   *
   * @param file        the CSV file
   * @param inputs      the model's input width
   * @param ignoreExtra whether columns after the first {@code inputs} are ignored (else refused)
   * @return the rows' inputs, with no targets, named by the file's path
   * @throws InputException if the file cannot be read, has a bad cell or row, has fewer columns than
   *     {@code inputs}, or more without {@code ignoreExtra}
   */
  public static DataSet readInputs(Path file, int inputs, boolean ignoreExtra) {
    return readInputs(file, inputs, ignoreExtra, CsvLayout.DEFAULT);
  }

  /**
   * The inputs of every row for prediction: the columns that are neither labels nor ignored by {@code layout}
   * (by default every column), which must be {@code inputs} columns, or more with {@code ignoreExtra} (the
   * first {@code inputs} of them are read, the rest ignored).
   *
   * @param file        the CSV file
   * @param inputs      the model's input width
   * @param ignoreExtra whether input columns after the first {@code inputs} are ignored (else refused)
   * @param layout      label columns and ignored columns (neither is read), and the missing-cell rule
   * @return the rows' inputs, with no targets, named by the file's path
   * @throws InputException if the file cannot be read, has a bad cell or row, or the wrong number of columns
   */
  public static DataSet readInputs(Path file, int inputs, boolean ignoreExtra, CsvLayout layout) {
    CsvScan s = CsvScan.scan(file, layout, 0, false, inputs, ignoreExtra);
    return new DataSet(s.name, s.rows, s.inputs, 0, s.x, new float[0]);
  }

  /** The most classes a classification CSV may have (labels 0..65535), so a stray label cannot blow up the one-hot targets. */
  public static final int MAX_CLASSES = 65536;

  /**
   * Reads a classification CSV: the last column is an integer class label 0..K−1, the others are the inputs;
   * the targets are one-hot rows of K ({@code outputs} = K). {@code classes} = 0 infers K as max label + 1
   * (at least 2); otherwise every label must be below {@code classes}. A label that is not an integer, is
   * negative or is out of range is reported with its file, line and column.
   *
   * @param file    the CSV file
   * @param classes K, 2 to {@link #MAX_CLASSES}; or 0 to infer it from the labels
   * @return the rows: the inputs, and one-hot targets of K columns; named by the file's path
   * @throws InputException if {@code classes} is 1, negative or above {@link #MAX_CLASSES}, or the file cannot
   *     be read or has a bad cell, row or label
   */
  public static DataSet readClassification(Path file, int classes) {
    return readClassified(file, classes, null).set();
  }

  /**
   * The number of cells in the file's first data row (after a header, if any), read before the rest so that a
   * file of the wrong width is reported as such rather than by the first cell that does not fit.
   *
   * @param file the CSV file
   * @return its columns, or -1 when it has no data row or cannot be read (reading it then says why)
   */
  public static int columns(Path file) {
    return CsvRecords.columns(file);
  }

  /**
   * A classification CSV's rows and, when its labels are names, the classes' names.
   *
   * @param set   the rows, with one-hot targets
   * @param names the classes' names in class order, or null when the labels are integers
   */
  public record Classified(DataSet set, java.util.List<String> names) {}

  /**
   * {@link #readClassified(Path, int, java.util.List, CsvLayout)} with the last column as the label.
   *
   * @param file    the CSV file
   * @param classes K, or 0 to infer it
   * @param names   the classes' names to map string labels to, or null
   * @return the rows and the names (null when the labels are integers)
   * @throws InputException on a bad cell, row or label
   */
  public static Classified readClassified(Path file, int classes, java.util.List<String> names) {
    return readClassified(file, classes, names, CsvLayout.DEFAULT);
  }

  /**
   * {@link #readClassification}, also taking string labels: when any label cell is not a number, every label is
   * a class name; the classes are the distinct names sorted (or {@code names}, as a model or training set has
   * them, in which case a name not among them is reported with its line). Quoted cells per RFC 4180.
   *
   * @param file    the CSV file
   * @param classes K, or 0 to infer it
   * @param names   the classes' names to map string labels to (a test set read for a training set), or null
   * @param layout  the label column (one; by default the last), ignored columns and the missing-cell rule
   * @return the rows and the names (null when the labels are integers)
   * @throws InputException on a bad cell, row or label
   */
  public static Classified readClassified(Path file, int classes, java.util.List<String> names, CsvLayout layout) {
    checkClasses(classes);
    CsvScan p = CsvScan.scan(file, layout, 1, true, -1, false);
    ClassIndex index = classIndex(p.name, p.labelColumn, p.labelCells, p.labelLines.toArray(), classes, names);
    int[] labels = index.classes();
    java.util.List<String> classNames = index.names();
    int k = index.k();
    if ((long) p.rows * k > Integer.MAX_VALUE - 8) {
      throw new InputException(p.name + ": too large: " + p.rows + " rows × " + k
          + " classes of one-hot targets do not fit in one array");
    }
    float[] y = new float[p.rows * k];
    for (int r = 0; r < p.rows; r++) {
      y[r * k + labels[r]] = 1f;
    }
    return new Classified(new DataSet(p.name, p.rows, p.inputs, k, p.x, y), classNames);
  }

  private static void checkClasses(int classes) {
    if (classes < 0 || classes == 1) {
      throw InputException.parameter("classes", "must be at least 2 (or 0 to infer it from the labels), got " + classes);
    }
    if (classes > MAX_CLASSES) {
      throw InputException.parameter("classes", "must be at most " + MAX_CLASSES + ", got " + classes);
    }
  }

  /**
   * Converts a CSV into a row file, one row at a time (the heap holds a row and, for a classifier, each distinct
   * label once): the rows {@link #read} or {@link #readClassified} would give, the same floats.
   *
   * @param file       the CSV file
   * @param layout     the label and ignored columns and the missing-cell rule
   * @param targets    regression: trailing target columns when the layout names no label
   * @param classifier whether the label is a class label (one-hot targets of K)
   * @param classes    K, or 0 to infer it
   * @param names      the classes' names to map string labels to, or null
   * @param out        where the rows go
   * @param progress   told of the bytes read and rows written
   * @return the targets per row and, for a classifier, the class of each stored label index and the names
   * @throws InputException on a bad cell, row or label, as the in-memory readers report it
   */
  static RowCache.Converted convert(Path file, CsvLayout layout, int targets, boolean classifier, int classes,
      java.util.List<String> names, RowFile.Writer out, RowCache.Progress progress) {
    if (classifier) {
      checkClasses(classes);
    } else if (targets < 1) {
      throw InputException.parameter("targets", "must be at least 1, got " + targets);
    }
    java.util.Map<String, Integer> distinct = new java.util.LinkedHashMap<>();
    CsvScan.IntList firstLines = new CsvScan.IntList();
    CsvScan.Sink sink = new CsvScan.Sink() {
      float[] buffer;

      @Override
      public void row(float[] row, int inputs, String label, long line) {
        if (buffer == null) {
          out.widths(inputs, classifier ? 1 : row.length - inputs);
          buffer = new float[classifier ? inputs + 1 : row.length];
        }
        System.arraycopy(row, 0, buffer, 0, classifier ? inputs : row.length);
        if (classifier) {
          Integer id = distinct.get(label);
          if (id == null) {
            if (distinct.size() >= MAX_CLASSES) {
              throw new InputException(file + ":" + line + ": more than " + MAX_CLASSES + " distinct class labels");
            }
            id = distinct.size();
            distinct.put(label, id);
            firstLines.add((int) line);
          }
          buffer[inputs] = id;
        }
        try {
          out.row(buffer, 0);
        } catch (IOException e) { // the cache's disk, not the CSV: not "cannot read"
          throw new java.io.UncheckedIOException(e);
        }
        progress.rows(out.rows());
      }

      @Override
      public java.io.InputStream wrap(java.io.InputStream in) {
        return progress.counting(in);
      }
    };
    CsvScan s = CsvScan.scan(file, layout, classifier ? 1 : targets, classifier, -1, false, sink);
    if (!classifier) {
      return new RowCache.Converted(s.labels, null, null);
    }
    ClassIndex index = classIndex(s.name, s.labelColumn, new java.util.ArrayList<>(distinct.keySet()),
        firstLines.toArray(), classes, names);
    return new RowCache.Converted(index.k(), index.classes(), index.names());
  }

  /**
   * Converts the rows {@link #readInputs(Path, int, boolean, CsvLayout)} reads into {@code out}: inputs only,
   * as the same floats.
   *
   * @param file        the CSV file
   * @param layout      the label and ignored columns (not read) and the missing-cell rule
   * @param inputs      the model's input width
   * @param ignoreExtra whether input columns after the first {@code inputs} are ignored (else refused)
   * @param out         where the rows go
   * @param progress    told of the bytes read and rows written
   * @return no targets
   * @throws InputException on a bad cell or row, as the in-memory reader reports it
   */
  static RowCache.Converted convertInputs(Path file, CsvLayout layout, int inputs, boolean ignoreExtra,
      RowFile.Writer out, RowCache.Progress progress) {
    CsvScan.Sink sink = new CsvScan.Sink() {
      @Override
      public void row(float[] row, int width, String label, long line) throws IOException {
        if (out.rows() == 0) {
          out.widths(width, 0);
        }
        out.row(row, 0);
        progress.rows(out.rows());
      }

      @Override
      public java.io.InputStream wrap(java.io.InputStream in) {
        return progress.counting(in);
      }
    };
    CsvScan.scan(file, layout, 0, false, inputs, ignoreExtra, sink);
    return new RowCache.Converted(0, null, null);
  }

  /**
   * The classes of label cells, as {@link #readClassified} resolves them.
   *
   * @param classes the class of each cell
   * @param names   the classes' names in class order, or null when the labels are integers
   * @param k       K
   */
  record ClassIndex(int[] classes, java.util.List<String> names, int k) {}

  /**
   * Resolves label cells to classes: when any cell is not a number every cell is a class name (the distinct
   * names sorted, or {@code names}), else each is an integer label; K is {@code classes}, or inferred. The
   * cells may be every row's or each distinct cell once (with the line it first appears on): a defect is
   * reported at the first line that has it either way.
   *
   * @param name    the file, for messages
   * @param column  the label's column, from 1
   * @param cells   the label cells, in the order of their lines
   * @param lines   each cell's line
   * @param classes K, or 0 to infer it
   * @param names   the classes' names to map string labels to, or null
   * @return each cell's class, the names and K
   * @throws InputException on a label that is not a class
   */
  static ClassIndex classIndex(String name, int column, java.util.List<String> cells, int[] lines, int classes,
      java.util.List<String> names) {
    java.util.List<String> found = CsvLabels.classNames(cells);
    java.util.List<String> classNames = null;
    int[] labels = new int[cells.size()];
    if (found != null) { // string labels
      classNames = names != null ? names : found;
      if (classes > 0 && names == null && classNames.size() > classes) {
        throw new InputException(name + ": " + classNames.size() + " distinct class names, but classes is "
            + classes);
      }
      java.util.Map<String, Integer> index = new java.util.HashMap<>();
      for (int c = 0; c < classNames.size(); c++) {
        index.put(classNames.get(c), c);
      }
      for (int r = 0; r < labels.length; r++) {
        Integer c = index.get(cells.get(r));
        if (c == null) {
          throw new InputException(where(name, lines[r], column) + ": class label '"
              + CsvNumbers.abbreviate(cells.get(r)) + "' is not one of the " + classNames.size() + " classes ("
              + CsvNumbers.abbreviate(String.join(", ", classNames)) + ")");
        }
        labels[r] = c;
      }
      if (classes == 0) {
        classes = Math.max(2, classNames.size());
      }
    } else {
      if (names != null) {
        throw new InputException(name + ": integer class labels, but the classes have names ("
            + CsvNumbers.abbreviate(String.join(", ", names)) + ")");
      }
      for (int r = 0; r < labels.length; r++) {
        labels[r] = CsvLabels.classLabel(cells.get(r), name, lines[r], column, classes);
      }
    }
    int k = classes;
    if (k == 0) {
      int max = 0;
      for (int label : labels) {
        max = Math.max(max, label);
      }
      k = Math.max(2, max + 1);
    }
    return new ClassIndex(labels, classNames, k);
  }

  /**
   * Splits one record into cells per RFC 4180, as {@link CsvRecords} reads them.
   *
   * @param line the record's text
   * @return the cells, unquoted; or null when a quoted cell is still open at the end (the record goes on)
   */
  public static String[] split(String line) {
    CsvRecords records = new CsvRecords(new java.io.StringReader(line));
    try {
      String[] cells = records.next();
      return cells == null && records.unclosed() == 0 ? new String[] {""} : cells;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // a StringReader does not fail
    }
  }

  /**
   * "FILE:LINE, column C", the place every cell message starts with.
   *
   * @param name   the file
   * @param line   the line, from 1
   * @param column the column, from 1
   * @return the place
   */
  public static String where(String name, long line, int column) {
    return name + ":" + line + ", column " + column;
  }

  /**
   * @param cells a record's cells
   * @return whether it is a header line: no cell is a number (nor NaN or Inf)
   */
  public static boolean isHeader(String[] cells) {
    for (String cell : cells) {
      String s = cell.strip();
      if (CsvNumbers.isNumber(s) || CsvNumbers.isNonFinite(s)) {
        return false;
      }
    }
    return true;
  }

  /** Whether a stripped cell is a word: neither a number, NaN, Inf nor missing. */
  static boolean isWord(String cell) {
    return !CsvNumbers.isNumber(cell) && !CsvNumbers.isNonFinite(cell) && !CsvLayout.isMissing(cell);
  }


}
