package dev.cltrain.data;

import dev.cltrain.core.InputException;
import dev.cltrain.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.Consumer;

/**
 * The row cache: a source (a CSV, an IDX pair) converted once into a {@link RowFile}, then memory-mapped by
 * every later run. A cache file is named by a hash of the sources' real paths and the conversion, and keyed
 * by each source's size, modification time and a hash of its first and last {@value #BLOCK} bytes: a source
 * that changed, or a file that is cut short or whose checksum fails, is rebuilt (with a note), never read.
 * The conversion writes a temporary file beside the cache file and renames it once whole, so a conversion
 * killed half-way leaves nothing a later run trusts.
 */
public final class RowCache {
  /** Bytes hashed at each end of a source for its key. */
  static final int BLOCK = 1 << 16;

  private RowCache() {}

  /**
   * Where the cache lives and who hears of its work.
   *
   * @param folder the cache folder, or null for {@link #defaultFolder()}
   * @param notes  gets one line per conversion and a progress line about every second (rows and MB/s), and a
   *     line when a damaged or stale cache file is rebuilt; null for none
   */
  public record Options(Path folder, Consumer<String> notes) {
    /** The default folder, no notes. */
    public static final Options DEFAULT = new Options(null, null);

    /** {@return the folder: the given one or the default} */
    public Path resolvedFolder() {
      return folder != null ? folder : defaultFolder();
    }

    void note(String line) {
      if (notes != null) {
        notes.accept(line);
      }
    }
  }

  /**
   * {@return $CLTRAIN_CACHE/rows when set, else $XDG_CACHE_HOME/cltrain/rows, else ~/.cache/cltrain/rows}
   */
  public static Path defaultFolder() {
    String own = System.getenv("CLTRAIN_CACHE");
    if (own != null && !own.isBlank()) {
      return Path.of(own, "rows");
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "cltrain", "rows");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "cltrain", "rows");
  }

  /**
   * What a conversion found besides the rows.
   *
   * @param outputs targets per row when read (K for a classifier)
   * @param labels  a classifier's class of each stored label index, else null
   * @param names   the classes' names, or null
   */
  record Converted(int outputs, int[] labels, List<String> names) {}

  /** A conversion: writes the rows of the sources into {@code out}. */
  interface Conversion {
    Converted convert(RowFile.Writer out, Progress progress) throws IOException;
  }

  /** Counts the bytes read and rows written, and says so about once a second. */
  static final class Progress {
    private final Options options;
    private final String name;
    private long total;
    private final long start = System.nanoTime();
    private long said = start;
    private long bytes;
    private int rows;

    Progress(Options options, String name, long total) {
      this.options = options;
      this.name = name;
      this.total = total;
    }

    /** {@return {@code in}, counting what is read through it} */
    InputStream counting(InputStream in) {
      return new java.io.FilterInputStream(in) {
        @Override
        public int read() throws IOException {
          int b = super.read();
          bytes += b < 0 ? 0 : 1;
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = super.read(b, off, len);
          bytes += Math.max(0, n);
          return n;
        }
      };
    }

    /** Rows written so far; says so when a second has passed since the last line. */
    void rows(int rows) {
      this.rows = rows;
      if ((rows & 255) == 0) {
        long now = System.nanoTime();
        if (now - said >= 1_000_000_000L) {
          said = now;
          options.note("converting " + name + " into the row cache: " + rows + " rows, " + mb(bytes) + " of "
              + mb(total) + " MB, " + rate(now) + " MB/s");
        }
      }
    }

    /** The bytes a conversion reads in all, when not the files' sizes (a gzip file's inflated bytes). */
    void total(long bytes) {
      this.total = bytes;
    }

    /** Bytes read so far, for a conversion that counts them itself. */
    void bytes(long bytes) {
      this.bytes = bytes;
    }

    private String rate(long now) {
      double seconds = Math.max(1e-9, (now - start) / 1e9);
      return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1e6 / seconds);
    }

    String done() {
      long now = System.nanoTime();
      return String.format(java.util.Locale.ROOT, "converted %s into the row cache: %d rows, %s MB in %.1f s (%s MB/s)",
          name, rows, mb(total), (now - start) / 1e9, rate(now));
    }

    private static String mb(long bytes) {
      return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1e6);
    }
  }

  /**
   * The cached rows of {@code sources} as {@code conversion} makes them: the cache file when it is whole and
   * for these sources as they are now, else converted anew.
   *
   * @param sources    the files the rows come from (their identity keys the cache)
   * @param conversion what the conversion does, as text (its options): part of the key
   * @param options    the cache folder and the notes
   * @param convert    the conversion
   * @return the rows, memory-mapped, watching the sources for changes ({@link RowSource#checkUnchanged()})
   * @throws InputException when a source cannot be read or has a defect, changed while being converted, or the
   *     cache cannot be written
   */
  static RowFile open(List<Path> sources, String conversion, Options options, Conversion convert) {
    return open(sources.get(0).toString(), sources, null, conversion, options, convert);
  }

  /**
   * {@link #open(List, String, Options, Conversion)} for the files of a folder (an image folder's split): the cache
   * file is named by the folder's real path and the conversion, and keyed by the listing, each file's name (its
   * path under the folder), size and modification time (not a hash of its bytes: a folder may hold tens of
   * thousands of files).
   *
   * @param dir        the folder
   * @param files      its files the rows come from, in row order
   * @param conversion what the conversion does, as text
   * @param options    the cache folder and the notes
   * @param convert    the conversion
   * @return the rows, memory-mapped, watching the files for changes
   */
  static RowFile openListing(Path dir, List<Path> files, String conversion, Options options, Conversion convert) {
    return open(dir.toString(), files, dir, conversion, options, convert);
  }

  private static RowFile open(String name, List<Path> sources, Path listed, String conversion, Options options,
      Conversion convert) {
    Path folder = options.resolvedFolder();
    try {
      StringBuilder where = new StringBuilder(conversion);
      for (Path source : listed != null ? List.of(listed) : sources) {
        where.append('\n').append(source.toRealPath());
      }
      Path file = folder.resolve(hex(where.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), 24) + ".rows");
      long[] before = stamps(sources);
      String key = listed != null ? listingKey(where.toString(), listed, sources, before)
          : key(where.toString(), sources, before);
      if (Files.isRegularFile(file)) {
        try {
          return RowFile.open(file, key).watching(sources);
        } catch (RowFile.Damaged e) {
          options.note("note: the row cache " + file + " of " + name + " is not usable (" + e.getMessage()
              + "): converting anew");
        }
      }
      Files.createDirectories(folder);
      AtomicFiles.removeStaleTemporaries(file);
      long total = 0;
      for (int i = 0; i < sources.size(); i++) {
        total += before[2 * i];
      }
      Progress progress = new Progress(options, name, total);
      try (AtomicFiles.Temp temp = AtomicFiles.Temp.create(file)) {
        RowFile.Writer writer = new RowFile.Writer(temp.channel());
        Converted converted = convert.convert(writer, progress);
        if (!java.util.Arrays.equals(stamps(sources), before)) {
          throw new InputException(name + ": changed while it was being converted into the row cache; run again");
        }
        writer.finish(converted.outputs(), key, converted.labels(), converted.names());
        temp.commit();
      } catch (java.io.UncheckedIOException e) {
        throw e.getCause();
      }
      options.note(progress.done());
      try {
        return RowFile.open(file, key).watching(sources);
      } catch (RowFile.Damaged e) {
        throw new InputException(file + ": the row cache just written does not read back (" + e.getMessage()
            + "); is the disk full or failing?");
      }
    } catch (java.nio.file.NoSuchFileException e) {
      throw new InputException(e.getFile() + ": file not found");
    } catch (IOException e) {
      throw new InputException(dev.cltrain.core.Wording.of("the row cache " + folder + " cannot be written or read ("
          + e.getMessage() + "); give another folder (", dev.cltrain.core.Wording.param("cache"),
          ", or CLTRAIN_CACHE)"));
    }
  }

  /** Each file's size and modification time (nanoseconds), two longs per file; −1 for one that is gone. */
  static long[] stamps(List<Path> files) {
    long[] stamps = new long[2 * files.size()];
    for (int i = 0; i < files.size(); i++) {
      try {
        stamps[2 * i] = Files.size(files.get(i));
        stamps[2 * i + 1] = Files.getLastModifiedTime(files.get(i)).to(java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (IOException e) {
        stamps[2 * i] = -1;
        stamps[2 * i + 1] = -1;
      }
    }
    return stamps;
  }

  /** The conversion and paths, then per source its size, time and the hash of its first and last blocks. */
  private static String key(String where, List<Path> sources, long[] stamps) throws IOException {
    StringBuilder key = new StringBuilder(where);
    for (int i = 0; i < sources.size(); i++) {
      key.append('\n').append(stamps[2 * i]).append(' ').append(stamps[2 * i + 1]).append(' ')
          .append(endsHash(sources.get(i), stamps[2 * i]));
    }
    return key.toString();
  }

  /** The conversion and the folder, then a hash of the listing: each file's name under the folder, size and time. */
  private static String listingKey(String where, Path dir, List<Path> files, long[] stamps) {
    StringBuilder listing = new StringBuilder();
    for (int i = 0; i < files.size(); i++) {
      listing.append(dir.relativize(files.get(i))).append('\t').append(stamps[2 * i]).append('\t')
          .append(stamps[2 * i + 1]).append('\n');
    }
    return where + "\nlisting of " + files.size() + " files "
        + hex(listing.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), 64);
  }

  private static String endsHash(Path file, long size) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer first = ByteBuffer.allocate((int) Math.min(BLOCK, size));
      channel.read(first, 0);
      ByteBuffer last = ByteBuffer.allocate((int) Math.min(BLOCK, size));
      channel.read(last, size - last.capacity());
      byte[] both = new byte[first.capacity() + last.capacity()];
      System.arraycopy(first.array(), 0, both, 0, first.capacity());
      System.arraycopy(last.array(), 0, both, first.capacity(), last.capacity());
      return hex(both, 32);
    }
  }

  private static String hex(byte[] bytes, int chars) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      StringBuilder s = new StringBuilder();
      for (byte b : digest) {
        s.append(String.format("%02x", b));
      }
      return s.substring(0, chars);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }
}
