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
 * cell), blank lines ignored. The last {@code targets} columns are the targets, the rest the inputs. Every
 * problem is an {@link InputException} naming the file, line and column.
 */
public final class CsvReader {
  private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern NON_FINITE = Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);

  private CsvReader() {}

  public static DataSet read(Path file, int targets) {
    if (targets < 1) {
      throw new InputException("--targets must be at least 1, got " + targets);
    }
    String name = file.toString();
    if (Files.isDirectory(file)) {
      throw new InputException(name + ": is a directory, expected a CSV file");
    }
    FloatList values = new FloatList();
    int columns = -1;
    int firstDataLine = 0;
    int rows = 0;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      boolean sawContent = false;
      while ((line = reader.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] cells = line.split(",", -1);
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
            throw new InputException(name + ":" + lineNo + ": " + columns + " column" + (columns == 1 ? "" : "s")
                + ", but " + targets + " target column" + (targets == 1 ? "" : "s") + " and at least one input are needed");
          }
        } else if (cells.length != columns) {
          throw new InputException(name + ":" + lineNo + ": " + cells.length + " columns, expected " + columns
              + " (as on line " + firstDataLine + ")");
        }
        for (int c = 0; c < cells.length; c++) {
          values.add(parseCell(cells[c].strip(), name, lineNo, c + 1));
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
    return split(name, rows, columns, targets, values.toArray());
  }

  private static boolean isHeader(String[] cells) {
    for (String cell : cells) {
      String s = cell.strip();
      if (NUMBER.matcher(s).matches() || NON_FINITE.matcher(s).matches()) {
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
    if (!NUMBER.matcher(cell).matches()) {
      throw new InputException(where + ": '" + abbreviate(cell) + "' is not a number");
    }
    float value = (float) Double.parseDouble(cell);
    if (Float.isInfinite(value)) {
      throw new InputException(where + ": '" + abbreviate(cell) + "' is out of float32 range");
    }
    return value;
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
