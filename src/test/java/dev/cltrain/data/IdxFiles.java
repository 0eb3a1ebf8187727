package dev.cltrain.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds IDX files byte by byte for the tests: headers as given (possibly lying), raw or gzipped. */
public final class IdxFiles {
  private IdxFiles() {}

  /** An images file: magic 0x803, the given header counts, then {@code pixels} as they are. */
  public static byte[] images(int count, int rows, int cols, byte[] pixels) {
    return withHeader(IdxReader.IMAGES_MAGIC, new int[] {count, rows, cols}, pixels);
  }

  /** A labels file: magic 0x801, the given count, then {@code labels} as bytes. */
  public static byte[] labels(int count, int... labels) {
    byte[] body = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      body[i] = (byte) labels[i];
    }
    return withHeader(IdxReader.LABELS_MAGIC, new int[] {count}, body);
  }

  static byte[] withHeader(int magic, int[] dims, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + body.length);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    b.put(body);
    return b.array();
  }

  /** Pixels 0..255 given as ints. */
  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  static byte[] gzip(byte[] data) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(data);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path write(Path file, byte[] data) {
    try {
      Files.write(file, data);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
