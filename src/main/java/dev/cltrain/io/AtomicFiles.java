package dev.cltrain.io;

import dev.cltrain.core.InputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;

/**
 * Output files that are either whole or untouched: written to a temporary file in the same folder, forced
 * to disk, then renamed over the target. A failure at any point leaves the old file as it was.
 *
 * <p>Rules every write follows:
 * <ul>
 * <li>Only regular files are replaced. A target that exists and is not a regular file (a character or block
 *     device such as {@code /dev/null}, a FIFO, a socket; also through a symbolic link) is refused with an
 *     {@link InputException}: a rename would put a regular file in its place.</li>
 * <li>A symbolic link is written through, never replaced: the write lands on the file its chain of links ends
 *     at ({@link #resolve}), whose folder holds the temporary file and sees the rename; the links stay links. A
 *     chain that passes through {@code /proc} (such as {@code /dev/stdout}, a link to {@code /proc/self/fd/1})
 *     names a process's open file descriptor, which a rename cannot reach: it is refused.</li>
 * <li>The temporary file is {@code .NAME.RANDOM.tmp} beside the target, RANDOM being 13 characters of
 *     {@code [0-9a-z]}. When NAME is longer than {@value #MAX_STEM_BYTES} bytes in UTF-8 it is shortened to
 *     its first bytes, {@code ~} and 8 hexadecimal digits of its CRC-32, so the temporary name always fits in
 *     the 255 bytes a file name may have.</li>
 * <li>The writer holds an exclusive lock ({@link FileChannel#lock()}) on its temporary file from creating it
 *     until it has been renamed over the target. The operating system drops the lock when the process dies,
 *     kill -9 included.</li>
 * <li>Stale temporaries: before a target is written ({@link #checkWritable}) and after each write, the
 *     temporaries of that same target ({@code .NAME.RANDOM.tmp} with RANDOM of 10 to 13 characters of
 *     {@code [0-9a-z]}, and nothing else) that are regular files, were last modified at least
 *     {@link #STALE_AFTER} ago, are not being written by this JVM, and on which no process holds a lock, are
 *     deleted: their writer is gone. A temporary whose lock cannot be tested (a file system without locks, a
 *     file we may not open) is left alone.</li>
 * </ul>
 */
public final class AtomicFiles {
  /** The longest target name (UTF-8 bytes) used whole in its temporary file's name. */
  static final int MAX_STEM_BYTES = 200;
  /** Characters of the random part of a temporary file's name. */
  private static final int RANDOM_CHARS = 13;
  /**
   * How old (last modified) an unlocked temporary must be before it counts as stale: far longer than the
   * moment between creating a temporary and locking it.
   */
  public static final Duration STALE_AFTER = Duration.ofSeconds(10);

  /** The temporary files this JVM is writing now: never opened, never deleted by the stale clean-up. */
  private static final Set<Object> WRITING = ConcurrentHashMap.newKeySet();

  private AtomicFiles() {}

  /**
   * Checks, before any work is done, that {@code file} could be written, and removes stale temporaries of it
   * (see the class comment). It is refused when it is a folder; when its folder is missing or not writable;
   * when it exists but is not a regular file (a device, a FIFO, a socket); when its name is not one the file
   * system takes (too long, say); or when a temporary file, named as a write will name it, cannot be created
   * beside it (it is created and deleted at once). {@code option} names the flag for the message, e.g.
   * "--save".
   *
   * @param file   the output file that will be written later
   * @param option the option that named it, for the message
   * @throws InputException if {@code file} cannot be written as an output, saying why in one line
   */
  public static void checkWritable(Path file, String option) {
    OutputPath.Resolved resolved = OutputPath.walk(file);
    if (resolved.procLink() != null) {
      throw new InputException(option + " " + file + ": " + OutputPath.procLinkReason(resolved.procLink()));
    }
    Path absolute = resolved.target();
    Path folder = absolute.getParent();
    if (Files.isDirectory(absolute)) {
      throw new InputException(option + " " + file + ": is a directory");
    }
    if (folder == null || !Files.isDirectory(folder)) {
      throw new InputException(option + " " + file + ": folder " + folder + " does not exist");
    }
    if (!Files.isWritable(folder)) {
      throw new InputException(option + " " + file + ": folder " + folder + " is not writable");
    }
    String special = OutputPath.specialKind(absolute);
    if (special != null) {
      throw new InputException(option + " " + file + ": is " + special + ", not a regular file; outputs are written "
          + "to a temporary file renamed over the target, which would replace it (give a regular file's name)");
    }
    try {
      Files.readAttributes(absolute, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      // a new file: fine
    } catch (FileSystemException e) {
      throw new InputException(option + " " + abbreviate(file) + ": " + reason(e));
    } catch (IOException e) {
      throw new InputException(option + " " + abbreviate(file) + ": " + e.getMessage());
    }
    try (Temp probe = Temp.create(absolute)) {
      // created, locked and (by close) deleted: a write will manage the same
    } catch (IOException e) {
      throw new InputException(option + " " + abbreviate(file) + ": cannot create a temporary file in " + folder
          + " (" + (e instanceof FileSystemException f ? reason(f) : e.getMessage()) + ")");
    }
    removeStaleTemporaries(absolute);
  }

  /**
   * Writes {@code text} to {@code file} as UTF-8: whole, or (on any failure) not at all.
   *
   * @param file the file to create or replace
   * @param text its new content
   * @throws InputException if the file cannot be written, or exists and is not a regular file; the old file, if
   *     any, is left as it was
   */
  public static void writeString(Path file, String text) {
    writeBytes(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes {@code content} to {@code file}: whole, or (on any failure) not at all. Afterwards, stale
   * temporaries of the same target are removed (see the class comment).
   *
   * @param file    the file to create or replace
   * @param content its new bytes
   * @throws InputException if the file cannot be written, or exists and is not a regular file (a device, a
   *     FIFO, a socket, which is never replaced); the old file, if any, is left as it was
   */
  public static void writeBytes(Path file, byte[] content) {
    write(file, temp -> {
      ByteBuffer bytes = ByteBuffer.wrap(content);
      while (bytes.hasRemaining()) {
        temp.channel().write(bytes);
      }
    });
  }

  /** Writes a file's content into its temporary file. */
  @FunctionalInterface
  public interface Content {
    /**
     * @param out the text's destination (buffered; flushed after)
     * @throws IOException when it cannot be written
     */
    void write(java.io.Writer out) throws IOException;
  }

  /**
   * Writes the UTF-8 text {@code content} gives, piece by piece (a prediction per row, never the whole text in
   * memory), to {@code file}: whole, or (on any failure, a runtime exception from {@code content} too) not at all.
   *
   * @param file    the file to create or replace
   * @param content writes the text
   * @throws InputException as {@link #writeBytes}
   */
  public static void writeText(Path file, Content content) {
    write(file, temp -> {
      java.io.Writer out = new java.io.BufferedWriter(java.nio.channels.Channels.newWriter(temp.channel(),
          StandardCharsets.UTF_8), 1 << 16); // not closed: the temporary file's channel is its to close
      content.write(out);
      out.flush();
    });
  }

  private interface Body {
    void fill(Temp temp) throws IOException;
  }

  private static void write(Path file, Body body) {
    Path absolute = resolve(file);
    String special = OutputPath.specialKind(absolute);
    if (special != null) {
      throw new InputException("cannot write " + file + ": it is " + special + ", not a regular file, and would be "
          + "replaced by one");
    }
    try (Temp temp = Temp.create(absolute)) {
      body.fill(temp);
      temp.commit();
    } catch (IOException e) {
      throw new InputException("cannot write " + file + ": " + e.getMessage(), e);
    }
    removeStaleTemporaries(absolute);
  }

  /**
   * A temporary file beside a target, created empty and locked; {@link #commit()} forces it to disk and renames
   * it over the target, {@link #close()} without a commit deletes it. Either way the lock is released last.
   */
  public static final class Temp implements AutoCloseable {
    private final Path target;
    private final Path path;
    private final FileChannel channel;
    private final Object identity;
    private boolean committed;
    private boolean closed;

    private Temp(Path target, Path path, FileChannel channel, Object identity) {
      this.target = target;
      this.path = path;
      this.channel = channel;
      this.identity = identity;
    }

    /**
     * Creates {@code .NAME.RANDOM.tmp} beside {@code target} (beside the file it links to, when it is a
     * symbolic link: see {@link #resolve}) and locks it. Unlike
     * {@link Files#createTempFile}, which makes it readable by its owner only, it gets the permissions of any
     * new file (the umask's), so the target ends up as readable as one written in place.
     *
     * @param target the file that {@link #commit()} will replace
     * @return the new, empty, locked temporary file
     * @throws IOException if it cannot be created or locked, e.g. the folder is missing or not writable
     */
    public static Temp create(Path target) throws IOException {
      OutputPath.Resolved resolved = OutputPath.walk(target);
      if (resolved.procLink() != null) {
        throw new FileSystemException(target.toString(), null, OutputPath.procLinkReason(resolved.procLink()));
      }
      Path absolute = resolved.target();
      Path folder = absolute.getParent();
      String prefix = "." + stem(absolute.getFileName().toString()) + ".";
      for (int attempt = 0; ; attempt++) {
        Path path = folder.resolve(prefix + random() + ".tmp");
        FileChannel channel;
        try {
          channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (java.nio.file.FileAlreadyExistsException e) {
          if (attempt >= 100) {
            throw e;
          }
          continue;
        }
        try {
          Object identity = identity(path, Files.readAttributes(path, BasicFileAttributes.class,
              LinkOption.NOFOLLOW_LINKS));
          WRITING.add(identity);
          lock(channel);
          return new Temp(absolute, path, channel, identity);
        } catch (IOException | RuntimeException e) {
          channel.close();
          Files.deleteIfExists(path);
          throw e;
        }
      }
    }

    /** @return the temporary file's path */
    public Path path() {
      return path;
    }

    /** @return the open channel to write the content through */
    public FileChannel channel() {
      return channel;
    }

    /**
     * Forces the content to disk and renames the temporary file over the target, still holding the lock.
     *
     * @throws IOException if it cannot; the target is then as it was
     */
    public void commit() throws IOException {
      if (committed || closed) {
        throw new IllegalStateException("temporary file " + path + " already committed or closed");
      }
      channel.force(true);
      try {
        Files.move(path, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(path, target, StandardCopyOption.REPLACE_EXISTING);
      }
      committed = true;
    }

    /** Deletes the temporary file unless committed, then releases the lock. */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        if (!committed) {
          Files.deleteIfExists(path);
        }
      } catch (IOException ignored) {
        // what is left is a temporary file, removed as stale by a later write; the target is untouched
      } finally {
        try {
          channel.close();
        } catch (IOException ignored) {
          // closing releases the lock either way
        }
        WRITING.remove(identity);
      }
    }
  }

  /**
   * The file a write to {@code file} replaces: {@code file} made absolute, its symbolic links followed one by one
   * (so that a link to a file not created yet resolves too), in its folder's real path; the path as it stands when
   * a folder is missing, a link cannot be read or the chain is longer than 40 links (the write then fails, naming
   * it). Two paths that resolve alike name one file; see also {@code OutputFiles}.
   *
   * @param file an output file's path, as given
   * @return the absolute path the write renames its temporary file to
   */
  public static Path resolve(Path file) {
    return OutputPath.walk(file).target();
  }

  /**
   * Deletes the stale temporaries of {@code target} (see the class comment): its own pattern only, unlocked,
   * last modified at least {@link #STALE_AFTER} ago, not written by this JVM. Never fails: a file it cannot
   * judge or delete is left where it is.
   *
   * @param target the output file whose temporaries to clean up
   * @return how many were deleted
   */
  public static int removeStaleTemporaries(Path target) {
    Path absolute = resolve(target);
    Path folder = absolute.getParent();
    if (folder == null || absolute.getFileName() == null) {
      return 0;
    }
    String prefix = "." + stem(absolute.getFileName().toString()) + ".";
    Instant staleBefore = Instant.now().minus(STALE_AFTER);
    int removed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder,
        f -> isTemporaryOf(f.getFileName().toString(), prefix))) {
      for (Path candidate : files) {
        if (removeIfStale(candidate, staleBefore)) {
          removed++;
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // a folder we cannot list: nothing is removed
    }
    return removed;
  }

  /**
   * Whether {@code name} is {@code prefix} + 10 to 13 characters of [0-9a-z] + ".tmp": the 13 this class
   * writes, or the 10 to 13 of earlier versions (an unpadded random long in base 36, shorter than 10 characters
   * once in 10^5), so that a user's own {@code .NAME.notes.tmp} is never taken for one.
   */
  static boolean isTemporaryOf(String name, String prefix) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) {
      return false;
    }
    int end = name.length() - 4;
    int length = end - prefix.length();
    if (length < 10 || length > RANDOM_CHARS) {
      return false;
    }
    for (int i = prefix.length(); i < end; i++) {
      char c = name.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z')) {
        return false;
      }
    }
    return true;
  }

  private static boolean removeIfStale(Path candidate, Instant staleBefore) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(candidate, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      if (!attributes.isRegularFile() || attributes.lastModifiedTime().toInstant().isAfter(staleBefore)
          || WRITING.contains(identity(candidate, attributes))) {
        return false; // not a file we wrote, too recent, or being written by this JVM (never opened: closing
                      // another channel to it would drop this JVM's lock)
      }
      try (FileChannel channel = FileChannel.open(candidate, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
        FileLock lock = channel.tryLock();
        if (lock == null) {
          return false; // a live writer holds it
        }
        Files.delete(candidate);
        return true;
      }
    } catch (IOException | OverlappingFileLockException | UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * Locks a freshly created temporary file. On a file system without locks it stays unlocked and is still
   * written: there no clean-up can lock it either, so none deletes it.
   */
  private static void lock(FileChannel channel) {
    try {
      channel.tryLock();
    } catch (IOException | UnsupportedOperationException e) {
      // no locks here; see above
    }
  }

  /** What identifies a file in {@link #WRITING}: its file key (device and inode), else its normalised path. */
  private static Object identity(Path file, BasicFileAttributes attributes) {
    Object key = attributes.fileKey();
    return key != null ? key : file.toAbsolutePath().normalize();
  }

  /**
   * The target's name as its temporaries carry it: whole when it has at most {@value #MAX_STEM_BYTES} bytes in
   * UTF-8, else its first characters (fewer than 180 bytes), '~' and the CRC-32 of the whole name in hex.
   */
  static String stem(String name) {
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    if (utf8.length <= MAX_STEM_BYTES) {
      return name;
    }
    StringBuilder head = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + size > MAX_STEM_BYTES - 20) {
        break;
      }
      head.appendCodePoint(cp);
      bytes += size;
      i += Character.charCount(cp);
    }
    CRC32 crc = new CRC32();
    crc.update(utf8);
    return head + "~" + String.format("%08x", crc.getValue());
  }

  private static String random() {
    String r = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
    return "0".repeat(RANDOM_CHARS - r.length()) + r;
  }

  private static String reason(FileSystemException e) {
    return e.getReason() != null ? e.getReason() : e.getMessage();
  }

  /** A path for a message: a very long one keeps its start and its end. */
  private static String abbreviate(Path file) {
    String s = file.toString();
    return s.length() <= 120 ? s : s.substring(0, 60) + "..." + s.substring(s.length() - 40);
  }
}
