package dev.cltrain.data;

import dev.cltrain.InputException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Reads a numeric CSV: cells separated by commas, an optional header line (a first line with no numeric
 * cell), blank lines ignored. The last {@code targets} columns are the targets, the rest the inputs; or, with
 * {@link #readClassification}, the last column is an integer class label that becomes a one-hot row. Every
 * problem is an {@link InputException} naming the file, line and column.
 */
public final class CsvReader {
  private static final Pattern NON_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);

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
    if (targets < 1) {
      throw new InputException("--targets must be at least 1, got " + targets);
    }
    Parsed p = parse(file, targets, -1);
    return split(p.name, p.rows, p.columns, targets, p.values);
  }

  /**
   * Reads the first {@code inputs} columns of every row as inputs (outputs = 0), for prediction: further
   * columns, such as targets or labels, are read (they must be numbers) and ignored.
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
    Parsed p = parse(file, 0, -1);
    if (p.columns > inputs && !ignoreExtra) {
      throw new InputException(p.name + ": " + p.columns + " columns, but the model takes " + inputs + " input"
          + (inputs == 1 ? "" : "s") + " (give --ignore-extra to use the first " + inputs + " and ignore the rest)");
    }
    if (p.columns < inputs) {
      throw new InputException(p.name + ": " + p.columns + " column" + (p.columns == 1 ? "" : "s") + ", but "
          + inputs + " inputs are needed");
    }
    float[] x = new float[p.rows * inputs];
    for (int r = 0; r < p.rows; r++) {
      System.arraycopy(p.values, r * p.columns, x, r * inputs, inputs);
    }
    return new DataSet(p.name, p.rows, inputs, 0, x, new float[0]);
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
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      boolean first = true;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String record = first && line.startsWith("\uFEFF") ? line.substring(1) : line;
        if (record.isBlank()) {
          continue;
        }
        String[] cells = split(record);
        for (String more = cells == null ? reader.readLine() : null; more != null && cells == null; ) {
          record = record + "\n" + more;
          cells = split(record);
          more = cells == null ? reader.readLine() : null;
        }
        if (cells == null) {
          return -1;
        }
        if (!first || !isHeader(cells)) {
          return cells.length;
        }
        first = false;
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }

  /**
   * A classification CSV's rows and, when its labels are names, the classes' names.
   *
   * @param set   the rows, with one-hot targets
   * @param names the classes' names in class order, or null when the labels are integers
   */
  public record Classified(DataSet set, java.util.List<String> names) {}

  /**
   * {@link #readClassification}, also taking string labels: when any label cell is not a number, every label is
   * a class name; the classes are the distinct names sorted (or {@code names}, as a model or training set has
   * them, in which case a name not among them is reported with its line). Quoted cells per RFC 4180.
   *
   * @param file    the CSV file
   * @param classes K, or 0 to infer it
   * @param names   the classes' names to map string labels to (a test set read for a training set), or null
   * @return the rows and the names (null when the labels are integers)
   * @throws InputException on a bad cell, row or label
   */
  public static Classified readClassified(Path file, int classes, java.util.List<String> names) {
    if (classes < 0 || classes == 1) {
      throw new InputException("--classes must be at least 2 (or 0 to infer it from the labels), got " + classes);
    }
    if (classes > MAX_CLASSES) {
      throw new InputException("--classes must be at most " + MAX_CLASSES + ", got " + classes);
    }
    Parsed p = parse(file, 1, classes);
    java.util.List<String> classNames = null;
    if (p.labels == null) { // string labels
      classNames = names != null ? names : new java.util.ArrayList<>(new java.util.TreeSet<>(p.labelCells));
      if (classes > 0 && names == null && classNames.size() > classes) {
        throw new InputException(p.name + ": " + classNames.size() + " distinct class names, but --classes is "
            + classes);
      }
      java.util.Map<String, Integer> index = new java.util.HashMap<>();
      for (int c = 0; c < classNames.size(); c++) {
        index.put(classNames.get(c), c);
      }
      int[] labels = new int[p.rows];
      for (int r = 0; r < p.rows; r++) {
        Integer c = index.get(p.labelCells.get(r));
        if (c == null) {
          throw new InputException(p.name + ":" + p.labelLines[r] + ", column " + p.columns + ": class label '"
              + abbreviate(p.labelCells.get(r)) + "' is not one of the " + classNames.size() + " classes ("
              + abbreviate(String.join(", ", classNames)) + ")");
        }
        labels[r] = c;
      }
      p = new Parsed(p.name, p.rows, p.columns, p.values, labels, null, null);
      if (classes == 0) {
        classes = Math.max(2, classNames.size());
      }
    } else if (names != null) {
      throw new InputException(p.name + ": integer class labels, but the classes have names ("
          + abbreviate(String.join(", ", names)) + ")");
    }
    int k = classes;
    if (k == 0) {
      int max = 0;
      for (int label : p.labels) {
        max = Math.max(max, label);
      }
      k = Math.max(2, max + 1);
    }
    int inputs = p.columns - 1;
    if ((long) p.rows * k > Integer.MAX_VALUE - 8) {
      throw new InputException(p.name + ": too large: " + p.rows + " rows × " + k
          + " classes of one-hot targets do not fit in one array");
    }
    float[] y = new float[p.rows * k];
    for (int r = 0; r < p.rows; r++) {
      y[r * k + p.labels[r]] = 1f;
    }
    return new Classified(new DataSet(p.name, p.rows, inputs, k, p.values, y), classNames);
  }

  /**
   * What {@link #parse} read: with {@code labels} null, every cell row by row in {@code values}; with labels,
   * the input cells in {@code values} and the last column's integer labels in {@code labels}.
   */
  private record Parsed(String name, int rows, int columns, float[] values, int[] labels,
      java.util.List<String> labelCells, int[] labelLines) {}

  /**
   * Reads the file's rows. {@code classes} < 0: plain numbers, the last {@code targets} columns being targets;
   * {@code classes} ≥ 0: the last column is a class label (0 = any label below {@link #MAX_CLASSES}).
   */
  private static Parsed parse(Path file, int targets, int classes) {
    boolean classification = classes >= 0;
    String name = file.toString();
    if (Files.isDirectory(file)) {
      throw new InputException(name + ": is a directory, expected a CSV file");
    }
    FloatList values = new FloatList();
    java.util.List<String> labelCells = classification ? new java.util.ArrayList<>() : null;
    IntList labelLines = classification ? new IntList() : null;
    boolean allNumeric = true;
    int columns = -1;
    int firstDataLine = 0;
    int rows = 0;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      boolean sawContent = false;
      while ((line = reader.readLine()) != null) {
        lineNo++;
        int startLine = lineNo;
        if (lineNo == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1); // a UTF-8 byte order mark, as spreadsheet programs write it
        }
        if (line.isBlank()) {
          continue;
        }
        String[] cells = split(line);
        while (cells == null) { // a quoted cell runs on to the next line (RFC 4180)
          String more = reader.readLine();
          if (more == null) {
            throw new InputException(name + ":" + startLine + ": a quoted cell is not closed before the end of the file");
          }
          lineNo++;
          line = line + "\n" + more;
          cells = split(line);
        }
        if (!sawContent) {
          sawContent = true;
          if (isHeader(cells)) {
            continue;
          }
        }
        if (columns < 0) {
          columns = cells.length;
          firstDataLine = lineNo;
          if (columns <= targets) {
            String needed = classification
                ? "a class label column and at least one input are needed"
                : targets + " target column" + (targets == 1 ? "" : "s") + " and at least one input are needed";
            throw new InputException(name + ":" + lineNo + ": " + columns + " column" + (columns == 1 ? "" : "s")
                + ", but " + needed);
          }
        } else if (cells.length != columns) {
          throw new InputException(name + ":" + lineNo + ": " + cells.length + " columns, expected " + columns
              + " (as on line " + firstDataLine + ")");
        }
        int numeric = classification ? cells.length - 1 : cells.length;
        for (int c = 0; c < numeric; c++) {
          values.add(parseCell(cells[c].strip(), name, lineNo, c + 1));
        }
        if (classification) {
          String label = cells[numeric].strip();
          labelCells.add(label);
          labelLines.add(startLine);
          allNumeric &= isNumber(label) || NON_FINITE.matcher(label).matches() || label.isEmpty();
        }
        rows++;
      }
    } catch (NoSuchFileException e) {
      throw new InputException(name + ": file not found");
    } catch (AccessDeniedException e) {
      throw new InputException(name + ": permission denied");
    } catch (CharacterCodingException e) {
      throw new InputException(name + ": not a UTF-8 text file");
    } catch (IOException e) {
      throw new InputException(name + ": cannot read (" + e.getMessage() + ")");
    }
    if (rows == 0) {
      throw new InputException(name + ": no data rows (the file is empty or holds only a header)");
    }
    if (!classification) {
      return new Parsed(name, rows, columns, values.toArray(), null, null, null);
    }
    int[] lines = labelLines.toArray();
    if (!allNumeric) { // class names: readClassified maps them
      for (int r = 0; r < rows; r++) {
        if (labelCells.get(r).isEmpty()) {
          throw new InputException(name + ":" + lines[r] + ", column " + columns + ": empty class label");
        }
      }
      return new Parsed(name, rows, columns, values.toArray(), null, labelCells, lines);
    }
    int[] labels = new int[rows];
    for (int r = 0; r < rows; r++) {
      labels[r] = parseLabel(labelCells.get(r), name, lines[r], columns, classes);
    }
    return new Parsed(name, rows, columns, values.toArray(), labels, null, null);
  }

  /**
   * Splits one record into cells per RFC 4180: a cell in double quotes may hold commas, line breaks and
   * doubled quotes ({@code ""} for {@code "}); spaces around a quoted cell are allowed. One pass, linear time.
   *
   * @param line the record's text so far
   * @return the cells, unquoted; or null when a quoted cell is still open at the end (the record goes on)
   * @throws InputException never; a stray quote inside an unquoted cell is kept as text (and fails as a number)
   */
  static String[] split(String line) {
    if (line.indexOf('"') < 0) {
      return line.split(",", -1);
    }
    java.util.List<String> cells = new java.util.ArrayList<>();
    StringBuilder cell = new StringBuilder();
    int n = line.length();
    int i = 0;
    while (true) {
      // one cell from i
      int j = i;
      while (j < n && line.charAt(j) == ' ') {
        j++;
      }
      if (j < n && line.charAt(j) == '"') {
        cell.setLength(0);
        j++;
        boolean closed = false;
        while (j < n) {
          char c = line.charAt(j);
          if (c == '"') {
            if (j + 1 < n && line.charAt(j + 1) == '"') {
              cell.append('"');
              j += 2;
              continue;
            }
            closed = true;
            j++;
            break;
          }
          cell.append(c);
          j++;
        }
        if (!closed) {
          return null;
        }
        int k = j;
        while (k < n && line.charAt(k) != ',') {
          k++;
        }
        String after = line.substring(j, k);
        cells.add(after.isBlank() ? cell.toString() : cell + after); // text after the closing quote: kept, so it fails as a number
        i = k;
      } else {
        int k = line.indexOf(',', i);
        if (k < 0) {
          k = n;
        }
        cells.add(line.substring(i, k));
        i = k;
      }
      if (i >= n) {
        break;
      }
      i++; // the comma
      if (i == n) {
        cells.add("");
        break;
      }
    }
    return cells.toArray(new String[0]);
  }

  /** A class label: a number with an integer value (2 or 2.0), 0 ≤ label < classes (or < MAX_CLASSES when classes is 0). */
  private static int parseLabel(String cell, String name, int line, int column, int classes) {
    String where = name + ":" + line + ", column " + column;
    float value = parseCell(cell, name, line, column);
    if (value != Math.rint(value)) {
      throw new InputException(where + ": class label '" + abbreviate(cell) + "' is not an integer");
    }
    if (value < 0) {
      throw new InputException(where + ": class label " + abbreviate(cell) + " is negative; labels are 0..K-1");
    }
    if (classes > 0 && value >= classes) {
      throw new InputException(where + ": class label " + abbreviate(cell) + " is out of range for " + classes
          + " classes (0.." + (classes - 1) + ")");
    }
    if (value >= MAX_CLASSES) {
      throw new InputException(where + ": class label " + abbreviate(cell) + " is too large (at most "
          + (MAX_CLASSES - 1) + ")");
    }
    return (int) value;
  }

  private static boolean isHeader(String[] cells) {
    for (String cell : cells) {
      String s = cell.strip();
      if (isNumber(s) || NON_FINITE.matcher(s).matches()) {
        return false;
      }
    }
    return true;
  }

  private static float parseCell(String cell, String name, int line, int column) {
    String where = name + ":" + line + ", column " + column;
    if (cell.isEmpty()) {
      throw new InputException(where + ": empty cell");
    }
    if (NON_FINITE.matcher(cell).matches()) {
      throw new InputException(where + ": '" + cell + "' is not a finite number (NaN and Inf are not allowed)");
    }
    if (!isNumber(cell)) {
      throw new InputException(where + ": '" + abbreviate(cell) + "' is not a number");
    }
    float value = (float) Double.parseDouble(cell);
    if (Float.isInfinite(value)) {
      throw new InputException(where + ": '" + abbreviate(cell) + "' is out of float32 range");
    }
    return value;
  }

  /**
   * Whether {@code s} is a decimal number as the grammar {@code [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?} says
   * (ASCII digits only), judged in one pass, in time linear in its length. A regex with that grammar backtracks:
   * on a cell of 100,000 digits and an 'x' it tried every split of the digits between {@code \d+} and
   * {@code \d*}, and took minutes.
   *
   * @param s a stripped cell
   * @return true if it is a number that {@link Double#parseDouble} reads as written
   */
  static boolean isNumber(String s) {
    int n = s.length();
    int i = 0;
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    int integerDigits = digits(s, i);
    i += integerDigits;
    int fractionDigits = 0;
    if (i < n && s.charAt(i) == '.') {
      i++;
      fractionDigits = digits(s, i);
      i += fractionDigits;
    }
    if (integerDigits == 0 && fractionDigits == 0) {
      return false;
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int exponentDigits = digits(s, i);
      if (exponentDigits == 0) {
        return false;
      }
      i += exponentDigits;
    }
    return i == n;
  }

  /** How many ASCII digits {@code s} has in a row from {@code from}. */
  private static int digits(String s, int from) {
    int i = from;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i - from;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  private static DataSet split(String name, int rows, int columns, int targets, float[] all) {
    int inputs = columns - targets;
    float[] x = new float[rows * inputs];
    float[] y = new float[rows * targets];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(all, r * columns, x, r * inputs, inputs);
      System.arraycopy(all, r * columns + inputs, y, r * targets, targets);
    }
    return new DataSet(name, rows, inputs, targets, x, y);
  }

  /** A growable int array for class labels. */
  private static final class IntList {
    private int[] data = new int[256];
    private int size;

    void add(int v) {
      if (size == data.length) {
        data = java.util.Arrays.copyOf(data, data.length * 2);
      }
      data[size++] = v;
    }

    int[] toArray() {
      return java.util.Arrays.copyOf(data, size);
    }
  }

  /** A growable float array, so a large CSV does not box every cell. */
  private static final class FloatList {
    private float[] data = new float[1024];
    private int size;

    void add(float v) {
      if (size == data.length) {
        data = java.util.Arrays.copyOf(data, data.length * 2);
      }
      data[size++] = v;
    }

    float[] toArray() {
      return java.util.Arrays.copyOf(data, size);
    }
  }
}
