package dev.cltrain.data;

import dev.cltrain.core.InputException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A binary float32 row file, the row cache's format, memory-mapped and read by row index.
 *
 * <pre>
 * offset 0         "CLTROWS1" (8 bytes), then zeros up to {@link #BODY}
 * offset BODY      rows × stride little-endian float32: each row's inputs, then its stored targets: the
 *                  targets (outputs floats), or for a classifier one float holding the label's index in
 *                  {@code labels} (its one-hot row of K is built when read, as the in-memory readers build it)
 * trailer          DataOutput: version, rows, inputs, stored, outputs, key, labels (index → class), names,
 *                  body length, CRC-32C of the body
 * last 12 bytes    the trailer's length (int), "CLTROWS." (8 bytes)
 * </pre>
 *
 * <p>A file whose size, magic, trailer, key or body checksum is not what was written is {@link Damaged}: the
 * cache rebuilds it, never reads it. The file is mapped in windows of under 2 GB (whole rows each).
 */
public final class RowFile implements RowSource {
  static final byte[] MAGIC = "CLTROWS1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  static final byte[] END = "CLTROWS.".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  /** Where the rows start: a header of the magic and zeros. */
  static final int BODY = 64;
  /** The largest window mapped at once (whole rows of it). */
  static final long WINDOW = 1L << 30;

  /** A row file that is not whole or not what its trailer says: never read. */
  static final class Damaged extends Exception {
    Damaged(String why) {
      super(why);
    }
  }

  private final Path path;
  private final int rows;
  private final int inputs;
  private final int stored;
  private final int outputs;
  private final String key;
  private final int[] labels;
  private final List<String> names;
  private final int rowsPerWindow;
  private final FloatBuffer[] windows;
  /** What the rows were converted from, and its size and time then, for {@link #checkUnchanged()}. */
  private List<Path> sources = List.of();
  private long[] stamps = new long[0];

  private RowFile(Path path, int rows, int inputs, int stored, int outputs, String key, int[] labels,
      List<String> names, FloatBuffer[] windows, int rowsPerWindow) {
    this.path = path;
    this.rows = rows;
    this.inputs = inputs;
    this.stored = stored;
    this.outputs = outputs;
    this.key = key;
    this.labels = labels;
    this.names = names;
    this.windows = windows;
    this.rowsPerWindow = rowsPerWindow;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int inputs() {
    return inputs;
  }

  @Override
  public int outputs() {
    return outputs;
  }

  /** {@return the key the file was written under: its source's identity and the conversion} */
  String key() {
    return key;
  }

  /** {@return the classes' names for a classifier of string labels, else null} */
  public List<String> names() {
    return names;
  }

  /** {@return the file} */
  public Path path() {
    return path;
  }

  /** {@return whether targets are class labels turned into one-hot rows} */
  boolean classified() {
    return labels != null;
  }

  /** Records what the rows came from, so that {@link #checkUnchanged()} can tell a file replaced since. */
  RowFile watching(List<Path> files) {
    sources = List.copyOf(files);
    stamps = RowCache.stamps(files);
    return this;
  }

  @Override
  public void checkUnchanged() {
    long[] now = RowCache.stamps(sources);
    for (int i = 0; i < sources.size(); i++) {
      if (now[2 * i] != stamps[2 * i] || now[2 * i + 1] != stamps[2 * i + 1]) {
        throw new InputException(sources.get(i) + ": changed during the run (its size or time is not what it was "
            + "when the run began); run again to read it anew");
      }
    }
  }

  @Override
  public void gather(int[] order, int from, int count, float[] x, float[] y) {
    for (int i = 0; i < count; i++) {
      int row = order[from + i];
      if (row < 0 || row >= rows) {
        throw new IndexOutOfBoundsException("row " + row + " of " + path + " with " + rows + " rows");
      }
      readRow(row, x, i * inputs, y, i * outputs);
    }
  }

  @Override
  public void read(int from, int count, float[] x, float[] y) {
    for (int i = 0; i < count; i++) {
      readRow(from + i, x, i * inputs, y, i * outputs);
    }
  }

  private void readRow(int row, float[] x, int xAt, float[] y, int yAt) {
    FloatBuffer window = windows[row / rowsPerWindow];
    int at = (row % rowsPerWindow) * (inputs + stored);
    window.get(at, x, xAt, inputs);
    if (outputs == 0) {
      return;
    }
    if (labels != null) {
      java.util.Arrays.fill(y, yAt, yAt + outputs, 0f);
      y[yAt + labels[(int) window.get(at + inputs)]] = 1f;
    } else {
      window.get(at + inputs, y, yAt, outputs);
    }
  }

  /**
   * Opens a row file and checks it whole: its size, trailer, key and body checksum.
   *
   * @param path the file
   * @param key  the key it must have been written under
   * @return the rows
   * @throws Damaged when it is not whole or not for that key
   * @throws IOException when it cannot be read
   */
  static RowFile open(Path path, String key) throws Damaged, IOException {
    return open(path, key, WINDOW);
  }

  /** {@link #open(Path, String)} mapping at most {@code window} bytes (whole rows) at once. */
  static RowFile open(Path path, String key, long window) throws Damaged, IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < BODY + 12) {
        throw new Damaged(size + " bytes, too short");
      }
      ByteBuffer head = ByteBuffer.allocate(MAGIC.length);
      channel.read(head, 0);
      ByteBuffer tail = ByteBuffer.allocate(12);
      channel.read(tail, size - 12);
      if (!java.util.Arrays.equals(head.array(), MAGIC)
          || !java.util.Arrays.equals(java.util.Arrays.copyOfRange(tail.array(), 4, 12), END)) {
        throw new Damaged("not a whole row file (its first or last bytes are not the markers)");
      }
      int trailerLength = tail.getInt(0);
      if (trailerLength <= 0 || trailerLength > size - BODY - 12) {
        throw new Damaged("bad trailer length " + trailerLength);
      }
      ByteBuffer trailer = ByteBuffer.allocate(trailerLength);
      channel.read(trailer, size - 12 - trailerLength);
      DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(trailer.array()));
      int version = in.readInt();
      if (version != VERSION) {
        throw new Damaged("version " + version + ", not " + VERSION);
      }
      int rows = in.readInt();
      int inputs = in.readInt();
      int stored = in.readInt();
      int outputs = in.readInt();
      String found = in.readUTF();
      int labelCount = in.readInt();
      int[] labels = labelCount < 0 ? null : new int[labelCount];
      for (int i = 0; labels != null && i < labelCount; i++) {
        labels[i] = in.readInt();
      }
      int nameCount = in.readInt();
      List<String> names = nameCount < 0 ? null : new ArrayList<>();
      for (int i = 0; names != null && i < nameCount; i++) {
        names.add(in.readUTF());
      }
      long bodyLength = in.readLong();
      long crc = in.readLong();
      long stride = 4L * (inputs + stored);
      if (!found.equals(key)) {
        throw new Damaged("written for another source or conversion");
      }
      if (rows <= 0 || inputs <= 0 || stored < 0 || bodyLength != rows * stride
          || BODY + bodyLength + trailerLength + 12 != size) {
        throw new Damaged("its size does not match its trailer");
      }
      int rowsPerWindow = (int) Math.max(1, window / stride);
      int count = (rows + rowsPerWindow - 1) / rowsPerWindow;
      FloatBuffer[] windows = new FloatBuffer[count];
      CRC32C check = new CRC32C();
      for (int w = 0; w < count; w++) {
        long first = (long) w * rowsPerWindow;
        long bytes = Math.min(rowsPerWindow, rows - first) * stride;
        MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, BODY + first * stride, bytes);
        check.update(map.duplicate());
        windows[w] = map.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      }
      if (check.getValue() != crc) {
        throw new Damaged("its rows' checksum does not match");
      }
      if (labels != null) {
        for (int w = 0; w < count; w++) { // every stored label index must name a class
          int n = (int) Math.min(rowsPerWindow, rows - (long) w * rowsPerWindow);
          for (int r = 0; r < n; r++) {
            float v = windows[w].get((int) (r * (stride / 4)) + inputs);
            if (!(v >= 0 && v < labels.length && v == (int) v)) {
              throw new Damaged("a row's label index " + v + " is not one of its " + labels.length);
            }
          }
        }
      }
      return new RowFile(path, rows, inputs, stored, outputs, key, labels, names, windows, rowsPerWindow);
    } catch (java.io.EOFException | java.io.UTFDataFormatException e) {
      throw new Damaged("its trailer is cut short");
    }
  }

  /**
   * Writes rows into a channel (a temporary file the cache renames once whole): the body as rows come, the
   * trailer at the end.
   */
  static final class Writer {
    private final FileChannel channel;
    private int inputs = -1;
    private int stored;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long bodyBytes;
    private int rows;

    Writer(FileChannel channel) throws IOException {
      this.channel = channel;
      ByteBuffer head = ByteBuffer.allocate(BODY);
      head.put(MAGIC).clear();
      while (head.hasRemaining()) {
        channel.write(head);
      }
    }

    /**
     * Sets the row's widths, before the first row.
     *
     * @param inputs inputs per row
     * @param stored stored targets per row: the targets, or 1 (a label index) for a classifier
     */
    void widths(int inputs, int stored) {
      this.inputs = inputs;
      this.stored = stored;
    }

    /** {@return the rows written so far} */
    int rows() {
      return rows;
    }

    /**
     * @param values a row: its inputs and then its stored targets ({@code inputs + stored} floats from {@code at})
     * @param at     where the row starts in {@code values}
     */
    void row(float[] values, int at) throws IOException {
      if (rows == Integer.MAX_VALUE) {
        throw new InputException("more than " + Integer.MAX_VALUE + " rows: too many for one data set");
      }
      int n = inputs + stored;
      if (buffer.remaining() < 4 * n) {
        flush();
      }
      if (buffer.remaining() < 4 * n) { // a row wider than the buffer
        ByteBuffer wide = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        wide.asFloatBuffer().put(values, at, n);
        crc.update(wide.duplicate());
        while (wide.hasRemaining()) {
          channel.write(wide);
        }
        bodyBytes += 4L * n;
      } else {
        buffer.asFloatBuffer().put(values, at, n);
        buffer.position(buffer.position() + 4 * n);
        bodyBytes += 4L * n;
      }
      rows++;
    }

    private void flush() throws IOException {
      buffer.flip();
      crc.update(buffer.duplicate());
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      buffer.clear();
    }

    /**
     * Writes the trailer after the rows.
     *
     * @param outputs the targets per row when read
     * @param key     the source's identity and the conversion
     * @param labels  for a classifier, the class of each stored label index; else null
     * @param names   the classes' names, or null
     */
    void finish(int outputs, String key, int[] labels, List<String> names) throws IOException {
      flush();
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(VERSION);
      out.writeInt(rows);
      out.writeInt(inputs);
      out.writeInt(stored);
      out.writeInt(outputs);
      out.writeUTF(key);
      out.writeInt(labels == null ? -1 : labels.length);
      for (int i = 0; labels != null && i < labels.length; i++) {
        out.writeInt(labels[i]);
      }
      out.writeInt(names == null ? -1 : names.size());
      for (int i = 0; names != null && i < names.size(); i++) {
        out.writeUTF(names.get(i));
      }
      out.writeLong(bodyBytes);
      out.writeLong(crc.getValue());
      out.writeInt(bytes.size());
      out.write(END);
      ByteBuffer trailer = ByteBuffer.wrap(bytes.toByteArray());
      while (trailer.hasRemaining()) {
        channel.write(trailer);
      }
    }
  }
}
