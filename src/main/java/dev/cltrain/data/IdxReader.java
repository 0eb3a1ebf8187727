package dev.cltrain.data;

import dev.cltrain.core.InputException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads MNIST's IDX files: unsigned-byte images (magic 0x00000803: count, rows, cols, then the pixels row
 * by row) and labels (magic 0x00000801: count, then one byte per label), big-endian, raw or gzipped. Gzip
 * is recognised by its magic bytes (0x1f 0x8b), not by the file name.
 *
 * <p>Every problem is an {@link InputException} with one line naming the file and what is wrong. Nothing is
 * allocated from the header's counts before checking them against what the file can hold: a raw file
 * against its size, a gzip file against its compressed size × 1032 (deflate's largest ratio), and a gzip
 * file is inflated into a buffer that grows with what actually comes out.
 */
public final class IdxReader {
  /** Magic number of an unsigned-byte IDX file with 3 dimensions (images). */
  public static final int IMAGES_MAGIC = 0x00000803;
  /** Magic number of an unsigned-byte IDX file with 1 dimension (labels). */
  public static final int LABELS_MAGIC = 0x00000801;

  /** Deflate cannot expand data by more than about 1032:1. */
  private static final long MAX_DEFLATE_RATIO = 1032;
  /** The largest Java array the VM reliably allocates. */
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
  private static final int CHUNK = 1 << 16;

  private IdxReader() {}

  /**
   * Images of an IDX file: {@code count} images of {@code rows} × {@code cols} pixels, row-major, each
   * scaled to [0, 1] as byte / 255f.
   *
   * @param count  the number of images
   * @param rows   pixel rows per image
   * @param cols   pixel columns per image
   * @param pixels count × rows × cols values in [0, 1], image after image, each row-major
   */
  public record Images(int count, int rows, int cols, float[] pixels) {
    /** @return pixels per image: rows × cols */
    public int width() {
      return rows * cols;
    }
  }

  /**
   * An 8-bit pixel as the model takes it: value / 255f (the input scale 1/255); every image reader scales by this.
   *
   * @param value 0..255
   * @return value / 255f, in [0, 1]
   */
  public static float pixel(int value) {
    return value / 255f;
  }

  /**
   * Reads an IDX images file (magic 0x00000803), raw or gzipped; pixels become byte / 255f.
   *
   * @param file the images file
   * @return its images
   * @throws InputException if the file cannot be read, is not an IDX images file, or its size does not match
   *     its header
   */
  public static Images readImages(Path file) {
    Payload p = read(file, IMAGES_MAGIC, 3, "images");
    float[] pixels = new float[p.data.length];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = pixel(p.data[i] & 0xff);
    }
    return new Images(p.dims[0], p.dims[1], p.dims[2], pixels);
  }

  /**
   * Reads an IDX labels file (magic 0x00000801), raw or gzipped: one value 0..255 per item.
   *
   * @param file the labels file
   * @return the labels, in order
   * @throws InputException if the file cannot be read, is not an IDX labels file, or its size does not match
   *     its header
   */
  public static int[] readLabels(Path file) {
    Payload p = read(file, LABELS_MAGIC, 1, "labels");
    int[] labels = new int[p.data.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = p.data[i] & 0xff;
    }
    return labels;
  }

  private record Payload(int[] dims, byte[] data) {}

  private static Payload read(Path file, int magic, int ndims, String what) {
    return read(file, magic, ndims, what, null);
  }

  /** Takes a file's data bytes piece by piece, in order, rather than keeping them (a streamed conversion). */
  interface Sink {
    /**
     * @param bytes         the next data bytes, from index 0
     * @param count         how many of them
     * @param fileBytesRead bytes of the file read so far (inflated, for gzip), for progress
     */
    void accept(byte[] bytes, int count, long fileBytesRead) throws IOException;
  }

  /** A sink that reads no data: {@link #read} returns after the header's checks. */
  private static final Sink HEADER_ONLY = (bytes, count, read) -> { };

  /**
   * The dimensions of an IDX images file's header (checked as {@link #readImages} checks them, the data not read).
   *
   * @param file the images file
   * @return count, rows, cols
   * @throws InputException as {@link #readImages} would for a bad header or size
   */
  static int[] imageDims(Path file) {
    return read(file, IMAGES_MAGIC, 3, "images", HEADER_ONLY).dims;
  }

  /**
   * Streams an IDX images file's pixels to {@code sink} in pieces, with every check {@link #readImages} makes.
   *
   * @param file the images file
   * @param sink gets the pixel bytes in order
   * @return count, rows, cols
   * @throws InputException as {@link #readImages} would
   */
  static int[] streamImages(Path file, Sink sink) {
    return read(file, IMAGES_MAGIC, 3, "images", sink).dims;
  }

  private static Payload read(Path file, int magic, int ndims, String what, Sink sink) {
    String name = file.toString();
    if (Files.isDirectory(file)) {
      throw new InputException(name + ": is a directory, expected an IDX " + what + " file");
    }
    Counter counter = new Counter();
    boolean gzip = false;
    try {
      long size = Files.size(file);
      if (size == 0) {
        throw new InputException(name + ": empty file, expected an IDX " + what + " file");
      }
      try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), CHUNK)) {
        raw.mark(2);
        gzip = raw.read() == 0x1f && raw.read() == 0x8b;
        raw.reset();
        InputStream in = gzip ? new GZIPInputStream(raw, CHUNK) : raw;
        return readPayload(name, in, gzip, size, magic, ndims, what, counter, sink);
      }
    } catch (NoSuchFileException e) {
      throw new InputException(name + ": file not found");
    } catch (AccessDeniedException e) {
      throw new InputException(name + ": permission denied");
    } catch (EOFException e) {
      if (gzip) {
        throw new InputException(name + ": truncated gzip file: " + counter.message());
      }
      throw new InputException(name + ": cannot read (" + e.getMessage() + ")");
    } catch (ZipException e) {
      throw new InputException(name + ": not a valid gzip file: the compressed data does not inflate ("
          + e.getMessage() + ")");
    } catch (IOException e) {
      if (gzip && "Not in GZIP format".equals(e.getMessage())) {
        throw new InputException(name + ": not a valid gzip file (bad gzip header)");
      }
      throw new InputException(name + ": cannot read (" + e.getMessage() + ")");
    }
  }

  /** Bytes inflated so far, and how many were expected, for the message of a gzip stream that ends early. */
  private static final class Counter {
    long read;
    long header;
    long expected = -1;

    String message() {
      return expected < 0
          ? "the compressed stream ends inside the IDX header"
          : "the compressed stream ends after " + (read - header) + " of the " + expected
              + " bytes the IDX header describes";
    }
  }

  private static Payload readPayload(String name, InputStream in, boolean gzip, long size, int magic, int ndims,
      String what, Counter counter, Sink sink) throws IOException {
    String kind = gzip ? "gzip " : "";
    int headerBytes = 4 + 4 * ndims;
    byte[] header = new byte[headerBytes];
    int got = readUpTo(in, header, 0, headerBytes, counter);
    if (got < 4) {
      throw new InputException(name + ": " + (gzip ? "inflates to " : "has ") + got + " byte" + (got == 1 ? "" : "s")
          + ", too short for an IDX " + what + " file (its header alone is " + headerBytes + " bytes)");
    }
    int found = readInt(header, 0);
    if (found != magic) {
      String hint = "";
      if (found == IMAGES_MAGIC) {
        hint = " (that is an IDX images file)";
      } else if (found == LABELS_MAGIC) {
        hint = " (that is an IDX labels file)";
      }
      throw new InputException(name + ": wrong magic number " + hex(found) + ", expected " + hex(magic)
          + " (IDX " + what + ": unsigned bytes, " + ndims + " dimension" + (ndims == 1 ? "" : "s") + ")" + hint);
    }
    if (got < headerBytes) {
      throw new InputException(name + ": truncated IDX header: expected " + headerBytes + " bytes, found " + got);
    }
    int[] dims = new int[ndims];
    long items = 1;
    String[] dimNames = ndims == 1 ? new String[] {"label count"} : new String[] {"image count", "rows", "cols"};
    for (int d = 0; d < ndims; d++) {
      long v = Integer.toUnsignedLong(readInt(header, 4 + 4 * d));
      if (v == 0) {
        throw new InputException(name + ": the IDX header gives " + dimNames[d] + " 0");
      }
      if (v > Integer.MAX_VALUE) {
        throw new InputException(name + ": the IDX header gives " + dimNames[d] + " " + v + ", over the limit of "
            + Integer.MAX_VALUE);
      }
      dims[d] = (int) v;
    }
    String described = ndims == 1
        ? dims[0] + (dims[0] == 1 ? " label" : " labels")
        : dims[0] + (dims[0] == 1 ? " image" : " images") + " of " + dims[1] + "×" + dims[2];
    try {
      for (int d = 0; d < ndims; d++) {
        items = Math.multiplyExact(items, dims[d]);
      }
    } catch (ArithmeticException e) {
      throw new InputException(name + ": too large: the header says " + described + ", more bytes than a file can hold");
    }
    long expected = items;
    counter.header = headerBytes;
    counter.expected = expected;
    if (!gzip) {
      long available = size - headerBytes;
      if (available < expected) {
        throw new InputException(name + ": truncated: the header says " + described + " (" + (headerBytes + expected)
            + " bytes with the " + headerBytes + "-byte header), but the file has " + size + " bytes"
            + completeItems(available, dims, ndims, what));
      }
      if (available > expected) {
        throw new InputException(name + ": " + (available - expected) + " bytes after the data: the header says "
            + described + " (" + (headerBytes + expected) + " bytes with the header), but the file has " + size
            + " bytes");
      }
    } else {
      long bound = size * MAX_DEFLATE_RATIO;
      if (expected > bound) {
        throw new InputException(name + ": truncated: the header says " + described + " (" + expected
            + " bytes after the header), but a " + size + "-byte gzip file inflates to at most " + bound + " bytes");
      }
    }
    if (sink == HEADER_ONLY) {
      return new Payload(dims, null);
    }
    if (sink == null && expected > MAX_ARRAY) {
      throw new InputException(name + ": too large: the header says " + described + " (" + expected
          + " bytes), over the " + MAX_ARRAY + " one array can hold");
    }
    Collect collect = sink == null ? new Collect(expected) : null;
    Sink to = sink != null ? sink : collect;
    byte[] piece = new byte[CHUNK];
    long n = 0;
    while (n < expected) {
      int want = (int) Math.min(CHUNK, expected - n);
      int r = readUpTo(in, piece, 0, want, counter);
      if (r > 0) {
        to.accept(piece, r, counter.read);
      }
      n += r;
      if (r < want) {
        break; // end of stream
      }
    }
    if (n < expected && !gzip) { // the file shrank while being read
      throw new InputException(name + ": truncated: expected " + expected + " bytes after the header, found " + n);
    }
    if (n < expected) {
      throw new InputException(name + ": truncated: the header says " + described + " (" + expected
          + " bytes after the header), but the gzip file inflates to only " + n + " bytes"
          + completeItems(n, dims, ndims, what));
    }
    if (gzip && in.read() != -1) {
      throw new InputException(name + ": more data than the header describes: the header says " + described
          + " (" + expected + " bytes after the header), but the gzip file inflates to more");
    }
    return new Payload(dims, collect == null ? null : collect.bytes());
  }

  /** Keeps the data bytes, in an array that grows with what actually comes (a lying gzip header allocates nothing). */
  private static final class Collect implements Sink {
    private byte[] data;
    private int size;

    Collect(long expected) {
      data = new byte[(int) Math.min(expected, 1 << 20)];
    }

    @Override
    public void accept(byte[] bytes, int count, long fileBytesRead) {
      if (size + count > data.length) {
        data = Arrays.copyOf(data, (int) Math.min(MAX_ARRAY, Math.max(size + (long) count, 2L * data.length)));
      }
      System.arraycopy(bytes, 0, data, size, count);
      size += count;
    }

    byte[] bytes() {
      return size == data.length ? data : Arrays.copyOf(data, size);
    }
  }

  private static String completeItems(long bytes, int[] dims, int ndims, String what) {
    long per = 1;
    for (int d = 1; d < ndims; d++) {
      per *= dims[d];
    }
    long complete = Math.max(0, bytes) / per;
    return " (only " + complete + " of the " + dims[0] + " " + what + " complete)";
  }

  /** Reads until {@code len} bytes or the end of the stream; returns how many were read. */
  private static int readUpTo(InputStream in, byte[] buf, int off, int len, Counter counter) throws IOException {
    int n = 0;
    while (n < len) {
      int r = in.read(buf, off + n, len - n);
      if (r < 0) {
        break;
      }
      n += r;
      counter.read += r;
    }
    return n;
  }

  private static int readInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
  }

  private static String hex(int v) {
    return String.format("0x%08x", v);
  }
}
