package dev.cltrain.data;

import dev.cltrain.core.InputException;
import dev.cltrain.nn.Tokens;
import dev.cltrain.nn.Vocabulary;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Text as data: a CSV with a text column and a class-label column, each text read as T token ids
 * ({@link Vocabulary}) built from the training rows only. The first line is a header when one of its cells is
 * {@value #TEXT} (in any case) or the name given as the text column; the text column is the one given (by
 * number from 1, or by header name), else the header's {@value #TEXT} column. The label is the layout's label
 * column, by default the last; string labels and integer labels are read as {@link CsvReader#readClassified}
 * reads them. Other columns are not read. Cells per RFC 4180, so a text may hold commas and line breaks.
 */
public final class TextCsv {
  private TextCsv() {}

  /** The header name that makes a column the text without {@code textColumn}. */
  public static final String TEXT = "text";

  /**
   * What {@code --text-column}, {@code --tokens}, {@code --vocab-size} and {@code --seq-len} say.
   *
   * @param column    the text column, by number from 1 or header name; null for the header's {@value #TEXT}
   * @param tokens    the token rule
   * @param vocabSize V, the most ids (padding and unknown among them), at least 3
   * @param seqLen    T, the ids per row, at least 1
   */
  public record Options(String column, Tokens tokens, int vocabSize, int seqLen) {
    /** The token rule when none is given. */
    public static final Tokens DEFAULT_TOKENS = Tokens.WORDS;
    /** V when none is given. */
    public static final int DEFAULT_VOCAB_SIZE = 10000;
    /** T when none is given. */
    public static final int DEFAULT_SEQ_LEN = 100;

    /**
     * Checks the sizes.
     *
     * @param column    the text column, or null
     * @param tokens    the token rule
     * @param vocabSize V, at least 3
     * @param seqLen    T, at least 1
     * @throws InputException naming {@code vocabSize} or {@code seqLen} when out of range
     */
    public Options {
      InputException.require(tokens, "the token rule");
      Vocabulary.checkVocabSize(vocabSize);
      Vocabulary.checkSeqLen(seqLen);
    }
  }

  /** A text CSV's rows as read: each text, its label cell (null without one) and its line. */
  private record Read(String name, List<String> texts, List<String> labels, int[] lines, int labelColumn) {}

  /**
   * Training data from a text CSV, the vocabulary built from the training rows: with a validation split, the
   * rows that stay for training (as {@link DataSets#splitOrder} picks them), read in file order.
   *
   * @param file    the CSV
   * @param o       the text options
   * @param layout  the label column and the missing-cell rule
   * @param classes K, or 0 to infer it
   * @param split   the validation split, 0 for none
   * @param seed    the split's seed
   * @return every row as ids (the split is {@link DataSets#withValidation}'s to make), one-hot labels, the class
   *     names and the vocabulary
   * @throws InputException on a bad cell, an empty text, or a column that is not in the file
   */
  public static TrainingData load(Path file, Options o, CsvLayout layout, int classes, double split, long seed) {
    Read read = read(file, o.column(), layout, true);
    List<String> trainingTexts = read.texts();
    if (split > 0) {
      DataSets.Split order = DataSets.splitOrder(split, seed, read.texts().size(), read.name());
      int[] kept = java.util.Arrays.copyOf(order.permutation(), order.keep());
      java.util.Arrays.sort(kept);
      trainingTexts = new ArrayList<>();
      for (int r : kept) {
        trainingTexts.add(read.texts().get(r));
      }
    }
    Vocabulary vocabulary = Vocabulary.build(o.tokens(), o.vocabSize(), o.seqLen(), trainingTexts);
    CsvReader.Classified set = classified(read, vocabulary, classes, null);
    return new TrainingData(set.set(), null, null, 1f, set.set().outputs(), set.names(), null, vocabulary);
  }

  /**
   * Labelled rows of a text CSV read with a model's (or training set's) vocabulary: a test set, eval's data.
   *
   * @param file       the CSV
   * @param column     the text column, or null for the header's {@value #TEXT}
   * @param layout     the label column and the missing-cell rule
   * @param vocabulary the vocabulary
   * @param classes    K
   * @param names      the classes' names, or null for integer labels
   * @return the rows as ids, with one-hot labels of K
   * @throws InputException on a bad cell or label, or an empty text
   */
  public static DataSet labelled(Path file, String column, CsvLayout layout, Vocabulary vocabulary, int classes,
      List<String> names) {
    return classified(read(file, column, layout, true), vocabulary, classes, names).set();
  }

  /**
   * The texts of a CSV as ids, for prediction (no label is read).
   *
   * @param file       the CSV
   * @param column     the text column, or null for the header's {@value #TEXT}
   * @param vocabulary the model's vocabulary
   * @return the rows as ids, with no targets
   * @throws InputException on a bad row or an empty text
   */
  public static DataSet inputs(Path file, String column, Vocabulary vocabulary) {
    Read read = read(file, column, CsvLayout.DEFAULT, false);
    return new DataSet(read.name(), read.texts().size(), vocabulary.seqLen(), 0, encode(read, vocabulary),
        new float[0]);
  }

  private static CsvReader.Classified classified(Read read, Vocabulary vocabulary, int classes, List<String> names) {
    CsvReader.ClassIndex index = CsvReader.classIndex(read.name(), read.labelColumn(), read.labels(), read.lines(),
        classes, names);
    int rows = read.texts().size();
    int k = index.k();
    float[] y = new float[rows * k];
    for (int r = 0; r < rows; r++) {
      y[r * k + index.classes()[r]] = 1f;
    }
    DataSet set = new DataSet(read.name(), rows, vocabulary.seqLen(), k, encode(read, vocabulary), y);
    return new CsvReader.Classified(set, index.names());
  }

  private static float[] encode(Read read, Vocabulary vocabulary) {
    int t = vocabulary.seqLen();
    int rows = read.texts().size();
    if ((long) rows * t > Integer.MAX_VALUE - 8) {
      throw new InputException(read.name() + ": too large: " + rows + " texts × " + t + " ids do not fit in one array");
    }
    float[] x = new float[rows * t];
    Vocabulary.Encoder encoder = vocabulary.encoder();
    for (int r = 0; r < rows; r++) {
      String text = read.texts().get(r);
      if (Vocabulary.isEmpty(text, encoder.encode(text, x, r * t))) {
        throw new InputException(vocabulary.noTokens(read.name() + ":" + read.lines()[r]));
      }
    }
    return x;
  }

  /** Reads the texts and, when {@code labelled}, the label cells. */
  private static Read read(Path file, String column, CsvLayout layout, boolean labelled) {
    String name = file.toString();
    if (Files.isDirectory(file)) {
      throw new InputException(name + ": is a directory, expected a CSV file");
    }
    List<String> texts = new ArrayList<>();
    List<String> labels = labelled ? new ArrayList<>() : null;
    List<Integer> lines = new ArrayList<>();
    List<String> header = null;
    int textIndex = -1;
    int labelIndex = -1;
    boolean sawContent = false;
    try (BufferedReader reader = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file),
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
          if (isHeader(cells, column)) {
            header = java.util.Arrays.stream(cells).map(String::strip).toList();
            continue;
          }
        }
        if (textIndex < 0) {
          textIndex = textIndex(column, name, header, cells.length);
          if (labelled) {
            labelIndex = labelIndex(layout, name, header, cells.length, textIndex);
          }
        }
        int need = Math.max(textIndex, labelIndex) + 1;
        if (cells.length < need) {
          throw new InputException(name + ":" + line + ": " + cells.length + " cell" + (cells.length == 1 ? "" : "s")
              + ", but column " + need + " is read");
        }
        String text = cells[textIndex];
        String label = labelled ? cells[labelIndex].strip() : null;
        if (layout.dropMissing() && (text.isBlank() || CsvLayout.isMissing(label))) {
          continue;
        }
        texts.add(text);
        if (labelled) {
          labels.add(label);
        }
        lines.add((int) line);
      }
      if (records.unclosed() > 0) {
        throw new InputException(name + ":" + records.unclosed() + ": a quoted cell opened on this line is not closed "
            + "before the end of the file (a stray '\"'?)");
      }
    } catch (IOException e) {
      throw CsvScan.cannotRead(name, e);
    }
    if (texts.isEmpty()) {
      throw new InputException(name + ": no data rows (the file is empty or holds only a header)");
    }
    return new Read(name, texts, labels, lines.stream().mapToInt(Integer::intValue).toArray(), labelIndex + 1);
  }

  /** Whether a first line is a header: a cell is {@value #TEXT} (any case) or the text column's name. */
  private static boolean isHeader(String[] cells, String column) {
    for (String cell : cells) {
      String c = cell.strip();
      if (c.toLowerCase(Locale.ROOT).equals(TEXT) || column != null && c.equals(column.strip())) {
        return true;
      }
    }
    return false;
  }

  private static int textIndex(String column, String name, List<String> header, int columns) {
    if (column != null) {
      return CsvLayout.index(column, "textColumn", name, header, columns);
    }
    if (header != null) {
      for (int i = 0; i < header.size() && i < columns; i++) {
        if (header.get(i).toLowerCase(Locale.ROOT).equals(TEXT)) {
          return i;
        }
      }
    }
    throw InputException.parameter("textColumn", "is needed: " + name + " has no header line with a column named "
        + TEXT);
  }

  private static int labelIndex(CsvLayout layout, String name, List<String> header, int columns, int textIndex) {
    if (layout.label().size() > 1) {
      throw InputException.parameter("label", "names " + layout.label().size() + " columns, but text is classified "
          + "by one class-label column");
    }
    int label = layout.label().isEmpty() ? columns - 1 : CsvLayout.index(layout.label().get(0), "label", name, header,
        columns);
    if (label == textIndex) {
      throw InputException.parameter("label", "is column " + (label + 1) + " of " + name + ", the text column; give "
          + "the class-label column");
    }
    return label;
  }
}
