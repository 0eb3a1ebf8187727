package dev.cltrain.data;

import dev.cltrain.core.InputException;
import dev.cltrain.core.Wording;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * One pass over a numeric CSV's records ({@link CsvRecords}), each row's cells read as numbers through the
 * {@link CsvLayout}'s columns (the header line, the first word held back to name an id column, every defect
 * naming its file, line and column); the rows kept here, or handed to a {@link Sink}. {@link CsvReader} makes
 * data sets of what a scan read.
 */
final class CsvScan {
  /** Where {@link #scan(Path, CsvLayout, int, boolean, int, boolean, Sink)} puts each row it reads. */
  interface Sink {
    /**
     * @param row    the row's inputs, then its targets (not for a classifier)
     * @param inputs how many of {@code row} are inputs
     * @param label  a classifier's label cell, else null
     * @param line   the line the row began on
     */
    void row(float[] row, int inputs, String label, long line) throws IOException;

    /** {@return the file's bytes as read: {@code in} itself, or counting them} */
    default java.io.InputStream wrap(java.io.InputStream in) {
      return in;
    }
  }

  // what the scan read: inputs row by row in x, and the labels as numbers in y or as text
  String name;
  java.util.List<String> header;
  int rows;
  int inputs;
  int labels;
  float[] x;
  float[] y;
  /** classification: the label cells, their lines and the label's column (from 1) */
  java.util.List<String> labelCells;
  IntList labelLines;
  int labelColumn;

  private CsvScan() {}

  /**
   * The first input cell that is a word rather than a number, held back while the rest of the file is read,
   * so that a column of distinct words (an id) can be named as such; any later defect reports this one.
   */
  private static final class FirstWord implements CsvLayout.Columns.Words {
    private final String name;
    private long line;
    private long currentLine;
    private int column;
    private String cell;
    private int words;
    private final java.util.Set<String> distinct = new java.util.HashSet<>();

    FirstWord(String name) {
      this.name = name;
    }

    @Override
    public void word(int column, String cell) {
      if (this.cell == null) {
        this.line = currentLine;
        this.column = column;
        this.cell = cell;
      }
      if (column == this.column) {
        words++;
        distinct.add(cell);
      }
    }

    boolean found() {
      return cell != null;
    }

    InputException error(int rows, java.util.List<String> header) {
      Wording message = Wording.of(CsvReader.where(name, line, column), ": '", CsvNumbers.abbreviate(cell),
          "' is not a number");
      if (rows >= 2 && words == rows && distinct.size() == rows) {
        String named = header != null && column <= header.size() && !header.get(column - 1).isBlank()
            ? CsvNumbers.abbreviate(header.get(column - 1).strip()) : String.valueOf(column);
        message = Wording.of(message, "; column " + column + (named.equals(String.valueOf(column)) ? ""
            : " (" + named + ")") + " holds a different word on each of the " + rows + " rows: probably an id (",
            Wording.param("ignore"), " " + named + " leaves it out)");
      }
      return new InputException(message);
    }
  }

  /**
   * Reads the file's rows in one pass. The columns are resolved on the first data row: {@code defaultLabels}
   * trailing label columns unless the layout names them; {@code classifier}: one label column, kept as text;
   * {@code wantInputs} ≥ 0 (prediction): no default label, and that many input columns (the first of them with
   * {@code ignoreExtra}).
   */
  static CsvScan scan(Path file, CsvLayout layout, int defaultLabels, boolean classifier, int wantInputs,
      boolean ignoreExtra) {
    return scan(file, layout, defaultLabels, classifier, wantInputs, ignoreExtra, null);
  }

  /**
   * {@link #scan(Path, CsvLayout, int, boolean, int, boolean)}, each row handed to {@code sink} rather than kept
   * (the Scan's x, y and label cells then stay empty), or kept when {@code sink} is null.
   */
  static CsvScan scan(Path file, CsvLayout layout, int defaultLabels, boolean classifier, int wantInputs,
      boolean ignoreExtra, Sink sink) {
    String name = file.toString();
    if (Files.isDirectory(file)) {
      throw new InputException(name + ": is a directory, expected a CSV file");
    }
    CsvScan s = new CsvScan();
    s.name = name;
    FloatList x = new FloatList();
    FloatList y = new FloatList();
    if (classifier) {
      s.labelCells = new java.util.ArrayList<>();
      s.labelLines = new IntList();
    }
    Sink rows = sink != null ? sink : (row, inputs, label, line) -> {
      for (int c = 0; c < inputs; c++) {
        x.add(row[c]);
      }
      for (int c = inputs; c < row.length; c++) {
        y.add(row[c]);
      }
      if (label != null) {
        s.labelCells.add(label);
        s.labelLines.add((int) line);
      }
    };
    String[] labelText = classifier ? new String[1] : null;
    CsvLayout.Columns columns = null;
    FirstWord firstWord = new FirstWord(name);
    boolean sawContent = false;
    try (BufferedReader reader = new BufferedReader(new java.io.InputStreamReader(rows.wrap(Files.newInputStream(file)),
        StandardCharsets.UTF_8.newDecoder()))) {
      CsvRecords records = new CsvRecords(reader);
      String[] cells;
      while ((cells = records.next()) != null) {
        if (records.blank()) {
          continue;
        }
        long line = records.line();
        if (!sawContent) {
          sawContent = true;
          if (CsvReader.isHeader(cells)) {
            s.header = java.util.Arrays.stream(cells).map(String::strip).toList();
            continue;
          }
        }
        if (columns == null) {
          columns = layout.resolve(name, s.header, cells.length, (int) line, wantInputs >= 0 ? 0 : defaultLabels,
              classifier);
          if (wantInputs >= 0) {
            columns = fitInputs(columns, name, wantInputs, ignoreExtra, layout);
          }
          s.inputs = columns.inputs().length;
          s.labels = classifier ? 0 : columns.labels().length;
          s.labelColumn = classifier ? columns.labels()[0] + 1 : 0;
        }
        firstWord.currentLine = line;
        float[] row;
        try {
          row = columns.row(cells, name, line, labelText, firstWord);
        } catch (InputException e) {
          throw firstWord.found() ? firstWord.error(s.rows + 1, s.header) : e;
        }
        if (row == null) {
          continue; // a missing cell, and --missing drop
        }
        rows.row(row, s.inputs, classifier ? labelText[0] : null, line);
        s.rows++;
      }
      if (records.unclosed() > 0) {
        if (firstWord.found()) {
          throw firstWord.error(s.rows, s.header);
        }
        throw new InputException(name + ":" + records.unclosed() + ": a quoted cell opened on this line is not closed "
            + "before the end of the file (a stray '\"'?)");
      }
    } catch (IOException e) {
      throw cannotRead(name, e);
    }
    if (firstWord.found()) {
      throw firstWord.error(s.rows, s.header);
    }
    if (s.rows == 0) {
      throw new InputException(name + ": no data rows (the file is empty or holds only a header"
          + (layout.dropMissing() && columns != null ? ", or every row has a missing cell" : "") + ")");
    }
    s.x = x.toArray();
    s.y = y.toArray();
    return s;
  }

  /**
   * @param name the file
   * @param e    what reading it threw
   * @return the one-line error: not found, permission denied, not UTF-8, or the reader's message
   */
  static InputException cannotRead(String name, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new InputException(name + ": file not found");
    }
    if (e instanceof AccessDeniedException) {
      return new InputException(name + ": permission denied");
    }
    if (e instanceof CharacterCodingException) {
      return new InputException(name + ": not a UTF-8 text file");
    }
    return new InputException(name + ": cannot read (" + e.getMessage() + ")");
  }

  /** Prediction's input columns: exactly {@code inputs} of them, or the first {@code inputs} with {@code ignoreExtra}. */
  private static CsvLayout.Columns fitInputs(CsvLayout.Columns columns, String name, int inputs, boolean ignoreExtra,
      CsvLayout layout) {
    int have = columns.inputs().length;
    Wording what = layout.isDefault() ? Wording.of(have + " column" + (have == 1 ? "" : "s"))
        : Wording.of(have + " input column" + (have == 1 ? "" : "s") + " (after ", Wording.param("label"), " and ",
            Wording.param("ignore"), ")");
    if (have > inputs && !ignoreExtra) {
      throw new InputException(Wording.of(name + ": ", what, ", but the model takes " + inputs + " input"
          + (inputs == 1 ? "" : "s") + " (give ", Wording.param("ignoreExtra"), " to use the first " + inputs
          + " and ignore the rest)"));
    }
    if (have < inputs) {
      throw new InputException(Wording.of(name + ": ", what, ", but " + inputs + " inputs are needed"));
    }
    return columns.firstInputs(inputs);
  }

  /** A growable int array for class labels. */
  static final class IntList {
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
