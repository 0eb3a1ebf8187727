package dev.cltrain.data;

import java.io.IOException;

/**
 * Reads CSV records from a stream in one pass, in time linear in its length: cells separated by commas,
 * a cell in double quotes may hold commas, line breaks and doubled quotes ({@code ""} for {@code "}), spaces
 * around a quoted cell are allowed, text after the closing quote is kept (so it fails as a number), a quote
 * inside an unquoted cell is text. Lines end with \n, \r\n or \r; a leading byte order mark is skipped.
 */
final class CsvRecords {
  private final java.io.Reader in;
  private final char[] buffer = new char[1 << 16];
  private int position;
  private int length;
  private long line = 1;
  private long start;
  private long unclosed;
  private boolean blank;
  private boolean atStart = true;
  private final StringBuilder cell = new StringBuilder();

  CsvRecords(java.io.Reader in) {
    this.in = in;
  }

  private int read() throws IOException {
    if (position == length && !fill()) {
      return -1;
    }
    return buffer[position++];
  }

  private int peek() throws IOException {
    if (position == length && !fill()) {
      return -1;
    }
    return buffer[position];
  }

  private boolean fill() throws IOException {
    int n = in.read(buffer, 0, buffer.length);
    position = 0;
    length = Math.max(n, 0);
    return n > 0;
  }

  /** @return the line the last record began on */
  long line() {
    return start;
  }

  /** @return whether the last record was a blank line */
  boolean blank() {
    return blank;
  }

  /** @return the line of a quote still open at the end of the input, or 0 */
  long unclosed() {
    return unclosed;
  }

  /** @return the next record's cells (not stripped), or null at the end (or a quote still open: {@link #unclosed}) */
  String[] next() throws IOException {
    int c = read();
    if (atStart) {
      atStart = false;
      if (c == '\uFEFF') {
        c = read();
      }
    }
    if (c < 0) {
      return null;
    }
    start = line;
    java.util.List<String> cells = new java.util.ArrayList<>();
    boolean quoted = false;
    while (true) {
      cell.setLength(0);
      while (c == ' ') {
        cell.append(' ');
        c = read();
      }
      if (c == '"') {
        quoted = true;
        cell.setLength(0);
        long opened = line;
        while (true) {
          c = read();
          if (c < 0) {
            unclosed = opened;
            return null;
          }
          if (c == '"') {
            if (peek() != '"') {
              break;
            }
            read();
          } else if (c == '\r' || c == '\n') {
            if (c == '\r' && peek() == '\n') {
              read();
            }
            line++;
            c = '\n';
          }
          cell.append((char) c);
        }
        int closed = cell.length();
        boolean after = false;
        for (c = read(); c >= 0 && c != ',' && c != '\n' && c != '\r'; c = read()) {
          cell.append((char) c);
          after |= !Character.isWhitespace(c);
        }
        if (!after) {
          cell.setLength(closed);
        }
      } else {
        for (; c >= 0 && c != ',' && c != '\n' && c != '\r'; c = read()) {
          cell.append((char) c);
        }
      }
      cells.add(cell.toString());
      if (c != ',') {
        break;
      }
      c = read();
    }
    if (c == '\r' && peek() == '\n') {
      read();
    }
    if (c >= 0) {
      line++;
    }
    blank = !quoted && cells.size() == 1 && cells.get(0).isBlank();
    return cells.toArray(new String[0]);
  }

  /** {@return the cells of the file's first data row, as {@link CsvReader#columns} says} */
  static int columns(java.nio.file.Path file) {
    try (java.io.BufferedReader reader = java.nio.file.Files.newBufferedReader(file, java.nio.charset.StandardCharsets.UTF_8)) {
      boolean first = true;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String record = first && line.startsWith("\uFEFF") ? line.substring(1) : line;
        if (record.isBlank()) {
          continue;
        }
        String[] cells = CsvReader.split(record);
        for (String more = cells == null ? reader.readLine() : null; more != null && cells == null; ) {
          record = record + "\n" + more;
          cells = CsvReader.split(record);
          more = cells == null ? reader.readLine() : null;
        }
        if (cells == null) {
          return -1;
        }
        if (!first || !CsvReader.isHeader(cells)) {
          return cells.length;
        }
        first = false;
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }
}
